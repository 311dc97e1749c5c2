// The one look of every QCustomPlot in the window: the widget's palette and font on the
// background, axes, ticks, labels and legend (so themes and zoom reach the plots).
#pragma once

class QCustomPlot;
class QWidget;

namespace sf::ui {

void stylePlot(QCustomPlot* plot, const QWidget* from);

}  // namespace sf::ui
