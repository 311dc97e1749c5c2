#include "ui/classroompanel.h"

#include "ui/lessonview.h"
#include "ui/predictview.h"
#include "ui/quizdialog.h"
#include "ui/translationdocument.h"

#include <QAction>
#include <QEvent>
#include <QFileDialog>
#include <QMessageBox>
#include <QVBoxLayout>

namespace sf::ui {

ClassroomPanel::ClassroomPanel(TranslationDocument* doc, const QList<QWidget*>& covered, QWidget* parent)
    : QWidget(parent), mDoc(doc)
{
    setObjectName("classroom");
    auto* layout = new QVBoxLayout(this);
    mPredict = new PredictView(doc, this);
    for (QWidget* w : covered) mPredict->addCovered(w);
    mLesson = new LessonView(doc, mPredict, this);
    layout->addWidget(mLesson);
    layout->addWidget(mPredict, 1);

    mPredictAction = new QAction(this);
    mPredictAction->setObjectName("view.predict");
    mPredictAction->setCheckable(true);
    connect(mPredictAction, &QAction::toggled, mPredict, &PredictView::setPredictMode);
    mOpenLesson = new QAction(this);
    mOpenLesson->setObjectName("file.openLesson");
    connect(mOpenLesson, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open a lesson"), QString(), tr("Lessons (*.json)"));
        if (!path.isEmpty()) openLesson(path, nullptr, true);
    });
    mQuiz = new QAction(this);
    mQuiz->setObjectName("help.quiz");
    connect(mQuiz, &QAction::triggered, this, [this] { openQuiz(); });

    connect(mLesson, &LessonView::sentenceChosen, this, &ClassroomPanel::sentenceChosen);
    connect(mLesson, &LessonView::activeChanged, this, [this](bool on) {
        // Predict mode is on while a lesson runs; afterwards, as the menu says.
        mPredict->setPredictMode(on || mPredictAction->isChecked());
        emit lessonActive(on);
    });
    connect(mLesson, &LessonView::failed, this, [this](const QString& m) {
        auto* box = new QMessageBox(QMessageBox::Warning, tr("Lesson"), tr("This lesson cannot be shown:"), QMessageBox::Ok, this);
        box->setInformativeText(m);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    });
    retranslate();
}

void ClassroomPanel::setBundledModels(const QList<QPair<QString, QString>>& models) { mLesson->setBundledModels(models); }

bool ClassroomPanel::openLesson(const QString& path, QString* error, bool interactive)
{
    QString e;
    if (mLesson->open(path, &e)) return true;
    if (error) *error = e;
    if (interactive) QMessageBox::warning(this, tr("Lesson"), e);
    return false;
}

QuizDialog* ClassroomPanel::openQuiz()
{
    if (!mQuizDialog) mQuizDialog = new QuizDialog(window());
    mQuizDialog->show();
    mQuizDialog->raise();
    return mQuizDialog;
}

bool ClassroomPanel::nextSlide()
{
    if (!mLesson->active()) return false;
    mLesson->next();
    return true;
}

bool ClassroomPanel::previousSlide()
{
    if (!mLesson->active()) return false;
    mLesson->previous();
    return true;
}

void ClassroomPanel::retranslate()
{
    mPredictAction->setText(tr("&Predict, then reveal"));
    mPredictAction->setToolTip(tr("Ask before showing: the mask, the cross-attention, the next token"));
    mOpenLesson->setText(tr("Open &lesson…"));
    mQuiz->setText(tr("Concept &quiz…"));
}

void ClassroomPanel::changeEvent(QEvent* e)
{
    QWidget::changeEvent(e);
    if (e->type() == QEvent::LanguageChange) retranslate();
}

}  // namespace sf::ui
