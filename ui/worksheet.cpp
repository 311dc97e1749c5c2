#include "ui/worksheet.h"

#include "ui/heatmapview.h"
#include "ui/mainwindow.h"
#include "ui/stageview.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QFontMetricsF>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTextDocument>

#include <algorithm>
#include <cmath>

namespace sf::ui {

namespace {

struct WorksheetPdf {
    Q_DECLARE_TR_FUNCTIONS(WorksheetPdf)
};

QString number(float v) { return QString::number(double(v), 'f', 2); }
QString exact(double v) { return QString::number(v, 'f', 4); }

QString plain(const QString& richText)
{
    QTextDocument d;
    d.setHtml(richText);
    return d.toPlainText().simplified();
}

}  // namespace

bool buildWorksheet(const MainWindow& w, Worksheet* out, QString* error)
{
    MainWindow& window = const_cast<MainWindow&>(w);
    const TranslationDocument* doc = window.document();
    const Translation* t = doc->translation();
    const Step* step = doc->currentStep();
    if (!t || !step || !t->trace) {
        *error = WorksheetPdf::tr("Translate a sentence first: a worksheet is made of the current step.");
        return false;
    }
    const HeatmapView* h = w.stage()->primaryHeatmap();
    if (!h || h->rows() == 0 || h->cols() == 0) {
        *error = WorksheetPdf::tr("This step shows no matrix. Go to a step with a heatmap (attention weights, scores, "
                       "embeddings …) and export the worksheet there.");
        return false;
    }
    Worksheet ws;
    ws.model = QFileInfo(doc->modelPath()).fileName();
    ws.sentence = QString::fromStdString(t->sourceText);
    ws.stepTitle = plain(w.stage()->title());
    const HeatmapView::Data& d = h->data();
    ws.matrixTitle = plain(d.title);
    ws.rowAxis = d.rowAxis;
    ws.colAxis = d.colAxis;
    ws.allRows = d.rows;
    ws.allCols = d.cols;
    ws.rows = std::min(d.rows, kWorksheetMaxRows);
    ws.cols = std::min(d.cols, kWorksheetMaxCols);
    for (int r = 0; r < ws.rows; ++r) ws.rowLabels << (r < d.rowLabels.size() ? d.rowLabels[r] : QString::number(r));
    for (int c = 0; c < ws.cols; ++c) ws.colLabels << (c < d.colLabels.size() ? d.colLabels[c] : QString::number(c));
    ws.values.resize(size_t(ws.rows) * size_t(ws.cols));
    ws.masked.assign(ws.values.size(), 0);
    ws.colours.assign(ws.values.size(), 0);
    for (int r = 0; r < ws.rows; ++r)
        for (int c = 0; c < ws.cols; ++c) {
            const size_t i = size_t(r) * size_t(ws.cols) + size_t(c);
            ws.values[i] = d.values[size_t(r) * size_t(d.cols) + size_t(c)];
            ws.masked[i] = h->isMasked(r, c) ? 1 : 0;
            ws.colours[i] = h->cellColor(r, c).rgb();
        }
    // Blanks: in up to four rows spread over the matrix, the cell with the largest value
    // (for attention, the key that query attends to most).
    const int wanted = std::min(4, ws.rows);
    for (int k = 0; k < wanted; ++k) {
        const int r = wanted == 1 ? 0 : int(std::lround(double(k) * (ws.rows - 1) / (wanted - 1)));
        if (!ws.blanks.empty() && ws.blanks.back().row == r) continue;
        int best = -1;
        for (int c = 0; c < ws.cols; ++c) {
            const size_t i = size_t(r) * size_t(ws.cols) + size_t(c);
            if (ws.masked[i] || !std::isfinite(ws.values[i])) continue;
            if (best < 0 || ws.values[i] > ws.values[size_t(r) * size_t(ws.cols) + size_t(best)]) best = c;
        }
        if (best < 0) continue;
        Worksheet::Blank b;
        b.row = r;
        b.col = best;
        b.value = ws.values[size_t(r) * size_t(ws.cols) + size_t(best)];
        b.letter = QString(QChar('a' + int(ws.blanks.size())));
        ws.blanks.push_back(b);
    }
    // The next token at this decoding step (the first one on an encoder step).
    const TraceTensor* probs = t->trace->find(trace_names::probs());
    if (probs && probs->rank() == 2 && probs->shape()[0] > 0) {
        const int rowsP = int(probs->shape()[0]), V = int(probs->shape()[1]);
        ws.position = std::clamp(step->t < 0 ? 0 : step->t, 0, rowsP - 1);
        const float* p = probs->row(ws.position);
        ws.tokenId = int(std::max_element(p, p + V) - p);
        ws.probability = p[ws.tokenId];
        const text::Tokenizer* tok = doc->model()->tokenizer();
        ws.token = tok ? QString::fromStdString(tok->targetPiece(ws.tokenId)) : QString::number(ws.tokenId);
        ws.prefix << QStringLiteral("<s>");
        for (int i = 0; i < ws.position && i < int(t->outputPieces.size()); ++i)
            ws.prefix << QString::fromStdString(t->outputPieces[size_t(i)]);
    }
    *out = std::move(ws);
    return true;
}

namespace {

// Draws `text` wrapped in `width` from `y`; returns the y below it.
double paragraph(QPainter& p, const QString& text, double x, double y, double width)
{
    const QRectF box = p.boundingRect(QRectF(x, y, width, 10000), Qt::TextWordWrap, text);
    p.drawText(QRectF(x, y, width, box.height()), Qt::TextWordWrap, text);
    return y + box.height();
}

}  // namespace

bool writeWorksheetPdf(const Worksheet& ws, const QString& path, QString* error)
{
    QPdfWriter pdf(path);
    pdf.setTitle(WorksheetPdf::tr("Stepformer worksheet"));
    pdf.setCreator("Stepformer");
    pdf.setResolution(72);  // one unit = one point
    pdf.setPageSize(QPageSize(QPageSize::A4));
    pdf.setPageMargins(QMarginsF(40, 40, 40, 40), QPageLayout::Point);
    QPainter p;
    if (!p.begin(&pdf)) {
        *error = WorksheetPdf::tr("%1: cannot write the PDF file").arg(path);
        return false;
    }
    const double width = pdf.width();
    QFont body = p.font();
    body.setPointSizeF(11);
    QFont heading = body;
    heading.setPointSizeF(17);
    heading.setBold(true);
    QFont small = body;
    small.setPointSizeF(9);

    auto header = [&](const QString& title) {
        p.setFont(heading);
        double y = paragraph(p, title, 0, 0, width) + 6;
        p.setFont(body);
        y = paragraph(p, WorksheetPdf::tr("Model: %1    Sentence: “%2”").arg(ws.model, ws.sentence), 0, y, width);
        y = paragraph(p, WorksheetPdf::tr("Step: %1").arg(ws.stepTitle), 0, y, width) + 10;
        return y;
    };

    // Page 1: the exercise.
    double y = header(WorksheetPdf::tr("Stepformer worksheet"));
    p.setFont(body);
    y = paragraph(p, WorksheetPdf::tr("1. The matrix “%1” (rows: %2, columns: %3). Fill in the cells marked (a), (b), … "
                           "Hint: in each of them the row has its largest value.")
                         .arg(ws.matrixTitle, ws.rowAxis, ws.colAxis),
                  0, y, width) + 8;
    if (ws.rows < ws.allRows || ws.cols < ws.allCols)
        y = paragraph(p, WorksheetPdf::tr("(The first %1 of %2 rows and %3 of %4 columns.)")
                             .arg(ws.rows).arg(ws.allRows).arg(ws.cols).arg(ws.allCols), 0, y, width) + 4;
    p.setFont(small);
    const QFontMetricsF fm(small, &pdf);
    double labelW = 40;
    for (const QString& l : ws.rowLabels) labelW = std::max(labelW, fm.horizontalAdvance(l) + 10);
    labelW = std::min(labelW, width * 0.25);
    const double cellW = std::min(52.0, (width - labelW) / std::max(1, ws.cols));
    const double cellH = 22, headH = 44;
    // Column labels, rotated to fit.
    for (int c = 0; c < ws.cols; ++c) {
        p.save();
        p.translate(labelW + c * cellW + cellW / 2 + 4, y + headH - 4);
        p.rotate(-45);
        p.drawText(QPointF(0, 0), fm.elidedText(ws.colLabels[c], Qt::ElideRight, headH * 1.3));
        p.restore();
    }
    y += headH;
    for (int r = 0; r < ws.rows; ++r) {
        const double top = y + r * cellH;
        p.setPen(Qt::black);
        p.drawText(QRectF(0, top, labelW - 6, cellH), Qt::AlignRight | Qt::AlignVCenter,
                   fm.elidedText(ws.rowLabels[r], Qt::ElideRight, labelW - 6));
        for (int c = 0; c < ws.cols; ++c) {
            const QRectF cell(labelW + c * cellW, top, cellW, cellH);
            const size_t i = size_t(r) * size_t(ws.cols) + size_t(c);
            const auto blank = std::find_if(ws.blanks.begin(), ws.blanks.end(),
                                            [&](const Worksheet::Blank& b) { return b.row == r && b.col == c; });
            // The heatmap's own colours; a blank is a white box to write in.
            const QColor fill = ws.masked[i] ? QColor(225, 225, 225)
                                             : (blank != ws.blanks.end() ? QColor(Qt::white) : QColor(ws.colours[i]));
            p.setPen(QPen(blank != ws.blanks.end() ? Qt::black : Qt::gray, blank != ws.blanks.end() ? 1.2 : 0.5));
            p.setBrush(fill);
            p.drawRect(cell);
            p.setPen(fill.lightnessF() < 0.55 ? Qt::white : Qt::black);
            QString text = ws.masked[i] ? QStringLiteral("−∞") : number(ws.values[i]);
            if (blank != ws.blanks.end()) text = "(" + blank->letter + ")";
            p.drawText(cell, Qt::AlignCenter, text);
        }
    }
    y += ws.rows * cellH + 14;
    p.setPen(Qt::black);
    p.setFont(body);
    for (const Worksheet::Blank& b : ws.blanks)
        y = paragraph(p, WorksheetPdf::tr("(%1) row “%2”, column “%3”:  ____________").arg(b.letter, ws.rowLabels[b.row], ws.colLabels[b.col]),
                      16, y + 4, width - 16);
    if (ws.position >= 0) {
        y += 16;
        y = paragraph(p, WorksheetPdf::tr("2. Decoding step %1. The decoder has read: %2")
                             .arg(ws.position + 1).arg(ws.prefix.join(' ')), 0, y, width) + 6;
        y = paragraph(p, WorksheetPdf::tr("The most probable next token is  ____________  with probability  ________ ."), 16, y, width - 16) + 6;
        y = paragraph(p, WorksheetPdf::tr("3. Why is the next token not read from the decoder's input? Explain in one sentence."), 0, y + 10, width);
        p.setPen(QPen(Qt::gray, 0.5));
        for (int k = 0; k < 2; ++k) p.drawLine(QPointF(16, y + 24 + k * 22), QPointF(width, y + 24 + k * 22));
        p.setPen(Qt::black);
    }

    // The last page: the answer key.
    if (!pdf.newPage()) {
        p.end();
        *error = WorksheetPdf::tr("%1: cannot add a page to the PDF file").arg(path);
        return false;
    }
    y = header(WorksheetPdf::tr("Answer key"));
    p.setFont(body);
    y = paragraph(p, WorksheetPdf::tr("1. %1").arg(ws.matrixTitle), 0, y, width) + 4;
    for (const Worksheet::Blank& b : ws.blanks)
        y = paragraph(p, WorksheetPdf::tr("(%1) row “%2”, column “%3”:  %4").arg(b.letter, ws.rowLabels[b.row], ws.colLabels[b.col], exact(b.value)),
                      16, y + 2, width - 16);
    if (ws.position >= 0) {
        y += 14;
        y = paragraph(p, WorksheetPdf::tr("2. The most probable next token at decoding step %1: %2 (id %3), probability %4")
                             .arg(ws.position + 1).arg(ws.token).arg(ws.tokenId).arg(exact(ws.probability)),
                      0, y, width) + 6;
        y = paragraph(p, WorksheetPdf::tr("3. The decoder's input is the output shifted right by one: at each step it has read "
                               "only the tokens chosen before, so the next one must be predicted."),
                      0, y + 8, width) + 6;
    }
    p.setFont(small);
    paragraph(p, WorksheetPdf::tr("Every number on this sheet was read from the model's recorded forward pass (its Trace)."), 0, y + 16, width);
    if (!p.end()) {
        *error = WorksheetPdf::tr("%1: cannot write the PDF file").arg(path);
        return false;
    }
    if (!QFileInfo(path).isFile() || QFileInfo(path).size() == 0) {
        *error = WorksheetPdf::tr("%1: cannot write the PDF file").arg(path);
        return false;
    }
    return true;
}

}  // namespace sf::ui
