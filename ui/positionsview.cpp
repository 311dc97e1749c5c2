#include "ui/positionsview.h"

#include "ui/heatmapview.h"
#include "ui/plotstyle.h"
#include "ui/translationdocument.h"

#include <qcustomplot.h>

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace sf::ui {

PositionsView::PositionsView(TranslationDocument* doc, QWidget* parent) : QWidget(parent), mDoc(doc)
{
    // Three columns for a wide, short dock: the similarity map, the curves, the texts.
    auto* g = new QHBoxLayout(this);
    g->setContentsMargins(4, 4, 4, 4);
    mSimilarity = new HeatmapView(this);
    mSimilarity->setMinimumSize(160, 120);
    mCurves = new QCustomPlot(this);
    mCurves->setMinimumSize(200, 110);
    mDims = new QLineEdit("0, 1, 10, 40", this);
    mCaption = new QLabel(this);
    mCaption->setWordWrap(true);
    mCaption->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // wrap to the width given
    auto* middle = new QVBoxLayout;
    middle->addWidget(mCurves, 1);
    middle->addWidget(mDims);
    auto* right = new QVBoxLayout;
    right->addWidget(mCaption);
    auto* row = new QHBoxLayout;
    mA = new QLineEdit("the dog sees the cat", this);
    mB = new QLineEdit("the cat sees the dog", this);
    mRun = new QPushButton(this);
    row->addWidget(mA, 1), row->addWidget(mB, 1);
    right->addLayout(row);
    right->addWidget(mRun, 0, Qt::AlignLeft);
    mResult = new QLabel(this);
    mResult->setWordWrap(true);
    mResult->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // wrap to the width given
    mResult->setTextFormat(Qt::RichText);
    right->addWidget(mResult);
    right->addStretch(1);
    g->addWidget(mSimilarity, 3);
    g->addLayout(middle, 3);
    g->addLayout(right, 4);
    connect(mDims, &QLineEdit::editingFinished, this, &PositionsView::refresh);
    connect(mRun, &QPushButton::clicked, this, &PositionsView::runReorder);
    connect(mDoc, &TranslationDocument::modelChanged, this, &PositionsView::refresh);
    connect(&mWatcher, &QFutureWatcher<Outcome>::finished, this, [this] {
        mRun->setEnabled(true);
        const Outcome o = mWatcher.result();
        mLab = o.lab, mError = o.error;
        showReorder();
    });
    refresh();
}

PositionsView::~PositionsView() { mWatcher.waitForFinished(); }

void PositionsView::changeEvent(QEvent* e)
{
    QWidget::changeEvent(e);
    if (e->type() == QEvent::LanguageChange) refresh();
}

std::vector<int> PositionsView::dimensions() const
{
    std::vector<int> dims;
    const int d = mDoc->model() ? mDoc->model()->config().dModel : 0;
    for (const QString& part : mDims->text().split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const int x = part.trimmed().toInt(&ok);
        if (ok && x >= 0 && x < d && dims.size() < 8) dims.push_back(x);
    }
    return dims;
}

int PositionsView::curveCount() const { return mCurves->graphCount(); }

void PositionsView::refresh()
{
    mRun->setText(tr("Positions on / off"));
    mRun->setToolTip(tr("Encode and translate both sentences with and without positional encoding"));
    mDims->setToolTip(tr("Dimensions to plot, separated by commas"));
    mCurves->clearGraphs();
    if (!mDoc->model()) {
        mSimilarity->setData({});
        mCaption->setText(tr("Open a model to see its positional encoding."));
        mCurves->replot();
        return;
    }
    const Config& c = mDoc->model()->config();
    // The table the forward adds to the embeddings (core), and its dot products (core).
    const Tensor pe = positionTable(c, kPositions);  // [P, d]
    const Tensor sim = positionSimilarity(pe);      // [P, P]
    HeatmapView::Data h;
    h.title = tr("PE(i) · PE(j)");
    h.rows = h.cols = kPositions;
    h.values = sim.data;
    for (int i = 0; i < kPositions; ++i) h.rowLabels << QString::number(i), h.colLabels << QString::number(i);
    h.rowAxis = tr("position i");
    h.colAxis = tr("position j");
    h.valueName = tr("dot product");
    h.scale = HeatmapView::Scale::Range;  // all high and positive for large d: the range shows the bands
    mSimilarity->setData(h);

    static const QColor colors[] = {QColor(0, 114, 178), QColor(213, 94, 0), QColor(0, 158, 115),
                                    QColor(204, 121, 167), QColor(230, 159, 0), QColor(86, 180, 233),
                                    QColor(120, 120, 120), QColor(240, 228, 66)};
    const std::vector<int> dims = dimensions();
    for (size_t k = 0; k < dims.size(); ++k) {
        QCPGraph* gr = mCurves->addGraph();
        QVector<double> x, y;
        for (int p = 0; p < kPositions; ++p) x << p, y << pe.at(p, dims[k]);
        gr->setData(x, y);
        gr->setPen(QPen(colors[k % 8], 1.8));
        gr->setName(tr("dimension %1").arg(dims[k]));
    }
    stylePlot(mCurves, this);
    mCurves->legend->setVisible(!dims.empty());
    QColor legend = palette().color(QPalette::Base);
    legend.setAlpha(190);  // the curves show through
    mCurves->legend->setBrush(legend);
    mCurves->xAxis->setLabel(tr("position"));
    mCurves->yAxis->setLabel(tr("PE(position, dimension)"));
    mCurves->xAxis->setRange(0, kPositions - 1);
    mCurves->yAxis->setRange(-1.1, 1.1);
    mCurves->replot();
    mCaption->setText(tr("Left: every position's encoding dotted with every other's. Along each diagonal (fixed "
                         "distance j − i) the value is the same: PE(i) · PE(i + k) = Σ cos(k ω), so attention can "
                         "read relative distance. Right: low dimensions wave fast, high ones slowly. The encoding is "
                         "added to the embedding, not concatenated: d stays %1 and the model learns to keep word "
                         "and position apart in the same space.")
                          .arg(c.dModel));
    showReorder();
}

void PositionsView::runReorder()
{
    if (!mDoc->model()) return;
    auto job = [model = mDoc->sharedModel(), a = mA->text().trimmed().toStdString(), b = mB->text().trimmed().toStdString()] {
        Outcome o;
        auto r = runReorderLab(model, a, b);
        if (r) o.lab = std::make_shared<ReorderLab>(std::move(*r));
        else o.error = TranslationDocument::reasonText(r.message(), r.reason());
        return o;
    };
    if (mSynchronous) {
        const Outcome o = job();
        mLab = o.lab, mError = o.error;
        showReorder();
        return;
    }
    mRun->setEnabled(false);
    mResult->setText(tr("Running four translations…"));
    mWatcher.setFuture(QtConcurrent::run(job));
}

QString PositionsView::reorderText() const { return mResult->text(); }

void PositionsView::showReorder()
{
    if (!mError.isEmpty()) {
        mResult->setText(tr("This did not work: %1").arg(mError.toHtmlEscaped()));
        return;
    }
    if (!mLab) {
        mResult->setText(tr("Without positions the encoder sees a bag of words: try two orders of the same words."));
        return;
    }
    const ReorderLab& L = *mLab;
    auto q = [](const Translation& t) { return QString::fromStdString(t.outputText).toHtmlEscaped(); };
    auto s = [](const Translation& t) { return QString::fromStdString(t.sourceText).toHtmlEscaped(); };
    mResult->setText(
        tr("<b>With positions:</b> “%1” → “%2”, “%3” → “%4”; the encoder outputs differ by up to %5 even after "
           "matching the words.<br><b>Without positions:</b> “%1” → “%6”, “%3” → “%7”; the encoder outputs are the "
           "same up to the permutation of the words (largest difference %8): attention alone cannot tell who sees "
           "whom.")
            .arg(s(L.a), q(L.a), s(L.b), q(L.b))
            .arg(L.differenceWithPositions, 0, 'f', 3)
            .arg(q(L.aNoPositions), q(L.bNoPositions))
            .arg(L.differenceWithoutPositions, 0, 'g', 2));
}

}  // namespace sf::ui
