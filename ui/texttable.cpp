#include "ui/texttable.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace sf::ui {

namespace {

// Calls `piece(literal)` and `field(name, forms)` for the parts of a template, in order.
template <typename Literal, typename Field>
void scan(const QString& templ, Literal literal, Field field)
{
    int i = 0;
    while (i < templ.size()) {
        const int open = templ.indexOf('{', i);
        const int close = open < 0 ? -1 : templ.indexOf('}', open + 1);
        if (open < 0 || close < 0) {
            literal(templ.mid(i));
            return;
        }
        literal(templ.mid(i, open - i));
        QStringList parts = templ.mid(open + 1, close - open - 1).split('|');
        const QString name = parts.takeFirst().trimmed();
        field(name, parts);
        i = close + 1;
    }
}

}  // namespace

bool TextTable::load(const QString& language, QString* error)
{
    mLanguage = language;
    mLocale = QLocale(language);
    mLocale.setNumberOptions(QLocale::OmitGroupSeparator);
    mTemplates.clear();
    const QDir dir(":/texts/" + language);
    const QStringList files = dir.entryList({"*.json"}, QDir::Files, QDir::Name);
    if (files.isEmpty()) {
        if (error) *error = QString("no texts for language '%1' (:/texts/%1/*.json)").arg(language);
        return false;
    }
    for (const QString& name : files) {
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::ReadOnly)) {
            if (error) *error = f.fileName() + ": cannot read";
            return false;
        }
        QString why;
        if (!addJson(f.readAll(), &why)) {
            if (error) *error = f.fileName() + ": " + why;
            return false;
        }
    }
    return true;
}

bool TextTable::addJson(const QByteArray& json, QString* error)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (!doc.isObject()) {
        if (error) *error = pe.error != QJsonParseError::NoError ? pe.errorString() : QString("not a JSON object");
        return false;
    }
    const QJsonObject o = doc.object();
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!it.value().isString()) {
            if (error) *error = QString("'%1' is not a string").arg(it.key());
            return false;
        }
        mTemplates.insert(it.key(), it.value().toString());
    }
    return true;
}

QString TextTable::format(const Text::Arg& a) const
{
    switch (a.kind) {
    case Text::Arg::Kind::String: return QString::fromStdString(a.text);
    case Text::Arg::Kind::Count: return mLocale.toString(qlonglong(std::llround(a.value)));
    case Text::Arg::Kind::Number: return mLocale.toString(a.value, 'g', a.digits);
    case Text::Arg::Kind::Percent: return mLocale.toString(100.0 * a.value, 'f', 0) + mLocale.percent();
    case Text::Arg::Kind::Key: return render(Text(a.text));
    }
    return {};
}

QString TextTable::render(const Text& t) const
{
    const auto it = mTemplates.constFind(QString::fromStdString(t.key));
    if (it == mTemplates.constEnd()) return QString::fromStdString(t.key);
    QString out;
    scan(
        *it, [&](const QString& s) { out += s; },
        [&](const QString& name, const QStringList& forms) {
            const Text::Arg* a = t.find(name.toStdString());
            if (!a) {
                out += "{" + name + "}";
                return;
            }
            if (forms.isEmpty()) {
                out += format(*a);
                return;
            }
            // English plural rule; a language with one form lists one.
            const int n = int(std::llround(a->value));
            out += forms.size() == 1 || n == 1 ? forms.first() : forms.at(1);
        });
    return out;
}

QStringList TextTable::keys() const
{
    QStringList k = mTemplates.keys();
    k.sort();
    return k;
}

QSet<QString> TextTable::parameters(const QString& templ)
{
    QSet<QString> names;
    scan(
        templ, [](const QString&) {}, [&](const QString& name, const QStringList&) { names.insert(name); });
    return names;
}

QStringList TextTable::languages() { return {"en", "zh_CN"}; }

const TextTable& TextTable::english()
{
    static const TextTable table = [] {
        TextTable t;
        const bool ok = t.load("en");
        Q_ASSERT_X(ok, "TextTable::english", "the English texts are compiled in");
        (void)ok;
        return t;
    }();
    return table;
}

namespace {
TextTable& current()
{
    static TextTable table = TextTable::english();
    return table;
}
}  // namespace

const TextTable& currentTexts() { return current(); }

bool setCurrentTexts(const QString& language, QString* error)
{
    TextTable t;
    if (!t.load(language, error)) return false;
    current() = std::move(t);
    return true;
}

}  // namespace sf::ui
