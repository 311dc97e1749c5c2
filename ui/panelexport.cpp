#include "ui/panelexport.h"

#include "ui/filewrite.h"

#include "ui/heatmapview.h"

#include <QBuffer>
#include <QContextMenuEvent>
#include <QFile>
#include <QFileDialog>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QStandardPaths>
#include <QSvgGenerator>
#include <QWidget>

namespace sf::ui {

PanelExport::PanelExport(QObject* parent) : QObject(parent) {}

bool PanelExport::isPanel(const QWidget* w)
{
    return w && (qobject_cast<const HeatmapView*>(w) || w->inherits("QCustomPlot"));
}

bool PanelExport::exportPanel(QWidget* panel, const QString& path, QString* error)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (path.endsWith(".svg", Qt::CaseInsensitive)) {
        QSvgGenerator svg;
        svg.setOutputDevice(&buffer);
        svg.setSize(panel->size());
        svg.setViewBox(QRect(QPoint(0, 0), panel->size()));
        svg.setTitle("Stepformer");
        QPainter p;
        if (!p.begin(&svg)) {
            *error = tr("%1: cannot write the SVG file").arg(path);
            return false;
        }
        panel->render(&p, QPoint(), QRegion(), QWidget::DrawChildren);
        p.end();
    } else if (path.endsWith(".png", Qt::CaseInsensitive)) {
        if (!panel->grab().save(&buffer, "PNG")) {
            *error = tr("%1: cannot encode the PNG image").arg(path);
            return false;
        }
    } else {
        *error = tr("%1: a panel is exported as .png or .svg").arg(path);
        return false;
    }
    QString why;
    if (!writeWholeFile(path, bytes, &why)) {
        *error = tr("%1: cannot write the file (%2)").arg(path, why);
        return false;
    }
    return true;
}

bool PanelExport::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() != QEvent::ContextMenu || !watched->isWidgetType()) return false;
    auto* panel = static_cast<QWidget*>(watched);
    if (!isPanel(panel)) return false;
    auto* e = static_cast<QContextMenuEvent*>(event);
    QMenu menu(panel);
    QAction* png = menu.addAction(tr("Export panel as &PNG…"));
    QAction* svg = menu.addAction(tr("Export panel as &SVG…"));
    QAction* chosen = menu.exec(e->globalPos());
    if (!chosen) return true;
    const QString suffix = chosen == png ? "png" : "svg";
    const QString filter = chosen == png ? tr("PNG image (*.png)") : tr("SVG image (*.svg)");
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    QString path = QFileDialog::getSaveFileName(panel->window(), tr("Export panel"),
                                                folder + "/stepformer-panel." + suffix, filter);
    if (path.isEmpty()) return true;
    if (!path.endsWith("." + suffix, Qt::CaseInsensitive)) path += "." + suffix;
    QString error;
    if (!exportPanel(panel, path, &error)) QMessageBox::warning(panel->window(), tr("Export panel"), error);
    (void)svg;
    return true;
}

}  // namespace sf::ui
