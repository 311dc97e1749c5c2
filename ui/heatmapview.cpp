#include "ui/heatmapview.h"

#include <QMouseEvent>
#include <QResizeEvent>
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
    mSingle = false;
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
        // One number (a 1x1 map, or all cells equal) has no range to show; a shared limit
        // (the scale of the maps beside it) still gives one.
        mSingle = !first && lo == hi && !(mData.limit > 0);
        mSingleValue = lo;
        if (mData.scale == Scale::Symmetric) {
            float m = mData.limit > 0 ? mData.limit : std::max(std::fabs(lo), std::fabs(hi));
            if (!(m > 0)) m = 1.0f;  // all zero (an unchanged difference): still a bar centred at 0
            mLo = -m, mHi = m;
        } else if (mData.scale == Scale::Positive) {
            mLo = 0, mHi = mData.limit > 0 ? mData.limit : hi;
            if (!(mHi > 0)) mHi = 1.0f;  // all zero (every unit off): the low end's colour
        } else {
            mLo = lo, mHi = hi > lo ? hi : lo + 1.0f;  // a single value takes the middle colour
            if (mSingle) mLo = lo - 0.5f, mHi = lo + 0.5f;
        }
    }
    renderImages();
    layoutCells();
    updateGeometry();
    update();
}

float HeatmapView::sharedLimit(const std::vector<const Data*>& maps)
{
    float m = 0;
    for (const Data* d : maps)
        for (size_t i = 0; i < d->values.size(); ++i)
            if ((d->masked.empty() || !d->masked[i]) && std::isfinite(d->values[i])) m = std::max(m, std::fabs(d->values[i]));
    return m;
}

QString HeatmapView::scaleText() const
{
    if (mSingle) return QString::number(double(mSingleValue), 'g', 3);
    if (mData.scale == Scale::Symmetric) return QString("±%1").arg(double(mHi), 0, 'g', 3);
    return QString("%1–%2").arg(double(mLo), 0, 'g', 3).arg(double(mHi), 0, 'g', 3);
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

// A one-row strip asks for little more height than its labels need (a layout that sizes by
// hints, e.g. for height-for-width, keeps it short); matrices ask for room to fill.
QSize HeatmapView::sizeHint() const
{
    const QSize least = minimumSizeHint();
    if (mData.rows <= 1) return {std::max(360, least.width()), least.height() + (mData.rows ? 16 : 0)};
    return QSize(360, 280).expandedTo(least);
}

namespace {
// The widest label, measured no wider than 12 "M"s (a longer label is elided).
int widest(const QStringList& labels, const QFontMetrics& fm)
{
    int w = 0;
    for (const QString& s : labels) w = std::max(w, fm.horizontalAdvance(s));
    return std::min(w, 12 * fm.horizontalAdvance('M'));
}
int colorbarWidth(const QFontMetrics& fm, bool shown = true)
{
    return shown ? kColorbar + 12 + fm.horizontalAdvance("-0.000") : 4;
}
}  // namespace

int HeatmapView::fontPixels() const
{
    const QFont f = font();
    if (f.pixelSize() > 0) return f.pixelSize();
    return std::max(1, QFontInfo(f).pixelSize());
}

QFont HeatmapView::fontAt(int px) const
{
    QFont f = font();
    f.setPixelSize(std::max(1, px));
    return f;
}

template <typename Fits> QFont HeatmapView::fittedFont(Fits fits) const
{
    for (int px = std::max(fontPixels(), mMinTextPx); px > mMinTextPx; --px) {
        const QFont f = fontAt(px);
        if (fits(QFontMetrics(f))) return f;
    }
    return fontAt(mMinTextPx);
}

// The room every label needs at the minimum text size: one text line per labelled row and
// (rotated) per labelled column. In a scroll area, a view this small scrolls instead.
QSize HeatmapView::minimumSizeHint() const
{
    // The labels' room at full size (an upper bound: fonts only shrink), cells at the minimum.
    const QFontMetrics fm(font()), full(fontAt(std::max(fontPixels(), mMinTextPx))), m(fontAt(mMinTextPx));
    const bool rowText = !mData.rowLabels.isEmpty(), colText = !mData.colLabels.isEmpty();
    const int title = mData.title.isEmpty() ? 0 : fm.height() + 4;
    const int pitch = m.height() + 1;
    const int labelW = rowText ? widest(mData.rowLabels, full) + 6 : 0;
    // A strip whose labels fit its current width flat needs one line for them, not a column.
    const bool flat = mData.rows == 1 && colText && mData.cols * (widest(mData.colLabels, m) + 2) <= width() - labelW - colorbarWidth(fm, mData.colorbar);
    const int labelH = !colText ? 0 : flat ? full.height() + 2 : widest(mData.colLabels, full) + 6;
    double cellW = mData.allLabels && colText ? pitch : 0.25, cellH = mData.allLabels && rowText ? pitch : 0.25;
    if (mData.square) cellW = cellH = std::max(cellW, cellH);
    const int w = labelW + int(std::ceil(cellW * mData.cols)) + colorbarWidth(fm, mData.colorbar);
    const int h = title + labelH + int(std::ceil(cellH * mData.rows)) + 4;
    return {std::max(120, w), std::max(h, title + 30)};
}

void HeatmapView::setMinimumTextPixels(int px)
{
    if (px == mMinTextPx) return;
    mMinTextPx = std::max(1, px);
    layoutCells();
    updateGeometry();
    update();
}

void HeatmapView::changeEvent(QEvent* e)
{
    QWidget::changeEvent(e);
    if (e->type() == QEvent::FontChange) {
        layoutCells();
        updateGeometry();
    }
}

void HeatmapView::resizeEvent(QResizeEvent* e)
{
    layoutCells();
    if (mData.rows == 1 && e->oldSize().width() != width()) updateGeometry();  // a strip's labels: flat or rotated
}

// Cells fill the panel (square for attention maps); each label font is the largest, from
// the widget's down to the minimum text size, at which one label fits per row / column.
// One-row strips label their columns horizontally when every label fits, else rotated.
void HeatmapView::layoutCells()
{
    const QFontMetrics fm(font());
    const QFont full = fontAt(std::max(fontPixels(), mMinTextPx));
    mRowFont = mColFont = mNumberFont = full;
    mGrid = QRect();
    mRowLabelStep = mColLabelStep = 1;
    mNumbersFit = false;
    const int rows = mData.rows, cols = mData.cols;
    if (rows <= 0 || cols <= 0) return;
    const bool rowText = !mData.rowLabels.isEmpty(), colText = !mData.colLabels.isEmpty();
    const int title = mData.title.isEmpty() ? 0 : fm.height() + 4;
    const int bar = colorbarWidth(fm, mData.colorbar);
    int labelW = 0, labelH = 0;
    auto measure = [&] {
        labelW = rowText ? std::min(widest(mData.rowLabels, QFontMetrics(mRowFont)) + 6, width() * 2 / 5) : 0;
        if (!colText) labelH = 0;
        else if (!mColRotated) labelH = QFontMetrics(mColFont).height() + 2;
        else labelH = std::min(widest(mData.colLabels, QFontMetrics(mColFont)) + 6, height() * 2 / 5);
    };
    auto cells = [&] {
        const int availW = width() - labelW - bar, availH = height() - labelH - title - 4;
        if (availW <= 0 || availH <= 0) return false;
        mCellW = double(availW) / cols;
        mCellH = double(availH) / rows;
        if (mData.square) {
            // Square, but a strip (one query over many keys) stays tall enough to read.
            const double side = std::min({mCellW, mCellH, 8.0 * fm.height()});
            mCellH = std::max(side, std::min(mCellH, 1.5 * fm.height()));
            mCellW = side;
        }
        mCellW = std::max(mCellW, 0.25), mCellH = std::max(mCellH, 0.25);
        return true;
    };
    auto fit = [&] {
        if (rowText) mRowFont = fittedFont([&](const QFontMetrics& m) { return m.height() <= mCellH + 0.5; });
        if (!colText) return;
        if (rows == 1) {
            const QFont flat = fittedFont([&](const QFontMetrics& m) { return widest(mData.colLabels, m) + 2 <= mCellW; });
            mColRotated = widest(mData.colLabels, QFontMetrics(flat)) + 2 > mCellW;
            if (!mColRotated) {
                mColFont = flat;
                return;
            }
        }
        mColFont = fittedFont([&](const QFontMetrics& m) { return m.height() <= mCellW + 0.5; });
    };
    mColRotated = rows > 1;
    for (int pass = 0; pass < 2; ++pass) {
        measure();
        if (!cells()) return;
        fit();
    }
    measure();
    if (!cells()) return;
    // Fitted once more to the final cells, without measuring again: fonts only shrink, so
    // the labels' room stays enough.
    const bool rotated = mColRotated;
    fit();
    if (mColRotated != rotated) {  // a strip's labels turned: room for them again
        measure();
        if (!cells()) return;
        fit();
    }
    mGrid = QRect(labelW, title + labelH, int(mCellW * cols), int(mCellH * rows));
    // Thinned only when the view is smaller than its minimum (outside a scroll area) or on
    // index axes: labels never overlap.
    const int rowPitch = QFontMetrics(mRowFont).height(), colPitch = QFontMetrics(mColFont).height();
    mRowLabelStep = rowText ? std::max(1, int(std::ceil((rowPitch - 0.5) / mCellH))) : 1;
    mColLabelStep = colText && mColRotated ? std::max(1, int(std::ceil((colPitch - 0.5) / mCellW))) : 1;
    if (mData.showNumbers) {
        const QString widestNumber = mLo < 0 ? "-0.00" : "0.00";
        mNumberFont = fittedFont([&](const QFontMetrics& m) {
            return m.horizontalAdvance(widestNumber) + 4 <= mCellW && m.height() <= mCellH;
        });
        const QFontMetrics m(mNumberFont);
        mNumbersFit = m.horizontalAdvance(widestNumber) + 4 <= mCellW && m.height() <= mCellH;
    }
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
    const int one = mData.countTokensFromOne ? 1 : 0;
    QString s = QString("%1 %2 ‘%3’ × %4 %5 ‘%6’\n")
                    .arg(mData.rowAxis.isEmpty() ? tr("row") : mData.rowAxis)
                    .arg(r < mData.rowLabels.size() ? mData.firstRow + r + one : mData.firstRow + r)
                    .arg(row)
                    .arg(mData.colAxis.isEmpty() ? tr("column") : mData.colAxis)
                    .arg(c < mData.colLabels.size() ? c + one : c)
                    .arg(col);
    const size_t i = size_t(r) * size_t(mData.cols) + size_t(c);
    if (isMasked(r, c)) {
        s += tr("masked: score set to −∞, weight exactly 0");
        if (i < mData.scores.size() && std::isfinite(mData.scores[i])) s += "\n" + tr("score before the mask %1").arg(double(mData.scores[i]), 0, 'g', 7);
        return s;
    }
    s += QString("%1 %2").arg(mData.valueName).arg(double(mData.values[i]), 0, 'g', 7);
    if (i < mData.scores.size()) s += "\n" + tr("from score %1").arg(double(mData.scores[i]), 0, 'g', 7);
    if (isOutlined(r, c) && !mData.outlineName.isEmpty()) s += "\n" + mData.outlineName;
    return s;
}

bool HeatmapView::isOutlined(int r, int c) const
{
    const size_t i = size_t(r) * size_t(mData.cols) + size_t(c);
    return r >= 0 && c >= 0 && r < mData.rows && c < mData.cols && i < mData.outlined.size() && mData.outlined[i];
}

int HeatmapView::outlinedCount() const { return int(std::count(mData.outlined.begin(), mData.outlined.end(), 1)); }

void HeatmapView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Base));
    const QFontMetrics fm(font());
    p.setPen(palette().color(QPalette::Text));
    if (!mData.title.isEmpty()) {
        // A long title shrinks (never below the minimum text size), then is elided.
        const QFont tf = fittedFont([&](const QFontMetrics& m) { return m.horizontalAdvance(mData.title) <= width(); });
        p.setFont(tf);
        const QFontMetrics tfm(tf);
        p.drawText(QRect(0, 0, width(), fm.height() + 2), Qt::AlignLeft | Qt::AlignVCenter,
                   tfm.elidedText(mData.title, Qt::ElideRight, width()));
        p.setFont(font());
    }
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
    // Outlined cells (the gold alignment): a dark frame with a bright one inside, visible on
    // every colour of the scale.
    if (!mData.outlined.empty()) {
        p.save();
        p.setBrush(Qt::NoBrush);
        for (int r = 0; r < shownRows; ++r)
            for (int c = 0; c < mData.cols; ++c)
                if (isOutlined(r, c)) {
                    const QRectF cell = QRectF(cellRect(r, c)).adjusted(1, 1, -1, -1);
                    const double w = std::clamp(std::min(cell.width(), cell.height()) / 8.0, 1.5, 3.0);
                    p.setPen(QPen(QColor(20, 20, 20), w + 2));
                    p.drawRect(cell.adjusted(w / 2, w / 2, -w / 2, -w / 2));
                    p.setPen(QPen(QColor(255, 64, 129), w));
                    p.drawRect(cell.adjusted(w / 2, w / 2, -w / 2, -w / 2));
                }
        p.restore();
    }
    // Numbers inside cells when they fit.
    if (mNumbersFit) {
        p.setFont(mNumberFont);
        for (int r = 0; r < mData.rows; ++r)
            for (int c = 0; c < mData.cols; ++c) {
                if (isMasked(r, c)) continue;
                const float v = mData.values[size_t(r) * size_t(mData.cols) + size_t(c)];
                const QColor bg = colorOf(v);
                p.setPen(bg.lightness() > 140 ? Qt::black : Qt::white);
                p.drawText(cellRect(r, c), Qt::AlignCenter, QString::number(double(v), 'f', 2));
            }
    }
    // Axis labels: rows on the left, columns on top (rotated unless a strip's labels fit).
    p.setPen(palette().color(QPalette::Text));
    p.setFont(mRowFont);
    const QFontMetrics rfm(mRowFont);
    for (int r = 0; r < mData.rows && r < mData.rowLabels.size(); r += mRowLabelStep) {
        const QRect cell = cellRect(r, 0);
        const int h = std::max(cell.height(), rfm.height());
        p.drawText(QRect(0, cell.center().y() - h / 2, mGrid.left() - 4, h), Qt::AlignRight | Qt::AlignVCenter,
                   rfm.elidedText(mData.rowLabels[r], Qt::ElideRight, mGrid.left() - 4));
    }
    p.setFont(mColFont);
    const QFontMetrics cfm(mColFont);
    for (int c = 0; c < mData.cols && c < mData.colLabels.size(); c += mColLabelStep) {
        const QRect cell = cellRect(0, c);
        if (!mColRotated) {
            p.drawText(QRect(cell.left(), mGrid.top() - cfm.height() - 1, cell.width(), cfm.height()), Qt::AlignCenter,
                       cfm.elidedText(mData.colLabels[c], Qt::ElideRight, cell.width()));
            continue;
        }
        p.save();
        p.translate(cell.center().x() + cfm.ascent() / 2 - 1, mGrid.top() - 3);
        p.rotate(-90);
        const int room = mGrid.top() - (mData.title.isEmpty() ? 0 : fm.height() + 4) - 4;
        p.drawText(0, 0, cfm.elidedText(mData.colLabels[c], Qt::ElideRight, room));
        p.restore();
    }
    p.setFont(font());
    // Colour bar with its range.
    if (!mData.colorbar) return;
    const QRect bar(mGrid.right() + 8, mGrid.top(), kColorbar, std::max(8, std::min(mGrid.height(), 200)));
    p.drawImage(bar, mColorbar);
    p.setPen(palette().color(QPalette::Text));
    if (mSingle) {  // one number: one colour and the number, no invented range
        p.fillRect(bar, colorOf(mSingleValue));
        p.drawText(QRect(bar.right() + 3, bar.top(), width() - bar.right() - 3, bar.height()), Qt::AlignLeft | Qt::AlignVCenter,
                   scaleText());
    } else if (bar.height() >= 2 * fm.height()) {
        p.drawText(bar.right() + 3, bar.top() + fm.ascent(), QString::number(double(mHi), 'g', 3));
        p.drawText(bar.right() + 3, bar.bottom(), QString::number(double(mLo), 'g', 3));
    } else {  // a strip: the range on one line
        p.drawText(QRect(bar.right() + 3, bar.top(), width() - bar.right() - 3, bar.height()), Qt::AlignLeft | Qt::AlignVCenter,
                   scaleText());
    }
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
