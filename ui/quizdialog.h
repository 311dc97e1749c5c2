// Help > Concept quiz: short questions on the ideas behind the Transformer, each with its
// answer hidden behind a "Show answer" link. The texts are data
// (resources/texts/<lang>/quiz.json: "quiz.<id>.question" and "quiz.<id>.answer"), shown in
// the window's language.
#pragma once

#include <QDialog>
#include <QSet>
#include <QStringList>

class QTextBrowser;

namespace sf::ui {

class QuizDialog : public QDialog {
    Q_OBJECT
public:
    explicit QuizDialog(QWidget* parent = nullptr);
    // The ids of the quiz's questions, in the order asked.
    static QStringList questionIds();

    // What the "Show answer" link of question `id` does.
    void showAnswer(const QString& id);
    bool answerShown(const QString& id) const { return mShown.contains(id); }
    QTextBrowser* text() const { return mText; }

protected:
    void changeEvent(QEvent* e) override;  // LanguageChange

private:
    void rebuild();
    QTextBrowser* mText;
    QSet<QString> mShown;  // ids whose answer is shown
};

}  // namespace sf::ui
