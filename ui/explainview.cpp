#include "ui/explainview.h"

#include "ui/formulahtml.h"
#include "ui/texttable.h"
#include "ui/translationdocument.h"

#include <QEvent>

namespace sf::ui {

ExplainView::ExplainView(TranslationDocument* doc, QWidget* parent) : QTextBrowser(parent), mDoc(doc)
{
    setOpenExternalLinks(false);
    connect(mDoc, &TranslationDocument::stepChanged, this, &ExplainView::refresh);
    connect(mDoc, &TranslationDocument::translationChanged, this, &ExplainView::refresh);
    refresh();
}

void ExplainView::refresh()
{
    const Step* s = mDoc->currentStep();
    const Translation* t = mDoc->translation();
    if (!s || !t) {
        setHtml("<h3>" + tr("Stepformer") + "</h3><p>" +
                tr("Type a sentence and press <b>Translate</b>. Then step through every operation of the "
                   "Transformer with ←/→ (or PageUp/PageDown), Home/End, and Space to play.") +
                "</p>");
        return;
    }
    const StepText x = explain(*s, mDoc->model()->config(), *t);
    auto h = [](const Text& text) { return rendered(text).toHtmlEscaped(); };
    // QTextDocument knows no palette() in CSS: the formula's colours come from the palette.
    const QString formulaStyle = QString("font-family:monospace; font-size:large; background:%1; color:%2")
                                     .arg(palette().color(QPalette::AlternateBase).name(),
                                          palette().color(QPalette::Text).name());
    setHtml(QString("<h3>%1</h3><p>%2</p><p style='%3'>%4</p><p><i>%5</i></p><p><b>%6</b> %7</p>")
                .arg(h(s->title()), h(x.explanation), formulaStyle, formulaHtml(rendered(x.formula)), tr("Paper: ") + h(x.section),
                     tr("Notice:"), h(x.notice)));
}

void ExplainView::changeEvent(QEvent* e)
{
    QTextBrowser::changeEvent(e);
    if (e->type() == QEvent::LanguageChange) refresh();
}

}  // namespace sf::ui
