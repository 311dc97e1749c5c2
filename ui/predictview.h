// Predict, then reveal: the Predict panel asks the student first and reveals after. While
// a question waits, covers (RevealCover) hide the views that would give the answer away;
// the student answers by clicking (a source word, the cells the mask hides, a candidate
// next token, yes or no); the guess is graded against the real Trace or, for an
// ablation, a second real forward pass run off the GUI thread (core/run/predict.h). The
// explanation answers the misconception behind a wrong guess; the score is right / asked.
//
// Predict mode is off by default (View > Predict, then reveal) and on while a lesson runs.
// The answer controls are named for tests: "predict.option.N" (N: the source position,
// the candidate's rank among the top k, or 1 = yes / 0 = no), "predict.cell.I.J" (mask
// cells) and "predict.check".
#pragma once

#include "core/run/predict.h"

#include <QFutureWatcher>
#include <QList>
#include <QPointer>
#include <QSet>
#include <QWidget>

class QGridLayout;
class QLabel;
class QPushButton;

namespace sf::ui {

class RevealCover;
class TranslationDocument;

// Sets a word-wrapped label's minimum height to its text's height at `width`.
void fitWrappedLabel(QLabel* label, int width);

class PredictView : public QWidget {
    Q_OBJECT
public:
    explicit PredictView(TranslationDocument* doc, QWidget* parent = nullptr);

    // A view a waiting question hides.
    void addCovered(QWidget* view);
    void setPredictMode(bool on);
    bool predictMode() const { return mMode; }
    // In predict mode, ask by itself at the steps defaultQuestion() names (once per step
    // and translation). Off while a lesson chooses the questions.
    void setAutomatic(bool on) { mAutomatic = on; }

    // Asks `q` at the current step (head -1: the document's selected head). False, and
    // nothing asked, when the question does not fit the step or the trace lacks its facts.
    bool ask(const Question& q, int head = -1);
    bool pending() const { return mPending; }
    const Question& question() const { return mQuestion; }
    // The grade of the last answered question.
    const Grade& lastGrade() const { return mGrade; }
    const Score& score() const { return mScore; }
    void resetScore();
    QString promptText() const;
    QString feedbackText() const;
    bool covering() const;

signals:
    void asked();  // a question waits: the panel should be in view
    void answered(bool right);
    void scoreChanged();

protected:
    void changeEvent(QEvent* e) override;  // LanguageChange, FontChange
    void resizeEvent(QResizeEvent* e) override;

private:
    void onStepChanged();
    void clearOptions();
    void cover(bool on);
    void setPrompt(const Text& t);
    void setFeedback(const QString& text);
    void fitLabels();
    void scrollIntoView(QWidget* w);  // in the dock's scroll area, after the next layout  // word-wrapped labels keep their text's height
    void reveal(const Grade& g);
    void retranslate();
    void askCross(const Step& s, int head);
    void askMask(const Step& s);
    void askNext(const Step& s);
    void askAblation(const Step& s, int head);
    void askQuiz(const std::string& id);
    void answerCross(int position);
    void answerMask();
    void answerNext(int rank);
    void answerAblation(bool changes);
    std::string pieceOf(int id) const;  // a target id's piece (its number without a tokenizer)
    QPushButton* optionButton(const QString& text, const QString& name);

    TranslationDocument* mDoc;
    QLabel* mHeading;
    QLabel* mPrompt;
    QWidget* mOptions;
    QGridLayout* mGrid;
    QPushButton* mCheck;
    QLabel* mFeedback;
    QLabel* mScoreLabel;
    QList<RevealCover*> mCovers;

    bool mMode = false;
    bool mAutomatic = true;
    bool mPending = false;
    QSet<int> mAsked;  // steps asked by themselves in this translation
    Question mQuestion;
    Text mPromptText;
    Grade mGrade;
    bool mGraded = false;
    Score mScore;
    int mStep = -1;
    // The facts of the question being asked.
    CrossAttentionAnswer mCross;
    MaskAnswer mMask;
    NextTokenAnswer mNext;
    HeadRef mHead;
    int mRow = -1;
    struct AblationRun {
        AblationAnswer answer;
        QString error;  // empty when it ran
    };
    QFutureWatcher<AblationRun> mAblation;
    bool mAblationGuess = false;
};

}  // namespace sf::ui
