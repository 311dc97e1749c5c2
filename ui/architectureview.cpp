#include "ui/architectureview.h"

#include "ui/texttable.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

namespace sf::ui {

ArchitectureView::ArchitectureView(QWidget* parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Expanding);
}

void ArchitectureView::setModelShape(int encoderLayers, int decoderLayers, bool preNorm)
{
    mEncoderLayers = encoderLayers;
    mDecoderLayers = decoderLayers;
    mPreNorm = preNorm;
    layoutBlocks();
    update();
}

QRect ArchitectureView::normBefore(Block sublayer) const { return mNormBefore[size_t(sublayer)]; }

QString ArchitectureView::blockLabel(Block b) const
{
    using B = Block;
    const bool residual = b == B::EncoderAddNorm1 || b == B::EncoderAddNorm2 || b == B::DecoderAddNorm1 ||
                          b == B::DecoderAddNorm2 || b == B::DecoderAddNorm3;
    if (residual && mPreNorm) return tr("Add");  // the norm came before the sublayer
    if (b == B::OutputEmbedding) return tr("Output Embedding (shifted right)");
    QString label = rendered(blockName(b));
    if (b == B::EncoderPositions || b == B::DecoderPositions) label = "⊕ " + label;
    return label;
}

void ArchitectureView::setStep(const Step* step)
{
    mHasStep = step != nullptr;
    if (step) mStep = *step;
    update();
}

void ArchitectureView::setDark(bool dark)
{
    mDark = dark;
    update();
}

void ArchitectureView::resizeEvent(QResizeEvent*) { layoutBlocks(); }

void ArchitectureView::changeEvent(QEvent* e)
{
    QWidget::changeEvent(e);
    if (e->type() == QEvent::LanguageChange) update();  // the labels are drawn in paintEvent
}

// Blocks stacked bottom-up as in Figure 1; the decoder column is taller, so both
// columns share one row height. Pre-norm adds a LayerNorm row before each sublayer and
// one on top of each stack.
void ArchitectureView::layoutBlocks()
{
    const int margin = 8, gap = 14, side = 24;  // side: room for the "N×" labels
    const int colW = (width() - 2 * side - gap) / 2;
    // Decoder rows: 2 below the stack, 6 in it (9 + the final norm pre-norm), 2 on top,
    // plus spacing.
    const int rows = mPreNorm ? 16 : 12;
    const int rowH = std::max(mPreNorm ? 14 : 18, (height() - 2 * margin) / (rows + 2));
    const int bh = rowH - (mPreNorm ? 4 : 6);
    const int xe = side, xd = side + colW + gap;
    auto at = [&](int x, int row) { return QRect(x + 10, height() - margin - (row + 1) * rowH, colW - 20, bh); };
    mNormBefore.fill(QRect());
    mEncoderFinalNorm = mDecoderFinalNorm = QRect();
    using B = Block;
    mRects[size_t(B::InputEmbedding)] = at(xe, 0);
    mRects[size_t(B::EncoderPositions)] = at(xe, 1);
    mRects[size_t(B::OutputEmbedding)] = at(xd, 0);
    mRects[size_t(B::DecoderPositions)] = at(xd, 1);
    // Each stack from row 3 up: (sublayer, its residual block) pairs.
    auto stack = [&](int x, std::initializer_list<std::pair<B, B>> parts, QRect* finalNorm) {
        int row = 3;
        for (const auto& [sub, add] : parts) {
            if (mPreNorm) mNormBefore[size_t(sub)] = at(x, row++);
            mRects[size_t(sub)] = at(x, row++);
            mRects[size_t(add)] = at(x, row++);
        }
        if (mPreNorm) *finalNorm = at(x, row++);
        return row;
    };
    stack(xe, {{B::EncoderAttention, B::EncoderAddNorm1}, {B::EncoderFeedForward, B::EncoderAddNorm2}}, &mEncoderFinalNorm);
    const int top = stack(xd, {{B::DecoderMaskedAttention, B::DecoderAddNorm1}, {B::DecoderCrossAttention, B::DecoderAddNorm2},
                               {B::DecoderFeedForward, B::DecoderAddNorm3}}, &mDecoderFinalNorm);
    mRects[size_t(B::Linear)] = at(xd, top + 1);
    mRects[size_t(B::Softmax)] = at(xd, top + 2);
    const QRect encBottom = mPreNorm ? mNormBefore[size_t(B::EncoderAttention)] : mRects[size_t(B::EncoderAttention)];
    const QRect decBottom = mPreNorm ? mNormBefore[size_t(B::DecoderMaskedAttention)] : mRects[size_t(B::DecoderMaskedAttention)];
    // The N× box holds one layer; pre-norm's final norms sit above it (applied once).
    const int pad = mPreNorm ? 2 : 4;
    mEncoderStack = encBottom.united(mRects[size_t(B::EncoderAddNorm2)]).adjusted(-8, -pad, 8, pad);
    mDecoderStack = decBottom.united(mRects[size_t(B::DecoderAddNorm3)]).adjusted(-8, -pad, 8, pad);
}

QColor ArchitectureView::fillOf(Block b) const
{
    // The paper's colours, softened: attention orange, add & norm yellow, FFN blue,
    // embeddings pink, linear/softmax violet/green.
    switch (b) {
    case Block::EncoderAttention:
    case Block::DecoderMaskedAttention:
    case Block::DecoderCrossAttention: return QColor(252, 205, 150);
    case Block::EncoderFeedForward:
    case Block::DecoderFeedForward: return QColor(170, 210, 245);
    case Block::InputEmbedding:
    case Block::OutputEmbedding: return QColor(245, 190, 200);
    case Block::EncoderPositions:
    case Block::DecoderPositions: return QColor(235, 235, 235);
    case Block::Linear: return QColor(205, 195, 240);
    case Block::Softmax: return QColor(190, 230, 190);
    default: return QColor(245, 240, 170);
    }
}

void ArchitectureView::paintEvent(QPaintEvent*)
{
    if (mRects[0].isEmpty()) layoutBlocks();
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().color(QPalette::Window));
    const QColor text = palette().color(QPalette::WindowText);
    const QFontMetrics fm(font());

    // The two N x stacks.
    p.setPen(QPen(text, 1, Qt::DashLine));
    p.setBrush(Qt::NoBrush);
    p.drawRoundedRect(mEncoderStack, 8, 8);
    p.drawRoundedRect(mDecoderStack, 8, 8);
    p.setPen(text);
    p.drawText(QRect(0, mEncoderStack.top(), mEncoderStack.left() - 2, mEncoderStack.height()),
               Qt::AlignRight | Qt::AlignVCenter, QString("%1×").arg(mEncoderLayers));
    p.drawText(QRect(mDecoderStack.right() + 2, mDecoderStack.top(), width() - mDecoderStack.right() - 2,
                     mDecoderStack.height()),
               Qt::AlignLeft | Qt::AlignVCenter, QString("×%1").arg(mDecoderLayers));
    p.drawText(QRect(mEncoderStack.left(), 2, mEncoderStack.width(), fm.height()), Qt::AlignCenter, tr("Encoder"));
    p.drawText(QRect(mDecoderStack.left(), 2, mDecoderStack.width(), fm.height()), Qt::AlignCenter, tr("Decoder"));

    // Arrows between consecutive blocks and from the encoder into cross-attention.
    p.setPen(QPen(text, 1.2));
    auto arrow = [&](QPoint a, QPoint b) {
        p.drawLine(a, b);
        const QPointF d = QPointF(b - a) / std::max(1.0, std::hypot(double(b.x() - a.x()), double(b.y() - a.y())));
        const QPointF n(-d.y(), d.x());
        QPolygonF head;
        head << QPointF(b) << QPointF(b) - 6 * d + 3 * n << QPointF(b) - 6 * d - 3 * n;
        p.setBrush(text);
        p.drawPolygon(head);
        p.setBrush(Qt::NoBrush);
    };
    auto up = [&](const QRect& a, const QRect& b) {
        arrow(QPoint(a.center().x(), a.top()), QPoint(b.center().x(), b.bottom()));
    };
    using B = Block;
    // The column of each stack from the bottom, the pre-norm LayerNorms in place.
    auto column = [&](std::initializer_list<B> blocks, const QRect& finalNorm) {
        std::vector<QRect> out;
        for (B b : blocks) {
            if (!mNormBefore[size_t(b)].isEmpty()) out.push_back(mNormBefore[size_t(b)]);
            out.push_back(mRects[size_t(b)]);
            if (b == B::EncoderAddNorm2 || b == B::DecoderAddNorm3)
                if (!finalNorm.isEmpty()) out.push_back(finalNorm);
        }
        return out;
    };
    const std::vector<QRect> enc = column({B::InputEmbedding, B::EncoderPositions, B::EncoderAttention, B::EncoderAddNorm1,
                                           B::EncoderFeedForward, B::EncoderAddNorm2}, mEncoderFinalNorm);
    const std::vector<QRect> dec = column({B::OutputEmbedding, B::DecoderPositions, B::DecoderMaskedAttention, B::DecoderAddNorm1,
                                           B::DecoderCrossAttention, B::DecoderAddNorm2, B::DecoderFeedForward,
                                           B::DecoderAddNorm3, B::Linear, B::Softmax}, mDecoderFinalNorm);
    for (size_t i = 0; i + 1 < enc.size(); ++i) up(enc[i], enc[i + 1]);
    for (size_t i = 0; i + 1 < dec.size(); ++i) up(dec[i], dec[i + 1]);
    // The memory: the encoder's last output (pre-norm: after its final norm) into
    // cross-attention (pre-norm: beside its LayerNorm, which normalises only the queries).
    const QRect eo = enc.back(), ca = mRects[size_t(B::DecoderCrossAttention)];
    QPainterPath memory;
    memory.moveTo(eo.center().x(), eo.top());
    memory.lineTo(eo.center().x(), eo.top() - 6);
    memory.lineTo((eo.right() + ca.left()) / 2, eo.top() - 6);
    memory.lineTo((eo.right() + ca.left()) / 2, ca.center().y());
    p.drawPath(memory);
    arrow(QPoint((eo.right() + ca.left()) / 2, ca.center().y()), QPoint(ca.left(), ca.center().y()));

    // Pre-norm: the LayerNorms, in the Add & Norm colour.
    auto drawNorm = [&](const QRect& r) {
        if (r.isEmpty()) return;
        QColor fill(245, 240, 170);
        if (mDark) fill = fill.darker(260);
        p.setPen(QPen(text, 1));
        p.setBrush(fill);
        p.drawRoundedRect(r, 5, 5);
        p.setPen(mDark ? QColor(235, 235, 235) : QColor(20, 20, 20));
        QFont nf = font();
        const QString label = tr("LayerNorm");
        for (int k = 0; k < 6 && QFontMetrics(nf).height() > r.height(); ++k) nf.setPointSizeF(nf.pointSizeF() * 0.9);
        p.setFont(nf);
        p.drawText(r, Qt::AlignCenter, label);
        p.setFont(font());
    };
    for (const QRect& r : mNormBefore) drawNorm(r);
    drawNorm(mEncoderFinalNorm);
    drawNorm(mDecoderFinalNorm);

    // Blocks; the current one highlighted with its layer.
    const Block current = mStep.block;
    mLayerBadgeRect = QRect();
    for (int i = 0; i < kBlockCount; ++i) {
        const Block b = Block(i);
        const QRect r = mRects[size_t(i)];
        const bool on = mHasStep && b == current;
        QColor fill = fillOf(b);
        if (mDark) fill = fill.darker(260);
        p.setPen(QPen(on ? palette().color(QPalette::Highlight) : text, on ? 3 : 1));
        p.setBrush(fill);
        p.drawRoundedRect(r, 5, 5);
        const QString label = blockLabel(b);
        p.setPen(mDark ? QColor(235, 235, 235) : QColor(20, 20, 20));
        // Wrap onto two lines, shrinking the font until the label fits the block.
        QFont bf = font();
        const QRect inner = r.adjusted(3, 1, -3, -1);
        for (int k = 0; k < 6; ++k) {
            const QRect need = QFontMetrics(bf).boundingRect(inner, Qt::AlignCenter | Qt::TextWordWrap, label);
            if (need.width() <= inner.width() && need.height() <= inner.height()) break;
            bf.setPointSizeF(bf.pointSizeF() * 0.9);
        }
        p.setFont(bf);
        p.drawText(inner, Qt::AlignCenter | Qt::TextWordWrap, label);
        p.setFont(font());
        if (on && mStep.layer >= 0) {
            const QString tag = tr("layer %1").arg(mStep.layer + 1);
            QFont tf = font();
            QRect badge;
            {
                // On the block's edge the badge would cover its label (pre-norm's rows are
                // tight, and post-norm's attention labels wrap). Below the stack box instead,
                // at its outer corner, in the free row between the positions block and the
                // stack (clear of the centred arrow).
                const bool decoder = int(b) >= int(Block::OutputEmbedding);
                const QRect box = decoder ? mDecoderStack : mEncoderStack;
                const QRect below = mRects[size_t(decoder ? Block::DecoderPositions : Block::EncoderPositions)];
                const int room = std::max(8, below.top() - box.bottom() - 2), half = box.width() / 2 - 4;
                for (int k = 0; k < 6 && (QFontMetrics(tf).height() > room ||
                                          QFontMetrics(tf).horizontalAdvance(tag) + 8 > half); ++k)
                    tf.setPointSizeF(tf.pointSizeF() * 0.9);
                const QFontMetrics tm(tf);
                const int w = tm.horizontalAdvance(tag) + 8, h = std::min(room, tm.height());
                badge = QRect(decoder ? box.right() - w : box.left(), box.bottom() + 1 + (room - h) / 2, w, h);
            }
            mLayerBadgeRect = badge;
            p.setPen(Qt::NoPen);
            p.setBrush(palette().color(QPalette::Highlight));
            p.drawRoundedRect(badge, 4, 4);
            p.setPen(palette().color(QPalette::HighlightedText));
            p.setFont(tf);
            p.drawText(badge, Qt::AlignCenter, tag);
            p.setFont(font());
        }
    }
    if (mHasStep && mStep.t >= 0) {
        // Centred over the decoder column, as wide as the widget allows on both sides of
        // that centre; the font shrinks until the whole label fits.
        const QString label = tr("decoding step %1").arg(mStep.t + 1);
        const int centre = mRects[size_t(B::Softmax)].center().x();
        const int half = std::max(10, std::min(centre, width() - centre) - 2);
        QFont lf = font();
        for (int k = 0; k < 8 && QFontMetrics(lf).horizontalAdvance(label) > 2 * half; ++k)
            lf.setPointSizeF(lf.pointSizeF() * 0.9);
        p.setFont(lf);
        p.setPen(text);
        const int h = QFontMetrics(lf).height();
        mStepLabelRect = QRect(centre - half, mRects[size_t(B::Softmax)].top() - h - 6, 2 * half, h);
        p.drawText(mStepLabelRect, Qt::AlignCenter, label);
        mStepLabelNeed = QFontMetrics(lf).horizontalAdvance(label);
        p.setFont(font());
    }
}

void ArchitectureView::mousePressEvent(QMouseEvent* e)
{
    for (int i = 0; i < kBlockCount; ++i)
        if (mRects[size_t(i)].contains(e->position().toPoint())) {
            emit blockClicked(Block(i));
            return;
        }
}

}  // namespace sf::ui
