// Help > Concept quiz: short questions on the ideas behind the Transformer, each with its
// answer hidden behind a button. The texts are data (resources/texts/<lang>/quiz.json:
// "quiz.<id>.question" and "quiz.<id>.answer"), in the window's language.
#pragma once

#include <QDialog>
#include <QStringList>

class QVBoxLayout;

namespace sf::ui {

class QuizDialog : public QDialog {
    Q_OBJECT
public:
    explicit QuizDialog(QWidget* parent = nullptr);
    // The ids of the quiz's questions, in the order asked.
    static QStringList questionIds();

protected:
    void changeEvent(QEvent* e) override;  // LanguageChange

private:
    void rebuild();
    QVBoxLayout* mList;
    QStringList mShown;  // ids whose answer is shown
};

}  // namespace sf::ui
