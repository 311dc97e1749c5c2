// The chat task's dialogue set (see chat.h).
#include "core/text/chat.h"

#include "core/io/files.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <set>

namespace sf::text {

namespace {

using nlohmann::json;

bool heldOut(const std::string& prompt) { return fnv1a(prompt) % 8 == 0; }

std::string replaceName(std::string text, const std::string& name) {
    const std::string key = "{name}";
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + name.size()))
        text.replace(at, key.size(), name);
    return text;
}

struct Reader {
    std::string where;
    std::string error;
    bool strings(const json& o, const std::string& at, const char* key, std::vector<std::string>& out, bool allowEmpty) {
        if (!o.contains(key) || !o[key].is_array() || o[key].empty()) {
            if (error.empty()) error = where + ": " + at + ": missing list '" + key + "'";
            return false;
        }
        for (const json& s : o[key]) {
            if (!s.is_string() || (!allowEmpty && s.get<std::string>().empty())) {
                if (error.empty()) error = where + ": " + at + "." + key + ": entries must be strings";
                return false;
            }
            out.push_back(s.get<std::string>());
        }
        return true;
    }
    bool str(const json& o, const std::string& at, const char* key, std::string& out) {
        if (!o.is_object() || !o.contains(key) || !o[key].is_string() || o[key].get<std::string>().empty()) {
            if (error.empty()) error = where + ": " + at + ": missing string '" + key + "'";
            return false;
        }
        out = o[key].get<std::string>();
        return true;
    }
};

}  // namespace

Result<ChatSet> ChatSet::load(const std::string& path) {
    try {
        auto bytes = io::readFile(path);
        if (!bytes) return error(bytes.message());
        const json root = json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
        if (root.is_discarded() || !root.is_object()) return error(path + ": not a JSON object");
        ChatSet set;
        set.mPath = path;
        Reader r{path, {}};
        std::map<std::string, std::string> replies;  // prompt -> reply, to refuse two replies
        auto add = [&](const std::string& prompt, const std::string& reply) {
            const auto [it, fresh] = replies.emplace(prompt, reply);
            if (!fresh && it->second != reply && r.error.empty())
                r.error = path + ": '" + prompt + "' has two replies ('" + it->second + "', '" + reply + "')";
            if (fresh) set.mAll.push_back({prompt, reply, {}});
        };
        for (const char* lang : {"en", "zh"}) {
            if (!root.contains(lang) || !root[lang].is_object()) return error(path + ": missing object '" + lang + "'");
            const json& L = root[lang];
            std::vector<std::string> separators, questionEnds, plainEnds, names;
            r.strings(L, lang, "separators", separators, true) && r.strings(L, lang, "question_endings", questionEnds, true) &&
                r.strings(L, lang, "plain_endings", plainEnds, true) && r.strings(L, lang, "names", names, false);
            std::vector<std::pair<std::string, std::string>> openers;
            if (!L.contains("openers") || !L["openers"].is_array()) r.error = path + ": " + lang + ": missing list 'openers'";
            else
                for (size_t i = 0; i < L["openers"].size(); ++i) {
                    std::string text, reply;
                    const std::string at = std::string(lang) + ".openers[" + std::to_string(i) + "]";
                    if (r.str(L["openers"][i], at, "text", text) && r.str(L["openers"][i], at, "reply", reply))
                        openers.emplace_back(text, reply);
                }
            if (!L.contains("intents") || !L["intents"].is_array()) r.error = path + ": " + lang + ": missing list 'intents'";
            if (!r.error.empty()) return error(r.error);
            for (const auto& [text, reply] : openers)
                for (const auto& end : plainEnds) add(text + end, reply);
            for (size_t i = 0; i < L["intents"].size(); ++i) {
                const json& in = L["intents"][i];
                const std::string at = std::string(lang) + ".intents[" + std::to_string(i) + "]";
                std::string reply;
                std::vector<std::string> prompts;
                if (!r.str(in, at, "reply", reply) || !r.strings(in, at, "prompts", prompts, false)) return error(r.error);
                const bool question = in.contains("question") && in["question"].is_boolean() && in["question"].get<bool>();
                const auto& ends = question ? questionEnds : plainEnds;
                for (const std::string& core : prompts) {
                    const bool named = core.find("{name}") != std::string::npos;
                    for (size_t n = 0; n < (named ? names.size() : 1); ++n) {
                        const std::string c = named ? replaceName(core, names[n]) : core;
                        const std::string rep = named ? replaceName(reply, names[n]) : reply;
                        for (const auto& end : ends) {
                            add(c + end, rep);
                            for (const auto& op : openers)
                                for (const auto& sep : separators) add(op.first + sep + c + end, rep);
                        }
                    }
                }
            }
        }
        if (!r.error.empty()) return error(r.error);
        if (root.contains("anchors")) {
            std::vector<std::string> anchors;
            if (!r.strings(root, "top level", "anchors", anchors, false)) return error(r.error);
            for (const std::string& a : anchors) {
                const auto it = replies.find(a);
                if (it == replies.end()) return error(path + ": anchors: '" + a + "' is not a prompt of the set");
                set.mAnchors.push_back({a, it->second, {}});
            }
        }
        return set;
    } catch (const std::exception& e) {
        return error(path + ": " + e.what());
    }
}

Result<CorpusSplit> ChatSet::split(size_t trainSize, size_t testSize, uint64_t seed) const {
    std::vector<size_t> train, test, anchors;
    for (size_t i = 0; i < mAll.size(); ++i) {
        const bool anchor = std::any_of(mAnchors.begin(), mAnchors.end(),
                                        [&](const SentencePair& a) { return a.source == mAll[i].source; });
        (anchor ? anchors : heldOut(mAll[i].source) ? test : train).push_back(i);
    }
    // Fisher-Yates with plain arithmetic on mt19937_64 (the same order everywhere).
    std::mt19937_64 rng(seed);
    auto shuffle = [&](std::vector<size_t>& v) {
        for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[size_t(rng() % i)]);
    };
    shuffle(train), shuffle(test);
    train.insert(train.begin(), anchors.begin(), anchors.end());
    if (trainSize == 0) trainSize = train.size();
    if (trainSize > train.size() || testSize > test.size())
        return error(mPath + ": " + std::to_string(train.size()) + " training and " + std::to_string(test.size()) +
                     " held-out prompts (asked " + std::to_string(trainSize) + " and " + std::to_string(testSize) + ")");
    CorpusSplit out;
    for (size_t i = 0; i < trainSize; ++i) out.train.push_back(mAll[train[i]]);
    for (size_t i = 0; i < testSize; ++i) out.test.push_back(mAll[test[i]]);
    return out;
}

Result<std::string> ChatSet::reply(const std::string& prompt) const {
    for (const auto& p : mAll)
        if (p.source == prompt) return p.target;
    return error("chat: '" + prompt + "' is not a prompt of the dialogue set");
}

}  // namespace sf::text
