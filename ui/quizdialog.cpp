#include "ui/quizdialog.h"

#include "ui/texttable.h"

#include <QDialogButtonBox>
#include <QEvent>
#include <QScrollBar>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

namespace sf::ui {

QStringList QuizDialog::questionIds()
{
    // The order a course meets the ideas in; ids the data adds later come after.
    static const QStringList order = {"encoder_io", "decoder_io", "heads",          "ffn", "residual",
                                      "layer_norm", "autoregressive", "shifted_right", "bleu"};
    QStringList ids;
    for (const QString& key : currentTexts().keys())
        if (key.startsWith("quiz.") && key.endsWith(".question")) ids << key.mid(5, key.size() - 14);
    std::stable_sort(ids.begin(), ids.end(), [&](const QString& a, const QString& b) {
        const int ia = order.indexOf(a), ib = order.indexOf(b);
        return (ia < 0 ? 1000 : ia) < (ib < 0 ? 1000 : ib);
    });
    return ids;
}

QuizDialog::QuizDialog(QWidget* parent) : QDialog(parent)
{
    setObjectName("quizDialog");
    auto* layout = new QVBoxLayout(this);
    mText = new QTextBrowser(this);
    mText->setOpenLinks(false);
    connect(mText, &QTextBrowser::anchorClicked, this, [this](const QUrl& url) {
        if (url.scheme() == "show") showAnswer(url.path());
    });
    layout->addWidget(mText);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(720, 560);
    rebuild();
}

void QuizDialog::showAnswer(const QString& id)
{
    mShown.insert(id);
    rebuild();
}

void QuizDialog::rebuild()
{
    setWindowTitle(tr("Concept quiz"));
    const int scrolled = mText->verticalScrollBar()->value();
    QString html = "<p>" + tr("Answer each question aloud or on paper first, then show the answer.").toHtmlEscaped() + "</p>";
    int n = 0;
    for (const QString& id : questionIds()) {
        const QString question = rendered(Text(("quiz." + id + ".question").toStdString()));
        html += QString("<p><b>%1. %2</b><br>").arg(++n).arg(question.toHtmlEscaped());
        if (mShown.contains(id))
            html += rendered(Text(("quiz." + id + ".answer").toStdString())).toHtmlEscaped();
        else
            html += QString("<a href=\"show:%1\">%2</a>").arg(id, tr("Show answer").toHtmlEscaped());
        html += "</p>";
    }
    mText->setHtml(html);
    mText->verticalScrollBar()->setValue(scrolled);
}

void QuizDialog::changeEvent(QEvent* e)
{
    QDialog::changeEvent(e);
    if (e->type() == QEvent::LanguageChange) rebuild();
}

}  // namespace sf::ui
