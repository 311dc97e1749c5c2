#include "ui/heatmapview.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace sf::ui {

namespace {
constexpr int kColorbar = 14;
}

HeatmapView::HeatmapView(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void HeatmapView::setData(Data d)
{
    mData = std::move(d);
    mLo = 0.0f, mHi = 1.0f;
    if (mData.scale != Scale::Unit && !mData.values.empty()) {
        float lo = 0, hi = 0;
        bool first = true;
        for (size_t i = 0; i < mData.values.size(); ++i) {
            if (!mData.masked.empty() && mData.masked[i]) continue;
            const float v = mData.values[i];
            if (!std::isfinite(v)) continue;
            if (first) lo = hi = v, first = false;
            lo = std::min(lo, v), hi = std::max(hi, v);
        }
        if (mData.scale == Scale::Symmetric) {
            float m = std::max(std::fabs(lo), std::fabs(hi));
            if (!(m > 0)) m = 1.0f;  // all zero (an unchanged difference): still a bar centred at 0
            lo = -m, hi = m;
        }
        mLo = lo, mHi = hi > lo ? hi : lo + 1.0f;
    }
    renderImages();
    layoutCells();
    update();
}

void HeatmapView::renderImages()
{
    mCells = QImage();
    if (mData.rows > 0 && mData.cols > 0 && mData.values.size() >= size_t(mData.rows) * size_t(mData.cols)) {
        mCells = QImage(mData.cols, mData.rows, QImage::Format_RGB32);
        for (int r = 0; r < mData.rows; ++r) {
            auto* line = reinterpret_cast<QRgb*>(mCells.scanLine(r));
            for (int c = 0; c < mData.cols; ++c) {
                const size_t i = size_t(r) * size_t(mData.cols) + size_t(c);
                // A masked cell shows its score once the mask is lifted (animation).
                const float v = isMasked(r, c) && i < mData.scores.size() ? mData.scores[i] : mData.values[i];
                line[c] = colorOf(v).rgb();
            }
        }
    }
    mColorbar = QImage(1, 256, QImage::Format_RGB32);
    for (int y = 0; y < 256; ++y) mColorbar.setPixel(0, y, colorOf(float(mHi - (mHi - mLo) * y / 255.0)).rgb());
}

bool HeatmapView::isMasked(int r, int c) const
{
    return !mData.masked.empty() && mData.masked[size_t(r) * size_t(mData.cols) + size_t(c)];
}

void HeatmapView::setMaskProgress(double p)
{
    mMaskProgress = std::clamp(p, 0.0, 1.0);
    update();
}

void HeatmapView::setReveal(double p)
{
    mReveal = std::clamp(p, 0.0, 1.0);
    update();
}

void HeatmapView::setColormap(Colormap m)
{
    if (m == mColormap) return;
    mColormap = m;
    renderImages();
    update();
}

void HeatmapView::setDark(bool dark)
{
    if (dark == mDark) return;
    mDark = dark;
    renderImages();
    update();
}

void HeatmapView::setHighlightRow(int row)
{
    mHighlightRow = row;
    update();
}

QSize HeatmapView::sizeHint() const { return {360, 280}; }
QSize HeatmapView::minimumSizeHint() const { return {120, 90}; }

void HeatmapView::resizeEvent(QResizeEvent*) { layoutCells(); }

void HeatmapView::layoutCells()
{
    const QFontMetrics fm(font());
    int labelW = 0, labelH = 0;
    for (const QString& s : mData.rowLabels) labelW = std::max(labelW, fm.horizontalAdvance(s));
    for (const QString& s : mData.colLabels) labelH = std::max(labelH, fm.horizontalAdvance(s));
    labelW = std::min(labelW + 6, width() / 4);
    // A one-row strip labels its columns horizontally (rotated labels would not fit).
    labelH = mData.rows == 1 ? (mData.colLabels.isEmpty() ? 0 : fm.height() + 2) : std::min(labelH + 6, height() / 4);
    const int title = mData.title.isEmpty() ? 0 : fm.height() + 4;
    const int availW = width() - labelW - kColorbar - 12 - fm.horizontalAdvance("-0.000");
    const int availH = height() - labelH - title - 4;
    if (mData.rows <= 0 || mData.cols <= 0 || availW <= 0 || availH <= 0) {
        mGrid = QRect();
        return;
    }
    // Square cells for attention-sized matrices; a wide [tokens x dimensions] matrix keeps
    // its rows tall enough to label and lets its columns be thin.
    mCellW = std::min(64.0, double(availW) / mData.cols);
    mCellH = std::min(64.0, double(availH) / mData.rows);
    if (mData.cols <= 64 && mData.rows <= 64) mCellW = mCellH = std::min(mCellW, mCellH);
    else mCellH = std::min(mCellH, std::max(mCellW, fm.height() * 1.5));
    mCellW = std::max(mCellW, 0.25), mCellH = std::max(mCellH, 0.25);
    mGrid = QRect(labelW, title + labelH, int(mCellW * mData.cols), int(mCellH * mData.rows));
    mRowLabelStep = std::max(1, int(std::ceil((fm.height() + 1) / mCellH)));
    mColLabelStep = mData.rows == 1 ? 1 : std::max(1, int(std::ceil((fm.height() + 1) / mCellW)));
}

QRect HeatmapView::cellRect(int r, int c) const
{
    const int x0 = mGrid.left() + int(c * mCellW), x1 = mGrid.left() + int((c + 1) * mCellW);
    const int y0 = mGrid.top() + int(r * mCellH), y1 = mGrid.top() + int((r + 1) * mCellH);
    return QRect(x0, y0, std::max(1, x1 - x0), std::max(1, y1 - y0));
}

QColor HeatmapView::colorOf(float v) const
{
    if (!std::isfinite(v)) return palette().color(QPalette::Mid);
    if (mData.scale == Scale::Symmetric) return diverging(v / std::max(1e-12f, mHi), mDark);
    return sequential(mColormap, (v - mLo) / (mHi - mLo));
}

QString HeatmapView::describeCell(int r, int c) const
{
    const QString row = r < mData.rowLabels.size() ? mData.rowLabels[r] : QString::number(r);
    const QString col = c < mData.colLabels.size() ? mData.colLabels[c] : QString::number(c);
    QString s = QString("%1 %2 ‘%3’ × %4 %5 ‘%6’\n")
                    .arg(mData.rowAxis.isEmpty() ? tr("row") : mData.rowAxis)
                    .arg(r)
                    .arg(row)
                    .arg(mData.colAxis.isEmpty() ? tr("column") : mData.colAxis)
                    .arg(c)
                    .arg(col);
    const size_t i = size_t(r) * size_t(mData.cols) + size_t(c);
    if (isMasked(r, c)) {
        s += tr("masked: score set to −∞, weight exactly 0");
        if (i < mData.scores.size()) s += "\n" + tr("score before the mask %1").arg(double(mData.scores[i]), 0, 'g', 7);
        return s;
    }
    s += QString("%1 %2").arg(mData.valueName).arg(double(mData.values[i]), 0, 'g', 7);
    if (i < mData.scores.size()) s += "\n" + tr("from score %1").arg(double(mData.scores[i]), 0, 'g', 7);
    return s;
}

void HeatmapView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Base));
    const QFontMetrics fm(font());
    p.setPen(palette().color(QPalette::Text));
    if (!mData.title.isEmpty()) p.drawText(QRect(0, 0, width(), fm.height() + 2), Qt::AlignLeft, mData.title);
    if (mGrid.isEmpty()) return;

    // Cells: the one-pixel-per-cell image scaled without smoothing; then the mask.
    const int shownRows = int(std::ceil(mReveal * mData.rows));
    p.fillRect(mGrid, palette().color(QPalette::AlternateBase));
    if (shownRows > 0 && !mCells.isNull()) {
        const QRect last = cellRect(shownRows - 1, mData.cols - 1);
        p.drawImage(QRect(mGrid.topLeft(), QPoint(mGrid.right(), last.bottom())), mCells,
                    QRect(0, 0, mData.cols, shownRows));
    }
    if (!mData.masked.empty()) {
        const int maskedRows = int(std::ceil(mMaskProgress * mData.rows));
        const QBrush hatch(palette().color(QPalette::Mid), Qt::BDiagPattern);
        for (int r = 0; r < std::min(maskedRows, shownRows); ++r)
            for (int c = 0; c < mData.cols; ++c)
                if (isMasked(r, c)) {
                    const QRect cell = cellRect(r, c);
                    p.fillRect(cell, palette().color(QPalette::AlternateBase));
                    p.fillRect(cell, hatch);
                }
    }
    if (mHighlightRow >= 0 && mHighlightRow < mData.rows) {
        p.setPen(QPen(palette().color(QPalette::Highlight), 2));
        p.drawRect(cellRect(mHighlightRow, 0).united(cellRect(mHighlightRow, mData.cols - 1)).adjusted(0, 0, -1, -1));
    }
    // Numbers inside cells when they fit.
    if (mData.showNumbers && mCellW >= fm.horizontalAdvance("0.00") + 4 && mCellH >= fm.height()) {
        for (int r = 0; r < mData.rows; ++r)
            for (int c = 0; c < mData.cols; ++c) {
                if (isMasked(r, c)) continue;
                const float v = mData.values[size_t(r) * size_t(mData.cols) + size_t(c)];
                const QColor bg = colorOf(v);
                p.setPen(bg.lightness() > 140 ? Qt::black : Qt::white);
                p.drawText(cellRect(r, c), Qt::AlignCenter, QString::number(double(v), 'f', 2));
            }
    }
    // Axis labels: rows on the left, columns on top (rotated).
    p.setPen(palette().color(QPalette::Text));
    for (int r = 0; r < mData.rows && r < mData.rowLabels.size(); r += mRowLabelStep) {
        const QRect cell = cellRect(r, 0);
        p.drawText(QRect(0, cell.top(), mGrid.left() - 4, std::max(cell.height(), fm.height())),
                   Qt::AlignRight | Qt::AlignVCenter, fm.elidedText(mData.rowLabels[r], Qt::ElideRight, mGrid.left() - 4));
    }
    for (int c = 0; c < mData.cols && c < mData.colLabels.size(); c += mColLabelStep) {
        const QRect cell = cellRect(0, c);
        if (mData.rows == 1) {
            p.drawText(QRect(cell.left(), mGrid.top() - fm.height() - 1, cell.width(), fm.height()), Qt::AlignCenter,
                       fm.elidedText(mData.colLabels[c], Qt::ElideRight, cell.width()));
            continue;
        }
        p.save();
        p.translate(cell.center().x() + fm.ascent() / 2 - 1, mGrid.top() - 3);
        p.rotate(-90);
        p.drawText(0, 0, fm.elidedText(mData.colLabels[c], Qt::ElideRight, mGrid.top() - 4));
        p.restore();
    }
    // Colour bar with its range.
    const QRect bar(mGrid.right() + 8, mGrid.top(), kColorbar, std::max(40, std::min(mGrid.height(), 200)));
    p.drawImage(bar, mColorbar);
    p.setPen(palette().color(QPalette::Text));
    p.drawText(bar.right() + 3, bar.top() + fm.ascent(), QString::number(double(mHi), 'g', 3));
    p.drawText(bar.right() + 3, bar.bottom(), QString::number(double(mLo), 'g', 3));
}

void HeatmapView::mouseMoveEvent(QMouseEvent* e)
{
    const QPoint pos = e->position().toPoint();
    if (!mGrid.contains(pos)) {
        QToolTip::hideText();
        return;
    }
    const int c = std::min(mData.cols - 1, int((pos.x() - mGrid.left()) / mCellW));
    const int r = std::min(mData.rows - 1, int((pos.y() - mGrid.top()) / mCellH));
    QToolTip::showText(e->globalPosition().toPoint(), describeCell(r, c), this);
}

void HeatmapView::mousePressEvent(QMouseEvent* e)
{
    if (e->button() != Qt::LeftButton) return;
    emit clicked();
    emit clickedWith(e->modifiers());
}

}  // namespace sf::ui
