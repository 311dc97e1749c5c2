// Per-panel export: right-click a heatmap or a plot anywhere in the window -> "Export panel
// as PNG…" / "Export panel as SVG…": just that panel, at its size on screen. One event
// filter on the application catches the context menu of every HeatmapView and QCustomPlot,
// so that no view needs its own menu code.
#pragma once

#include <QObject>
#include <QString>

class QWidget;

namespace sf::ui {

class PanelExport : public QObject {
    Q_OBJECT
public:
    explicit PanelExport(QObject* parent = nullptr);

    // Whether `w` is a panel that can be exported (a HeatmapView or a QCustomPlot).
    static bool isPanel(const QWidget* w);
    // Writes `panel` to a .png (its pixels, panel size x device pixel ratio) or an .svg (its
    // painting, panel size). False with *error naming the file and the problem.
    static bool exportPanel(QWidget* panel, const QString& path, QString* error);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
};

}  // namespace sf::ui
