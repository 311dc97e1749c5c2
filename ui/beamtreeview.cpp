#include "ui/beamtreeview.h"

#include "ui/translationdocument.h"

#include <QEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

namespace sf::ui {

namespace {
constexpr double kColumn = 120, kRow = 34, kBoxW = 100, kBoxH = 28, kTop = 26, kLeft = 10;
}

BeamTreeView::BeamTreeView(TranslationDocument* doc, QWidget* parent) : QWidget(parent), mDoc(doc)
{
    connect(mDoc, &TranslationDocument::translationChanged, this, &BeamTreeView::refresh);
    connect(mDoc, &TranslationDocument::stepChanged, this, qOverload<>(&QWidget::update));
    refresh();
}

QSize BeamTreeView::sizeHint() const { return mSize; }

QString BeamTreeView::finishedLabel(double score, double a)
{
    const QString s = QString::number(score, 'f', 2);
    if (a == 1.0) return tr("%1 (log P / len)").arg(s);
    if (a == 0.0) return tr("%1 (log P)").arg(s);
    return tr("%1 (/ len^%2)").arg(s, QString::number(a, 'g', 3));  // log P / len^A, short enough for the box
}

void BeamTreeView::changeEvent(QEvent* e)
{
    QWidget::changeEvent(e);
    if (e->type() == QEvent::LanguageChange) update();
}

void BeamTreeView::showEvent(QShowEvent* e)
{
    QWidget::showEvent(e);
    if (mStale) refresh();
}

void BeamTreeView::refresh()
{
    mStale = !isVisible();
    if (mStale) return;
    mItems.clear();
    const Translation* t = mDoc->translation();
    int rows = 1;
    if (t && t->decoding == "beam") {
        for (size_t s = 0; s < t->beams.size(); ++s) {
            const std::vector<BeamNode>& nodes = t->beams[s];
            rows = std::max(rows, int(nodes.size()));
            for (size_t i = 0; i < nodes.size(); ++i) {
                Item it;
                it.step = int(s), it.index = int(i);
                it.rect = QRectF(kLeft + double(s) * kColumn, kTop + double(i) * kRow, kBoxW, kBoxH);
                // The winner's prefix: the only node of this step whose tokens start the output.
                const std::vector<int>& tok = nodes[i].tokens;
                it.winner = tok.size() <= t->outputIds.size() && std::equal(tok.begin(), tok.end(), t->outputIds.begin());
                mItems.push_back(it);
            }
        }
        mSize = QSize(int(kLeft * 2 + double(t->beams.size()) * kColumn), int(kTop + rows * kRow + 8));
    } else {
        mSize = QSize(400, 60);
    }
    setMinimumSize(mSize);
    updateGeometry();
    update();
}

void BeamTreeView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));
    const Translation* t = mDoc->translation();
    if (!t || t->decoding != "beam") {
        p.setPen(pal.color(QPalette::Text));
        p.drawText(rect().adjusted(10, 0, -10, 0), Qt::AlignVCenter | Qt::TextWordWrap,
                   tr("Choose beam search (Lab ▸ Decoding choices) to see every hypothesis it keeps and prunes."));
        return;
    }
    const Step* cur = mDoc->currentStep();
    if (cur && cur->decoder && cur->t >= 0 && cur->t < int(t->beams.size()))
        p.fillRect(QRectF(kLeft - 6 + cur->t * kColumn, 0, kBoxW + 12, height()), pal.color(QPalette::AlternateBase));
    const text::Tokenizer* tok = mDoc->model() ? mDoc->model()->tokenizer() : nullptr;
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.85));
    p.setFont(small);
    for (size_t s = 0; s < t->beams.size(); ++s) {
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QRectF(kLeft + double(s) * kColumn, 4, kBoxW, 18), Qt::AlignCenter, tr("step %1").arg(s + 1));
    }
    // Edges first, then the boxes over them. Items of step s start at `first[s]`.
    std::vector<size_t> first(t->beams.size() + 1, 0);
    for (size_t s = 0; s < t->beams.size(); ++s) first[s + 1] = first[s] + t->beams[s].size();
    const QColor winner(213, 94, 0), alive(0, 114, 178), grey(170, 170, 170);
    // Stepping: the steps after the current decoding step are not reached yet, drawn faint.
    const int reached = cur && cur->decoder && cur->t >= 0 ? cur->t : int(t->beams.size());
    for (const Item& it : mItems) {
        const BeamNode& n = t->beams[size_t(it.step)][size_t(it.index)];
        if (it.step == 0 || n.parent < 0) continue;
        p.setOpacity(it.step > reached ? 0.3 : 1.0);
        const Item& parent = mItems[first[size_t(it.step - 1)] + size_t(n.parent)];
        QPen pen(it.winner ? winner : n.state == BeamNode::Pruned ? grey : alive, it.winner ? 2.5 : 1.0);
        if (n.state == BeamNode::Pruned) pen.setStyle(Qt::DashLine);
        p.setPen(pen);
        const QPointF a(parent.rect.right(), parent.rect.center().y()), b(it.rect.left(), it.rect.center().y());
        QPainterPath path(a);
        path.cubicTo(a + QPointF(12, 0), b - QPointF(12, 0), b);
        p.drawPath(path);
    }
    for (const Item& it : mItems) {
        const BeamNode& n = t->beams[size_t(it.step)][size_t(it.index)];
        const bool pruned = n.state == BeamNode::Pruned;
        p.setOpacity(it.step > reached ? 0.3 : 1.0);
        const QColor fill = it.winner ? winner : pruned ? QColor(235, 235, 235) : QColor(222, 235, 247);
        p.setPen(QPen(n.state == BeamNode::Finished ? QColor(40, 40, 40) : (pruned ? grey : alive),
                      n.state == BeamNode::Finished ? 2.0 : 1.0));
        p.setBrush(fill);
        p.drawRoundedRect(it.rect, 4, 4);
        const int id = n.tokens.back();
        const QString piece = tok ? QString::fromStdString(tok->targetPiece(id)) : QString::number(id);
        p.setPen(it.winner ? Qt::white : pruned ? QColor(130, 130, 130) : QColor(20, 20, 20));
        p.drawText(it.rect.adjusted(4, 1, -4, -kBoxH / 2), Qt::AlignLeft | Qt::AlignVCenter,
                   p.fontMetrics().elidedText(piece, Qt::ElideRight, int(kBoxW - 8)));
        p.drawText(it.rect.adjusted(4, kBoxH / 2 - 1, -4, -1), Qt::AlignLeft | Qt::AlignVCenter,
                   n.state == BeamNode::Finished ? finishedLabel(n.score, t->beam.lengthPenalty)
                                                 : QString::number(n.score, 'f', 2));
    }
    p.setOpacity(1.0);
}

void BeamTreeView::mousePressEvent(QMouseEvent* e)
{
    for (const Item& it : mItems)
        if (it.rect.contains(e->position())) {
            emit nodeClicked(it.step, it.index);
            // The decoding step of this node: where its token was chosen.
            const std::vector<Step>& steps = mDoc->steps();
            int target = -1;
            for (size_t i = 0; i < steps.size(); ++i)
                if (steps[i].decoder && steps[i].t == it.step) {
                    target = int(i);
                    if (steps[i].stage == Stage::ChooseToken) break;
                }
            if (target >= 0) mDoc->setCurrentIndex(target);
            return;
        }
}

}  // namespace sf::ui
