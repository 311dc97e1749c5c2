#include "ui/explainview.h"

#include "ui/translationdocument.h"

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
    auto h = [](const std::string& str) { return QString::fromStdString(str).toHtmlEscaped(); };
    setHtml(QString("<h3>%1</h3><p>%2</p><p style='font-family:monospace; font-size:large; background:palette(base)'>"
                    "%3</p><p><i>%4</i></p><p><b>%5</b> %6</p>")
                .arg(h(s->title()), h(x.explanation), h(x.formula), tr("Paper: ") + h(x.section), tr("Notice:"),
                     h(x.notice)));
}

}  // namespace sf::ui
