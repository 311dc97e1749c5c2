// The texts people read, per language: resources/texts/<lang>/*.json (key -> template),
// compiled into the binary as Qt resources under :/texts/<lang>/. A TextTable turns the
// facts core yields (sf::Text: a key and named arguments) into a sentence:
//
//   "{n} {n|piece|pieces}"  with n = 3   ->  "3 pieces"
//
// {name} is an argument; {name|one|other} picks a form by the count `name` (English
// rule: `one` when it is 1; a single form is always taken). Counts, numbers and
// percentages are formatted with the table's QLocale (no group separators, so that
// vocabulary sizes and ids read as the ids they are). A key the table lacks renders as
// the key itself; an argument the text lacks stays "{name}" (tests look for both).
//
// Qt Core only: the window, `export` and the command line (English) share it.
#pragma once

#include "core/text/text.h"

#include <QHash>
#include <QLocale>
#include <QSet>
#include <QString>
#include <QStringList>

namespace sf::ui {

class TextTable {
public:
    TextTable() = default;

    // Every :/texts/<language>/*.json; false (and `error`) when one is missing or malformed.
    bool load(const QString& language, QString* error = nullptr);
    // Adds the keys of one JSON object of strings; false on malformed JSON or non-strings.
    bool addJson(const QByteArray& json, QString* error = nullptr);

    QString render(const Text& t) const;
    std::string renderUtf8(const Text& t) const { return render(t).toStdString(); }

    QString language() const { return mLanguage; }
    QLocale locale() const { return mLocale; }
    bool contains(const QString& key) const { return mTemplates.contains(key); }
    QString templateOf(const QString& key) const { return mTemplates.value(key); }
    QStringList keys() const;  // sorted

    // The argument names a template refers to: "{n} {n|a|b} {x}" -> {n, x}.
    static QSet<QString> parameters(const QString& templ);
    // The languages with texts: "en", "zh_CN".
    static QStringList languages();

    // The English table (the command line and tests); loaded once.
    static const TextTable& english();

private:
    QString format(const Text::Arg& a) const;

    QString mLanguage;
    QLocale mLocale = QLocale::c();
    QHash<QString, QString> mTemplates;
};

// The table of the language the window shows; English until setCurrentTexts().
const TextTable& currentTexts();
bool setCurrentTexts(const QString& language, QString* error = nullptr);

// Shorthand for the window: the current language's rendering of a Text.
inline QString rendered(const Text& t) { return currentTexts().render(t); }

}  // namespace sf::ui
