#include "ui/revealcover.h"

#include "core/text/text.h"
#include "ui/texttable.h"

#include <QEvent>
#include <QPainter>

namespace sf::ui {

RevealCover::RevealCover(QWidget* target) : QWidget(target), mTarget(target)
{
    setObjectName("revealCover");
    setAttribute(Qt::WA_NoSystemBackground);
    hide();
    target->installEventFilter(this);
}

void RevealCover::setCovering(bool on)
{
    mCovering = on;
    if (!mTarget) return;
    setGeometry(mTarget->rect());
    setVisible(on);
    if (on) raise();
    update();
}

bool RevealCover::eventFilter(QObject* watched, QEvent* e)
{
    if (watched == mTarget && (e->type() == QEvent::Resize || e->type() == QEvent::ChildAdded)) {
        setGeometry(mTarget->rect());
        if (mCovering) raise();
    }
    return QWidget::eventFilter(watched, e);
}

void RevealCover::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Window));
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 1.3);
    p.setFont(f);
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(rect().adjusted(24, 24, -24, -24), Qt::AlignCenter | Qt::TextWordWrap, rendered(Text("predict.hidden")));
}

}  // namespace sf::ui
