// Small helpers shared by the CLI verbs for option values.
#pragma once

#include "app/cli.h"

#include <QCommandLineParser>

#include <iostream>
#include <vector>

namespace sf::cli {

// Parses `args` of `verb`. -h / --help prints the verb's options and gives exit code 0;
// a parse error prints a usage error (2). Returns -1 when the verb should go on.
inline int parseArgs(QCommandLineParser& p, const QString& verb, const QStringList& args)
{
    p.addHelpOption();
    if (!p.parse(QStringList(verb) + args)) return fail(p.errorText().toStdString(), Usage);
    if (p.isSet("help")) {
        std::cout << p.helpText().toStdString();
        return Ok;
    }
    return -1;
}

// Reads an integer option in [lo, hi]; on a bad value prints a usage error and returns false.
inline bool intOption(const QCommandLineParser& p, const QString& name, int lo, int hi, int* out)
{
    bool ok = false;
    const int v = p.value(name).toInt(&ok);
    if (!ok || v < lo || v > hi) {
        fail("--" + name.toStdString() + " takes an integer in [" + std::to_string(lo) + ", " +
                 std::to_string(hi) + "], not '" + p.value(name).toStdString() + "'",
             Usage);
        return false;
    }
    *out = v;
    return true;
}

// "5,17,9" -> {5, 17, 9}; false on anything else.
inline bool parseIdList(const QString& s, std::vector<int>* out)
{
    out->clear();
    for (const QString& part : s.split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const int v = part.trimmed().toInt(&ok);
        if (!ok || v < 0) return false;
        out->push_back(v);
    }
    return !out->empty();
}

// The model directory of a verb's --model NAME|DIR, or the bundled en-fr model without
// it; empty after printing the reason.
inline std::string modelDirOption(const QCommandLineParser& p, const QString& option = "model")
{
    std::string why;
    const std::string dir = p.isSet(option) ? resolveModel(p.value(option).toStdString(), &why) : bundledModelDir();
    if (dir.empty()) fail(why.empty() ? std::string("no bundled model in this build; give --model NAME|DIR") : why);
    return dir;
}

}  // namespace sf::cli
