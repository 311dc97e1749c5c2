// English<->Chinese toy grammar (see zh_grammar.h for the sentences it makes).
//
// A sentence is a Clause of lexicon indices. The Realizer writes both languages from it
// as fragments (subject, time, negation, locative, verb, object) and assembles them in
// each language's order; every word or segment carries a set of "concepts" (one bit per
// constituent), and the gold alignment links the words that share one. Parsing goes the
// other way: a recursive-descent parser per language reads a Clause back, the clause is
// checked (selection, agreement of the rules) and realized, and the realized source must
// read as the input: analysis by synthesis, so one Realizer defines the grammar.
#include "core/text/zh_grammar.h"

#include "core/io/files.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <sstream>
#include <unordered_set>

namespace sf::text {

using Mask = uint32_t;

struct ZhGrammar::Lexicon {
    struct Pronoun {
        std::string en, obj, poss, zh;
        int person = 3;
        bool plural = false;
    };
    struct Number {
        std::string en, enVowel, zh;
    };
    struct Word {
        std::string en, zh;
    };
    struct Noun {
        std::string en, pl, zh, mw;
        bool mass = false, place = false;
        Mask tags = 0;
        std::vector<int> locs;  // indices into locatives
    };
    struct Adjective {
        std::string en, zh;
        bool de = false, hen = true, attributive = true;
        Mask tags = 0;
    };
    struct Verb {
        std::string en, en3, zh, neg = "不";
        Mask subject = 0, object = 0;
        bool generic = false, pronounObject = false, locative = true;
        bool transitive() const { return object != 0; }
    };

    std::string path;
    std::vector<std::string> anchors;  // English sentences, checked at load
    std::vector<Pronoun> pronouns;
    std::vector<Number> numbers;
    std::vector<Word> demonstratives, locatives, times;
    std::vector<Noun> nouns;
    std::vector<Adjective> adjectives;
    std::vector<Verb> verbs;
    Mask person = 0;

    // Sampling.
    std::vector<int> subjectNouns, professions, locNouns, henAdjectives, shiAdjectives, attributives;
    std::vector<std::vector<int>> objectNouns;  // per verb
    // Parsing.
    std::map<std::string, int> enSubject, enObject, enPossessive, enNumber, enDemo, enNounSg, enNounPl, enAdj,
        enVerb, enVerb3, enPrep;
    std::map<std::string, int> zhPronoun, zhNumber, zhDemo, zhNoun, zhNounPl, zhAdj, zhVerb, zhTime, zhLocalizer;
    std::set<std::string> zhMeasures, zhWords;
    std::set<std::string> enWords;
};

namespace {

using Lexicon = ZhGrammar::Lexicon;
using Rng = std::mt19937_64;
using nlohmann::json;

const std::array<const char*, 6> kTagNames = {"person", "animal", "thing", "food", "drink", "reading"};
constexpr uint64_t kTestBuckets = 8;

// ---- Deterministic draws (as corpus.cpp: plain arithmetic on mt19937_64 output) ----

size_t below(Rng& rng, size_t n) { return static_cast<size_t>(rng() % n); }
bool chance(Rng& rng, int percent) { return below(rng, 100) < static_cast<size_t>(percent); }
int pick(Rng& rng, const std::vector<int>& items) { return items[below(rng, items.size())]; }
template <size_t N>
size_t weighted(Rng& rng, const std::array<int, N>& weights) {
    int total = 0;
    for (int w : weights) total += w;
    int r = static_cast<int>(below(rng, static_cast<size_t>(total)));
    for (size_t i = 0; i < N; ++i) {
        if (r < weights[i]) return i;
        r -= weights[i];
    }
    return N - 1;
}


std::vector<std::string> splitWords(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    return words;
}

std::string join(const std::vector<std::string>& words, const char* sep = " ") {
    std::string out;
    for (const std::string& w : words) out += (out.empty() ? "" : sep) + w;
    return out;
}

std::string withoutSpaces(const std::string& text) {
    std::string out;
    for (char c : text)
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') out += c;
    return out;
}

// Length in bytes of the UTF-8 character starting at text[i] (1 for a stray byte).
size_t charLength(const std::string& text, size_t i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    return std::min(n, text.size() - i);
}

// ---- Lexicon ----

struct Reader {
    const std::string& path;
    std::string error;

    bool fail(const std::string& where, const std::string& what) {
        if (error.empty()) error = path + ": " + where + ": " + what;
        return false;
    }
    bool str(const json& o, const std::string& where, const char* key, std::string& out, bool required = true) {
        if (!o.contains(key)) return required ? fail(where, std::string("missing string '") + key + "'") : true;
        if (!o[key].is_string() || o[key].get<std::string>().empty())
            return fail(where, std::string("'") + key + "' must be a non-empty string");
        out = o[key].get<std::string>();
        return true;
    }
    bool flag(const json& o, const std::string& where, const char* key, bool& out) {
        if (!o.contains(key)) return true;
        if (!o[key].is_boolean()) return fail(where, std::string("'") + key + "' must be true or false");
        out = o[key].get<bool>();
        return true;
    }
    bool tags(const json& o, const std::string& where, const char* key, Mask& out) {
        out = 0;
        if (!o.contains(key)) return true;
        if (!o[key].is_array()) return fail(where, std::string("'") + key + "' must be a list of tags");
        for (const json& t : o[key]) {
            const auto it = t.is_string() ? std::find(kTagNames.begin(), kTagNames.end(), t.get<std::string>())
                                          : kTagNames.end();
            if (it == kTagNames.end()) return fail(where, "unknown tag " + t.dump());
            out |= Mask(1) << (it - kTagNames.begin());
        }
        return true;
    }
    const json* list(const json& root, const char* key) {
        if (!root.contains(key) || !root[key].is_array() || root[key].empty()) {
            fail(key, "missing or empty list");
            return nullptr;
        }
        return &root[key];
    }
};

Result<Lexicon> readLexicon(const std::string& path, const json& root) {
    Lexicon lx;
    lx.path = path;
    Reader r{path, {}};
    if (!root.is_object()) return error(path + ": the lexicon must be a JSON object");
    auto where = [](const char* list, size_t i) { return std::string(list) + "[" + std::to_string(i) + "]"; };

    if (const json* a = r.list(root, "pronouns"))
        for (size_t i = 0; i < a->size(); ++i) {
            const json& o = (*a)[i];
            Lexicon::Pronoun p;
            const std::string w = where("pronouns", i);
            r.str(o, w, "en", p.en) && r.str(o, w, "obj", p.obj) && r.str(o, w, "poss", p.poss) &&
                r.str(o, w, "zh", p.zh) && r.flag(o, w, "plural", p.plural);
            if (o.contains("person")) {
                if (!o["person"].is_number_integer() || o["person"].get<int>() < 1 || o["person"].get<int>() > 3)
                    r.fail(w, "'person' must be 1, 2 or 3");
                else
                    p.person = o["person"].get<int>();
            }
            lx.pronouns.push_back(p);
        }
    if (const json* a = r.list(root, "numbers"))
        for (size_t i = 0; i < a->size(); ++i) {
            Lexicon::Number n;
            const std::string w = where("numbers", i);
            r.str((*a)[i], w, "en", n.en) && r.str((*a)[i], w, "zh", n.zh) &&
                r.str((*a)[i], w, "en_vowel", n.enVowel, false);
            if (n.enVowel.empty()) n.enVowel = n.en;
            lx.numbers.push_back(n);
        }
    auto words = [&](const char* key, std::vector<Lexicon::Word>& out) {
        if (const json* a = r.list(root, key))
            for (size_t i = 0; i < a->size(); ++i) {
                Lexicon::Word x;
                r.str((*a)[i], where(key, i), "en", x.en) && r.str((*a)[i], where(key, i), "zh", x.zh);
                out.push_back(x);
            }
    };
    words("demonstratives", lx.demonstratives);
    words("locatives", lx.locatives);
    words("times", lx.times);
    if (const json* a = r.list(root, "nouns"))
        for (size_t i = 0; i < a->size(); ++i) {
            const json& o = (*a)[i];
            const std::string w = where("nouns", i);
            Lexicon::Noun n;
            r.str(o, w, "en", n.en) && r.str(o, w, "zh", n.zh) && r.flag(o, w, "mass", n.mass) &&
                r.flag(o, w, "place", n.place) && r.tags(o, w, "tags", n.tags);
            if (!n.mass && !n.place) r.str(o, w, "pl", n.pl) && r.str(o, w, "mw", n.mw);
            if (o.contains("loc")) {
                if (!o["loc"].is_array()) r.fail(w, "'loc' must be a list");
                for (const json& l : o["loc"]) {
                    int found = -1;
                    for (size_t k = 0; k < lx.locatives.size(); ++k)
                        if (l.is_string() && lx.locatives[k].en == l.get<std::string>()) found = int(k);
                    if (found < 0)
                        r.fail(w, "unknown locative " + l.dump());
                    else
                        n.locs.push_back(found);
                }
            }
            lx.nouns.push_back(n);
        }
    if (const json* a = r.list(root, "adjectives"))
        for (size_t i = 0; i < a->size(); ++i) {
            const json& o = (*a)[i];
            const std::string w = where("adjectives", i);
            Lexicon::Adjective x;
            std::string predicate;
            r.str(o, w, "en", x.en) && r.str(o, w, "zh", x.zh) && r.flag(o, w, "de", x.de) &&
                r.flag(o, w, "attributive", x.attributive) && r.tags(o, w, "tags", x.tags) &&
                r.str(o, w, "predicate", predicate);
            if (r.error.empty() && predicate != "hen" && predicate != "shi")
                r.fail(w, "'predicate' must be \"hen\" or \"shi\"");
            x.hen = predicate == "hen";
            lx.adjectives.push_back(x);
        }
    if (const json* a = r.list(root, "verbs"))
        for (size_t i = 0; i < a->size(); ++i) {
            const json& o = (*a)[i];
            const std::string w = where("verbs", i);
            Lexicon::Verb v;
            r.str(o, w, "en", v.en) && r.str(o, w, "en3", v.en3) && r.str(o, w, "zh", v.zh) &&
                r.str(o, w, "neg", v.neg, false) && r.tags(o, w, "subject", v.subject) &&
                r.tags(o, w, "object", v.object) && r.flag(o, w, "generic", v.generic) &&
                r.flag(o, w, "pronoun_object", v.pronounObject) && r.flag(o, w, "locative", v.locative);
            if (r.error.empty() && v.subject == 0) r.fail(w, "'subject' must name at least one tag");
            lx.verbs.push_back(v);
        }
    if (root.contains("anchors")) {
        if (!root["anchors"].is_array()) r.fail("anchors", "must be a list of sentences");
        else
            for (const json& a : root["anchors"])
                if (!a.is_string()) r.fail("anchors", "must be a list of sentences");
                else lx.anchors.push_back(a.get<std::string>());
    }
    if (!r.error.empty()) return error(r.error);
    if (lx.numbers.size() < 2) return error(path + ": numbers: the first is 'a', at least one more is needed");

    lx.person = 1;  // kTagNames[0]
    for (size_t i = 0; i < lx.nouns.size(); ++i) {
        const auto& n = lx.nouns[i];
        if (!n.place && n.tags) lx.subjectNouns.push_back(int(i));
        if (n.tags & lx.person) lx.professions.push_back(int(i));
        if (n.place || !n.locs.empty()) lx.locNouns.push_back(int(i));
    }
    for (size_t i = 0; i < lx.adjectives.size(); ++i) {
        (lx.adjectives[i].hen ? lx.henAdjectives : lx.shiAdjectives).push_back(int(i));
        if (lx.adjectives[i].attributive) lx.attributives.push_back(int(i));
    }
    for (const auto& v : lx.verbs) {
        std::vector<int> objects;
        for (size_t i = 0; i < lx.nouns.size(); ++i)
            if (lx.nouns[i].tags & v.object) objects.push_back(int(i));
        lx.objectNouns.push_back(objects);
    }
    if (lx.subjectNouns.empty() || lx.professions.empty() || lx.locNouns.empty() || lx.henAdjectives.empty() ||
        lx.shiAdjectives.empty() || lx.attributives.empty())
        return error(path + ": the lexicon needs subject nouns, professions, locative nouns and both kinds of adjective");

    // Parsing tables; duplicates would make the parse ambiguous.
    std::string dup;
    auto add = [&](std::map<std::string, int>& m, const std::string& key, int value) {
        if (key.empty()) return;
        if (!m.emplace(key, value).second && m[key] != value && dup.empty()) dup = key;
    };
    for (size_t i = 0; i < lx.pronouns.size(); ++i) {
        const auto& p = lx.pronouns[i];
        add(lx.enSubject, p.en, int(i)), add(lx.enObject, p.obj, int(i)), add(lx.enPossessive, p.poss, int(i));
        add(lx.zhPronoun, p.zh, int(i));
    }
    for (size_t i = 0; i < lx.numbers.size(); ++i)
        add(lx.enNumber, lx.numbers[i].en, int(i)), add(lx.enNumber, lx.numbers[i].enVowel, int(i)),
            add(lx.zhNumber, lx.numbers[i].zh, int(i));
    for (size_t i = 0; i < lx.demonstratives.size(); ++i)
        add(lx.enDemo, lx.demonstratives[i].en, int(i)), add(lx.zhDemo, lx.demonstratives[i].zh, int(i));
    for (size_t i = 0; i < lx.nouns.size(); ++i) {
        add(lx.enNounSg, lx.nouns[i].en, int(i)), add(lx.enNounPl, lx.nouns[i].pl, int(i));
        add(lx.zhNoun, lx.nouns[i].zh, int(i));
        if (lx.nouns[i].tags & lx.person) add(lx.zhNounPl, lx.nouns[i].zh + "们", int(i));
        if (!lx.nouns[i].mw.empty()) lx.zhMeasures.insert(lx.nouns[i].mw);
    }
    for (size_t i = 0; i < lx.adjectives.size(); ++i)
        add(lx.enAdj, lx.adjectives[i].en, int(i)), add(lx.zhAdj, lx.adjectives[i].zh, int(i));
    for (size_t i = 0; i < lx.verbs.size(); ++i)
        add(lx.enVerb, lx.verbs[i].en, int(i)), add(lx.enVerb3, lx.verbs[i].en3, int(i)),
            add(lx.zhVerb, lx.verbs[i].zh, int(i));
    for (size_t i = 0; i < lx.locatives.size(); ++i)
        add(lx.enPrep, lx.locatives[i].en, int(i)), add(lx.zhLocalizer, lx.locatives[i].zh, int(i));
    for (size_t i = 0; i < lx.times.size(); ++i) add(lx.zhTime, lx.times[i].zh, int(i));
    if (!dup.empty()) return error(path + ": '" + dup + "' has two meanings; the parser needs one");

    for (const auto* m : {&lx.enSubject, &lx.enObject, &lx.enPossessive, &lx.enNumber, &lx.enDemo, &lx.enNounSg,
                          &lx.enNounPl, &lx.enAdj, &lx.enVerb, &lx.enVerb3, &lx.enPrep})
        for (const auto& kv : *m) lx.enWords.insert(kv.first);
    for (const auto& t : lx.times)
        for (const auto& w : splitWords(t.en)) lx.enWords.insert(w);
    for (const char* w : {"the", "am", "is", "are", "not", "do", "does", "want", "wants", "to", "at"})
        lx.enWords.insert(w);
    for (const auto* m :
         {&lx.zhPronoun, &lx.zhNumber, &lx.zhDemo, &lx.zhNoun, &lx.zhNounPl, &lx.zhAdj, &lx.zhVerb, &lx.zhTime, &lx.zhLocalizer})
        for (const auto& kv : *m) lx.zhWords.insert(kv.first);
    for (const auto& v : lx.verbs) lx.zhWords.insert(v.neg);
    for (const auto& m : lx.zhMeasures) lx.zhWords.insert(m);
    for (const char* w : {"的", "是", "很", "不", "没", "在", "想"}) lx.zhWords.insert(w);
    return lx;
}

// ---- Clauses ----

enum class Det { Pronoun, Definite, Indefinite, Demonstrative, Possessive, Bare, Place };
enum class Kind { Verb, BeAdjective, BeColor, BeProfession, BeLocative };
enum class Role { Subject, Object, Locative };

struct NP {
    Det det = Det::Definite;
    int index = -1;   // noun, or pronoun for Det::Pronoun
    int number = 0;   // Indefinite: index into numbers (0 = a / 一)
    int demo = -1;    // Demonstrative
    int owner = -1;   // Possessive: pronoun index
    int adj = -1;     // attributive adjective
    bool dropped = false;  // a negated "a N": 一 + measure word not said in Chinese
    bool people = false;   // "the/my students": a definite plural of people, 学生们
};

struct Clause {
    NP subject;
    Kind kind = Kind::Verb;
    int verb = -1;
    bool hasObject = false;
    NP object;       // verb object, or the profession of BeProfession
    int adj = -1;    // BeAdjective / BeColor
    bool hasLoc = false;
    int prep = -1;   // locative index; -1 with a Det::Place noun ("at home")
    NP loc;
    int time = -1;
    bool negated = false, want = false;
};

bool plural(const Lexicon& lx, const NP& np) {
    if (np.det == Det::Pronoun) return lx.pronouns[size_t(np.index)].plural;
    if (np.det == Det::Indefinite) return np.number > 0;
    if (np.det == Det::Bare) return !lx.nouns[size_t(np.index)].mass;
    return np.people;
}
int person(const Lexicon& lx, const NP& np) {
    return np.det == Det::Pronoun ? lx.pronouns[size_t(np.index)].person : 3;
}
Mask tagsOf(const Lexicon& lx, const NP& np) {
    return np.det == Det::Pronoun ? lx.person : lx.nouns[size_t(np.index)].tags;
}

// The drops follow from the clause: a negated singular "a N" object loses 一 + measure word.
void normalize(Clause& c) {
    c.object.dropped = c.hasObject && c.negated && c.object.det == Det::Indefinite && c.object.number == 0;
}

// Empty when the clause is one the grammar makes; else why not (naming an English word).
std::string invalid(const Lexicon& lx, const Clause& c) {
    auto noun = [&](const NP& np) -> const Lexicon::Noun& { return lx.nouns[size_t(np.index)]; };
    auto npWord = [&](const NP& np) {
        if (np.det == Det::Pronoun) return "'" + lx.pronouns[size_t(np.index)].en + "'";
        return "'" + (plural(lx, np) ? noun(np).pl : noun(np).en) + "'";
    };
    auto npOk = [&](const NP& np, Role role) -> std::string {
        if (np.det == Det::Pronoun) return np.adj >= 0 ? "a pronoun takes no adjective" : "";
        const auto& n = noun(np);
        if (n.place != (np.det == Det::Place)) return npWord(np) + " is a place: 'at " + n.en + "'";
        if (np.det == Det::Place) return role == Role::Locative ? "" : npWord(np) + " is only a place ('at " + n.en + "')";
        if (n.mass && np.det != Det::Bare && np.det != Det::Definite) return npWord(np) + " takes no number or demonstrative";
        if (np.adj >= 0) {
            const auto& a = lx.adjectives[size_t(np.adj)];
            if (n.mass || !a.attributive || !(a.tags & n.tags))
                return "'" + a.en + "' does not go with " + npWord(np);
        }
        if (np.people && (!(n.tags & lx.person) || (np.det != Det::Definite && np.det != Det::Possessive)))
            return npWord(np) + ": a plural with 'the' or 'my' is for people only ('the students' -> 学生们)";
        if (role == Role::Subject && np.det == Det::Bare) return npWord(np) + " as a subject needs a determiner";
        if (role == Role::Object && np.det == Det::Definite) return "an object is not 'the " + n.en + "' in this grammar";
        if (role == Role::Locative && np.det != Det::Definite && np.det != Det::Possessive && np.det != Det::Demonstrative)
            return "a place is 'the', 'my' ... or 'this' + noun";
        return "";
    };
    std::string why = npOk(c.subject, Role::Subject);
    if (!why.empty()) return why;
    const Mask subjectTags = tagsOf(lx, c.subject);
    if (c.subject.det != Det::Pronoun && !noun(c.subject).tags) return npWord(c.subject) + " cannot be a subject";
    if (c.want && c.kind != Kind::Verb) return "'want to' takes a verb";
    if (c.kind == Kind::Verb) {
        const auto& v = lx.verbs[size_t(c.verb)];
        if (!(v.subject & subjectTags)) return "'" + v.en + "' does not take " + npWord(c.subject) + " as subject";
        if (v.transitive() != c.hasObject) return "'" + v.en + (c.hasObject ? "' takes no object" : "' needs an object");
        if (c.hasObject) {
            if ((why = npOk(c.object, Role::Object)) != "") return why;
            if (c.object.det == Det::Pronoun) {
                if (!v.pronounObject) return "'" + v.en + "' takes no pronoun object";
                if (c.subject.det == Det::Pronoun && lx.pronouns[size_t(c.subject.index)].zh ==
                                                         lx.pronouns[size_t(c.object.index)].zh)
                    return "subject and object are the same pronoun";
            } else {
                const auto& n = noun(c.object);
                if (!(n.tags & v.object)) return "'" + v.en + "' does not take " + npWord(c.object);
                if (c.object.det == Det::Bare && !n.mass && !v.generic)
                    return "'" + v.en + "' takes no plural without a determiner";
                if (c.negated && v.generic && c.object.det == Det::Indefinite && c.object.number == 0)
                    return "a negated '" + v.en + "' takes no 'a' object (the plural says it)";
            }
        }
    } else if (c.kind == Kind::BeAdjective || c.kind == Kind::BeColor) {
        const auto& a = lx.adjectives[size_t(c.adj)];
        if (a.hen != (c.kind == Kind::BeAdjective) || !(a.tags & subjectTags))
            return "'" + a.en + "' does not go with " + npWord(c.subject);
    } else if (c.kind == Kind::BeProfession) {
        if (!(subjectTags & lx.person)) return npWord(c.subject) + " has no profession";
        if (c.object.det == Det::Pronoun || !(noun(c.object).tags & lx.person) || c.object.adj >= 0)
            return "'be' + noun takes a person ('a student')";
        const bool pl = plural(lx, c.subject);
        if (pl ? c.object.det != Det::Bare : (c.object.det != Det::Indefinite || c.object.number != 0))
            return pl ? "a plural subject is 'students'" : "a singular subject is 'a student'";
        if (c.time >= 0) return "a profession takes no time word";
        if (c.subject.det != Det::Pronoun && c.subject.index == c.object.index) return "the same noun twice";
    }
    if (c.kind == Kind::BeLocative && !c.hasLoc) return "'be' needs a place";
    if (c.kind == Kind::Verb && c.hasLoc && !lx.verbs[size_t(c.verb)].locative)
        return "'" + lx.verbs[size_t(c.verb)].en + "' takes no place";
    if (c.time >= 0 && c.kind != Kind::Verb && !(subjectTags & lx.person) && c.kind != Kind::BeLocative)
        return "a time word goes with people and places";
    if (c.hasLoc) {
        if ((why = npOk(c.loc, Role::Locative)) != "") return why;
        const auto& n = noun(c.loc);
        if (n.place ? c.prep != -1 : std::find(n.locs.begin(), n.locs.end(), c.prep) == n.locs.end())
            return npWord(c.loc) + " does not take " + (c.prep < 0 ? "'at'" : "'" + lx.locatives[size_t(c.prep)].en + "'");
        if (c.subject.det != Det::Pronoun && c.subject.index == c.loc.index) return "the same noun twice";
    }
    return "";
}

// ---- Realizer ----

struct Fragment {
    std::vector<std::string> en, zh;
    std::vector<Mask> enC, zhC;
    void e(const std::string& w, Mask m) { en.push_back(w), enC.push_back(m); }
    void z(const std::string& w, Mask m) { zh.push_back(w), zhC.push_back(m); }
    void enOf(const Fragment& f) { en.insert(en.end(), f.en.begin(), f.en.end()), enC.insert(enC.end(), f.enC.begin(), f.enC.end()); }
    void zhOf(const Fragment& f) { zh.insert(zh.end(), f.zh.begin(), f.zh.end()), zhC.insert(zhC.end(), f.zhC.begin(), f.zhC.end()); }
};

class Realizer {
public:
    explicit Realizer(const Lexicon& lx) : mLx(lx) {}

    // The pair with English source; the caller swaps sides for ZhEn.
    SentencePair operator()(const Clause& c) {
        mNext = 0;
        const Fragment subject = np(c.subject, Role::Subject);
        const bool sg3 = person(mLx, c.subject) == 3 && !plural(mLx, c.subject);
        const bool first = person(mLx, c.subject) == 1 && !plural(mLx, c.subject);
        Fragment time, loc, pred, object, neg, want;
        const Mask cNeg = fresh(), cCop = fresh(), cVerb = fresh();
        if (c.time >= 0) {
            const Mask m = fresh();
            for (const auto& w : splitWords(mLx.times[size_t(c.time)].en)) time.e(w, m);
            time.z(mLx.times[size_t(c.time)].zh, m);
        }
        if (c.hasLoc) loc = locative(c, c.kind == Kind::BeLocative ? cCop : 0);
        Fragment out;
        out.enOf(subject), out.zhOf(subject);
        out.zhOf(time);
        if (c.kind == Kind::Verb) {
            const auto& v = mLx.verbs[size_t(c.verb)];
            if (c.negated) {
                neg.e(sg3 ? "does" : "do", cNeg), neg.e("not", cNeg);
                neg.z(c.want ? "不" : v.neg, cNeg);
            }
            if (c.want) {
                const Mask m = fresh();
                want.e(!c.negated && sg3 ? "wants" : "want", m), want.e("to", m);
                want.z("想", m);
            }
            pred.e(c.negated || c.want || !sg3 ? v.en : v.en3, cVerb);
            pred.z(v.zh, cVerb);
            if (c.hasObject) object = np(c.object, Role::Object);
            out.enOf(neg), out.enOf(want), out.enOf(pred), out.enOf(object), out.enOf(loc);
            out.zhOf(neg), out.zhOf(want), out.zhOf(loc), out.zhOf(pred), out.zhOf(object);
        } else {
            out.e(first ? "am" : sg3 ? "is" : "are", cCop);
            if (c.negated) out.e("not", cNeg);
            if (c.kind == Kind::BeAdjective || c.kind == Kind::BeColor) {
                const auto& a = mLx.adjectives[size_t(c.adj)];
                const Mask m = fresh();
                out.e(a.en, m);
                if (c.kind == Kind::BeAdjective) {
                    out.z(c.negated ? "不" : "很", c.negated ? cNeg | cCop : cCop);
                    out.z(a.zh, m);
                } else {
                    if (c.negated) out.z("不", cNeg);
                    out.z("是", cCop), out.z(a.zh, m), out.z("的", m);
                }
            } else if (c.kind == Kind::BeProfession) {
                if (c.negated) out.z("不", cNeg);
                out.z("是", cCop);
                object = np(c.object, Role::Object);
                out.enOf(object), out.zhOf(object);
            } else {  // BeLocative
                if (c.negated) out.z("不", cNeg);
                out.enOf(loc), out.zhOf(loc);
            }
        }
        out.enOf(time);

        SentencePair p;
        p.source = join(out.en);
        p.target = join(out.zh);
        for (size_t t = 0; t < out.zh.size(); ++t)
            for (size_t s = 0; s < out.en.size(); ++s)
                if (out.zhC[t] & out.enC[s]) p.alignment.emplace_back(int(t), int(s));
        return p;
    }

private:
    Mask fresh() { return Mask(1) << (mNext++ % 32); }

    Fragment np(const NP& x, Role role) {
        Fragment f;
        const Mask cN = fresh();
        if (x.det == Det::Pronoun) {
            const auto& p = mLx.pronouns[size_t(x.index)];
            f.e(role == Role::Subject ? p.en : p.obj, cN), f.z(p.zh, cN);
            return f;
        }
        const auto& n = mLx.nouns[size_t(x.index)];
        const bool pl = (x.det == Det::Indefinite && x.number > 0) || (x.det == Det::Bare && !n.mass) || x.people;
        const Mask cD = fresh();
        Fragment adj;
        if (x.adj >= 0) {
            const auto& a = mLx.adjectives[size_t(x.adj)];
            const Mask cA = fresh();
            adj.e(a.en, cA), adj.z(a.zh, cA);
            if (a.de) adj.z("的", cA);
        }
        const std::string& nounEn = pl ? n.pl : n.en;
        switch (x.det) {
        case Det::Definite: f.e("the", cN); break;
        case Det::Indefinite: {
            const auto& num = mLx.numbers[size_t(x.number)];
            const std::string& next = adj.en.empty() ? nounEn : adj.en.front();
            const bool vowel = std::string("aeiou").find(next.front()) != std::string::npos;
            f.e(vowel ? num.enVowel : num.en, x.dropped ? cN : cD);
            if (!x.dropped) f.z(num.zh + n.mw, cD);
            break;
        }
        case Det::Demonstrative:
            f.e(mLx.demonstratives[size_t(x.demo)].en, cD), f.z(mLx.demonstratives[size_t(x.demo)].zh + n.mw, cD);
            break;
        case Det::Possessive:
            f.e(mLx.pronouns[size_t(x.owner)].poss, cD), f.z(mLx.pronouns[size_t(x.owner)].zh + "的", cD);
            break;
        default: break;
        }
        f.enOf(adj), f.zhOf(adj);
        f.e(nounEn, cN), f.z(x.people ? n.zh + "们" : n.zh, cN);
        return f;
    }

    // "on the table" / 在 桌子 上; "at home" / 在 家. `extra`: 在 also stands for "is".
    Fragment locative(const Clause& c, Mask extra) {
        Fragment f;
        const Mask cL = fresh();
        const Fragment n = np(c.loc, Role::Locative);
        f.e(c.prep < 0 ? "at" : mLx.locatives[size_t(c.prep)].en, cL);
        f.z("在", cL | extra);
        f.enOf(n), f.zhOf(n);
        if (c.prep >= 0) f.z(mLx.locatives[size_t(c.prep)].zh, cL);
        return f;
    }

    const Lexicon& mLx;
    int mNext = 0;
};

// ---- Sampler: loose draws, kept when valid ----

class Sampler {
public:
    Sampler(const Lexicon& lx, Rng& rng) : mLx(lx), mRng(rng) {}

    Clause clause() {
        for (;;) {
            Clause c = draw();
            normalize(c);
            if (invalid(mLx, c).empty()) return c;
        }
    }

private:
    NP nounPhrase(int noun, Role role) {
        NP x;
        x.index = noun;
        const auto& n = mLx.nouns[size_t(noun)];
        if (n.place) {
            x.det = Det::Place;
            return x;
        }
        if (n.mass) {
            x.det = role == Role::Object ? Det::Bare : Det::Definite;
            return x;
        }
        static constexpr std::array<int, 5> subjectW = {45, 20, 15, 20, 0};   // the, a/two, this, my, bare
        static constexpr std::array<int, 5> objectW = {0, 30, 10, 15, 45};
        static constexpr std::array<int, 5> locW = {60, 0, 15, 25, 0};
        const size_t k = weighted(mRng, role == Role::Subject ? subjectW : role == Role::Object ? objectW : locW);
        x.det = std::array<Det, 5>{Det::Definite, Det::Indefinite, Det::Demonstrative, Det::Possessive, Det::Bare}[k];
        if (x.det == Det::Indefinite) x.number = chance(mRng, 70) ? 0 : 1 + int(below(mRng, mLx.numbers.size() - 1));
        if (x.det == Det::Demonstrative) x.demo = int(below(mRng, mLx.demonstratives.size()));
        if (x.det == Det::Possessive) x.owner = int(below(mRng, mLx.pronouns.size()));
        if (chance(mRng, role == Role::Locative ? 10 : 25)) x.adj = pick(mRng, mLx.attributives);
        if ((x.det == Det::Definite || x.det == Det::Possessive) && (n.tags & mLx.person) && chance(mRng, 30))
            x.people = true;
        return x;
    }
    NP pronoun() {
        NP x;
        x.det = Det::Pronoun;
        x.index = int(below(mRng, mLx.pronouns.size()));
        return x;
    }

    Clause draw() {
        Clause c;
        static constexpr std::array<int, 5> kindW = {55, 13, 7, 10, 15};
        c.kind = std::array<Kind, 5>{Kind::Verb, Kind::BeAdjective, Kind::BeColor, Kind::BeProfession,
                                     Kind::BeLocative}[weighted(mRng, kindW)];
        c.negated = chance(mRng, 20);
        c.subject = chance(mRng, 40) && c.kind != Kind::BeColor ? pronoun()
                                                                 : nounPhrase(pick(mRng, mLx.subjectNouns), Role::Subject);
        if (c.kind == Kind::BeProfession && c.subject.det != Det::Pronoun)
            c.subject = nounPhrase(pick(mRng, mLx.professions), Role::Subject);
        if (c.kind != Kind::BeProfession && chance(mRng, 20)) c.time = int(below(mRng, mLx.times.size()));
        if (c.kind == Kind::Verb) {
            c.verb = int(below(mRng, mLx.verbs.size()));
            const auto& v = mLx.verbs[size_t(c.verb)];
            c.want = chance(mRng, 12);
            if (v.transitive()) {
                c.hasObject = true;
                c.object = v.pronounObject && chance(mRng, 20)
                               ? pronoun()
                               : nounPhrase(pick(mRng, mLx.objectNouns[size_t(c.verb)]), Role::Object);
                if (c.negated && v.generic && c.object.det == Det::Indefinite && c.object.number == 0)
                    c.object.det = Det::Bare;  // the plural says it
            }
            c.hasLoc = v.locative && chance(mRng, 35);
        } else if (c.kind == Kind::BeAdjective) {
            c.adj = pick(mRng, mLx.henAdjectives);
        } else if (c.kind == Kind::BeColor) {
            c.adj = pick(mRng, mLx.shiAdjectives);
        } else if (c.kind == Kind::BeProfession) {
            c.hasObject = true;
            c.object.index = pick(mRng, mLx.professions);
            c.object.det = plural(mLx, c.subject) ? Det::Bare : Det::Indefinite;
        } else {
            c.hasLoc = true;
        }
        if (c.hasLoc) {
            c.loc = nounPhrase(pick(mRng, mLx.locNouns), Role::Locative);
            const auto& n = mLx.nouns[size_t(c.loc.index)];
            c.prep = n.place ? -1 : n.locs[below(mRng, n.locs.size())];
        }
        return c;
    }

    const Lexicon& mLx;
    Rng& mRng;
};

// ---- Parsers ----

class Parser {
public:
    Parser(const Lexicon& lx, std::vector<std::string> tokens) : mLx(lx), mT(std::move(tokens)) {}
    const std::string& message() const { return mError; }

protected:
    bool atEnd() const { return mAt >= mT.size(); }
    const std::string& peek(size_t ahead = 0) const {
        static const std::string none;
        return mAt + ahead < mT.size() ? mT[mAt + ahead] : none;
    }
    bool accept(const std::string& w) {
        if (peek() != w || atEnd()) return false;
        ++mAt;
        return true;
    }
    bool fail(const std::string& what) {
        if (mError.empty())
            mError = atEnd() ? "the sentence ends where " + what + " was expected"
                             : "'" + peek() + "': " + what + " was expected here";
        return false;
    }
    static int find(const std::map<std::string, int>& m, const std::string& w) {
        const auto it = m.find(w);
        return it == m.end() ? -1 : it->second;
    }

    const Lexicon& mLx;
    std::vector<std::string> mT;
    size_t mAt = 0;
    std::string mError;
};

class EnglishParser : public Parser {
public:
    using Parser::Parser;

    bool clause(Clause& c) {
        if (!np(c.subject, Role::Subject)) return false;
        if (peek() == "am" || peek() == "is" || peek() == "are") {
            ++mAt;
            c.negated = accept("not");
            if (peek() == "at" || find(mLx.enPrep, peek()) >= 0) {
                c.kind = Kind::BeLocative;
                if (!locative(c)) return false;
            } else if (const int a = find(mLx.enAdj, peek()); a >= 0) {
                c.adj = a;
                c.kind = mLx.adjectives[size_t(a)].hen ? Kind::BeAdjective : Kind::BeColor;
                ++mAt;
            } else {
                c.kind = Kind::BeProfession;
                if (!np(c.object, Role::Object)) return false;
                c.hasObject = true;
            }
        } else {
            c.kind = Kind::Verb;
            if (peek() == "do" || peek() == "does") {
                ++mAt;
                if (!accept("not")) return fail("'not'");
                c.negated = true;
            }
            if (peek() == "want" || peek() == "wants") {
                ++mAt;
                if (!accept("to")) return fail("'to'");
                c.want = true;
            }
            c.verb = find(mLx.enVerb, peek());
            if (c.verb < 0) c.verb = find(mLx.enVerb3, peek());
            if (c.verb < 0) return fail("a verb or 'am/is/are'");
            ++mAt;
            if (mLx.verbs[size_t(c.verb)].transitive()) {
                if (!np(c.object, Role::Object)) return false;
                c.hasObject = true;
            }
            if (!time(c) && (peek() == "at" || find(mLx.enPrep, peek()) >= 0) && !locative(c)) return false;
        }
        if (c.time < 0) time(c);
        if (!atEnd()) return fail("the end of the sentence");
        return true;
    }

private:
    bool time(Clause& c) {
        for (size_t i = 0; i < mLx.times.size(); ++i) {
            const auto words = splitWords(mLx.times[i].en);
            bool match = true;
            for (size_t k = 0; k < words.size() && match; ++k) match = peek(k) == words[k];
            if (match) {
                c.time = int(i);
                mAt += words.size();
                return true;
            }
        }
        return false;
    }
    bool locative(Clause& c) {
        c.hasLoc = true;
        c.prep = accept("at") ? -1 : find(mLx.enPrep, mT[mAt++]);
        return np(c.loc, Role::Locative);
    }
    bool np(NP& x, Role role) {
        const std::string& w = peek();
        const bool nounNext = find(mLx.enAdj, peek(1)) >= 0 || find(mLx.enNounSg, peek(1)) >= 0 ||
                              find(mLx.enNounPl, peek(1)) >= 0;
        if (role == Role::Subject && find(mLx.enSubject, w) >= 0) {
            x.det = Det::Pronoun, x.index = find(mLx.enSubject, w), ++mAt;
            return true;
        }
        if (role == Role::Object && find(mLx.enObject, w) >= 0 && !(find(mLx.enPossessive, w) >= 0 && nounNext)) {
            x.det = Det::Pronoun, x.index = find(mLx.enObject, w), ++mAt;
            return true;
        }
        x.det = Det::Bare;
        if (accept("the")) {
            x.det = Det::Definite;
        } else if (find(mLx.enNumber, w) >= 0) {
            x.det = Det::Indefinite, x.number = find(mLx.enNumber, w), ++mAt;
        } else if (find(mLx.enDemo, w) >= 0) {
            x.det = Det::Demonstrative, x.demo = find(mLx.enDemo, w), ++mAt;
        } else if (find(mLx.enPossessive, w) >= 0) {
            x.det = Det::Possessive, x.owner = find(mLx.enPossessive, w), ++mAt;
        }
        if (const int a = find(mLx.enAdj, peek()); a >= 0) x.adj = a, ++mAt;
        // Singular or plural: the number follows from the determiner, and writing the
        // English back checks that the noun agrees.
        int n = find(mLx.enNounSg, peek());
        if (n < 0 && (n = find(mLx.enNounPl, peek())) >= 0)
            x.people = x.det == Det::Definite || x.det == Det::Possessive;  // "the students"
        if (n < 0) return fail(role == Role::Subject ? "a pronoun or a noun" : "a noun");
        ++mAt;
        x.index = n;
        const auto& noun = mLx.nouns[size_t(n)];
        if (noun.place && x.det == Det::Bare) x.det = Det::Place;
        if (noun.mass && x.det == Det::Bare && role != Role::Object) x.det = Det::Definite;  // checked by rewriting
        return true;
    }
};

class ChineseParser : public Parser {
public:
    using Parser::Parser;

    bool clause(Clause& c) {
        if (!np(c.subject, Role::Subject)) return false;
        if (const int t = find(mLx.zhTime, peek()); t >= 0) c.time = t, ++mAt;
        bool mei = false;  // 没 negates only 有 (and 看见)
        if (accept("不")) c.negated = true;
        else if (accept("没")) c.negated = mei = true;
        if (accept("很")) {
            if (c.negated) return fail("an adjective");
            return adjective(c, Kind::BeAdjective);
        }
        if (find(mLx.zhAdj, peek()) >= 0 && c.negated && !mei) return adjective(c, Kind::BeAdjective);
        if (accept("是")) {
            if (find(mLx.zhAdj, peek()) >= 0) {
                if (!adjective(c, Kind::BeColor)) return false;
                if (!accept("的")) return fail("'的'");
                return end();
            }
            c.kind = Kind::BeProfession;
            c.hasObject = true;
            if (!np(c.object, Role::Object)) return false;
            return fixObject(c) && end();
        }
        c.want = accept("想");
        if (accept("在")) {
            c.hasLoc = true;
            if (!np(c.loc, Role::Locative)) return false;
            c.prep = find(mLx.zhLocalizer, peek());
            if (c.prep >= 0) ++mAt;
            if (atEnd()) {
                c.kind = Kind::BeLocative;
                return true;
            }
        }
        c.kind = Kind::Verb;
        c.verb = find(mLx.zhVerb, peek());
        if (c.verb < 0) return fail("a verb");
        ++mAt;
        if (mLx.verbs[size_t(c.verb)].transitive()) {
            c.hasObject = true;
            if (!np(c.object, Role::Object)) return false;
        }
        return fixObject(c) && end();
    }

private:
    bool end() { return atEnd() || fail("the end of the sentence"); }
    bool adjective(Clause& c, Kind kind) {
        c.adj = find(mLx.zhAdj, peek());
        if (c.adj < 0) return fail("an adjective");
        ++mAt;
        c.kind = kind;
        return kind == Kind::BeColor || end();
    }
    // A bare count noun is the plural ("i read books"), except where the grammar has no
    // plural: a singular profession, or the object of a verb without generic objects.
    bool fixObject(Clause& c) {
        if (!c.hasObject || c.object.det != Det::Bare || mLx.nouns[size_t(c.object.index)].mass) return true;
        const bool singularProfession = c.kind == Kind::BeProfession && !plural(mLx, c.subject);
        const bool noGeneric = c.kind == Kind::Verb && !mLx.verbs[size_t(c.verb)].generic;
        if (singularProfession || noGeneric) c.object.det = Det::Indefinite, c.object.number = 0;
        return true;
    }
    bool np(NP& x, Role role) {
        if (const int p = find(mLx.zhPronoun, peek()); p >= 0) {
            ++mAt;
            if (!accept("的")) {
                x.det = Det::Pronoun, x.index = p;
                return true;
            }
            x.det = Det::Possessive, x.owner = p;
        } else if (const int n = find(mLx.zhNumber, peek()); n >= 0) {
            ++mAt;
            if (!mLx.zhMeasures.count(peek())) return fail("a measure word");
            ++mAt;
            x.det = Det::Indefinite, x.number = n;
        } else if (const int d = find(mLx.zhDemo, peek()); d >= 0) {
            ++mAt;
            if (!mLx.zhMeasures.count(peek())) return fail("a measure word");
            ++mAt;
            x.det = Det::Demonstrative, x.demo = d;
        } else {
            x.det = role == Role::Object ? Det::Bare : Det::Definite;
        }
        auto isNoun = [&](const std::string& w) { return find(mLx.zhNoun, w) >= 0 || find(mLx.zhNounPl, w) >= 0; };
        const bool nounFollows = isNoun(peek(1)) || (peek(1) == "的" && isNoun(peek(2)));
        if (const int a = find(mLx.zhAdj, peek()); a >= 0 && nounFollows) {
            x.adj = a, ++mAt;
            accept("的");
        }
        x.index = find(mLx.zhNoun, peek());
        if (x.index < 0 && (x.index = find(mLx.zhNounPl, peek())) >= 0) x.people = true;  // 学生们
        if (x.index < 0) return fail(role == Role::Subject ? "a pronoun or a noun" : "a noun");
        ++mAt;
        const auto& noun = mLx.nouns[size_t(x.index)];
        if (noun.place && (x.det == Det::Definite || x.det == Det::Bare)) x.det = Det::Place;
        return true;
    }
};

// Forward maximum matching over the grammar's Chinese words. Fails naming the first
// stretch of characters that starts no word.
bool segment(const Lexicon& lx, const std::string& text, std::vector<std::string>& out, std::string& unknown) {
    size_t maxLen = 0;
    for (const auto& w : lx.zhWords) maxLen = std::max(maxLen, w.size());
    for (size_t i = 0; i < text.size();) {
        size_t best = 0;
        for (size_t len = std::min(maxLen, text.size() - i); len > 0; --len)
            if (lx.zhWords.count(text.substr(i, len))) {
                best = len;
                break;
            }
        if (best == 0) {
            size_t j = i;
            do j += charLength(text, j);
            while (j < text.size() && [&] {
                for (size_t len = 1; len <= std::min(maxLen, text.size() - j); ++len)
                    if (lx.zhWords.count(text.substr(j, len))) return false;
                return true;
            }());
            unknown = text.substr(i, j - i);
            return false;
        }
        out.push_back(text.substr(i, best));
        i += best;
    }
    return true;
}

SentencePair swapped(const SentencePair& p) {
    SentencePair q{p.target, p.source, {}};
    for (const auto& [t, s] : p.alignment) q.alignment.emplace_back(s, t);
    std::sort(q.alignment.begin(), q.alignment.end());
    return q;
}

}  // namespace

// ---- ZhGrammar ----

Result<ZhGrammar> ZhGrammar::load(const std::string& lexiconPath, ZhDirection direction) {
    try {
        auto bytes = io::readFile(lexiconPath);
        if (!bytes) return error(bytes.message());
        const json root = json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
        if (root.is_discarded()) return error(lexiconPath + ": not valid JSON");
        auto lexicon = readLexicon(lexiconPath, root);
        if (!lexicon) return error(lexicon.message());
        ZhGrammar g(std::make_shared<const Lexicon>(std::move(lexicon).value()), direction);
        const ZhGrammar english = direction == ZhDirection::EnZh ? g : g.reversed();
        for (size_t i = 0; i < g.mLexicon->anchors.size(); ++i)
            if (auto p = english.translate(g.mLexicon->anchors[i]); !p)
                return error(lexiconPath + ": anchors[" + std::to_string(i) + "]: " + p.message());
        return g;
    } catch (const std::exception& e) {
        return error(lexiconPath + ": " + e.what());
    }
}

ZhGrammar ZhGrammar::reversed() const {
    return ZhGrammar(mLexicon, mDirection == ZhDirection::EnZh ? ZhDirection::ZhEn : ZhDirection::EnZh);
}

SentencePair ZhGrammar::sample(std::mt19937_64& rng) const {
    Sampler sampler(*mLexicon, rng);
    const SentencePair p = Realizer(*mLexicon)(sampler.clause());
    return mDirection == ZhDirection::EnZh ? p : swapped(p);
}

std::vector<SentencePair> ZhGrammar::generate(size_t count, uint64_t seed) const {
    Rng rng(seed);
    std::vector<SentencePair> pairs;
    pairs.reserve(count);
    for (size_t i = 0; i < count; ++i) pairs.push_back(sample(rng));
    return pairs;
}

std::vector<SentencePair> ZhGrammar::anchors() const {
    const ZhGrammar english = mDirection == ZhDirection::EnZh ? *this : reversed();
    std::vector<SentencePair> out;
    for (const std::string& a : mLexicon->anchors)
        if (auto p = english.translate(a)) out.push_back(mDirection == ZhDirection::EnZh ? *p : swapped(*p));
    return out;
}

Result<CorpusSplit> ZhGrammar::split(size_t trainSize, size_t testSize, uint64_t seed) const {
    Rng rng(seed);
    CorpusSplit out;
    std::unordered_set<std::string> seen;
    for (SentencePair& a : anchors())
        if (seen.insert(a.source).second && out.train.size() < trainSize) out.train.push_back(std::move(a));
    const size_t maxDraws = 64 * (trainSize + testSize) + 100000;
    size_t draws = 0;
    for (; draws < maxDraws && (out.train.size() < trainSize || out.test.size() < testSize); ++draws) {
        SentencePair pair = sample(rng);
        const std::string& english = mDirection == ZhDirection::EnZh ? pair.source : pair.target;
        const bool test = fnv1a(english) % kTestBuckets == 0;
        auto& side = test ? out.test : out.train;
        if (side.size() >= (test ? testSize : trainSize) || !seen.insert(pair.source).second) continue;
        side.push_back(std::move(pair));
    }
    if (out.train.size() < trainSize || out.test.size() < testSize)
        return error(mLexicon->path + ": only " + std::to_string(out.train.size()) + " train and " +
                     std::to_string(out.test.size()) + " test sentences after " + std::to_string(draws) +
                     " draws (asked " + std::to_string(trainSize) + " and " + std::to_string(testSize) + ")");
    return out;
}

Result<std::vector<SentencePair>> ZhGrammar::translations(const std::string& text) const {
    const bool fromEnglish = mDirection == ZhDirection::EnZh;
    const std::string prefix = std::string(fromEnglish ? "en-zh" : "zh-en") + " grammar: '" + text + "': ";
    const Lexicon& lx = *mLexicon;
    Clause c;
    std::string input;
    if (fromEnglish) {
        std::string lower = text;
        for (char& ch : lower)
            if (ch >= 'A' && ch <= 'Z') ch = char(ch - 'A' + 'a');
        const std::vector<std::string> words = splitWords(lower);
        if (words.empty()) return error(prefix + "empty sentence");
        for (const auto& w : words)
            if (!lx.enWords.count(w)) return error(prefix + "'" + w + "' is not a word of the grammar");
        EnglishParser parser(lx, words);
        if (!parser.clause(c)) return error(prefix + parser.message());
        input = join(words);
    } else {
        input = withoutSpaces(text);
        if (input.empty()) return error(prefix + "empty sentence");
        std::vector<std::string> tokens;
        std::string unknown;
        if (!segment(lx, input, tokens, unknown)) return error(prefix + "'" + unknown + "' is not a word of the grammar");
        ChineseParser parser(lx, tokens);
        if (!parser.clause(c)) return error(prefix + parser.message());
    }
    normalize(c);
    const std::string why = invalid(lx, c);
    if (!why.empty()) return error(prefix + why);
    SentencePair p = Realizer(lx)(c);
    const std::string written = fromEnglish ? p.source : surface(p.target);
    if (written != input) return error(prefix + "not a sentence of the grammar (it would read '" + written + "')");
    return std::vector<SentencePair>{fromEnglish ? p : swapped(p)};
}

Result<SentencePair> ZhGrammar::translate(const std::string& text) const {
    auto all = translations(text);
    if (!all) return error(all.message());
    return all->front();
}

std::string ZhGrammar::surface(const std::string& segmented) { return withoutSpaces(segmented); }

std::string ZhGrammar::sourceText(const SentencePair& p) const {
    return mDirection == ZhDirection::ZhEn ? surface(p.source) : p.source;
}
std::string ZhGrammar::targetText(const SentencePair& p) const {
    return mDirection == ZhDirection::EnZh ? surface(p.target) : p.target;
}

Result<std::vector<SentencePair>> zhTranslations(const std::string& task, const std::string& lexiconPath,
                                                 const std::string& text) {
    if (task != "en-zh" && task != "zh-en") return error("zhTranslations: task is en-zh or zh-en, not '" + task + "'");
    auto g = ZhGrammar::load(lexiconPath, task == "en-zh" ? ZhDirection::EnZh : ZhDirection::ZhEn);
    if (!g) return error(g.message());
    return g->translations(text);
}

}  // namespace sf::text
