#include "ui/mediaicons.h"

#include <QAction>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <QToolBar>

namespace sf::ui {

namespace {

// One icon at `px` pixels: triangles and bars on a 16-unit grid.
QPixmap draw(MediaIcon kind, const QColor& ink, int px)
{
    QPixmap pm(px, px);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.scale(px / 16.0, px / 16.0);
    p.setPen(Qt::NoPen);
    p.setBrush(ink);
    auto triangle = [&](double x0, double x1) {  // pointing from x0 to x1
        QPainterPath t;
        t.moveTo(x0, 3);
        t.lineTo(x1, 8);
        t.lineTo(x0, 13);
        t.closeSubpath();
        p.drawPath(t);
    };
    switch (kind) {
    case MediaIcon::First: p.drawRect(QRectF(2.5, 3, 2, 10)), triangle(13, 5); break;
    case MediaIcon::Previous: triangle(8.5, 2), triangle(14.5, 8); break;
    case MediaIcon::Play: triangle(4, 13); break;
    case MediaIcon::Pause: p.drawRect(QRectF(4, 3, 3, 10)), p.drawRect(QRectF(9, 3, 3, 10)); break;
    case MediaIcon::Next: triangle(1.5, 8), triangle(7.5, 14); break;
    case MediaIcon::Last: triangle(3, 11), p.drawRect(QRectF(11.5, 3, 2, 10)); break;
    }
    return pm;
}

}  // namespace

QIcon mediaIcon(MediaIcon kind, const QColor& ink)
{
    QIcon icon;
    for (int px : {16, 24, 32, 48}) icon.addPixmap(draw(kind, ink, px));
    return icon;
}

void recolorMediaIcons(QToolBar* bar, const QColor& ink)
{
    if (!bar) return;
    for (QAction* a : bar->actions()) {
        bool ok = false;
        const int kind = a->data().toInt(&ok);
        if (!ok || !a->data().isValid()) continue;
        // Play shows Pause while it plays.
        const MediaIcon k = MediaIcon(kind) == MediaIcon::Play && a->isChecked() ? MediaIcon::Pause : MediaIcon(kind);
        a->setIcon(mediaIcon(k, ink));
    }
}

}  // namespace sf::ui
