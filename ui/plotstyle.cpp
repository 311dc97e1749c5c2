#include "ui/plotstyle.h"

#include <qcustomplot.h>

namespace sf::ui {

void stylePlot(QCustomPlot* plot, const QWidget* from)
{
    const QColor fg = from->palette().color(QPalette::Text), bg = from->palette().color(QPalette::Base);
    plot->setBackground(bg);
    for (QCPAxis* a : {plot->xAxis, plot->yAxis}) {
        a->setBasePen(QPen(fg));
        a->setTickPen(QPen(fg));
        a->setSubTickPen(QPen(fg));
        a->setTickLabelColor(fg);
        a->setLabelColor(fg);
        a->setTickLabelFont(from->font());
        a->setLabelFont(from->font());
    }
    plot->legend->setFont(from->font());
    plot->legend->setBrush(bg);
    plot->legend->setTextColor(fg);
}

}  // namespace sf::ui
