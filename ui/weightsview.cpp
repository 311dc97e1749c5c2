#include "ui/weightsview.h"

#include "ui/plotstyle.h"

#include "ui/texttable.h"
#include "ui/translationdocument.h"
#include "ui/weightstablemodel.h"

#include <qcustomplot.h>

#include <QElapsedTimer>
#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTextDocument>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace sf::ui {

namespace {

constexpr int kBins = 64;
constexpr int kMaxCells = 512;  // heatmaps larger than this per axis are mean-pooled in core

QString grouped(int64_t n) { return QLocale(QLocale::English).toString(qlonglong(n)); }

QString dims(const std::vector<int64_t>& shape)
{
    QStringList parts;
    for (int64_t s : shape) parts << QString::number(s);
    return "[" + parts.join(" × ") + "]";
}

// "W_Q" for *.q_proj.weight, and so on.
QString matrixName(const QString& tensor)
{
    if (tensor.endsWith(".q_proj.weight")) return "W_Q";
    if (tensor.endsWith(".k_proj.weight")) return "W_K";
    if (tensor.endsWith(".v_proj.weight")) return "W_V";
    if (tensor.endsWith(".out_proj.weight")) return "W_O";
    if (tensor == "model.shared.weight" || tensor == "lm_head.weight") return "E";
    return tensor.endsWith(".weight") && !tensor.contains("layer_norm") ? "W" : QString();
}

// Labels of display rows: the index, the index range a pooled row averages, or
// (embeddings, unpooled) the token piece.
QStringList axisLabels(const std::vector<int64_t>& begin, int64_t offset = 0)
{
    QStringList labels;
    for (size_t i = 0; i + 1 < begin.size(); ++i) {
        const int64_t a = begin[i] + offset, b = begin[i + 1] - 1 + offset;
        labels << (a == b ? QString::number(a) : QString("%1–%2").arg(a).arg(b));
    }
    return labels;
}

QStringList indexLabels(int64_t n, int64_t offset = 0)
{
    QStringList labels;
    for (int64_t i = 0; i < n; ++i) labels << QString::number(i + offset);
    return labels;
}

bool isDark(const QPalette& p) { return p.color(QPalette::Base).lightness() < 128; }

}  // namespace

WeightsView::WeightsView(TranslationDocument* doc, QWidget* parent) : QWidget(parent), mDoc(doc)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    mSplit = new QSplitter(Qt::Vertical, this);
    mSplit->setChildrenCollapsible(false);
    layout->addWidget(mSplit);

    // Left (or top): the summary panel above the tensor table.
    mLeft = new QSplitter(Qt::Vertical, mSplit);
    mLeft->setChildrenCollapsible(false);
    // The summary scrolls as one page: the warnings first, where they cannot be missed.
    auto* page = new QWidget;
    auto* pv = new QVBoxLayout(page);
    pv->setContentsMargins(0, 0, 0, 0);
    mWarnings = new QLabel(page);
    mWarnings->setObjectName("weightsWarnings");
    mWarnings->setTextFormat(Qt::RichText);
    mWarnings->setWordWrap(true);
    mWarnings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Dark text on a light red box: readable in the light and the dark theme.
    mWarnings->setStyleSheet("QLabel { background: #fdecea; color: #7b1d12; border: 1px solid #c0392b;"
                             " border-radius: 3px; padding: 4px; }");
    mWarnings->hide();
    pv->addWidget(mWarnings);
    mOverview = new QLabel(page);
    mOverview->setObjectName("weightsOverview");
    mOverview->setTextFormat(Qt::RichText);
    mOverview->setWordWrap(true);
    mOverview->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    mOverview->setTextInteractionFlags(Qt::TextSelectableByMouse);
    mOverview->setContentsMargins(4, 0, 4, 4);
    pv->addWidget(mOverview, 1);
    auto* scroll = new QScrollArea(mLeft);
    scroll->setWidget(page);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    auto* tablePane = new QWidget(mLeft);
    auto* tv = new QVBoxLayout(tablePane);
    tv->setContentsMargins(0, 0, 0, 0);
    mFilter = new QLineEdit(tablePane);
    mFilter->setClearButtonEnabled(true);
    tv->addWidget(mFilter);
    mTableModel = new WeightsTableModel(this);
    mProxy = new QSortFilterProxyModel(this);
    mProxy->setSourceModel(mTableModel);
    mProxy->setSortRole(WeightsTableModel::SortRole);
    mProxy->setFilterKeyColumn(WeightsTableModel::Name);
    mProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    mTable = new QTableView(tablePane);
    mTable->setModel(mProxy);
    mTable->setSortingEnabled(true);
    mTable->sortByColumn(-1, Qt::AscendingOrder);  // file order until a header is clicked
    mTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    mTable->setSelectionMode(QAbstractItemView::SingleSelection);
    mTable->setTextElideMode(Qt::ElideLeft);  // "…layers.2.self_attn.q_proj.weight": the telling end
    mTable->setWordWrap(false);
    mTable->setAlternatingRowColors(true);
    mTable->verticalHeader()->hide();
    mTable->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    mTable->horizontalHeader()->setStretchLastSection(true);
    tv->addWidget(mTable, 1);
    connect(mFilter, &QLineEdit::textChanged, mProxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(mTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                const TensorStats* t = mTableModel->tensorAt(mProxy->mapToSource(current).row());
                if (t) showTensor(QString::fromStdString(t->name));
            });

    // Right (or bottom): the selected tensor.
    auto* detail = new QWidget(mSplit);
    auto* dv = new QVBoxLayout(detail);
    dv->setContentsMargins(0, 0, 0, 0);
    mTensorTitle = new QLabel(detail);
    mTensorTitle->setTextFormat(Qt::RichText);
    mTensorTitle->setWordWrap(true);
    mTensorTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    dv->addWidget(mTensorTitle);
    auto* plots = new QSplitter(Qt::Vertical, detail);
    plots->setChildrenCollapsible(false);
    dv->addWidget(plots, 1);
    mHistogram = new QCustomPlot(plots);
    mHistogram->setMinimumHeight(140);
    mHeatmap = new HeatmapView(plots);
    mHeatmap->setMinimumHeight(160);
    mHeadPane = new QWidget(plots);
    auto* hv = new QVBoxLayout(mHeadPane);
    hv->setContentsMargins(0, 0, 0, 0);
    auto* headRow = new QHBoxLayout;
    mHeadLabel = new QLabel(mHeadPane);
    mHead = new QSpinBox(mHeadPane);
    headRow->addWidget(mHeadLabel);
    headRow->addWidget(mHead);
    headRow->addStretch(1);
    hv->addLayout(headRow);
    mHeadHeatmap = new HeatmapView(mHeadPane);
    mHeadHeatmap->setMinimumHeight(140);
    hv->addWidget(mHeadHeatmap, 1);
    mHeadPane->hide();
    connect(mHead, &QSpinBox::valueChanged, this, [this] { showHead(); });
    plots->setStretchFactor(0, 2);
    plots->setStretchFactor(1, 3);
    plots->setStretchFactor(2, 3);
    mSplit->setStretchFactor(0, 2);
    mSplit->setStretchFactor(1, 3);

    connect(&mWatcher, &QFutureWatcher<Computed>::finished, this, [this] { acceptSummary(mWatcher.result()); });
    connect(mDoc, &TranslationDocument::modelChanged, this, &WeightsView::onModelChanged);
    retranslate();
    styleHistogram();
    clearDetail(QString());
    if (mDoc->model()) onModelChanged();
    else showOverview();
}

WeightsView::~WeightsView() { mWatcher.waitForFinished(); }

// Runs on a worker thread. It holds a reference to the document's model, so the model
// stays alive even if the document drops it for another one while this runs.
WeightsView::Computed WeightsView::compute(std::shared_ptr<const Model> model)
{
    Computed r;
    r.model = std::move(model);
    QElapsedTimer timer;
    timer.start();
    try {  // an exception must not escape the worker thread (QUnhandledException)
        r.summary = std::make_shared<const ModelSummary>(summarize(*r.model));
    } catch (const std::exception& e) {
        r.error = QString::fromStdString(e.what());
    }
    r.milliseconds = double(timer.nsecsElapsed()) / 1e6;
    return r;
}

void WeightsView::onModelChanged()
{
    if (!mDoc->model()) return;
    mComputing = true;
    mError.clear();
    if (mWatcher.isRunning()) {
        mRestart = true;  // measure the new model once the running summary is done
    } else {
        mWatcher.setFuture(QtConcurrent::run(&WeightsView::compute, mDoc->sharedModel()));
    }
    mSummary.reset();
    mModel.reset();
    mSelected.clear();
    mTableModel->setSummary(nullptr);
    clearDetail(QString());
    showOverview();
}

void WeightsView::acceptSummary(const Computed& r)
{
    if (mRestart) {
        mRestart = false;
        mWatcher.setFuture(QtConcurrent::run(&WeightsView::compute, mDoc->sharedModel()));
        return;
    }
    mComputing = false;
    mModel = r.model;
    mSummary = r.summary;
    mError = r.error;
    mMilliseconds = r.milliseconds;
    mTableModel->setSummary(mSummary);
    mTable->resizeColumnsToContents();
    mTable->setColumnWidth(WeightsTableModel::Name,
                           std::min(mTable->columnWidth(WeightsTableModel::Name), fontMetrics().averageCharWidth() * 36));
    showOverview();
    if (mSummary && !mSummary->tensors.empty()) selectTensor(QString::fromStdString(mSummary->tensors.front().name));
    emit summaryReady();
}

void WeightsView::showOverview()
{
    const Model* doc = mDoc->model();
    if (!doc) {
        mOverview->setText(tr("<p>No model is open (File &gt; Open model…).</p>"));
        mWarnings->hide();
        return;
    }
    const Config& c = doc->config();
    QString html = QString("<p><b>%1</b><br>%2</p>")
                       .arg(mDoc->modelPath().toHtmlEscaped(), QString::fromStdString(c.describe()).toHtmlEscaped());
    if (mComputing) {
        mOverview->setText(html + "<p><i>" + tr("Weight statistics: computing…") + "</i></p>");
        mWarnings->hide();
        return;
    }
    if (!mSummary) {
        mOverview->setText(html + "<p>" + tr("The weights could not be measured: %1").arg(mError.toHtmlEscaped()) + "</p>");
        mWarnings->hide();
        return;
    }
    const ModelSummary& s = *mSummary;
    html += "<ul style='margin-left:-20px'>";
    for (const Text& part : s.variant) html += "<li>" + rendered(part).toHtmlEscaped() + "</li>";
    html += "</ul>";
    html += "<p><b>" + tr("%1 parameters").arg(grouped(s.parameters)) + "</b></p><table cellspacing='0' cellpadding='1'>";
    for (const auto& [block, n] : s.parametersPerBlock)
        html += QString("<tr><td>%1</td><td align='right'>&nbsp;&nbsp;%2</td><td align='right'>&nbsp;&nbsp;%3&nbsp;%</td></tr>")
                    .arg(rendered(block).toHtmlEscaped(), grouped(n))
                    .arg(s.parameters ? 100.0 * double(n) / double(s.parameters) : 0.0, 0, 'f', 1);
    html += "</table>";
    int unused = 0;
    for (const TensorStats& t : s.tensors) unused += !t.used;
    html += "<p>" + tr("%n tensor(s) in the file", "", int(s.tensors.size()));
    if (unused) html += tr("; %n not used by this config (grey, italic)", "", unused);
    html += tr("; measured in %1 ms.").arg(mMilliseconds, 0, 'f', 0) + "</p>";
    mOverview->setText(html);

    if (s.warnings.empty()) {
        mWarnings->hide();
        return;
    }
    QString w = "<b>⚠ " + tr("%n warning(s): the model loads, but some weights are not finite", "",
                             int(s.warnings.size())) + "</b>";
    // A zero-width space after each '/' lets a long path wrap.
    for (const Text& line : s.warnings) w += "<br>• " + rendered(line).toHtmlEscaped().replace("/", "/&#8203;");
    mWarnings->setText(w);
    mWarnings->show();
}

QString WeightsView::overviewText() const
{
    QTextDocument d;
    d.setHtml(mOverview->text());
    return d.toPlainText();
}

QString WeightsView::warningText() const
{
    if (mWarnings->isHidden()) return {};
    QTextDocument d;
    d.setHtml(mWarnings->text());
    return d.toPlainText();
}

int WeightsView::shownRows() const { return mProxy->rowCount(); }

int WeightsView::head() const { return mHead->value() - 1; }

void WeightsView::setHead(int head) { mHead->setValue(head + 1); }

void WeightsView::setFilter(const QString& text) { mFilter->setText(text); }

bool WeightsView::selectTensor(const QString& name)
{
    const int row = mTableModel->rowOf(name);
    if (row < 0) return false;
    QModelIndex index = mProxy->mapFromSource(mTableModel->index(row, 0));
    if (!index.isValid()) {  // hidden by the filter
        mFilter->clear();
        index = mProxy->mapFromSource(mTableModel->index(row, 0));
    }
    mTable->setCurrentIndex(index);
    mTable->scrollTo(index);
    if (mSelected != name) showTensor(name);
    return true;
}

void WeightsView::clearDetail(const QString& message)
{
    mTensorTitle->setText(message.isEmpty() ? tr("<i>Select a tensor in the table.</i>") : message);
    mHistogram->clearPlottables();
    mHistogram->replot();
    mHistogramTotal = 0;
    mHeatmap->setData({});
    mHeadHeatmap->setData({});
    mHeadPane->hide();
}

void WeightsView::styleHistogram()
{
    stylePlot(mHistogram, this);
    mHistogram->xAxis->setLabel(tr("value"));
    mHistogram->yAxis->setLabel(tr("count"));
    mHeatmap->setDark(isDark(palette()));
    mHeadHeatmap->setDark(isDark(palette()));
}

void WeightsView::showTensor(const QString& name)
{
    mSelected = name;
    const TensorStats* st = mSummary ? mSummary->find(name.toStdString()) : nullptr;
    if (!st || !mModel) return clearDetail(QString());
    const QString head = QString("<b>%1</b><br>%2&nbsp;&nbsp;%3, %4")
                             .arg(name.toHtmlEscaped(), dims(st->shape), QString::fromStdString(st->dtype),
                                  tr("%1 values").arg(grouped(st->count)));
    if (!st->numeric) return clearDetail(head + "<br>" + tr("Not a float dtype: nothing to show."));
    Result<TensorData> values = tensorData(*mModel, name.toStdString());
    if (!values) return clearDetail(head + "<br>" + QString::fromStdString(values.message()).toHtmlEscaped());
    QString title = head + "<br>" +
                    tr("min %1, max %2, mean %3, std %4")
                        .arg(st->min, 0, 'g', 4)
                        .arg(st->max, 0, 'g', 4)
                        .arg(st->mean, 0, 'g', 4)
                        .arg(st->std, 0, 'g', 4);
    if (st->nan || st->inf)
        title += " <span style='background:#c0392b;color:white'>&nbsp;" +
                 tr("%1 NaN, %2 Inf").arg(st->nan).arg(st->inf) + "&nbsp;</span>";
    if (!st->used) title += " <i>(" + tr("not used by this config") + ")</i>";
    mTensorTitle->setText(title);

    // Histogram of the finite values, bins from core.
    const auto [lo, hi] = histogramRange(st->min, st->max);
    const std::vector<int64_t> counts = histogram(values->data(), values->numel(), lo, hi, kBins);
    mHistogram->clearPlottables();
    auto* bars = new QCPBars(mHistogram->xAxis, mHistogram->yAxis);
    const double width = (hi - lo) / kBins;
    bars->setWidth(width);
    bars->setPen(Qt::NoPen);
    bars->setBrush(QColor(0, 114, 178));
    int64_t top = 1;
    mHistogramTotal = 0;
    for (int b = 0; b < int(counts.size()); ++b) {
        bars->addData(lo + (b + 0.5) * width, double(counts[size_t(b)]));
        top = std::max(top, counts[size_t(b)]);
        mHistogramTotal += counts[size_t(b)];
    }
    mHistogram->xAxis->setRange(lo, hi);
    mHistogram->yAxis->setRange(0, double(top) * 1.08);
    mHistogram->replot();

    // The matrix (vectors as one row; higher ranks as [first axis, the rest]).
    int64_t rows = 1, cols = 1;
    if (st->shape.size() == 1) cols = st->shape[0];
    else if (st->shape.size() >= 2) {
        rows = st->shape[0];
        for (size_t i = 1; i < st->shape.size(); ++i) cols *= st->shape[i];
    }
    Downsampled ds = downsample(values->data(), rows, cols, kMaxCells, kMaxCells);
    HeatmapView::Data d;
    d.rows = int(ds.values.shape[0]);
    d.cols = int(ds.values.shape[1]);
    d.values = std::move(ds.values.data);
    d.scale = HeatmapView::Scale::Symmetric;
    d.allLabels = false;  // index axes of up to 512 rows: every n-th labelled
    const bool embedding = name == "model.shared.weight" || name == "lm_head.weight";
    d.rowAxis = embedding ? tr("token") : (st->shape.size() >= 2 ? tr("output") : QString());
    d.colAxis = embedding ? tr("dimension") : (st->shape.size() >= 2 ? tr("input") : tr("index"));
    d.rowLabels = axisLabels(ds.rowBegin);
    d.colLabels = axisLabels(ds.colBegin);
    d.countTokensFromOne = false;  // the labels are the indices themselves
    const text::Tokenizer* tok = mModel->tokenizer();
    if (embedding && tok && d.rows == rows) {
        d.rowLabels.clear();
        for (int i = 0; i < d.rows; ++i)
            d.rowLabels << (i < tok->targetVocabSize() ? QString::fromStdString(tok->targetPiece(i)) : QString::number(i));
    }
    const QString shown = QString("%1 × %2").arg(rows).arg(cols);
    if (ds.pooled()) {
        d.title = tr("%1 %2 → %3 × %4, downsampled (block means)").arg(matrixName(name), shown).arg(d.rows).arg(d.cols).trimmed();
        d.valueName = tr("block mean");
    } else {
        d.title = QString("%1 %2").arg(matrixName(name), shown).trimmed();
        d.valueName = tr("weight");
    }
    mHeatmap->setData(std::move(d));

    // One head of an attention projection.
    const int heads = headCount(*mModel, name.toStdString());
    mHeadPane->setVisible(heads > 0);
    if (heads > 0) {
        const QSignalBlocker block(mHead);
        mHead->setRange(1, heads);
        mHead->setSuffix(tr(" of %1").arg(heads));
        showHead();
    } else {
        mHeadHeatmap->setData({});
    }
}

void WeightsView::showHead()
{
    if (!mModel || mSelected.isEmpty()) return;
    Result<HeadSlice> s = headSlice(*mModel, mSelected.toStdString(), mHead->value() - 1);
    if (!s) {
        mHeadHeatmap->setData({});
        return;
    }
    HeatmapView::Data d;
    d.rows = int(s->values.shape[0]);
    d.cols = int(s->values.shape[1]);
    d.values = std::move(s->values.data);
    d.scale = HeatmapView::Scale::Symmetric;
    d.allLabels = false;
    d.countTokensFromOne = false;  // index labels
    d.valueName = tr("weight");
    const QString W = matrixName(mSelected);
    const int64_t last = s->first + s->dk - 1;
    if (s->columns) {
        d.rowLabels = indexLabels(d.rows);
        d.colLabels = indexLabels(d.cols, s->first);
        d.rowAxis = tr("output");
        d.colAxis = tr("input (head %1’s context)").arg(s->head + 1);
        d.title = tr("head %1 of %2: columns %3–%4 of %5 → [%6 × %7] (d × dk)")
                      .arg(s->head + 1).arg(s->heads).arg(s->first).arg(last).arg(W).arg(d.rows).arg(d.cols);
    } else {
        d.rowLabels = indexLabels(d.rows, s->first);
        d.colLabels = indexLabels(d.cols);
        d.rowAxis = tr("output (head %1)").arg(s->head + 1);
        d.colAxis = tr("input");
        d.title = tr("head %1 of %2: rows %3–%4 of %5 → [%6 × %7] (dk × d)")
                      .arg(s->head + 1).arg(s->heads).arg(s->first).arg(last).arg(W).arg(d.rows).arg(d.cols);
    }
    mHeadHeatmap->setData(std::move(d));
}

void WeightsView::retranslate()
{
    mFilter->setPlaceholderText(tr("Filter tensors by name (e.g. q_proj, decoder.layers.2, unused)"));
    mHeadLabel->setText(tr("<b>One head’s slice</b>"));
    mHead->setPrefix(tr("head "));
    mHead->setToolTip(tr("Which head of this projection to show"));
}

void WeightsView::changeEvent(QEvent* e)
{
    QWidget::changeEvent(e);
    if (e->type() == QEvent::PaletteChange || e->type() == QEvent::FontChange) {
        styleHistogram();
        mHistogram->replot();
    }
    if (e->type() == QEvent::LanguageChange) {
        retranslate();
        styleHistogram();
        mHistogram->replot();
        emit mTableModel->headerDataChanged(Qt::Horizontal, 0, mTableModel->columnCount() - 1);
        mTable->viewport()->update();
        showOverview();
        const QString selected = mSelected;
        if (!selected.isEmpty()) showTensor(selected);
        else clearDetail(QString());
    }
}

void WeightsView::resizeEvent(QResizeEvent* e)
{
    QWidget::resizeEvent(e);
    // Side by side when there is room (a floating or wide dock), stacked in a narrow one.
    const Qt::Orientation o = width() >= 760 ? Qt::Horizontal : Qt::Vertical;
    if (o == mSplit->orientation() && mPlaced) return;
    mSplit->setOrientation(o);
    const int total = o == Qt::Horizontal ? width() : height();
    mSplit->setSizes({total * 11 / 20, total - total * 11 / 20});
    const int h = height();
    mLeft->setSizes({h * 2 / 5, h - h * 2 / 5});
    mPlaced = true;
}

}  // namespace sf::ui
