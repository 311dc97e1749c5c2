// The language the window speaks: "en" or "zh_CN". One setting for the whole application:
// the Qt translators (ours, :/i18n/stepformer_<lang>.qm, and Qt's own for standard
// dialogs where installed), the explanation texts (TextTable) and the default QLocale.
// Installing a translator sends QEvent::LanguageChange to every widget, which then
// retranslates itself.
#pragma once

#include <QString>
#include <QStringList>

namespace sf::ui {

QStringList languages();                         // "en", "zh_CN"
QString languageName(const QString& language);   // "English", "简体中文" (each in itself)
// "zh", "zh_CN", "zh-Hans-CN" -> "zh_CN"; "en", "en_GB" -> "en"; anything else -> empty.
QString normalizeLanguage(const QString& name);
// The system locale's language when we have it, else English.
QString systemLanguage();

// False (and `error`) for a language we do not have; the current one stays.
bool setLanguage(const QString& language, QString* error = nullptr);
QString currentLanguage();

}  // namespace sf::ui
