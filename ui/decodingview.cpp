#include "ui/decodingview.h"

#include "core/model/trace_names.h"

#include "ui/heatmapview.h"
#include "ui/plotstyle.h"
#include "ui/tracedata.h"
#include "ui/translationdocument.h"

#include <qcustomplot.h>

#include <QGridLayout>
#include <QLabel>

namespace sf::ui {

namespace {

QString chips(const QStringList& pieces, int current, const QString& currentStyle)
{
    QString html;
    for (int i = 0; i < pieces.size(); ++i)
        html += QString("<span style='%1'>&nbsp;%2&nbsp;</span> ")  // a space: long rows wrap between chips
                    .arg(i == current ? currentStyle : "background:#d8d8d8;color:black")
                    .arg(pieces[i].toHtmlEscaped());
    return html;
}

}  // namespace

DecodingView::DecodingView(TranslationDocument* doc, QWidget* parent) : QWidget(parent), mDoc(doc)
{
    auto* g = new QGridLayout(this);
    g->setContentsMargins(4, 2, 4, 2);  // compact: the strip fits a 720-pixel-high window
    g->setVerticalSpacing(2);
    for (int row = 0; row < 5; ++row) {
        mRowLabels[row] = new QLabel(this);
        mRowLabels[row]->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        g->addWidget(mRowLabels[row], row, 0, Qt::AlignRight | Qt::AlignVCenter);
    }
    retranslate();
    mSource = new QLabel(this);
    mInput = new QLabel(this);
    mOutput = new QLabel(this);
    for (QLabel* l : {mSource, mInput, mOutput}) {
        l->setTextFormat(Qt::RichText);
        l->setWordWrap(true);
    }
    g->addWidget(mSource, 0, 1);
    g->addWidget(mInput, 1, 1);
    g->addWidget(mOutput, 2, 1);
    mSelf = new HeatmapView(this);
    mCross = new HeatmapView(this);
    g->addWidget(mSelf, 3, 1);
    g->addWidget(mCross, 4, 1);
    mTop = new QCustomPlot(this);
    mTop->setMinimumWidth(260);
    g->addWidget(mTop, 0, 2, 5, 1);
    g->setColumnStretch(1, 3);
    g->setColumnStretch(2, 2);
    mFlying = new QLabel(this);
    mFlying->setStyleSheet("background:#d55e00;color:white;font-weight:bold;padding:2px");
    mFlying->hide();
    connect(mDoc, &TranslationDocument::stepChanged, this, &DecodingView::refresh);
    connect(mDoc, &TranslationDocument::headChanged, this, &DecodingView::refresh);
    refresh();
}

void DecodingView::retranslate()
{
    const QString names[] = {tr("source"), tr("decoder input"), tr("output"), tr("masked self-attn"), tr("cross-attn")};
    for (int row = 0; row < 5; ++row) mRowLabels[row]->setText("<b>" + names[row] + "</b>");
}

void DecodingView::changeEvent(QEvent* e)
{
    QWidget::changeEvent(e);
    if (e->type() == QEvent::LanguageChange) {
        retranslate();
        refresh();
    }
}

void DecodingView::setColormap(Colormap map)
{
    mSelf->setColormap(map);
    mCross->setColormap(map);
}

void DecodingView::setMinimumTextPixels(int px)
{
    mSelf->setMinimumTextPixels(px);
    mCross->setMinimumTextPixels(px);
}

void DecodingView::setAnimationProgress(double p)
{
    const Step* s = mDoc->currentStep();
    if (!s || s->stage != Stage::ChooseToken || mChoice < 0 || p >= 1.0) {
        mFlying->hide();
        return;
    }
    // From the bar chart to the end of the decoder input row.
    const QPoint from = mTop->geometry().center();
    const QPoint to(mInput->geometry().left() + mInput->sizeHint().width(), mInput->geometry().center().y());
    mFlying->adjustSize();
    mFlying->move(from + (to - from) * p - QPoint(mFlying->width() / 2, mFlying->height() / 2));
    mFlying->show();
    mFlying->raise();
}

void DecodingView::refresh()
{
    const Step* s = mDoc->currentStep();
    const Translation* t = mDoc->translation();
    mChoice = -1;
    mBarsShown = false;
    mTop->clearPlottables();
    mTop->clearItems();
    if (!s || !t || !t->trace) {
        mSource->clear(), mInput->clear(), mOutput->clear();
        mSelf->setData({}), mCross->setData({});
        mTop->hide();
        return;
    }
    const Config& c = mDoc->model()->config();
    const int step = s->decoder ? s->t : -1;
    mSource->setText(chips(sourceLabels(*t), -1, QString()));
    mTop->setVisible(step >= 0);
    if (step < 0) {
        retranslate();
        mInput->setText(tr("<i>the decoder starts after the encoder</i>"));
        mOutput->clear();
        mSelf->setData({}), mCross->setData({});
        return;
    }
    const bool chosen = s->stage == Stage::ChooseToken;
    mInput->setText(chips(decoderInputLabels(*t, step + 1, mDoc->model()->tokenizer()), step, "background:#0072b2;color:white;font-weight:bold"));
    QStringList out;
    for (int i = 0; i < step + (chosen ? 1 : 0); ++i) out << QString::fromStdString(t->outputPieces[size_t(i)]);
    mOutput->setText(chips(out, chosen ? step : -1, "background:#d55e00;color:white;font-weight:bold"));
    if (chosen) mChoice = t->outputIds[size_t(step)];

    // The current position's attention rows: the step's layer (the last one once the stack
    // has run), each revealed only once the walk has computed it at this decoding step:
    // nothing before the first layer, the bars from the Probabilities step on.
    const std::vector<Step>& steps = mDoc->steps();
    const int now = mDoc->currentIndex();
    auto reached = [&](auto is) {
        for (int i = 0; i <= now && i < int(steps.size()); ++i)
            if (steps[size_t(i)].decoder && steps[size_t(i)].t == step && is(steps[size_t(i)])) return true;
        return false;
    };
    const bool stackDone = reached([](const Step& x) { return x.stage == Stage::Logits; });
    const int layer = s->layer >= 0 ? s->layer : c.decoderLayers - 1;
    auto weightsOf = [&](Sublayer sub) {
        return [=](const Step& x) {
            return x.sublayer == sub && x.stage == Stage::Weights && (x.layer == layer || stackDone);
        };
    };
    const bool selfShown = (s->layer >= 0 || stackDone) && reached(weightsOf(Sublayer::SelfAttention));
    const bool crossShown = (s->layer >= 0 || stackDone) && reached(weightsOf(Sublayer::CrossAttention));
    const bool barsShown = reached([](const Step& x) { return x.stage == Stage::Probabilities; });
    mBarsShown = barsShown;
    const int head = std::min(mDoc->selectedHead(), c.decoderHeads - 1);
    namespace tn = trace_names;
    // Only row `step` of each map: the query being decoded now.
    HeatmapView::Data selfRow = traceRow(*t->trace->find(tn::attention(Stack::Decoder, layer, AttentionKind::Self, "weights")), step, step + 1, head);
    selfRow.rowLabels = QStringList{decoderInputLabels(*t, step + 1, mDoc->model()->tokenizer()).back()};
    selfRow.colLabels = decoderInputLabels(*t, step + 1, mDoc->model()->tokenizer());
    // Which head the rows show, under the row names (no title line: the strip stays short).
    const QString which = "<br>" + tr("layer %1 head %2").arg(layer + 1).arg(head + 1);
    mRowLabels[3]->setText("<b>" + tr("masked self-attn") + "</b>" + which);
    mRowLabels[4]->setText("<b>" + tr("cross-attn") + "</b>" + which);
    selfRow.valueName = tr("weight");
    selfRow.firstRow = step;  // the query of this decoding step
    selfRow.rowAxis = tr("query"), selfRow.colAxis = tr("key");
    HeatmapView::Data later;
    later.title = tr("(computed later in this decoding step)");
    mSelf->setData(selfShown ? selfRow : later);
    const int S = int(t->sourceIds.size());
    HeatmapView::Data crossRow = traceRow(*t->trace->find(tn::attention(Stack::Decoder, layer, AttentionKind::Cross, "weights")), step, S, head);
    crossRow.rowLabels = selfRow.rowLabels;
    crossRow.colLabels = sourceLabels(*t);
    crossRow.valueName = tr("weight");
    crossRow.firstRow = step;
    crossRow.rowAxis = tr("query"), crossRow.colAxis = tr("key");
    mCross->setData(crossShown ? crossRow : later);

    // Top-10 next-token probabilities at this step.
    const float* probs = t->trace->find(tn::probs())->row(step);
    const std::vector<int> top = topK(probs, c.vocabSize, 10);
    auto* bars = new QCPBars(mTop->xAxis, mTop->yAxis);
    auto* pick = new QCPBars(mTop->xAxis, mTop->yAxis);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    const text::Tokenizer* tok = mDoc->model()->tokenizer();
    for (size_t i = 0; i < top.size() && barsShown; ++i) {
        ticker->addTick(double(i), tok ? QString::fromStdString(tok->targetPiece(top[i])) : QString::number(top[i]));
        (chosen && top[i] == mChoice ? pick : bars)->addData(double(i), probs[top[i]]);
    }
    bars->setBrush(QColor(86, 180, 233));
    pick->setBrush(QColor(213, 94, 0));
    bars->setPen(Qt::NoPen), pick->setPen(Qt::NoPen);
    stylePlot(mTop, this);
    mTop->xAxis->setTicker(ticker);
    mTop->xAxis->setTickLabelRotation(45);
    mTop->xAxis->setRange(-0.7, 9.7);
    mTop->yAxis->setRange(0, 1.05);
    // The axis label stays short (a long vertical one was cut off at 720p); which step the
    // bars belong to, and that they come only after the last layer, is written across the
    // plot, where there is room.
    mTop->yAxis->setLabel("p");  // "p(next token), step N" is written across the plot
    auto* note = new QCPItemText(mTop);
    note->setObjectName("stepNote");
    note->position->setType(QCPItemPosition::ptAxisRectRatio);
    note->position->setCoords(0.99, 0.02);
    note->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
    note->setFont(mTop->yAxis->labelFont());
    note->setColor(palette().color(QPalette::WindowText));
    note->setText(barsShown ? tr("p(next token), step %1").arg(step + 1)
                            : tr("p(next token), step %1: after the last layer").arg(step + 1));
    mStepNote = note->text();
    mTop->replot();
    if (chosen) mFlying->setText(QString::fromStdString(t->outputPieces[size_t(step)]));
}

}  // namespace sf::ui
