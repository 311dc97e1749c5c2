// The Explain panel: for the current step a plain-language explanation, its formula,
// the paper section, and one thing to notice about this very sentence.
#pragma once

#include <QTextBrowser>

namespace sf::ui {

class TranslationDocument;

class ExplainView : public QTextBrowser {
    Q_OBJECT
public:
    explicit ExplainView(TranslationDocument* doc, QWidget* parent = nullptr);

public slots:
    void refresh();

protected:
    void changeEvent(QEvent* e) override;  // LanguageChange: the texts re-render

private:
    TranslationDocument* mDoc;
};

}  // namespace sf::ui
