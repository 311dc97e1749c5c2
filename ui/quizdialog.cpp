#include "ui/quizdialog.h"

#include "ui/texttable.h"

#include <QDialogButtonBox>
#include <QEvent>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

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
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    auto* content = new QWidget(scroll);
    mList = new QVBoxLayout(content);
    scroll->setWidget(content);
    layout->addWidget(scroll);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(720, 560);
    rebuild();
}

void QuizDialog::rebuild()
{
    setWindowTitle(tr("Concept quiz"));
    while (QLayoutItem* item = mList->takeAt(0)) {
        delete item->widget();  // not inside one of its clicks: a language change
        delete item;
    }
    auto* intro = new QLabel(tr("Answer each question aloud or on paper first, then show the answer."));
    intro->setWordWrap(true);
    mList->addWidget(intro);
    int n = 0;
    for (const QString& id : questionIds()) {
        auto* q = new QLabel(QString("%1. %2").arg(++n).arg(rendered(Text(("quiz." + id + ".question").toStdString()))));
        q->setWordWrap(true);
        QFont bold = q->font();
        bold.setBold(true);
        q->setFont(bold);
        q->setObjectName("quiz.question." + id);
        mList->addWidget(q);
        auto* a = new QLabel(rendered(Text(("quiz." + id + ".answer").toStdString())));
        a->setWordWrap(true);
        a->setObjectName("quiz.answer." + id);
        a->setVisible(mShown.contains(id));
        auto* show = new QPushButton(tr("Show answer"));
        show->setObjectName("quiz.show." + id);
        show->setVisible(!mShown.contains(id));
        connect(show, &QPushButton::clicked, this, [this, a, show, id] {
            a->show();
            show->hide();
            mShown << id;
        });
        mList->addWidget(show, 0, Qt::AlignLeft);
        mList->addWidget(a);
    }
    mList->addStretch(1);
}

void QuizDialog::changeEvent(QEvent* e)
{
    QDialog::changeEvent(e);
    if (e->type() == QEvent::LanguageChange) rebuild();
}

}  // namespace sf::ui
