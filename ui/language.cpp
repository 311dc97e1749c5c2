#include "ui/language.h"

#include "ui/texttable.h"

#include <QApplication>
#include <QFontDatabase>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

#include <memory>

namespace sf::ui {

namespace {

struct State {
    QString language = "en";
    std::unique_ptr<QTranslator> ours, qt;
    bool fontSaved = false;
    QFont font;  // the application font before any language changed it
};

// Chinese text in a Simplified Chinese face (Noto Sans CJK SC from fonts-noto-cjk) rather
// than whichever CJK face fontconfig falls back to (often the Japanese one, whose glyph
// forms differ); SVG exports then name a family that has the glyphs.
void applyFont(State& s, const QString& language)
{
    if (!qobject_cast<QApplication*>(QCoreApplication::instance())) return;
    if (!s.fontSaved) s.font = QApplication::font(), s.fontSaved = true;
    QFont f = s.font;
    const QString cjk = "Noto Sans CJK SC";
    if (language == "zh_CN" && QFontDatabase::families().contains(cjk)) f.setFamilies({cjk, s.font.family()});
    QApplication::setFont(f);
}

State& state()
{
    static State s;
    return s;
}

}  // namespace

QStringList languages() { return {"en", "zh_CN"}; }

QString languageName(const QString& language)
{
    if (language == "zh_CN") return QStringLiteral("简体中文");
    return QStringLiteral("English");
}

QString normalizeLanguage(const QString& name)
{
    const QString n = name.trimmed().toLower().replace('-', '_');
    if (n == "zh" || n.startsWith("zh_cn") || n.startsWith("zh_hans") || n == "zh_sg") return "zh_CN";
    if (n == "en" || n.startsWith("en_") || n == "c" || n == "posix") return "en";
    return {};
}

QString systemLanguage()
{
    for (const QString& ui : QLocale::system().uiLanguages()) {
        const QString l = normalizeLanguage(ui);
        if (!l.isEmpty()) return l;
    }
    return "en";
}

bool setLanguage(const QString& language, QString* error)
{
    const QString lang = normalizeLanguage(language);
    if (lang.isEmpty()) {
        if (error) *error = QCoreApplication::translate("sf::ui::Language", "unknown language '%1' (use en or zh_CN)").arg(language);
        return false;
    }
    if (!setCurrentTexts(lang, error)) return false;
    State& s = state();
    if (s.ours) QCoreApplication::removeTranslator(s.ours.get());
    if (s.qt) QCoreApplication::removeTranslator(s.qt.get());
    s.ours.reset();
    s.qt.reset();
    if (lang != "en") {
        auto ours = std::make_unique<QTranslator>();
        if (!ours->load(":/i18n/stepformer_" + lang + ".qm")) {
            if (error) *error = QString(":/i18n/stepformer_%1.qm: not in this build").arg(lang);
            setCurrentTexts(s.language);
            return false;
        }
        auto qt = std::make_unique<QTranslator>();
        if (qt->load("qtbase_" + lang, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
            QCoreApplication::installTranslator((s.qt = std::move(qt)).get());
        QCoreApplication::installTranslator((s.ours = std::move(ours)).get());
    }
    // Installing or removing a translator posts QEvent::LanguageChange to every widget.
    s.language = lang;
    QLocale::setDefault(QLocale(lang));
    applyFont(s, lang);
    return true;
}

QString currentLanguage() { return state().language; }

}  // namespace sf::ui
