#include "ui/formulahtml.h"

namespace sf::ui {

QStringList formulaParts(const QString& formula)
{
    // Outside brackets, a line may break after a comma, after "=", and at a run of two or
    // more spaces (the separators of a list of equations); nowhere else.
    QStringList parts;
    QString part;
    int depth = 0;
    for (int i = 0; i < formula.size(); ++i) {
        const QChar c = formula[i];
        if (c == '(' || c == '[' || c == '{') ++depth;
        if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
        if (c != ' ' || depth > 0) {
            part += c;
            continue;
        }
        int j = i;
        while (j < formula.size() && formula[j] == ' ') ++j;
        const QChar before = part.isEmpty() ? QChar() : part.back();
        if (j - i >= 2 || before == ',' || before == '=') {
            if (!part.isEmpty()) parts << part;
            part.clear();
        } else {
            part += ' ';
        }
        i = j - 1;
    }
    if (!part.isEmpty()) parts << part;
    return parts;
}

QString formulaHtml(const QString& formula)
{
    QStringList html;
    for (const QString& part : formulaParts(formula)) {
        QString h;
        for (int i = 0; i < part.size(); ++i) {
            const QChar c = part[i];
            if (c == ' ') {
                h += QChar(0x00A0);
                continue;
            }
            h += QString(c).toHtmlEscaped();
            // A word joiner after every character (not inside a surrogate pair): no line
            // break inside the part, whatever the script (CJK may break between any two).
            // Two letters or digits of an alphabetic script never break apart: no joiner there
            // (so the text stays searchable).
            if (i + 1 >= part.size() || c.isHighSurrogate() || part[i + 1] == ' ') continue;
            const QChar n = part[i + 1];
            auto word = [](QChar x) { return x.isLetterOrNumber() && x.script() != QChar::Script_Han; };
            if (!(word(c) && word(n))) h += QChar(0x2060);
        }
        html << h;
    }
    return html.join(' ');
}

}  // namespace sf::ui
