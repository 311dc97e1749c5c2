#include "ui/comparisonview.h"

#include "ui/translationdocument.h"

#include <QEvent>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace sf::ui {

namespace {

// The token each position is about: the forced (reference) token under teacher forcing,
// else the chosen one.
const std::vector<int>& tokensOf(const Translation& t)
{
    return t.decoding == "forced" && !t.forcedIds.empty() ? t.forcedIds : t.outputIds;
}

// p(tokens[t]) from row t of the recorded decoder.probs.
std::vector<double> probabilitiesOf(const Translation& t)
{
    std::vector<double> p;
    const TraceTensor* probs = t.trace ? t.trace->find(trace_names::probs()) : nullptr;
    if (!probs || probs->rank() != 2) return p;
    const std::vector<int>& ids = tokensOf(t);
    const int64_t rows = probs->shape()[0], V = probs->shape()[1];
    for (size_t i = 0; i < ids.size() && int64_t(i) < rows; ++i)
        p.push_back(ids[i] >= 0 && ids[i] < V ? double(probs->row(int64_t(i))[ids[i]]) : 0.0);
    return p;
}

QString chip(const QString& piece, bool changed)
{
    const QString style = changed ? "background:#d55e00;color:white;font-weight:bold"
                                  : "background:#dde6ee;color:black";
    return QString("<span style='%1'>&nbsp;%2&nbsp;</span> ").arg(style, piece.toHtmlEscaped());
}

}  // namespace

ComparisonView::ComparisonView(TranslationDocument* doc, QWidget* parent) : QWidget(parent), mDoc(doc)
{
    auto* v = new QVBoxLayout(this);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    mLabel = new QLabel(scroll);
    mLabel->setTextFormat(Qt::RichText);
    mLabel->setWordWrap(true);
    mLabel->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    mLabel->setMargin(6);
    scroll->setWidget(mLabel);
    v->setContentsMargins(0, 0, 0, 0);
    v->addWidget(scroll);
    connect(mDoc, &TranslationDocument::translationChanged, this, &ComparisonView::refresh);
    connect(mDoc, &TranslationDocument::optionsChanged, this, &ComparisonView::refresh);
    refresh();
}

QString ComparisonView::text() const { return mLabel->text(); }

void ComparisonView::changeEvent(QEvent* e)
{
    QWidget::changeEvent(e);
    if (e->type() == QEvent::LanguageChange) refresh();
}

void ComparisonView::refresh()
{
    mBefore.clear(), mAfter.clear(), mChanged.clear(), mBeforeP.clear(), mAfterP.clear();
    const Translation* after = mDoc->translation();
    const Translation* before = mDoc->baseline();
    if (!after || !before || mDoc->busy()) {
        mLabel->setText(tr("<p>No intervention is active.</p><p>Switch off a head (Ctrl+click a head on an attention "
                           "step, or the <b>Lab</b> menu), turn off the positions or the scaling, or run the "
                           "teacher-forcing demo: the translation is redone at once and compared here with the "
                           "one before.</p>"));
        return;
    }
    const bool forced = after->decoding == "forced";
    const std::vector<int>& a = after->outputIds;
    const std::vector<int>& b = before->outputIds;
    for (const std::string& p : before->outputPieces) mBefore << QString::fromStdString(p);
    for (const std::string& p : after->outputPieces) mAfter << QString::fromStdString(p);
    const size_t n = std::max(a.size(), b.size());
    for (size_t i = 0; i < n; ++i)
        if (i >= a.size() || i >= b.size() || a[i] != b[i]) mChanged.push_back(int(i));
    mBeforeP = probabilitiesOf(*before);
    mAfterP = probabilitiesOf(*after);
    auto changed = [&](size_t i) { return std::find(mChanged.begin(), mChanged.end(), int(i)) != mChanged.end(); };

    QStringList specs;
    for (const std::string& s : after->interventions.specs()) specs << QString::fromStdString(s);
    QString html = "<p><b>" + tr("Interventions:") + "</b> <tt>" + specs.join(", ").toHtmlEscaped() + "</tt> " +
                   tr("(in the specs, layers and heads count from 0)") + "</p>";
    html += "<p>" + (mChanged.empty() ? tr("The output did not change.")
                                      : tr("%n position(s) changed (marked).", nullptr, int(mChanged.size()))) + "</p>";

    // Per position (one column each): the token and its probability before and after.
    const QString what = forced ? tr("p(next reference token)") : tr("p(chosen token)");
    const text::Tokenizer* tok = mDoc->model() ? mDoc->model()->tokenizer() : nullptr;
    auto pieceOf = [&](const Translation& t, size_t i) {
        const std::vector<int>& ids = tokensOf(t);
        if (i >= ids.size()) return QString();
        if (&ids == &t.outputIds && i < t.outputPieces.size()) return QString::fromStdString(t.outputPieces[i]);
        return tok ? QString::fromStdString(tok->targetPiece(ids[i])) : QString::number(ids[i]);
    };
    const size_t cols = std::max(mBeforeP.size(), mAfterP.size());
    QString rows[7];
    rows[0] = "<tr><th align='left'>" + tr("position") + "</th>";
    rows[1] = "<tr><th align='left'>" + (forced ? tr("model says, before") : tr("before")) + "</th>";
    rows[2] = "<tr><th align='left'>" + what + "</th>";
    rows[3] = "<tr><th align='left'>" + (forced ? tr("model says, after") : tr("after")) + "</th>";
    rows[4] = "<tr><th align='left'>" + what + "</th>";
    rows[5] = "<tr><th align='left'>" + tr("change") + "</th>";
    rows[6] = "<tr><th align='left'>" + tr("next reference token") + "</th>";
    for (size_t i = 0; i < cols; ++i) {
        const bool hasB = i < mBeforeP.size(), hasA = i < mAfterP.size();
        QString delta;
        if (hasA && hasB) {
            const double d = mAfterP[i] - mBeforeP[i];
            const QString color = d > 0.005 ? "#0072b2" : d < -0.005 ? "#d55e00" : "#666";
            delta = std::abs(d) < 0.0005 ? QString("<span style='color:#666'>±0</span>")
                                         : QString("<span style='color:%1'>%2%3</span>")
                                               .arg(color, d >= 0 ? "+" : "−")
                                               .arg(std::abs(d), 0, 'f', 3);
        }
        const QString bg;
        rows[0] += QString("<td align='center'%1>%2</td>").arg(bg).arg(i + 1);
        rows[1] += "<td align='center'>" + (i < size_t(mBefore.size()) ? chip(mBefore[int(i)], changed(i)) : QString()) + "</td>";
        rows[2] += QString("<td align='right'%1>%2</td>").arg(bg, hasB ? QString::number(mBeforeP[i], 'f', 3) : QString());
        rows[3] += "<td align='center'>" + (i < size_t(mAfter.size()) ? chip(mAfter[int(i)], changed(i)) : QString()) + "</td>";
        if (forced) rows[6] += QString("<td align='center'><tt>%1</tt></td>").arg(pieceOf(*after, i).toHtmlEscaped());
        rows[4] += QString("<td align='right'%1>%2</td>").arg(bg, hasA ? QString::number(mAfterP[i], 'f', 3) : QString());
        rows[5] += QString("<td align='right'%1>%2</td>").arg(bg, delta);
    }
    html += "<table cellspacing='0' cellpadding='3' border='1'>";
    const int order[] = {0, 6, 1, 2, 3, 4, 5};
    for (int r : order)
        if (r != 6 || forced) html += rows[r] + "</tr>";
    html += "</table>";
    if (forced && after->interventions.noCausalMask)
        html += "<p>" + tr("Teacher forcing without the causal mask: each position can now see the token it must "
                           "predict. A model trained without the mask learns to copy it (its probability near 1) "
                           "and learns nothing useful; this one was trained with the mask, so the unseen view "
                           "confuses it instead. Either way the mask is what makes training honest.") + "</p>";
    mLabel->setText(html);
}

}  // namespace sf::ui
