// Sharing from the window's File menu: save and open session files, export the walk as an
// animated GIF (with a progress dialog that stays responsive), export a worksheet PDF; and
// per-panel export from every heatmap's and plot's context menu (PanelExport). The work
// itself lives in sessionfiles, animationexport, worksheet and panelexport; this class
// holds the actions and their dialogs.
#pragma once

#include <QObject>

class QAction;
class QMenu;

namespace sf::ui {

class MainWindow;

class ShareActions : public QObject {
    Q_OBJECT
public:
    // Adds the actions to `file` before `before` (null: at the end).
    ShareActions(MainWindow* window, QMenu* file, QAction* before);

public slots:
    void saveSession();
    void openSession();
    void exportAnimation();
    void exportWorksheet();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;  // LanguageChange

private:
    void retranslate();
    QString folder() const;  // where the file dialogs start

    MainWindow* mWindow;
    QAction* mSave;
    QAction* mOpen;
    QAction* mAnimation;
    QAction* mWorksheet;
};

}  // namespace sf::ui
