#include "ui/shareactions.h"

#include "ui/animationexport.h"
#include "ui/mainwindow.h"
#include "ui/panelexport.h"
#include "ui/sessionfiles.h"
#include "ui/worksheet.h"

#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFormLayout>
#include <QMenu>
#include <QMessageBox>
#include <QProgressDialog>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>

namespace sf::ui {

ShareActions::ShareActions(MainWindow* window, QMenu* file, QAction* before) : QObject(window), mWindow(window)
{
    mSave = new QAction(this);
    mSave->setShortcut(QKeySequence::Save);
    mOpen = new QAction(this);
    mOpen->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    mAnimation = new QAction(this);
    mAnimation->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_E));  // Ctrl+G is the gold alignment
    mWorksheet = new QAction(this);
    mSave->setObjectName("share.saveSession");
    mOpen->setObjectName("share.openSession");
    mAnimation->setObjectName("share.exportAnimation");
    mWorksheet->setObjectName("share.exportWorksheet");
    connect(mSave, &QAction::triggered, this, &ShareActions::saveSession);
    connect(mOpen, &QAction::triggered, this, &ShareActions::openSession);
    connect(mAnimation, &QAction::triggered, this, &ShareActions::exportAnimation);
    connect(mWorksheet, &QAction::triggered, this, &ShareActions::exportWorksheet);
    file->insertActions(before, {mOpen, mSave});
    file->insertSeparator(before);
    file->insertActions(before, {mAnimation, mWorksheet});
    file->insertSeparator(before);
    qApp->installEventFilter(new PanelExport(this));
    window->installEventFilter(this);
    retranslate();
}

bool ShareActions::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == mWindow && event->type() == QEvent::LanguageChange) retranslate();
    return QObject::eventFilter(watched, event);
}

void ShareActions::retranslate()
{
    mSave->setText(tr("&Save session…"));
    mOpen->setText(tr("Open sessio&n…"));
    mAnimation->setText(tr("Export &animation (GIF)…"));
    mWorksheet->setText(tr("Export &worksheet (PDF)…"));
}

QString ShareActions::folder() const
{
    const QString docs = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return docs.isEmpty() ? QDir::homePath() : docs;
}

void ShareActions::saveSession()
{
    QString path = QFileDialog::getSaveFileName(mWindow, tr("Save session"), folder() + "/stepformer-session.json",
                                                tr("Stepformer session (*.json)"));
    if (path.isEmpty()) return;
    if (!path.endsWith(".json", Qt::CaseInsensitive)) path += ".json";
    QString error;
    if (!saveSessionFile(*mWindow, path, &error)) QMessageBox::warning(mWindow, tr("Save session"), error);
    else mWindow->statusBar()->showMessage(tr("Saved the session to %1").arg(path));
}

void ShareActions::openSession()
{
    const QString path = QFileDialog::getOpenFileName(mWindow, tr("Open session"), folder(), tr("Stepformer session (*.json)"));
    if (path.isEmpty()) return;
    QString error;
    if (!openSessionFile(*mWindow, path, &error)) QMessageBox::warning(mWindow, tr("Open session"), error);
    else mWindow->statusBar()->showMessage(tr("Opened the session %1").arg(path));
}

void ShareActions::exportAnimation()
{
    TranslationDocument* doc = mWindow->document();
    const int steps = int(doc->steps().size());
    if (!steps || doc->busy()) {
        QMessageBox::information(mWindow, tr("Export animation"), tr("Translate a sentence first."));
        return;
    }
    // The range: from the current step, 20 steps on by default.
    QDialog dialog(mWindow);
    dialog.setWindowTitle(tr("Export animation"));
    auto* form = new QFormLayout(&dialog);
    auto* from = new QSpinBox(&dialog);
    auto* to = new QSpinBox(&dialog);
    auto* delay = new QSpinBox(&dialog);
    from->setRange(1, steps);
    to->setRange(1, steps);
    from->setValue(doc->currentIndex() + 1);
    to->setValue(std::min(steps, doc->currentIndex() + 20));
    delay->setRange(100, 10000);
    delay->setSingleStep(100);
    delay->setValue(800);
    delay->setSuffix(tr(" ms"));
    form->addRow(tr("From step"), from);
    form->addRow(tr("To step"), to);
    form->addRow(tr("Each frame shown for"), delay);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted) return;
    AnimationRange range{std::min(from->value(), to->value()) - 1, std::max(from->value(), to->value()) - 1, delay->value()};

    QString path = QFileDialog::getSaveFileName(mWindow, tr("Export animation"), folder() + "/stepformer.gif",
                                                tr("GIF animation (*.gif)"));
    if (path.isEmpty()) return;
    if (!path.endsWith(".gif", Qt::CaseInsensitive)) path += ".gif";
    const int total = range.to - range.from + 1;
    QProgressDialog progress(tr("Rendering the steps…"), tr("Cancel"), 0, total, mWindow);
    progress.setWindowModality(Qt::WindowModal);
    progress.setMinimumDuration(300);
    QString error;
    const bool ok = ui::exportAnimation(*mWindow, range, path, &error, [&](int done, int) {
        progress.setValue(done);
        progress.setLabelText(tr("Rendering step %1 of %2…").arg(done).arg(total));
        return !progress.wasCanceled();
    });
    progress.reset();
    if (!ok) QMessageBox::warning(mWindow, tr("Export animation"), error);
    else mWindow->statusBar()->showMessage(tr("Exported %1 frames to %2").arg(total).arg(path));
}

void ShareActions::exportWorksheet()
{
    Worksheet ws;
    QString error;
    if (!buildWorksheet(*mWindow, &ws, &error)) {
        QMessageBox::information(mWindow, tr("Export worksheet"), error);
        return;
    }
    QString path = QFileDialog::getSaveFileName(mWindow, tr("Export worksheet"), folder() + "/stepformer-worksheet.pdf",
                                                tr("PDF document (*.pdf)"));
    if (path.isEmpty()) return;
    if (!path.endsWith(".pdf", Qt::CaseInsensitive)) path += ".pdf";
    if (!writeWorksheetPdf(ws, path, &error)) QMessageBox::warning(mWindow, tr("Export worksheet"), error);
    else mWindow->statusBar()->showMessage(tr("Exported the worksheet to %1").arg(path));
}

}  // namespace sf::ui
