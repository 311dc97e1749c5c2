// The why-lab's comparison: the translation without interventions (before) beside the one
// with them (after). Both outputs as token chips with the changed positions marked, and
// the probability of each chosen token before and after, read from each Trace's
// decoder.probs (under teacher forcing: the probability of the forced, next reference
// token). Nothing is computed here but the comparison of two recorded traces.
#pragma once

#include <QStringList>
#include <QWidget>

#include <vector>

class QLabel;

namespace sf {
struct Translation;
}

namespace sf::ui {

class TranslationDocument;

class ComparisonView : public QWidget {
    Q_OBJECT
public:
    explicit ComparisonView(TranslationDocument* doc, QWidget* parent = nullptr);

    // What is shown (tests): empty when no intervention is active.
    QStringList beforeTokens() const { return mBefore; }
    QStringList afterTokens() const { return mAfter; }
    std::vector<int> changedPositions() const { return mChanged; }
    // p(token) at each output position, before and after.
    std::vector<double> beforeProbabilities() const { return mBeforeP; }
    std::vector<double> afterProbabilities() const { return mAfterP; }
    QString text() const;

public slots:
    void refresh();

protected:
    void changeEvent(QEvent* e) override;  // LanguageChange: rebuilt in the new language

private:
    TranslationDocument* mDoc;
    QLabel* mLabel;
    QStringList mBefore, mAfter;
    std::vector<int> mChanged;
    std::vector<double> mBeforeP, mAfterP;
};

}  // namespace sf::ui
