// A text to show a person, as a fact: a key into the per-language tables
// (resources/texts/<lang>/*.json) plus named arguments. Core yields these; the ui (and the
// command line, in English) look the key up and fill the arguments in. Core keeps no prose.
//
//   Text("steps.mask.notice").count("step", 3).piece("token", "▁le").count("cells", 3)
//
// Templates name arguments in braces: "{token}", and pick a plural form by a count with
// "{n|token|tokens}" (English: the first form when n == 1). Numbers stay numbers until the
// ui formats them for its locale.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sf {

struct Text {
    struct Arg {
        enum class Kind { String, Count, Number, Percent, Key };
        std::string name;
        Kind kind = Kind::String;
        std::string text;   // String: shown as is (pieces, file names); Key: a text key
        double value = 0;   // Count: an integer; Number: shown with `digits` significant digits;
                            // Percent: a fraction, shown as a whole percentage
        int digits = 3;
    };

    std::string key;
    std::vector<Arg> args;

    Text() = default;
    explicit Text(std::string k) : key(std::move(k)) {}

    Text& str(const std::string& name, std::string s) { return add({name, Arg::Kind::String, std::move(s), 0, 0}); }
    Text& count(const std::string& name, long long n) { return add({name, Arg::Kind::Count, {}, double(n), 0}); }
    Text& number(const std::string& name, double x, int digits = 3)
    {
        return add({name, Arg::Kind::Number, {}, x, digits});
    }
    Text& percent(const std::string& name, double fraction) { return add({name, Arg::Kind::Percent, {}, fraction, 0}); }
    // An argument that is itself a text of the table (a word that is translated too).
    Text& word(const std::string& name, std::string k) { return add({name, Arg::Kind::Key, std::move(k), 0, 0}); }

    const Arg* find(const std::string& name) const
    {
        for (const Arg& a : args)
            if (a.name == name) return &a;
        return nullptr;
    }
    bool empty() const { return key.empty(); }
    bool operator==(const Text& o) const { return key == o.key && argsEqual(o); }

private:
    Text& add(Arg a)
    {
        args.push_back(std::move(a));
        return *this;
    }
    bool argsEqual(const Text& o) const
    {
        if (args.size() != o.args.size()) return false;
        for (size_t i = 0; i < args.size(); ++i)
            if (args[i].name != o.args[i].name || args[i].kind != o.args[i].kind || args[i].text != o.args[i].text ||
                args[i].value != o.args[i].value)
                return false;
        return true;
    }
};

}  // namespace sf
