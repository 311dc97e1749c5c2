// The classroom dock: the running lesson (LessonView) above the Predict panel
// (PredictView), and the actions the menus show for them: View > Predict, then reveal,
// File > Open lesson, Help > Concept quiz. The main window routes the clicker keys here
// first (a running lesson moves by slides, else the walk by steps).
#pragma once

#include <QList>
#include <QPair>
#include <QWidget>

class QAction;

namespace sf::ui {

class LessonView;
class PredictView;
class QuizDialog;
class TranslationDocument;

class ClassroomPanel : public QWidget {
    Q_OBJECT
public:
    // `covered`: the views a waiting question hides.
    ClassroomPanel(TranslationDocument* doc, const QList<QWidget*>& covered, QWidget* parent = nullptr);

    PredictView* predict() const { return mPredict; }
    LessonView* lesson() const { return mLesson; }
    QAction* predictAction() const { return mPredictAction; }
    QAction* openLessonAction() const { return mOpenLesson; }
    QAction* quizAction() const { return mQuiz; }
    void setBundledModels(const QList<QPair<QString, QString>>& models);
    // False with *error when the file is refused (also shown in a message box when
    // `interactive`).
    bool openLesson(const QString& path, QString* error = nullptr, bool interactive = false);
    QuizDialog* openQuiz();
    // The clicker: true when a running lesson took the key.
    bool nextSlide();
    bool previousSlide();

signals:
    void sentenceChosen(const QString& sentence);
    // A lesson started or ended: the dock should show (or may hide).
    void lessonActive(bool active);

protected:
    void changeEvent(QEvent* e) override;  // LanguageChange: the actions' texts

private:
    void retranslate();

    TranslationDocument* mDoc;
    LessonView* mLesson;
    PredictView* mPredict;
    QAction* mPredictAction;
    QAction* mOpenLesson;
    QAction* mQuiz;
    QuizDialog* mQuizDialog = nullptr;
};

}  // namespace sf::ui
