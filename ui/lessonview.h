// A lesson (core/run/lesson.h) in the window: opens the file, loads its model, translates
// its sentence with each slide's decoding and interventions, and moves through the slides
// (the clicker keys: PageDown / PageUp, Right / Left). Each slide goes to its step, shows
// the teacher's note in the window's language and asks its question in predict mode.
// A refused file (core's message names it and the problem) leaves the current lesson.
#pragma once

#include "core/run/lesson.h"

#include <QList>
#include <QPair>
#include <QWidget>

#include <optional>

class QLabel;
class QPushButton;

namespace sf::ui {

class PredictView;
class TranslationDocument;

class LessonView : public QWidget {
    Q_OBJECT
public:
    LessonView(TranslationDocument* doc, PredictView* predict, QWidget* parent = nullptr);

    // Bundled model names and their directories: a lesson's "model" may name one.
    void setBundledModels(const QList<QPair<QString, QString>>& models) { mBundled = models; }
    // Reads and checks the file, then loads its model (off the GUI thread when it is not
    // the one open) and shows slide 1. False with *error when the file is refused; a
    // problem found once the model is in comes as failed().
    bool open(const QString& path, QString* error = nullptr);
    void closeLesson();
    bool active() const { return mActive; }
    const Lesson* lesson() const { return mLesson ? &*mLesson : nullptr; }
    QString path() const { return mPath; }
    int slide() const { return mSlide; }
    int slideCount() const { return mLesson ? int(mLesson->slides.size()) : 0; }
    QString noteText() const;
    // The model directory a lesson names: a bundled model, else a directory (relative to
    // the lesson file).
    QString modelDirectory(const Lesson& l, const QString& lessonPath) const;

public slots:
    void next();
    void previous();
    void goTo(int slide);

signals:
    void sentenceChosen(const QString& sentence);
    void slideShown(int slide);
    void failed(const QString& message);
    void activeChanged(bool active);

protected:
    void changeEvent(QEvent* e) override;  // LanguageChange: the note in the new language
    void resizeEvent(QResizeEvent* e) override;

private:
    void start();        // the model is in: check the lesson against it, show slide 1
    void apply(int slide);
    void refuse(const QString& message);
    void retranslate();

    TranslationDocument* mDoc;
    PredictView* mPredict;
    QList<QPair<QString, QString>> mBundled;
    std::optional<Lesson> mLesson;
    QString mPath;
    bool mActive = false;
    int mSlide = -1;
    int mPendingSlide = -1;  // waiting for its translation
    QLabel* mTitle;
    QLabel* mCounter;
    QLabel* mNote;
    QPushButton* mPrevious;
    QPushButton* mNext;
    QPushButton* mClose;
};

}  // namespace sf::ui
