// A formula as HTML that wraps only between its parts: at the separators of a list of
// equations ("Q = …,   K = …") and after an "=" sign, never inside an expression such as
// "sin(pos / 10000^(2i/d))". Inside a part every space is a no-break space and a word
// joiner (U+2060) sits between characters, except between two letters or digits of an
// alphabetic script (which never break apart).
#pragma once

#include <QString>
#include <QStringList>

namespace sf::ui {

// The parts a formula may wrap between, in order ("a = f(x, y),   c = d" -> "a =", "f(x, y),", "c =", "d").
QStringList formulaParts(const QString& formula);
// The escaped HTML: the parts joined by ordinary spaces, each unbreakable.
QString formulaHtml(const QString& formula);

}  // namespace sf::ui
