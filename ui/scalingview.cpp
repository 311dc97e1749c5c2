#include "ui/scalingview.h"

#include "ui/plotstyle.h"
#include "ui/translationdocument.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>

namespace sf::ui {

ScalingView::ScalingView(TranslationDocument* doc, QWidget* parent) : QWidget(parent), mDoc(doc)
{
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(4, 4, 4, 4);
    auto* h = new QHBoxLayout;
    mAttention = new QComboBox(this);
    mHead = new QSpinBox(this);
    mHead->setRange(1, 1);
    mRun = new QPushButton(this);
    h->addWidget(mAttention, 1), h->addWidget(mHead), h->addWidget(mRun);
    v->addLayout(h);
    auto* body = new QHBoxLayout;
    mPlot = new QCustomPlot(this);
    mPlot->setMinimumHeight(110);
    // The legend beside the axes, not over the bars: the dock is wide and short.
    mPlot->axisRect()->insetLayout()->take(mPlot->legend);
    mPlot->plotLayout()->addElement(0, 1, mPlot->legend);
    mPlot->plotLayout()->setColumnStretchFactor(1, 0.001);
    mPlot->legend->setVisible(false);
    mSummary = new QLabel(this);
    mSummary->setWordWrap(true);
    mSummary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // wrap to the width given
    mSummary->setTextFormat(Qt::RichText);
    mSummary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    mSummary->setMinimumWidth(260);
    body->addWidget(mPlot, 3);
    body->addWidget(mSummary, 2);
    v->addLayout(body, 1);
    connect(mRun, &QPushButton::clicked, this, &ScalingView::run);
    connect(mAttention, &QComboBox::currentIndexChanged, this, &ScalingView::refresh);
    connect(mHead, &QSpinBox::valueChanged, this, &ScalingView::refresh);
    connect(mDoc, &TranslationDocument::modelChanged, this, &ScalingView::rebuildAttentions);
    connect(&mWatcher, &QFutureWatcher<Outcome>::finished, this, [this] {
        mRun->setEnabled(true);
        const Outcome o = mWatcher.result();
        mLab = o.lab, mError = o.error;
        refresh();
    });
    rebuildAttentions();
}

ScalingView::~ScalingView() { mWatcher.waitForFinished(); }

void ScalingView::changeEvent(QEvent* e)
{
    QWidget::changeEvent(e);
    if (e->type() == QEvent::LanguageChange) rebuildAttentions();
}

// Each attention of the model, its trace name as the item's data.
void ScalingView::rebuildAttentions()
{
    const QSignalBlocker block(mAttention);
    const int keep = std::max(0, mAttention->currentIndex());
    mAttention->clear();
    if (const Model* m = mDoc->model()) {
        const Config& c = m->config();
        namespace tn = trace_names;
        for (int l = 0; l < c.encoderLayers; ++l)
            mAttention->addItem(tr("encoder layer %1 · self-attention").arg(l + 1),
                                QString::fromStdString(tn::attention(Stack::Encoder, l, AttentionKind::Self, "weights")));
        for (int l = 0; l < c.decoderLayers; ++l) {
            mAttention->addItem(tr("decoder layer %1 · masked self-attention").arg(l + 1),
                                QString::fromStdString(tn::attention(Stack::Decoder, l, AttentionKind::Self, "weights")));
            mAttention->addItem(tr("decoder layer %1 · cross-attention").arg(l + 1),
                                QString::fromStdString(tn::attention(Stack::Decoder, l, AttentionKind::Cross, "weights")));
        }
        mHead->setRange(1, std::max(c.encoderHeads, c.decoderHeads));
        mAttention->setCurrentIndex(std::min(keep, mAttention->count() - 1));
    }
    mRun->setText(tr("With / without 1/√d_k"));
    mRun->setToolTip(tr("Run the current sentence with and without the scaling"));
    mHead->setPrefix(tr("head "));
    refresh();
}

void ScalingView::run()
{
    const Translation* t = mDoc->translation();
    if (!t || !mDoc->model()) return;
    auto job = [model = mDoc->sharedModel(), source = t->sourceText] {
        Outcome o;
        auto r = runScalingLab(model, source);
        if (r) o.lab = std::make_shared<ScalingLab>(std::move(*r));
        else o.error = TranslationDocument::reasonText(r.message(), r.reason());
        return o;
    };
    if (mSynchronous) {
        const Outcome o = job();
        mLab = o.lab, mError = o.error;
        refresh();
        return;
    }
    mRun->setEnabled(false);
    mSummary->setText(tr("Running three passes…"));
    mWatcher.setFuture(QtConcurrent::run(job));
}

QString ScalingView::summary() const { return mSummary->text(); }

void ScalingView::refresh()
{
    mBefore.clear(), mAfter.clear();
    mCollapsedBefore = mCollapsedAfter = 0;
    mPlot->clearPlottables();
    stylePlot(mPlot, this);
    if (!mError.isEmpty()) {
        mSummary->setText(tr("This did not work: %1").arg(mError.toHtmlEscaped()));
        mPlot->replot();
        return;
    }
    if (!mLab || mAttention->count() == 0) {
        mSummary->setText(tr("Scores q·k grow with d_k (a sum of d_k products); divided by √d_k they keep a unit "
                             "scale. Press the button to see what the softmax does without it."));
        mPlot->replot();
        return;
    }
    const std::string name = mAttention->currentData().toString().toStdString();
    const Tensor wb = mLab->scaled.trace->get(name), wa = mLab->unscaled.trace->get(name);  // [H, R, C]
    if (wb.shape.size() != 3 || wb.shape != wa.shape) {
        mPlot->replot();
        return;
    }
    const int h = std::min(mHead->value() - 1, int(wb.dim(0)) - 1);
    const Tensor eb = attentionEntropy(wb), ea = attentionEntropy(wa);  // [H, R]
    const Tensor pb = attentionPeak(wb), pa = attentionPeak(wa);
    const int R = int(eb.dim(1));
    // The decoder's self-attention rows see keys 0..r, unless this pass saw later ones.
    const bool causal = name.find("decoder") == 0 && name.find("self_attn") != std::string::npos &&
                        !mLab->scaled.decoderSawLaterKeys();
    auto* before = new QCPBars(mPlot->xAxis, mPlot->yAxis);
    auto* after = new QCPBars(mPlot->xAxis, mPlot->yAxis);
    auto* ceiling = mPlot->addGraph();
    auto* collapsed = mPlot->addGraph();  // a mark on each row collapsed without the scaling
    QVector<double> cx, cy, kx, ky;
    for (int r = 0; r < R; ++r) {
        mBefore.push_back(eb.at(h, r));
        mAfter.push_back(ea.at(h, r));
        mCollapsedBefore += pb.at(h, r) > kCollapsed;
        mCollapsedAfter += pa.at(h, r) > kCollapsed;
        if (pa.at(h, r) > kCollapsed) kx << r + 0.2, ky << -0.02;
        before->addData(r - 0.2, mBefore.back());
        after->addData(r + 0.2, mAfter.back());
        // A row of n visible keys spread evenly has log2 n bits (the causal row t sees t + 1).
        const double keys = causal ? r + 1 : double(wb.dim(2));
        cx << r - 0.45 << r + 0.45;
        cy << std::log2(keys) << std::log2(keys);
    }
    ceiling->setData(cx, cy);
    collapsed->setData(kx, ky);
    collapsed->setLineStyle(QCPGraph::lsNone);
    collapsed->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssTriangle, QColor(213, 94, 0), 9));
    collapsed->setName(tr("collapsed onto one key (no scaling)"));
    ceiling->setLineStyle(QCPGraph::lsStepLeft);
    ceiling->setPen(QPen(QColor(120, 120, 120), 1, Qt::DashLine));
    ceiling->setName(tr("log₂(keys): spread evenly"));
    before->setWidth(0.38), after->setWidth(0.38);
    before->setBrush(QColor(0, 114, 178)), after->setBrush(QColor(213, 94, 0));
    before->setPen(Qt::NoPen), after->setPen(Qt::NoPen);
    before->setName(tr("softmax(q·k / √d_k)"));
    after->setName(tr("softmax(q·k), no scaling"));
    mPlot->legend->setVisible(true);
    mPlot->xAxis->setLabel(tr("query row"));
    mPlot->yAxis->setLabel(tr("entropy (bits)"));
    mPlot->xAxis->setRange(-0.7, R - 0.3);
    double top = 0.5;
    for (double y : cy) top = std::max(top, y);
    mPlot->yAxis->setRange(-0.08 * top, top * 1.15);  // room below 0 for the collapse marks
    mPlot->replot();
    double sb = 0, sa = 0;
    for (int r = 0; r < R; ++r) sb += mBefore[size_t(r)], sa += mAfter[size_t(r)];
    mSummary->setText(tr("Head %1: mean entropy %2 bits with the scaling, %3 bits without. Rows collapsed onto one "
                         "key (largest weight > %4): %5 of %6 with, %7 of %6 without. Scores √d_k = %8 times larger "
                         "push the softmax toward a one-hot choice, where its gradient vanishes. "
                         "Translation with scaling: “%9”; without: “%10”.")
                          .arg(h + 1)
                          .arg(sb / std::max(1, R), 0, 'f', 2)
                          .arg(sa / std::max(1, R), 0, 'f', 2)
                          .arg(kCollapsed)
                          .arg(mCollapsedBefore)
                          .arg(R)
                          .arg(mCollapsedAfter)
                          .arg(std::sqrt(double(mDoc->model()->config().dModel) /
                                         double(name.find("encoder") == 0 ? mDoc->model()->config().encoderHeads
                                                                           : mDoc->model()->config().decoderHeads)),
                               0, 'f', 1)
                          .arg(QString::fromStdString(mLab->scaled.outputText).toHtmlEscaped(),
                               QString::fromStdString(mLab->unscaledFree.outputText).toHtmlEscaped()));
}

}  // namespace sf::ui
