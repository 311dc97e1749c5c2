#include "ui/stageview.h"

#include "ui/labresources.h"
#include "ui/plotstyle.h"
#include "ui/texttable.h"
#include "ui/tracedata.h"
#include "ui/translationdocument.h"

#include "core/text/tokenizer.h"

#include "core/model/interventions.h"

#include <qcustomplot.h>

#include <QGridLayout>
#include <cmath>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

namespace sf::ui {

namespace {

// A colour per head, shared by the frames of the head views.
QColor headColor(int h)
{
    static const QColor c[] = {QColor(0, 114, 178), QColor(230, 159, 0), QColor(0, 158, 115), QColor(204, 121, 167),
                               QColor(86, 180, 233), QColor(213, 94, 0), QColor(240, 228, 66), QColor(90, 90, 90)};
    return c[h % 8];
}

QString stageTitle(const Step& s) { return rendered(s.title()); }

}  // namespace

StageView::StageView(TranslationDocument* doc, QWidget* parent) : QWidget(parent), mDoc(doc)
{
    auto* v = new QVBoxLayout(this);
    mTitle = new QLabel(this);
    mTitle->setWordWrap(true);
    applyTitleFont();
    v->addWidget(mTitle);
    mWarning = new QLabel(this);
    mWarning->setWordWrap(true);
    mWarning->setStyleSheet("background:#fff3cd;color:#5c4400;border:1px solid #e0b000;padding:4px");
    mWarning->hide();
    v->addWidget(mWarning);
    // The canvas scrolls when its plots need more room than the window has (a long
    // sentence): the window itself never grows for them.
    mScroll = new QScrollArea(this);
    mScroll->setWidgetResizable(true);
    mScroll->setFrameShape(QFrame::NoFrame);
    mCanvas = new QWidget;
    mGrid = new QGridLayout(mCanvas);
    mGrid->setContentsMargins(0, 0, 0, 0);
    mScroll->setWidget(mCanvas);
    v->addWidget(mScroll, 1);
    connect(mDoc, &TranslationDocument::stepChanged, this, &StageView::refresh);
    connect(mDoc, &TranslationDocument::headChanged, this, &StageView::refresh);
    refresh();
}

QString StageView::title() const { return mTitle->text(); }

void StageView::setDifference(bool on)
{
    if (on == mDifference) return;
    mDifference = on;
    refresh();
}

Tensor StageView::shownTensor(const std::string& name, bool* isDifference) const
{
    const Translation* t = mDoc->translation();
    const Translation* b = mDoc->baseline();
    if (isDifference) *isDifference = false;
    if (!t || !t->trace) return {};
    Tensor after = t->trace->get(name);
    if (!mDifference || !b || !b->trace) return after;
    Tensor d;
    if (!ui::difference(after, b->trace->get(name), &d)) return after;
    if (isDifference) *isDifference = true;
    return d;
}

void StageView::setGoldAlignment(bool on)
{
    if (on == mGold) return;
    mGold = on;
    refresh();
}

const GoldCells* StageView::goldCells()
{
    const Translation* t = mDoc->translation();
    if (!t || !mDoc->model()) return nullptr;
    std::string key = mDoc->modelPath().toStdString() + "|" + t->sourceText + "|" + t->decoding + "|";
    for (int id : t->decoding == "forced" ? t->forcedIds : t->outputIds) key += std::to_string(id) + " ";
    if (key != mGoldFor) {
        mGoldFor = key;
        mGoldWhy.clear();
        mGoldOk = goldAlignmentOf(*t, *mDoc->model(), mDoc->modelPath(), &mGoldCells, &mGoldWhy);
        if (!mGoldOk) mGoldWhy = tr("No gold alignment to outline: %1").arg(mGoldWhy);
    }
    return mGoldOk ? &mGoldCells : nullptr;
}

namespace {
// A heatmap of after − before: diverging colours centred at 0, and a title that says so.
void markDifference(HeatmapView::Data& d, bool diff)
{
    if (!diff) return;
    d.scale = HeatmapView::Scale::Symmetric;
    d.title = StageView::tr("after − before: %1").arg(d.title);
    d.valueName = StageView::tr("difference");
}
}  // namespace

void StageView::changeEvent(QEvent* e)
{
    QWidget::changeEvent(e);
    if (e->type() == QEvent::LanguageChange) refresh();
    if (e->type() == QEvent::FontChange) applyTitleFont();
}

// The title: the view's font (zoom, presentation) × 1.35, bold.
void StageView::applyTitleFont()
{
    QFont f = font();
    if (f.pixelSize() > 0) f.setPixelSize(int(std::lround(f.pixelSize() * 1.35)));
    else f.setPointSizeF(f.pointSizeF() * 1.35);
    f.setBold(true);
    mTitle->setFont(f);
}

void StageView::setMinimumTextPixels(int px)
{
    mMinTextPx = px;
    refresh();
}
QString StageView::warning() const { return mWarning->isVisibleTo(this) ? mWarning->text() : QString(); }

void StageView::setColormap(Colormap map)
{
    mColormap = map;
    for (HeatmapView* h : mHeatmaps) h->setColormap(map);
}

void StageView::setDark(bool dark)
{
    mDark = dark;
    refresh();
}

void StageView::setAnimationProgress(double p)
{
    mProgress = p;
    const Step* s = mDoc->currentStep();
    if (!s) return;
    for (HeatmapView* h : mHeatmaps) {
        if (s->stage == Stage::Mask) h->setMaskProgress(p);
        if (s->stage == Stage::Positions && h->property("sum").toBool()) h->setReveal(p);
    }
}

void StageView::clear()
{
    // Widgets are kept and reused: making and destroying them on every step costs more
    // than everything else a step change does.
    mHeatmaps.clear();
    mPrimary = nullptr;
    mPlot = nullptr;
    mLabelsUsed = 0;
    while (QLayoutItem* item = mGrid->takeAt(0)) {
        if (QWidget* w = item->widget()) w->hide();
        delete item;
    }
    for (int i = 0; i < mGrid->rowCount(); ++i) mGrid->setRowStretch(i, 0);
    for (int i = 0; i < mGrid->columnCount(); ++i) mGrid->setColumnStretch(i, 0);
}

HeatmapView* StageView::addHeatmap(HeatmapView::Data d, int row, int col, int rowSpan, int colSpan)
{
    HeatmapView* h = nullptr;
    if (mHeatmaps.size() < mHeatmapPool.size()) {
        h = mHeatmapPool[mHeatmaps.size()];
        h->disconnect(this);
        h->setStyleSheet(QString());
        h->setPalette(QPalette());
        h->setToolTip(QString());
        h->unsetCursor();
        h->setProperty("sum", QVariant());
        h->setHighlightRow(-1);
        h->setMaskProgress(1.0);
        h->setReveal(1.0);
    } else {
        h = new HeatmapView(mCanvas);
        mHeatmapPool << h;
    }
    h->setColormap(mColormap);
    h->setDark(mDark);
    h->setMinimumTextPixels(mMinTextPx);
    // A style sheet (the head frames) freezes the font a widget had: give it the view's.
    h->setFont(font());
    h->setData(std::move(d));
    mGrid->addWidget(h, row, col, rowSpan, colSpan);
    h->show();  // a widget added to a visible layout would otherwise wait for the event loop
    mHeatmaps << h;
    return h;
}

QLabel* StageView::addText(const QString& html, int row, int col, int rowSpan, int colSpan)
{
    if (mLabelsUsed == mLabelPool.size()) {
        auto* l = new QLabel(mCanvas);
        l->setWordWrap(true);
        l->setTextFormat(Qt::RichText);
        l->setAlignment(Qt::AlignTop | Qt::AlignLeft);
        mLabelPool << l;
    }
    QLabel* l = mLabelPool[mLabelsUsed++];
    l->setWordWrap(true);
    l->setText(html);
    l->setObjectName(QString());
    mGrid->addWidget(l, row, col, rowSpan, colSpan);
    l->show();
    return l;
}

QCustomPlot* StageView::addPlot(int row, int col, int rowSpan, int colSpan)
{
    if (!mPlotWidget) {
        mPlotWidget = new QCustomPlot(mCanvas);
        mPlotWidget->setMinimumHeight(160);
    }
    QCustomPlot* p = mPlotWidget;
    p->clearGraphs();
    p->clearPlottables();
    p->legend->setVisible(false);
    if (p->plotLayout()->hasElement(0, 1)) p->axisRect()->insetLayout()->addElement(p->legend, Qt::AlignRight | Qt::AlignTop);
    p->plotLayout()->simplify();
    p->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    p->xAxis->setTickLabelRotation(0);
    p->xAxis->setLabel(QString());
    p->yAxis->setLabel(QString());
    stylePlot(p, this);
    mGrid->addWidget(p, row, col, rowSpan, colSpan);
    p->show();
    mPlot = p;
    return p;
}

void StageView::refresh()
{
    clear();
    mGoldShown = false;
    const Step* s = mDoc->currentStep();
    const Translation* t = mDoc->translation();
    if (!s || !t || !t->trace) {
        mWarning->hide();
        mTitle->setText(mDoc->model() ? tr("Type a sentence and press Translate.") : tr("Open a model to begin."));
        return;
    }
    mTitle->setText(stageTitle(*s));
    QStringList warnings;
    for (const text::InputWarning& w : mDoc->inputWarnings()) warnings << TranslationDocument::inputWarningText(w);
    for (const Text& w : t->warnings) warnings << TranslationDocument::warningText(w);
    // Gold alignment asked for on a cross-attention map the sentence has no alignment for.
    const bool crossMap = s->sublayer == Sublayer::CrossAttention &&
                          (s->stage == Stage::Scores || s->stage == Stage::Weights || s->stage == Stage::AllHeads);
    if (mGold && crossMap && !goldCells()) warnings << mGoldWhy;
    mWarning->setText(tr("Warning: %1").arg(warnings.join("; ")));
    mWarning->setVisible(!warnings.isEmpty());
    switch (s->stage) {
    case Stage::SourceTokens: showTokens(); break;
    case Stage::Embedding: showEmbedding(); break;
    case Stage::Positions: showPositions(); break;
    case Stage::Projections:
    case Stage::Heads:
    case Stage::Scores:
    case Stage::Mask:
    case Stage::Weights:
    case Stage::Context:
    case Stage::AllHeads: showAttention(); break;
    case Stage::AttentionOutput:
        showMatrix(QString::fromStdString(s->tensor()), tr("Concat(heads) W_O  [tokens × d_model]"),
                   HeatmapView::Scale::Symmetric, 0, 0);
        break;
    case Stage::AddNorm: showAddNorm(); break;
    case Stage::FfnHidden:
        // ReLU's output is never negative: a one-sided scale from 0 (a diverging one would
        // spend half its colours on values that cannot occur). GELU and swish dip below 0.
        showMatrix(QString::fromStdString(s->tensor()),
                   mDoc->model()->config().activation == Activation::Relu ? tr("hidden = ReLU(x W₁ᵀ + b₁)  [tokens × d_ff]")
                                                                          : tr("hidden = act(x W₁ᵀ + b₁)  [tokens × d_ff]"),
                   mDoc->model()->config().activation == Activation::Relu ? HeatmapView::Scale::Positive
                                                                          : HeatmapView::Scale::Symmetric,
                   0, 0);
        break;
    case Stage::FfnOutput:
        showMatrix(QString::fromStdString(s->tensor()), tr("FFN(x) = hidden W₂ᵀ + b₂  [tokens × d_model]"),
                   HeatmapView::Scale::Symmetric, 0, 0);
        break;
    case Stage::EncoderOutput:
        showMatrix(QString::fromStdString(s->tensor()), tr("memory: the encoder output read by every cross-attention  [source × d_model]"),
                   HeatmapView::Scale::Symmetric, 0, 0);
        break;
    case Stage::DecoderInput: showDecoderInput(); break;
    case Stage::Logits:
    case Stage::Probabilities:
    case Stage::ChooseToken: showVocabulary(); break;
    }
    setAnimationProgress(mProgress);
    mGrid->activate();  // lay the new widgets out now, so a grab or export sees them
    if (mPlot) mPlot->replot();
}

void StageView::showTokens()
{
    const Translation& t = *mDoc->translation();
    QString html = "<p>" + tr("The sentence") + ": <b>" + QString::fromStdString(t.sourceText).toHtmlEscaped() +
                   "</b></p><table cellspacing='0' cellpadding='6' border='1'><tr><th>" + tr("position") + "</th><th>" +
                   tr("piece") + "</th><th>" + tr("id") + "</th></tr>";
    // A piece the vocabulary lacks became <unk>: marked, the warning above says which word.
    const text::Tokenizer* tok = mDoc->model() ? mDoc->model()->tokenizer() : nullptr;
    const int unk = tok ? tok->specialIds().unk : -1;
    for (size_t i = 0; i < t.sourceIds.size(); ++i) {
        const bool unknown = t.sourceIds[i] == unk;
        html += QString("<tr%4><td align='right'>%1</td><td><tt>%2</tt></td><td align='right'>%3</td></tr>")
                    .arg(i)
                    .arg(QString::fromStdString(t.sourcePieces[i]).toHtmlEscaped() +
                         (unknown ? " &rarr; <b>&lt;unk&gt;</b>" : QString()))
                    .arg(t.sourceIds[i])
                    .arg(unknown ? QString(" style='background-color:#f8d7a0'") : QString());
    }
    html += "</table>";
    addText(html, 0, 0);
    // The embedding rows the ids are about to select.
    HeatmapView::Data d = rowsOf(t.trace->get(trace_names::embed(Stack::Encoder)), int(t.sourceIds.size()));
    d.title = tr("embedding rows E[id] × √d_model, one strip per piece");
    d.rowLabels = sourceLabels(t);
    d.rowAxis = tr("piece"), d.colAxis = tr("dimension");
    d.scale = HeatmapView::Scale::Symmetric;
    mPrimary = addHeatmap(std::move(d), 0, 1);
    mGrid->setColumnStretch(1, 3);
}

void StageView::showEmbedding()
{
    const Step& s = *mDoc->currentStep();
    const Translation& t = *mDoc->translation();
    const int n = queryCount(s, t), d = mDoc->model()->config().dModel;
    bool diff = false;
    HeatmapView::Data e = rowsOf(shownTensor(trace_names::embed(s.decoder ? Stack::Decoder : Stack::Encoder), &diff), n);
    e.title = mDoc->model()->config().scaleEmbedding
                  ? tr("x = E[id] × √%1 = E[id] × %2  [tokens × d_model]").arg(d).arg(std::sqrt(double(d)), 0, 'f', 2)
                  : tr("x = E[id]  [tokens × d_model]");
    e.rowLabels = queryLabels(s, t, mDoc->model()->tokenizer());
    e.rowAxis = tr("token"), e.colAxis = tr("dimension");
    e.scale = HeatmapView::Scale::Symmetric;
    markDifference(e, diff);
    mPrimary = addHeatmap(std::move(e), 0, 0);
    if (s.decoder) mPrimary->setHighlightRow(s.t);
}

void StageView::showPositions()
{
    const Step& s = *mDoc->currentStep();
    const Translation& t = *mDoc->translation();
    const std::vector<std::string> names = s.tensors();  // input, embed, positions
    const int n = queryCount(s, t), d = mDoc->model()->config().dModel;
    const Tensor pe = t.trace->get(names[2]);

    // Curves of a few dimensions over the positions (the Trace's own values).
    QCustomPlot* plot = addPlot(0, 0, 1, 3);
    const int dims[] = {0, 1, 2 * (d / 8), 2 * (d / 8) + 1, d - 2};
    const bool interleaved = mDoc->model()->config().positions == PositionLayout::Interleaved;
    for (int k = 0; k < 5; ++k) {
        const int j = interleaved ? dims[k] : (dims[k] % 2 == 0 ? dims[k] / 2 : d / 2 + dims[k] / 2);
        QVector<double> x, y;
        for (int r = 0; r < n; ++r) x << r, y << pe.at(r, j);
        QCPGraph* g = plot->addGraph();
        g->setData(x, y);
        g->setName(tr("dim %1 (%2)").arg(j).arg(dims[k] % 2 == 0 ? "sin" : "cos"));
        g->setPen(QPen(headColor(k), 2));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    }
    plot->xAxis->setLabel(tr("position"));
    plot->yAxis->setLabel("PE");  // the legend names each curve's dimension
    plot->xAxis->setRange(-0.5, std::max(1, n - 1) + 0.5);
    plot->yAxis->setRange(-1.1, 1.1);
    plot->legend->setVisible(true);
    plot->plotLayout()->addElement(0, 1, plot->legend);  // beside the curves, not over them
    plot->plotLayout()->setColumnStretchFactor(1, 0.001);
    plot->replot();

    const QStringList labels = queryLabels(s, t, mDoc->model()->tokenizer());
    bool diff[3] = {false, false, false};
    HeatmapView::Data e = rowsOf(shownTensor(names[1], &diff[0]), n);
    e.title = tr("embedding × √d");
    HeatmapView::Data p = rowsOf(shownTensor(names[2], &diff[1]), n);
    p.title = tr("+ positional encoding");
    HeatmapView::Data sum = rowsOf(shownTensor(names[0], &diff[2]), n);
    sum.title = tr("= encoder/decoder input");
    // One colour scale for the three: embedding + PE = input is read by comparing colours.
    // (Difference maps, under an intervention, only share it when all three are.)
    const float shared = diff[0] == diff[1] && diff[1] == diff[2] ? HeatmapView::sharedLimit({&e, &p, &sum}) : 0.0f;
    int col = 0;
    for (HeatmapView::Data* d2 : {&e, &p, &sum}) {
        d2->rowLabels = labels;
        d2->rowAxis = tr("position"), d2->colAxis = tr("dimension");
        d2->scale = HeatmapView::Scale::Symmetric;
        d2->limit = shared;
        markDifference(*d2, diff[col]);
        HeatmapView* h = addHeatmap(std::move(*d2), 1, col++);
        if (s.decoder) h->setHighlightRow(s.t);
        if (col == 3) {
            h->setProperty("sum", true);
            mPrimary = h;
        }
    }
    mGrid->setRowStretch(1, 2);
}

void StageView::showMatrix(const QString& tensor, const QString& title, HeatmapView::Scale scale, int row, int col)
{
    const Step& s = *mDoc->currentStep();
    const Translation& t = *mDoc->translation();
    bool diff = false;
    HeatmapView::Data d = rowsOf(shownTensor(tensor.toStdString(), &diff), s.stage == Stage::EncoderOutput
                                                                         ? int(t.sourceIds.size())
                                                                         : queryCount(s, t));
    d.title = title;
    d.rowLabels = s.stage == Stage::EncoderOutput ? sourceLabels(t) : queryLabels(s, t, mDoc->model()->tokenizer());
    d.rowAxis = tr("token"), d.colAxis = tr("unit");
    d.scale = scale;
    markDifference(d, diff);
    HeatmapView* h = addHeatmap(std::move(d), row, col);
    if (s.decoder && s.stage != Stage::EncoderOutput) h->setHighlightRow(s.t);
    if (!mPrimary) mPrimary = h;
}

// Add & Norm taken apart: x, Sublayer(x), their sum, and the normalised result, with the
// mean and standard deviation of each row of the sum (core computes them from the trace).
void StageView::showAddNorm()
{
    const Step& s = *mDoc->currentStep();
    const Translation& t = *mDoc->translation();
    const bool preNorm = mDoc->model()->config().normalizeBefore;
    const AddNormParts parts = addNormParts(s, t);
    if (parts.n == 0) {  // a trace without the input stream: the result and the sublayer output
        const std::vector<std::string> names = s.tensors();
        showMatrix(QString::fromStdString(names[1]), tr("sublayer output"), HeatmapView::Scale::Symmetric, 0, 0);
        mPrimary = nullptr;
        showMatrix(QString::fromStdString(names[0]), preNorm ? tr("x + Sublayer(LayerNorm(x))") : tr("LayerNorm(x + Sublayer(x))"),
                   HeatmapView::Scale::Symmetric, 0, 1);
        mPrimary = mHeatmaps.back();
        return;
    }
    const QStringList labels = queryLabels(s, t, mDoc->model()->tokenizer());
    auto panel = [&](const std::vector<float>& values, const QString& title, int row, int col) {
        HeatmapView::Data d;
        d.rows = parts.n, d.cols = parts.d;
        d.values = values;
        d.title = title;
        d.rowLabels = labels;
        d.rowAxis = tr("token"), d.colAxis = tr("dimension");
        d.scale = HeatmapView::Scale::Symmetric;
        HeatmapView* h = addHeatmap(std::move(d), row, col);
        if (s.decoder) h->setHighlightRow(s.t);
        return h;
    };
    panel(parts.x, tr("x: the input of the sublayer"), 0, 0);
    panel(parts.sublayer, preNorm ? tr("Sublayer(LayerNorm(x))") : tr("Sublayer(x)"), 0, 1);
    if (preNorm) {
        mPrimary = panel(parts.result, tr("result: x + Sublayer(LayerNorm(x))"), 1, 0);
    } else {
        panel(parts.sum, tr("x + Sublayer(x)"), 1, 0);
        mPrimary = panel(parts.result, tr("LayerNorm(x + Sublayer(x))"), 1, 1);
    }
    // Each row's mean and standard deviation, the numbers layer norm uses.
    QString html = "<p><b>" + (preNorm ? tr("rows of x + Sublayer(LayerNorm(x))") : tr("rows of x + Sublayer(x)")) +
                   "</b></p><table cellspacing='0' cellpadding='3' border='1'><tr><th>" + tr("token") + "</th><th>" +
                   tr("mean") + "</th><th>" + tr("std") + "</th></tr>";
    for (int r = 0; r < parts.n; ++r)
        html += QString("<tr%1><td nowrap><tt>%2</tt></td><td align='right' nowrap>%3</td><td align='right' nowrap>%4</td></tr>")
                    .arg(s.decoder && r == s.t ? " style='font-weight:bold'" : "")
                    .arg((r < labels.size() ? labels[r] : QString::number(r)).toHtmlEscaped())
                    .arg(double(parts.mean[size_t(r)]), 0, 'f', 3)
                    .arg(double(parts.stddev[size_t(r)]), 0, 'f', 3);
    html += "</table>";
    QLabel* stats = addText(html, 0, 2, 2, 1);
    stats->setObjectName("rowStats");
    stats->setWordWrap(false);  // a table of numbers: never broken inside a number
    mGrid->setColumnStretch(0, 3);
    mGrid->setColumnStretch(1, 3);
    mGrid->setColumnStretch(2, 1);
}

void StageView::showAttention()
{
    const Step& s = *mDoc->currentStep();
    const Translation& t = *mDoc->translation();
    const Config& c = mDoc->model()->config();
    const int H = s.decoder ? c.decoderHeads : c.encoderHeads, dk = c.dModel / H;
    const int n = queryCount(s, t), k = keyCount(s, t);
    const QStringList qLabels = queryLabels(s, t, mDoc->model()->tokenizer()), kLabels = keyLabels(s, t, mDoc->model()->tokenizer());
    const int head = std::min(mDoc->selectedHead(), H - 1);
    // The decoder's self-attention cells above the diagonal: hidden by the mask the forward
    // applied, or, token by token, never computed at all.
    const bool causal = s.decoder && s.sublayer == Sublayer::SelfAttention && !t.decoderSawLaterKeys();
    const bool cross = s.sublayer == Sublayer::CrossAttention;
    std::vector<bool> ablated = t.interventions.ablatedHeads(
        s.decoder ? Stack::Decoder : Stack::Encoder, s.layer, cross ? AttentionKind::Cross : AttentionKind::Self, H);
    ablated.resize(size_t(H), false);  // empty when nothing is ablated

    if (s.stage == Stage::Projections || s.stage == Stage::Heads || s.stage == Stage::Context) {
        struct Part {
            const char* name;
            QString title;
            bool source;
        };
        std::vector<Part> parts;
        if (s.stage == Stage::Context) parts.push_back({"context", tr("weights × V, per head"), false});
        else
            parts = {{"q", "Q = x W_Qᵀ + b_Q", false},
                     {"k", cross ? tr("K = memory W_Kᵀ + b_K") : QString("K = x W_Kᵀ + b_K"), cross},
                     {"v", cross ? tr("V = memory W_Vᵀ + b_V") : QString("V = x W_Vᵀ + b_V"), cross}};
        int row = 0;
        for (const Part& part : parts) {
            bool diff = false;
            const Tensor tt = shownTensor(s.attentionTensor(part.name), &diff);
            const int rows = part.source ? int(t.sourceIds.size()) : n;
            const QStringList labels = part.source ? sourceLabels(t) : qLabels;
            if (s.stage == Stage::Projections) {
                HeatmapView::Data d = headsSideBySide(tt, rows);
                d.title = part.title + tr("   [tokens × d_model]");
                d.rowLabels = labels;
                d.rowAxis = tr("token"), d.colAxis = tr("dimension");
                d.scale = HeatmapView::Scale::Symmetric;
                markDifference(d, diff);
                HeatmapView* h = addHeatmap(std::move(d), row++, 0, 1, H);
                if (!mPrimary) mPrimary = h;
            } else {
                for (int h = 0; h < H; ++h) {
                    HeatmapView::Data d = headOf(tt, h, rows, dk);
                    d.title = ablated[size_t(h)] ? tr("%1 · head %2 (off)").arg(part.name).arg(h + 1)
                                                 : tr("%1 · head %2").arg(part.name).arg(h + 1);
                    d.rowLabels = labels;
                    d.rowAxis = tr("token"), d.colAxis = tr("column");
                    d.scale = HeatmapView::Scale::Symmetric;
                    markDifference(d, diff);
                    HeatmapView* v = addHeatmap(std::move(d), row, h);
                    v->setStyleSheet(QString("border: 2px solid %1").arg(headColor(h).name()));
                    QPalette pal = v->palette();
                    pal.setColor(QPalette::Text, headColor(h).darker(mDark ? 60 : 130));
                    v->setPalette(pal);
                    if (!mPrimary) mPrimary = v;
                }
                ++row;
            }
        }
        return;
    }

    // Scores, mask, weights, all heads: the selected head enlarged, every head small.
    const bool weights = s.stage == Stage::Weights || s.stage == Stage::AllHeads;
    bool diffScores = false, diffWeights = false;
    const Tensor scores = shownTensor(s.attentionTensor("scores"), &diffScores);
    const Tensor wts = shownTensor(s.attentionTensor("weights"), &diffWeights);
    auto headData = [&](int h) {
        HeatmapView::Data d = headOf(weights ? wts : scores, h, n, k);
        d.rowLabels = qLabels;
        d.colLabels = kLabels;
        d.rowAxis = tr("query"), d.colAxis = tr("key");
        d.valueName = weights ? tr("weight") : tr("score");
        d.scale = weights ? HeatmapView::Scale::Unit : HeatmapView::Scale::Range;
        if (weights) d.scores = headOf(scores, h, n, k).values;
        // Token by token, the cells above the diagonal were never computed (row r exists from
        // step r on, when keys 0..r are all there are): masked from the Scores step on, with
        // no "score before the mask" to show. Under teacher forcing the whole matrix was
        // computed and the Mask step masks real scores.
        const bool forced = t.decoding == "forced";
        if (causal && (s.stage != Stage::Scores || !forced)) {
            d.masked.assign(size_t(n) * size_t(k), 0);
            for (int r = 0; r < n; ++r)
                for (int j = r + 1; j < k; ++j) d.masked[size_t(r) * size_t(k) + size_t(j)] = 1;
            if (!weights && forced) d.scores = d.values;
            if (weights && !forced)  // no score ever existed above the diagonal
                for (int r = 0; r < n; ++r)
                    for (int j = r + 1; j < k; ++j) d.scores[size_t(r) * size_t(k) + size_t(j)] = std::nanf("");
        }
        // The gold alignment: row r predicts output piece r, so its outlined keys are the
        // source pieces of the English word(s) aligned with that piece's French word.
        if (mGold && cross && s.stage != Stage::Mask)
            if (const GoldCells* g = goldCells()) {
                d.outlined.assign(size_t(d.rows) * size_t(d.cols), 0);
                for (int r = 0; r < d.rows && r < g->rows; ++r)
                    for (int j = 0; j < d.cols && j < g->cols; ++j) d.outlined[size_t(r) * size_t(d.cols) + size_t(j)] = g->at(r, j);
                d.outlineName = tr("outlined: the gold alignment (this row predicts a piece of a word aligned with this "
                                   "source word)");
                mGoldShown = true;
            }
        d.showNumbers = n <= 12 && k <= 12;
        d.square = true;
        markDifference(d, weights ? diffWeights : diffScores);
        return d;
    };
    // All heads: every head at the same, full size, with its numbers where they fit (the
    // Weights step before showed one head large and the others as thumbnails).
    if (s.stage == Stage::AllHeads) {
        const int perRow = H <= 3 ? H : int(std::ceil(std::sqrt(double(H))));
        for (int h = 0; h < H; ++h) {
            HeatmapView::Data d = headData(h);
            d.title = ablated[size_t(h)] ? tr("head %1 (off)").arg(h + 1) : tr("head %1").arg(h + 1);
            d.colorbar = h % perRow == perRow - 1 || h == H - 1;  // one bar per row of heads: the same 0–1 scale
            HeatmapView* v = addHeatmap(std::move(d), h / perRow, h % perRow);
            connect(v, &HeatmapView::clickedWith, this, [this, h](Qt::KeyboardModifiers m) {
                if (m & Qt::ControlModifier) emit headToggled(h);
                else mDoc->setSelectedHead(h);
            });
            v->setToolTip(tr("click to enlarge head %1; Ctrl+click to switch it off or on").arg(h + 1));
            v->setCursor(Qt::PointingHandCursor);
            if (ablated[size_t(h)]) v->setStyleSheet("border: 2px dashed #d55e00");
            if (h == head) mPrimary = v;
        }
        for (int column = 0; column < perRow; ++column) mGrid->setColumnStretch(column, 1);
        for (int r = 0; r < (H + perRow - 1) / perRow; ++r) mGrid->setRowStretch(r, 1);
        if (s.decoder) mPrimary->setHighlightRow(s.t);
        return;
    }
    HeatmapView::Data big = headData(head);
    const QString scoresText = t.interventions.noScale ? tr("scores = Q Kᵀ (not divided by √%1: no-scale)").arg(dk)
                                                       : tr("scores = Q Kᵀ / √%1").arg(dk);
    const QString what = s.stage == Stage::Scores  ? scoresText
                         : s.stage == Stage::Mask  ? (causal ? tr("masked scores: −∞ above the diagonal")
                                                             : tr("scores, unmasked: this forward had no causal mask"))
                                                   : tr("weights = softmax(scores)");
    big.title = (ablated[size_t(head)] ? tr("head %1 (switched off) · %2") : tr("head %1 · %2")).arg(head + 1).arg(what) +
                (big.valueName == tr("difference") ? tr("  (after − before)") : QString());
    if (!big.outlined.empty()) big.title += tr(" · outlined: gold alignment of the piece each row predicts");
    mPrimary = addHeatmap(std::move(big), 0, 0, H > 1 ? 2 : 1, 1);
    if (s.decoder) mPrimary->setHighlightRow(s.t);
    const int perRow = (H + 1) / 2;
    for (int h = 0; h < H && H > 1; ++h) {
        HeatmapView::Data d = headData(h);
        d.title = ablated[size_t(h)] ? tr("head %1 (off)").arg(h + 1) : tr("head %1").arg(h + 1);
        d.showNumbers = false;
        d.colorbar = d.scale != HeatmapView::Scale::Unit;  // weights: the big map's 0–1 bar
        HeatmapView* v = addHeatmap(std::move(d), h / perRow, 1 + h % perRow);
        connect(v, &HeatmapView::clickedWith, this, [this, h](Qt::KeyboardModifiers m) {
            if (m & Qt::ControlModifier) emit headToggled(h);
            else mDoc->setSelectedHead(h);
        });
        v->setToolTip(tr("click to enlarge head %1; Ctrl+click to switch it off or on").arg(h + 1));
        v->setCursor(Qt::PointingHandCursor);
        if (ablated[size_t(h)]) v->setStyleSheet("border: 2px dashed #d55e00");
    }
    mGrid->setColumnStretch(0, perRow);
    for (int i = 1; i <= perRow; ++i) mGrid->setColumnStretch(i, 1);
}

void StageView::showDecoderInput()
{
    const Step& s = *mDoc->currentStep();
    const Translation& t = *mDoc->translation();
    const QStringList in = decoderInputLabels(t, s.t + 1, mDoc->model()->tokenizer());
    QString html = "<p>" + tr("Decoder input at step %1 (the outputs shifted right by one):").arg(s.t + 1) + "</p><p>";
    for (int i = 0; i < in.size(); ++i)
        html += QString("<span style='%1'>&nbsp;%2&nbsp;</span> ")
                    .arg(i == s.t ? "background:#0072b2;color:white;font-weight:bold" : "background:#ddd;color:black")
                    .arg(in[i].toHtmlEscaped());
    // The ids on the chips' line: one line less, so the page fits 720p in Chinese too.
    html += "&nbsp;&nbsp;&nbsp;" + tr("ids") + ": ";
    for (int i = 0; i <= s.t && i < int(t.decoderInputIds.size()); ++i) html += QString::number(t.decoderInputIds[size_t(i)]) + " ";
    html += "</p>";
    addText(html, 0, 0);
    HeatmapView::Data e = rowsOf(t.trace->get(trace_names::embed(Stack::Decoder)), s.t + 1);
    e.title = tr("their embeddings × √d_model");
    e.rowLabels = in;
    e.rowAxis = tr("position"), e.colAxis = tr("dimension");
    e.scale = HeatmapView::Scale::Symmetric;
    mPrimary = addHeatmap(std::move(e), 1, 0);
    mPrimary->setHighlightRow(s.t);
    mGrid->setRowStretch(1, 3);
}

void StageView::showVocabulary()
{
    const Step& s = *mDoc->currentStep();
    const Translation& t = *mDoc->translation();
    const text::Tokenizer* tok = mDoc->model()->tokenizer();
    const bool logits = s.stage == Stage::Logits;
    const int V = mDoc->model()->config().vocabSize;
    const float* v = t.trace->find(logits ? trace_names::logits() : trace_names::probs())->row(s.t);
    const float* probs = t.trace->find(trace_names::probs())->row(s.t);
    const std::vector<int> top = topK(v, V, logits ? 20 : 10);
    QCustomPlot* plot = addPlot(0, 0);
    auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
    auto* chosenBar = new QCPBars(plot->xAxis, plot->yAxis);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    const int chosen = s.t < int(t.outputIds.size()) ? t.outputIds[size_t(s.t)] : -1;
    for (size_t i = 0; i < top.size(); ++i) {
        const int id = top[i];
        const QString piece = tok ? QString::fromStdString(tok->targetPiece(id)) : QString::number(id);
        ticker->addTick(double(i), piece);
        const double y = v[id];
        if (s.stage == Stage::ChooseToken && id == chosen) chosenBar->addData(double(i), y);
        else bars->addData(double(i), y);
    }
    bars->setBrush(QColor(86, 180, 233));
    bars->setPen(Qt::NoPen);
    chosenBar->setBrush(QColor(213, 94, 0));
    chosenBar->setPen(Qt::NoPen);
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setTickLabelRotation(top.size() > 10 ? 60 : 30);
    plot->xAxis->setRange(-0.7, double(top.size()) - 0.3);
    plot->yAxis->setLabel(logits ? tr("logit") : tr("probability"));
    if (logits) plot->yAxis->rescale();
    else plot->yAxis->setRange(0, 1.05);
    plot->replot();
    mGrid->setRowStretch(0, 3);
    QString note;
    const bool last = s.t + 1 >= int(t.outputIds.size());
    if (s.stage == Stage::ChooseToken && chosen >= 0 && last)
        // The last token: nothing comes after it, so say why decoding stops.
        note = (chosen == mDoc->model()->config().eosId
                    ? tr("Chosen: <b>%1</b> (id %2), p = %3. It is the end-of-sentence token: the translation is "
                         "finished and decoding stops here, after %4 tokens.")
                    : tr("Chosen: <b>%1</b> (id %2), p = %3. Decoding stops here: the output has reached its "
                         "maximum length of %4 tokens."))
                   .arg(QString::fromStdString(t.outputPieces[size_t(s.t)]).toHtmlEscaped())
                   .arg(chosen)
                   .arg(double(probs[chosen]), 0, 'f', 4)
                   .arg(s.t + 1);
    else if (s.stage == Stage::ChooseToken && chosen >= 0)
        note = tr("Chosen: <b>%1</b> (id %2), p = %3. It is appended to the output and becomes the decoder input of "
                  "step %4.")
                   .arg(QString::fromStdString(t.outputPieces[size_t(s.t)]).toHtmlEscaped())
                   .arg(chosen)
                   .arg(double(probs[chosen]), 0, 'f', 4)
                   .arg(s.t + 2);
    else
        note = logits ? tr("The %1 largest of %2 logits at step %3.").arg(top.size()).arg(V).arg(s.t + 1)
                      : tr("The %1 most probable of %2 tokens at step %3.").arg(top.size()).arg(V).arg(s.t + 1);
    addText(note, 1, 0)->setObjectName("choice");
}

}  // namespace sf::ui
