// English->French toy grammar and algorithmic tasks (see corpus.h for the grammar).
//
// A sentence is first drawn (or parsed) as a Clause, a small structure of lexicon
// indices. The Realizer then writes both sides from it: English words go straight out
// with their indices; French goes out as tokens that remember which English words they
// translate. A last right-to-left pass applies what depends on the next French word:
//   contraction   à le -> au, à les -> aux, de le -> du, de les -> des
//   vowel forms   ce -> cet, ma -> mon, beau -> bel (before a vowel or mute h)
//   elision       le/la -> l', je -> j', ne -> n', de -> d', fused into the next word
// and a fused word takes the English words of all its parts (the alignment convention).
#include "core/io/files.h"
#include "core/text/corpus.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <unordered_set>

namespace sf::text {

uint64_t fnv1a(const std::string& text) {
    uint64_t h = 14695981039346656037ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

using TagMask = uint32_t;  // one bit per semantic tag ("person", "place", "food", ...)

enum class DeterminerKind { Definite, Indefinite, Possessive, Demonstrative };
enum class VerbRole { Lexical, Copula, Modal };

struct EnFrGrammar::Lexicon {
    struct Determiner {
        DeterminerKind kind = DeterminerKind::Definite;
        std::string en, enVowel, enPl;        // "a", "an", "some"
        std::string enNegPl;                  // "any": plural object of a negation
        std::string m, mVowel, f, fVowel, pl;  // "le", "l'", "la", "l'", "les"
    };
    struct Pronoun {
        std::string en, fr, frVowel;  // "i", "je", "j'"
        int person = 3;
        bool plural = false, feminine = false;
    };
    struct Preposition {
        std::string en, fr;    // "near", "près de"
        TagMask locative = 0;  // nouns it takes in a free locative phrase (0: complement only)
        TagMask bare = 0;      // nouns it takes without an English article ("to school", "at home")
    };
    struct Noun {
        std::string en, enPl, fr, frPl;
        bool feminine = false, mass = false;  // mass: singular only, no "a"; may go without article
        bool singular = false;                // singular only ("home")
        int profession = -1;                  // made from professions[i] (the generic masculine)
        TagMask tags = 0;
    };
    struct Adjective {
        std::string en;
        bool before = false;  // placed before the French noun
        int rank = 0;         // English order: lower rank first
        std::string m, mVowel, f, mPl, fPl;
        TagMask tags = 0;
    };
    struct Profession {
        std::string en, enPl, m, f, mPl, fPl;
    };
    struct Verb {
        VerbRole role = VerbRole::Lexical;
        std::string en, en3sg, en1sg, enNeg;  // "are", "is", "am"; "can" ... "cannot"
        std::vector<std::string> enWords, en3sgWords;  // "look for" -> {look, for}
        bool modalTo = false;                 // "want to"
        std::string inf;
        std::array<std::string, 6> fr;        // je tu il nous vous ils
        TagMask subject = 0, object = 0;
        bool intransitive = false;
        bool generic = false;                 // like, love, hate: a bare mass object takes "le"
        int complementPrep = -1;              // "go to": preposition index
        TagMask complementTags = 0;
    };
    struct Participle {
        std::string en, m, f, mPl, fPl;  // "signed", "signé", ...
        TagMask subject = 0;
    };
    struct Month {
        std::string en, fr;
    };
    struct Phrase {
        std::string en, fr;
        std::vector<std::pair<int, int>> alignment;
    };
    struct Passive {
        std::string en = "was", enPl = "were", fr = "a", frPl = "ont", been = "été";
        int topicPrep = -1;  // "the agreement on ...": preposition index
        TagMask topicTags = 0;
        std::string dateEn = "in", dateFr = "en";
        int firstYear = 1950, lastYear = 2025;
    };

    std::string path;
    std::vector<Determiner> determiners;
    std::vector<Pronoun> pronouns;
    std::vector<Preposition> prepositions;
    std::vector<Noun> nouns;
    std::vector<Adjective> adjectives;
    std::vector<Profession> professions;
    std::vector<Verb> verbs;
    std::vector<Participle> participles;
    std::vector<Month> months;
    std::vector<Phrase> phrases;
    Passive passive;
    std::vector<std::string> anchors;  // sentences always on the training side
    std::vector<bool> determinerRepeatsFrench;  // same French forms as an earlier entry (her = his)
    std::map<std::string, TagMask> tagBits;
    TagMask person = 0, place = 0;  // the two tags the rules know
    int indefinite = -1, copula = -1;

    // For sampling.
    std::array<std::vector<int>, 4> determinersByKind;
    std::vector<int> intransitiveVerbs, transitiveVerbs, complementVerbs, modals, locatives;
    // For parsing English back.
    std::map<std::string, std::vector<int>> pronounByEn;
    std::map<std::string, int> determinerByEn, adjectiveByEn, prepositionByEn, participleByEn, monthByEn,
        phraseByEn;
    std::map<std::string, std::pair<int, bool>> nounByEn, professionByEn;  // (index, plural)
};

namespace {

using Lexicon = EnFrGrammar::Lexicon;
using Rng = std::mt19937_64;
using nlohmann::json;

// ---- Sampling weights (the grammar's shape; the words are in the lexicon) ----

enum class Kind { Intransitive, Transitive, Complement, BeAdjective, BeProfession, BeLocation, Passive, Phrase };
constexpr size_t kKindCount = 8;
constexpr std::array<int, kKindCount> kKindWeights = {20, 34, 12, 14, 8, 12, 5, 1};
constexpr std::array<int, kKindCount> kExtraPhrasePercent = {40, 15, 10, 10, 0, 0, 0, 0};  // per Kind
constexpr int kQuestionPercent = 10;    // of the first six kinds: "is the cat black", "do you like milk"
constexpr int kBareMassPercent = 50;    // a mass object without article: "he drinks coffee"
constexpr int kTopicPercent = 50;       // passive subject with "on ...": "the agreement on the european area"
constexpr std::array<int, 4> kDeterminerWeights = {40, 20, 25, 15};  // per DeterminerKind
constexpr std::array<int, 3> kAdjectiveCountWeights = {55, 33, 12};  // 0, 1, 2 adjectives
constexpr int kNegatedPercent = 20;
constexpr int kModalPercent = 18;
constexpr int kPronounPercent = 35;
constexpr int kPluralPercent = 30;
constexpr uint64_t kTestBuckets = 8;  // split(): 1 sentence in 8 is held out

// ---- Deterministic draws: plain arithmetic on mt19937_64 output, same everywhere ----

size_t below(Rng& rng, size_t n) { return static_cast<size_t>(rng() % n); }
bool chance(Rng& rng, int percent) { return below(rng, 100) < static_cast<size_t>(percent); }

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

int pick(Rng& rng, const std::vector<int>& items) { return items[below(rng, items.size())]; }

// ---- Text ----

std::vector<std::string> splitWords(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    return words;
}

std::string joinWords(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) {
        if (!out.empty()) out += ' ';
        out += w;
    }
    return out;
}

// French elision and vowel forms apply before a vowel or a mute h (the lexicon has no
// aspirated h). UTF-8 prefixes.
bool frenchVowelStart(const std::string& word) {
    static const char* const kVowels[] = {"a", "e", "i", "o", "u", "h", "à", "â", "é",
                                          "è", "ê", "ë", "î", "ï", "ô", "û", "ù", "œ"};
    for (const char* v : kVowels)
        if (word.compare(0, std::strlen(v), v) == 0) return true;
    return false;
}

bool englishVowelStart(const std::string& word) {
    return !word.empty() && std::strchr("aeiou", word[0]) != nullptr;
}


bool heldOut(const std::string& source) { return fnv1a(source) % kTestBuckets == 0; }

const std::string& adjectiveForm(const Lexicon::Adjective& a, bool feminine, bool plural) {
    if (plural) return feminine ? a.fPl : a.mPl;
    return feminine ? a.f : a.m;
}

const std::string& professionForm(const Lexicon::Profession& p, bool feminine, bool plural) {
    if (plural) return feminine ? p.fPl : p.mPl;
    return feminine ? p.f : p.m;
}

// ---- Reading the lexicon ----

using io::readFile;

// Typed field access that records the first problem instead of throwing.
class FieldReader {
public:
    explicit FieldReader(std::string path) : mPath(std::move(path)) {}
    bool ok() const { return mError.empty(); }
    const std::string& message() const { return mError; }

    void fail(const std::string& where, const std::string& problem) {
        if (mError.empty()) mError = mPath + ": " + where + ": " + problem;
    }

    // A non-empty string; absent is an error unless `required` is false (then "").
    std::string text(const json& o, const char* key, const std::string& where, bool required = true) {
        const auto it = o.find(key);
        if (it == o.end()) {
            if (required) fail(where, std::string("missing string '") + key + "'");
            return {};
        }
        if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
            fail(where, std::string("'") + key + "' must be a non-empty string");
            return {};
        }
        return it->get<std::string>();
    }

    // One word: no spaces.
    std::string word(const json& o, const char* key, const std::string& where, bool required = true) {
        std::string w = text(o, key, where, required);
        if (w.find(' ') != std::string::npos) fail(where, std::string("'") + key + "' must be one word");
        return w;
    }

    bool flag(const json& o, const char* key, const std::string& where) {
        const auto it = o.find(key);
        if (it == o.end()) return false;
        if (!it->is_boolean()) fail(where, std::string("'") + key + "' must be true or false");
        return it->is_boolean() && it->get<bool>();
    }

    int integer(const json& o, const char* key, const std::string& where, int lo, int hi) {
        const auto it = o.find(key);
        if (it == o.end() || !it->is_number_integer() || it->get<long long>() < lo || it->get<long long>() > hi) {
            fail(where, std::string("'") + key + "' must be an integer in " + std::to_string(lo) + ".." +
                            std::to_string(hi));
            return lo;
        }
        return static_cast<int>(it->get<long long>());
    }

    bool feminine(const json& o, const std::string& where) {
        const std::string g = text(o, "gender", where);
        if (ok() && g != "m" && g != "f") fail(where, "'gender' must be \"m\" or \"f\"");
        return g == "f";
    }

    // A list of tag names. Nouns define tags (define = true); every other list must name
    // tags some noun has, which catches typos.
    TagMask tags(const json& o, const char* key, const std::string& where, std::map<std::string, TagMask>& bits,
                 bool define) {
        const auto it = o.find(key);
        if (it == o.end()) return 0;
        if (!it->is_array()) {
            fail(where, std::string("'") + key + "' must be a list of tag names");
            return 0;
        }
        TagMask mask = 0;
        for (const auto& t : *it) {
            if (!t.is_string()) {
                fail(where, std::string("'") + key + "' must be a list of tag names");
                return 0;
            }
            const std::string name = t.get<std::string>();
            auto found = bits.find(name);
            if (found == bits.end()) {
                if (!define) {
                    fail(where, "unknown tag '" + name + "' (no noun has it)");
                    return 0;
                }
                if (bits.size() == 32) {
                    fail(where, "more than 32 tags");
                    return 0;
                }
                found = bits.emplace(name, TagMask(1) << bits.size()).first;
            }
            mask |= found->second;
        }
        return mask;
    }

    // The array `key` of the root, each element an object; `where` names the element.
    template <class Fn>
    void forEach(const json& root, const char* key, bool required, Fn fn) {
        const auto it = root.find(key);
        if (it == root.end()) {
            if (required) fail(key, "missing list");
            return;
        }
        if (!it->is_array()) {
            fail(key, "must be a list");
            return;
        }
        for (size_t i = 0; i < it->size() && ok(); ++i) {
            const std::string where = std::string(key) + "[" + std::to_string(i) + "]";
            if (!(*it)[i].is_object()) {
                fail(where, "must be an object");
                return;
            }
            fn((*it)[i], where);
        }
    }

private:
    std::string mPath;
    std::string mError;
};

// Parses and checks the lexicon; builds the sampling and parsing indexes.
Result<Lexicon> readLexicon(const std::string& path, const json& root) {
    Lexicon lex;
    lex.path = path;
    FieldReader r(path);
    if (!root.is_object()) return error(path + ": expected a JSON object");

    r.forEach(root, "nouns", true, [&](const json& o, const std::string& where) {
        Lexicon::Noun n;
        n.en = r.word(o, "en", where);
        n.fr = r.word(o, "fr", where);
        n.mass = r.flag(o, "mass", where);
        n.singular = n.mass || r.flag(o, "singular", where);
        n.enPl = r.word(o, "en_pl", where, !n.singular);
        n.frPl = r.word(o, "fr_pl", where, !n.singular);
        n.feminine = r.feminine(o, where);
        n.tags = r.tags(o, "tags", where, lex.tagBits, true);
        if (r.ok() && n.tags == 0) r.fail(where, "needs at least one tag");
        if (r.ok() && n.en == n.enPl) r.fail(where, "english singular and plural must differ");
        lex.nouns.push_back(n);
    });
    if (r.ok() && lex.nouns.empty()) r.fail("nouns", "empty list");

    r.forEach(root, "determiners", true, [&](const json& o, const std::string& where) {
        static const std::map<std::string, DeterminerKind> kKinds = {
            {"definite", DeterminerKind::Definite}, {"indefinite", DeterminerKind::Indefinite},
            {"possessive", DeterminerKind::Possessive}, {"demonstrative", DeterminerKind::Demonstrative}};
        Lexicon::Determiner d;
        const auto kind = kKinds.find(r.text(o, "kind", where));
        if (kind == kKinds.end()) r.fail(where, "'kind' must be definite, indefinite, possessive or demonstrative");
        else d.kind = kind->second;
        d.en = r.word(o, "en", where);
        d.enVowel = r.word(o, "en_vowel", where, false);
        d.enPl = r.word(o, "en_pl", where);
        d.enNegPl = r.word(o, "en_neg_pl", where, false);
        d.m = r.word(o, "m", where);
        d.mVowel = r.word(o, "m_vowel", where, false);
        d.f = r.word(o, "f", where);
        d.fVowel = r.word(o, "f_vowel", where, false);
        d.pl = r.word(o, "pl", where);
        lex.determiners.push_back(d);
    });

    r.forEach(root, "pronouns", true, [&](const json& o, const std::string& where) {
        Lexicon::Pronoun p;
        p.en = r.word(o, "en", where);
        p.fr = r.word(o, "fr", where);
        p.frVowel = r.word(o, "fr_vowel", where, false);
        p.person = r.integer(o, "person", where, 1, 3);
        p.plural = r.flag(o, "plural", where);
        p.feminine = r.feminine(o, where);
        lex.pronouns.push_back(p);
    });
    if (r.ok() && lex.pronouns.empty()) r.fail("pronouns", "empty list");

    r.forEach(root, "prepositions", true, [&](const json& o, const std::string& where) {
        Lexicon::Preposition p;
        p.en = r.word(o, "en", where);
        p.fr = r.text(o, "fr", where);
        p.locative = r.tags(o, "locative", where, lex.tagBits, false);
        p.bare = r.tags(o, "bare", where, lex.tagBits, false);
        lex.prepositions.push_back(p);
    });

    r.forEach(root, "adjectives", false, [&](const json& o, const std::string& where) {
        Lexicon::Adjective a;
        a.en = r.word(o, "en", where);
        const std::string position = r.text(o, "position", where);
        if (r.ok() && position != "before" && position != "after")
            r.fail(where, "'position' must be \"before\" or \"after\"");
        a.before = position == "before";
        a.rank = r.integer(o, "en_rank", where, 0, 100);
        a.m = r.word(o, "m", where);
        a.mVowel = r.word(o, "m_vowel", where, false);
        a.f = r.word(o, "f", where);
        a.mPl = r.word(o, "m_pl", where);
        a.fPl = r.word(o, "f_pl", where);
        a.tags = r.tags(o, "tags", where, lex.tagBits, false);
        if (r.ok() && a.tags == 0) r.fail(where, "needs at least one tag");
        lex.adjectives.push_back(a);
    });

    r.forEach(root, "professions", false, [&](const json& o, const std::string& where) {
        Lexicon::Profession p;
        p.en = r.word(o, "en", where);
        p.enPl = r.word(o, "en_pl", where);
        p.m = r.word(o, "m", where);
        p.f = r.word(o, "f", where);
        p.mPl = r.word(o, "m_pl", where);
        p.fPl = r.word(o, "f_pl", where);
        lex.professions.push_back(p);
    });
    // Professions are persons too: "the teacher is happy", "we know the doctor" (the
    // generic masculine, as "they" is ils).
    if (r.ok()) {
        const TagMask person = lex.tagBits.count("person") ? lex.tagBits.at("person") : 0;
        for (size_t i = 0; i < lex.professions.size() && person; ++i) {
            const auto& p = lex.professions[i];
            Lexicon::Noun n;
            n.en = p.en, n.enPl = p.enPl, n.fr = p.m, n.frPl = p.mPl;
            n.profession = static_cast<int>(i);
            n.tags = person;
            lex.nouns.push_back(n);
        }
    }

    r.forEach(root, "participles", false, [&](const json& o, const std::string& where) {
        Lexicon::Participle p;
        p.en = r.word(o, "en", where);
        p.m = r.word(o, "m", where);
        p.f = r.word(o, "f", where);
        p.mPl = r.word(o, "m_pl", where);
        p.fPl = r.word(o, "f_pl", where);
        p.subject = r.tags(o, "subject", where, lex.tagBits, false);
        if (r.ok() && p.subject == 0) r.fail(where, "needs 'subject' tags");
        lex.participles.push_back(p);
    });
    r.forEach(root, "months", false, [&](const json& o, const std::string& where) {
        lex.months.push_back({r.word(o, "en", where), r.word(o, "fr", where)});
    });
    r.forEach(root, "phrases", false, [&](const json& o, const std::string& where) {
        Lexicon::Phrase ph;
        ph.en = r.text(o, "en", where);
        ph.fr = r.text(o, "fr", where);
        const auto a = o.find("align");
        const int ne = static_cast<int>(splitWords(ph.en).size()), nf = static_cast<int>(splitWords(ph.fr).size());
        std::vector<bool> covered(static_cast<size_t>(nf), false);
        if (a == o.end() || !a->is_array()) {
            r.fail(where, "'align' must list [french word, english word] pairs");
            return;
        }
        for (const auto& link : *a) {
            if (!link.is_array() || link.size() != 2 || !link[0].is_number_integer() || !link[1].is_number_integer() ||
                link[0].get<int>() < 0 || link[0].get<int>() >= nf || link[1].get<int>() < 0 ||
                link[1].get<int>() >= ne) {
                r.fail(where, "'align' pairs must be [french word, english word] indices in range");
                return;
            }
            ph.alignment.emplace_back(link[0].get<int>(), link[1].get<int>());
            covered[static_cast<size_t>(link[0].get<int>())] = true;
        }
        std::sort(ph.alignment.begin(), ph.alignment.end());
        ph.alignment.erase(std::unique(ph.alignment.begin(), ph.alignment.end()), ph.alignment.end());
        if (std::find(covered.begin(), covered.end(), false) != covered.end())
            r.fail(where, "every french word needs an 'align' pair");
        lex.phrases.push_back(ph);
    });
    if (const auto pv = root.find("passive"); pv != root.end() && r.ok()) {
        if (!pv->is_object()) {
            r.fail("passive", "must be an object");
        } else {
            auto& P = lex.passive;
            P.en = r.word(*pv, "en", "passive");
            P.enPl = r.word(*pv, "en_pl", "passive");
            P.fr = r.word(*pv, "fr", "passive");
            P.frPl = r.word(*pv, "fr_pl", "passive");
            P.been = r.word(*pv, "been", "passive");
            P.dateEn = r.word(*pv, "date_en", "passive");
            P.dateFr = r.word(*pv, "date_fr", "passive");
            P.firstYear = r.integer(*pv, "first_year", "passive", 1000, 2999);
            P.lastYear = r.integer(*pv, "last_year", "passive", P.firstYear, 2999);
            const std::string topic = r.word(*pv, "topic_prep", "passive", false);
            for (size_t i = 0; i < lex.prepositions.size(); ++i)
                if (lex.prepositions[i].en == topic) P.topicPrep = static_cast<int>(i);
            if (r.ok() && !topic.empty() && P.topicPrep < 0) r.fail("passive", "topic preposition '" + topic + "' is not listed");
            P.topicTags = r.tags(*pv, "topic", "passive", lex.tagBits, false);
        }
    }
    if (const auto an = root.find("anchors"); an != root.end() && r.ok()) {
        if (!an->is_array()) r.fail("anchors", "must be a list of sentences");
        else
            for (const auto& a : *an) {
                if (!a.is_string()) {
                    r.fail("anchors", "must be a list of sentences");
                    break;
                }
                lex.anchors.push_back(a.get<std::string>());
            }
    }

    r.forEach(root, "verbs", true, [&](const json& o, const std::string& where) {
        Lexicon::Verb v;
        const std::string role = o.contains("role") ? r.text(o, "role", where) : "lexical";
        if (role == "copula") v.role = VerbRole::Copula;
        else if (role == "modal") v.role = VerbRole::Modal;
        else if (role != "lexical") r.fail(where, "'role' must be lexical, copula or modal");
        v.en = r.text(o, "en", where);
        v.en3sg = r.text(o, "en_3sg", where);
        v.en1sg = r.word(o, "en_1sg", where, false);
        v.enNeg = r.word(o, "en_neg", where, false);
        v.enWords = splitWords(v.en);
        v.en3sgWords = splitWords(v.en3sg);
        v.modalTo = r.flag(o, "to", where);
        v.inf = r.word(o, "inf", where);
        const auto fr = o.find("fr");
        if (fr == o.end() || !fr->is_array() || fr->size() != 6) {
            r.fail(where, "'fr' must list 6 forms (je tu il nous vous ils)");
        } else {
            for (size_t i = 0; i < 6; ++i) {
                const auto& form = (*fr)[i];
                if (!form.is_string() || form.get_ref<const std::string&>().empty() ||
                    form.get_ref<const std::string&>().find(' ') != std::string::npos) {
                    r.fail(where, "'fr' forms must be single words");
                    break;
                }
                v.fr[i] = form.get<std::string>();
            }
        }
        v.subject = r.tags(o, "subject", where, lex.tagBits, false);
        v.object = r.tags(o, "object", where, lex.tagBits, false);
        v.intransitive = r.flag(o, "intransitive", where);
        v.generic = r.flag(o, "generic", where);
        if (const auto c = o.find("complement"); c != o.end() && r.ok()) {
            if (!c->is_object()) {
                r.fail(where, "'complement' must be {\"prep\": ..., \"tags\": [...]}");
            } else {
                const std::string prep = r.text(*c, "prep", where + ".complement");
                for (size_t i = 0; i < lex.prepositions.size(); ++i)
                    if (lex.prepositions[i].en == prep) v.complementPrep = static_cast<int>(i);
                if (r.ok() && v.complementPrep < 0) r.fail(where, "complement preposition '" + prep + "' is not listed");
                v.complementTags = r.tags(*c, "tags", where + ".complement", lex.tagBits, false);
                if (r.ok() && v.complementTags == 0) r.fail(where, "complement needs at least one tag");
            }
        }
        if (r.ok() && v.role != VerbRole::Copula && v.subject == 0) r.fail(where, "needs 'subject' tags");
        if (r.ok() && v.role == VerbRole::Lexical && !v.intransitive && v.object == 0 && v.complementPrep < 0)
            r.fail(where, "needs 'intransitive', 'object' or 'complement'");
        lex.verbs.push_back(v);
    });
    if (!r.ok()) return error(r.message());

    // Roles the rules need, and the indexes.
    for (size_t i = 0; i < lex.determiners.size(); ++i) {
        const auto& d = lex.determiners[i];
        lex.determinersByKind[static_cast<size_t>(d.kind)].push_back(static_cast<int>(i));
        if (d.kind == DeterminerKind::Indefinite && lex.indefinite < 0) lex.indefinite = static_cast<int>(i);
    }
    for (size_t i = 0; i < lex.determiners.size(); ++i) {
        bool repeats = false;
        for (size_t j = 0; j < i; ++j) {
            const auto &a = lex.determiners[i], &b = lex.determiners[j];
            repeats = repeats || (a.m == b.m && a.f == b.f && a.pl == b.pl && a.mVowel == b.mVowel && a.fVowel == b.fVowel);
        }
        lex.determinerRepeatsFrench.push_back(repeats);
    }
    if (lex.determinersByKind[0].empty() || lex.indefinite < 0)
        return error(path + ": determiners: needs a definite and an indefinite entry");
    for (size_t i = 0; i < lex.verbs.size(); ++i) {
        const auto& v = lex.verbs[i];
        const int index = static_cast<int>(i);
        if (v.role == VerbRole::Copula) {
            if (lex.copula >= 0) return error(path + ": verbs: more than one copula");
            lex.copula = index;
        } else if (v.role == VerbRole::Modal) {
            lex.modals.push_back(index);
        } else {
            if (v.intransitive) lex.intransitiveVerbs.push_back(index);
            if (v.object) lex.transitiveVerbs.push_back(index);
            if (v.complementPrep >= 0) lex.complementVerbs.push_back(index);
        }
    }
    if (lex.copula < 0) return error(path + ": verbs: needs a copula (role \"copula\")");
    if (lex.intransitiveVerbs.empty() && lex.transitiveVerbs.empty())
        return error(path + ": verbs: needs a lexical verb");
    for (size_t i = 0; i < lex.prepositions.size(); ++i)
        if (lex.prepositions[i].locative) lex.locatives.push_back(static_cast<int>(i));
    if (const auto t = lex.tagBits.find("person"); t != lex.tagBits.end()) lex.person = t->second;
    if (const auto t = lex.tagBits.find("place"); t != lex.tagBits.end()) lex.place = t->second;

    // English words must say which entry they are, so the English can be parsed back.
    std::map<std::string, std::string> owner;
    auto claim = [&](const std::string& word, const std::string& who) -> bool {
        const auto [it, fresh] = owner.emplace(word, who);
        if (fresh || it->second == who) return true;
        r.fail("english word '" + word + "'", "used by both " + it->second + " and " + who);
        return false;
    };
    auto at = [](const char* list, size_t i) { return std::string(list) + "[" + std::to_string(i) + "]"; };
    for (size_t i = 0; i < lex.pronouns.size(); ++i) {
        claim(lex.pronouns[i].en, "pronouns");
        lex.pronounByEn[lex.pronouns[i].en].push_back(static_cast<int>(i));
    }
    for (size_t i = 0; i < lex.determiners.size(); ++i) {
        const auto& d = lex.determiners[i];
        for (const auto* w : {&d.en, &d.enPl, &d.enVowel, &d.enNegPl})
            if (!w->empty() && claim(*w, at("determiners", i))) lex.determinerByEn[*w] = static_cast<int>(i);
    }
    for (size_t i = 0; i < lex.prepositions.size(); ++i)
        if (claim(lex.prepositions[i].en, at("prepositions", i)))
            lex.prepositionByEn[lex.prepositions[i].en] = static_cast<int>(i);
    for (size_t i = 0; i < lex.nouns.size(); ++i) {
        const auto& n = lex.nouns[i];
        const std::string who = n.profession >= 0 ? at("professions", static_cast<size_t>(n.profession)) : at("nouns", i);
        if (claim(n.en, who)) lex.nounByEn[n.en] = {static_cast<int>(i), false};
        if (!n.singular && claim(n.enPl, who)) lex.nounByEn[n.enPl] = {static_cast<int>(i), true};
    }
    for (size_t i = 0; i < lex.participles.size(); ++i)
        if (claim(lex.participles[i].en, at("participles", i))) lex.participleByEn[lex.participles[i].en] = static_cast<int>(i);
    for (size_t i = 0; i < lex.months.size(); ++i)
        if (claim(lex.months[i].en, at("months", i))) lex.monthByEn[lex.months[i].en] = static_cast<int>(i);
    for (size_t i = 0; i < lex.phrases.size(); ++i) lex.phraseByEn[joinWords(splitWords(lex.phrases[i].en))] = static_cast<int>(i);
    for (size_t i = 0; i < lex.adjectives.size(); ++i)
        if (claim(lex.adjectives[i].en, at("adjectives", i)))
            lex.adjectiveByEn[lex.adjectives[i].en] = static_cast<int>(i);
    for (size_t i = 0; i < lex.professions.size(); ++i) {
        const auto& p = lex.professions[i];
        if (claim(p.en, at("professions", i))) lex.professionByEn[p.en] = {static_cast<int>(i), false};
        if (claim(p.enPl, at("professions", i))) lex.professionByEn[p.enPl] = {static_cast<int>(i), true};
    }
    if (!r.ok()) return error(r.message());
    return lex;
}

// ---- The structure of one sentence (indices into the lexicon) ----

struct NounPhrase {
    int det = 0;  // -1: no article (a mass object, "to school")
    int noun = 0;
    bool plural = false;
    int before = -1;  // adjective placed before the French noun, or -1
    int after = -1;   // adjective placed after it, or -1
    int after2 = -1;  // a second one after it ("la zone économique européenne"), or -1
};

struct Subject {
    int pronoun = -1;  // or, when -1, the noun phrase
    NounPhrase np;
};

struct PrepPhrase {
    int prep = -1;  // -1: none
    NounPhrase np;
};

struct Clause {
    Subject subject;
    Kind kind = Kind::Intransitive;
    bool negated = false;
    int verb = -1;        // lexical verb (Intransitive, Transitive, Complement)
    int modal = -1;       // "want to" / "can" before it, or -1
    NounPhrase object;    // Transitive
    PrepPhrase complement;  // Complement (the verb's preposition) or BeLocation
    int adjective = -1;   // BeAdjective
    int profession = -1;  // BeProfession
    PrepPhrase extra;     // optional locative phrase at the end
    bool question = false;  // yes/no question: "does he sleep" -> "est-ce qu'il dort"
    int participle = -1;  // Passive: "was signed"
    PrepPhrase topic;     // Passive: "the agreement on the ... area"
    int month = -1;       // Passive date: "in august 1992", "in 1992", "in may"
    int year = -1;
    int phrase = -1;      // Phrase: a fixed expression ("how are you")
};

struct Agreement {
    int person = 3;
    bool plural = false;
    bool feminine = false;
    size_t formIndex() const { return static_cast<size_t>(person - 1 + (plural ? 3 : 0)); }
    bool thirdSingular() const { return person == 3 && !plural; }
};

const std::string& englishForm(const Lexicon::Verb& v, const Agreement& a) {
    if (a.person == 1 && !a.plural && !v.en1sg.empty()) return v.en1sg;
    return a.thirdSingular() ? v.en3sg : v.en;
}

// ---- Realization: Clause -> SentencePair ----

enum class Role { None, Definite, PrepA, PrepDe };

struct FrenchToken {
    std::string text;
    std::string vowelText;  // form before a vowel; ending in ' it fuses with the next word
    std::vector<int> src;   // English word indices
    Role role = Role::None;
};

// à le -> au, à les -> aux, de le -> du, de les -> des; nullptr when no contraction.
const char* contraction(const FrenchToken& prep, const FrenchToken& article) {
    if (article.role != Role::Definite) return nullptr;
    const bool le = article.text == "le", les = article.text == "les";
    if (prep.role == Role::PrepA) return le ? "au" : les ? "aux" : nullptr;
    if (prep.role == Role::PrepDe) return le ? "du" : les ? "des" : nullptr;
    return nullptr;
}

class Realizer {
public:
    explicit Realizer(const Lexicon& lexicon) : mLex(lexicon) {}

    SentencePair operator()(const Clause& c) {
        if (c.kind == Kind::Phrase) {
            const auto& ph = mLex.phrases[static_cast<size_t>(c.phrase)];
            return SentencePair{joinWords(splitWords(ph.en)), joinWords(splitWords(ph.fr)), ph.alignment};
        }
        if (c.kind == Kind::Passive) {
            passive(c);
            return finish();
        }
        const Agreement a = agreement(c.subject);
        const bool be = c.kind == Kind::BeAdjective || c.kind == Kind::BeProfession || c.kind == Kind::BeLocation;
        const auto& copula = mLex.verbs[static_cast<size_t>(mLex.copula)];
        int front = -1;  // a question's first English word: is, do, does, can
        if (c.question) {
            const auto* modal = c.modal >= 0 ? &mLex.verbs[static_cast<size_t>(c.modal)] : nullptr;
            if (be) front = english(englishForm(copula, a));
            else if (modal && !modal->modalTo) front = english(englishForm(*modal, a));
            else front = english(a.thirdSingular() ? "does" : "do");
            // est-ce que + the statement; "est-ce que" links to the fronted word.
            french("est-ce", {front});
            french("que", {front}, Role::None, "qu'");
        }
        subject(c.subject);
        if (be) {
            const int beWord = c.question ? front : english(englishForm(copula, a));
            const int notWord = c.negated ? english("not") : -1;
            if (c.negated) french("ne", {notWord}, Role::None, "n'");
            french(copula.fr[a.formIndex()], {beWord});
            if (c.negated) french("pas", {notWord});
            if (c.kind == Kind::BeAdjective) {
                const auto& adj = mLex.adjectives[static_cast<size_t>(c.adjective)];
                french(adjectiveForm(adj, a.feminine, a.plural), {english(adj.en)});
            } else if (c.kind == Kind::BeProfession) {
                const auto& p = mLex.professions[static_cast<size_t>(c.profession)];
                if (!a.plural) english(indefiniteArticle(p.en));  // French has no article here
                french(professionForm(p, a.feminine, a.plural), {english(a.plural ? p.enPl : p.en)});
            } else {
                prepPhrase(c.complement);
            }
        } else {
            verbGroup(c, a, front);
            if (c.kind == Kind::Transitive) {
                const auto& verb = mLex.verbs[static_cast<size_t>(c.verb)];
                const Bare bare = verb.generic ? Bare::Definite : c.negated ? Bare::De : Bare::Partitive;
                nounPhrase(c.object, c.negated, -1, bare);
            }
            if (c.kind == Kind::Complement) prepPhrase(c.complement);
        }
        if (c.extra.prep >= 0) prepPhrase(c.extra);
        return finish();
    }

private:
    // What French writes for a noun phrase without English article.
    enum class Bare { Definite, Partitive, De };  // le lait | du lait | (pas) de lait

    int english(const std::string& word) {
        mEnglish.push_back(word);
        return static_cast<int>(mEnglish.size()) - 1;
    }

    std::vector<int> english(const std::vector<std::string>& words) {
        std::vector<int> indices;
        for (const auto& w : words) indices.push_back(english(w));
        return indices;
    }

    void french(const std::string& word, std::vector<int> src, Role role = Role::None, std::string vowelText = {}) {
        mFrench.push_back(FrenchToken{word, std::move(vowelText), std::move(src), role});
    }

    const std::string& indefiniteArticle(const std::string& nextWord) const {
        const auto& d = mLex.determiners[static_cast<size_t>(mLex.indefinite)];
        return !d.enVowel.empty() && englishVowelStart(nextWord) ? d.enVowel : d.en;
    }

    Agreement agreement(const Subject& s) const {
        if (s.pronoun < 0)
            return Agreement{3, s.np.plural, mLex.nouns[static_cast<size_t>(s.np.noun)].feminine};
        const auto& p = mLex.pronouns[static_cast<size_t>(s.pronoun)];
        return Agreement{p.person, p.plural, p.feminine};
    }

    Agreement subject(const Subject& s) {
        if (s.pronoun < 0) return nounPhrase(s.np, false, -1);
        const auto& p = mLex.pronouns[static_cast<size_t>(s.pronoun)];
        french(p.fr, {english(p.en)}, Role::None, p.frVowel);
        return Agreement{p.person, p.plural, p.feminine};
    }

    // English: determiner, adjectives by rank, noun. French: determiner, adjective placed
    // before, noun, adjectives placed after (the one nearest the English noun first).
    // `negatedObject`: an indefinite article becomes "de" ("pas de chat"). `deToken`:
    // index of a preposition "de" right before, which absorbs a plural indefinite article
    // ("près de" + "des chats" -> "près de chats"). A phrase without English article
    // (det -1) writes `bare` in French, linked to the noun.
    Agreement nounPhrase(const NounPhrase& np, bool negatedObject, int deToken, Bare bare = Bare::Definite) {
        const auto& noun = mLex.nouns[static_cast<size_t>(np.noun)];
        const bool pl = np.plural, fem = noun.feminine;

        std::vector<int> adjectives;
        for (int a : {np.before, np.after, np.after2})
            if (a >= 0) adjectives.push_back(a);
        auto rankOf = [&](int x) { return mLex.adjectives[static_cast<size_t>(x)].rank; };
        std::stable_sort(adjectives.begin(), adjectives.end(), [&](int x, int y) { return rankOf(x) < rankOf(y); });
        const std::string& enNoun = pl ? noun.enPl : noun.en;
        const std::string& next = adjectives.empty() ? enNoun : mLex.adjectives[static_cast<size_t>(adjectives[0])].en;
        int detWord = -1;
        const Lexicon::Determiner* det = np.det >= 0 ? &mLex.determiners[static_cast<size_t>(np.det)] : nullptr;
        const bool indefinite = det && det->kind == DeterminerKind::Indefinite;
        if (det) {
            std::string enDet = pl ? det->enPl : indefinite ? indefiniteArticle(next) : det->en;
            if (pl && negatedObject && !det->enNegPl.empty()) enDet = det->enNegPl;  // "not ... any cats"
            detWord = english(enDet);
        }
        std::map<int, int> adjectiveWord;
        for (int a : adjectives) adjectiveWord[a] = english(mLex.adjectives[static_cast<size_t>(a)].en);
        const int nounWord = english(enNoun);

        const auto& definite = mLex.determiners[static_cast<size_t>(mLex.determinersByKind[0].front())];
        if (!det) {
            if (bare == Bare::De) {
                french("de", {nounWord}, Role::None, "d'");
            } else {
                if (bare == Bare::Partitive) french("de", {nounWord}, Role::PrepDe, "d'");
                french(pl ? definite.pl : fem ? definite.f : definite.m, {nounWord}, Role::Definite,
                       pl ? std::string() : fem ? definite.fVowel : definite.mVowel);
            }
        } else if (indefinite && pl && deToken >= 0) {
            mFrench[static_cast<size_t>(deToken)].src.push_back(detWord);
        } else if (indefinite && (negatedObject || (pl && np.before >= 0))) {
            french("de", {detWord}, Role::None, "d'");
        } else {
            const std::string& text = pl ? det->pl : fem ? det->f : det->m;
            const std::string& vowel = pl ? std::string() : fem ? det->fVowel : det->mVowel;
            french(text, {detWord}, det->kind == DeterminerKind::Definite ? Role::Definite : Role::None, vowel);
        }
        if (np.before >= 0) {
            const auto& adj = mLex.adjectives[static_cast<size_t>(np.before)];
            french(adjectiveForm(adj, fem, pl), {adjectiveWord[np.before]}, Role::None,
                   !pl && !fem ? adj.mVowel : std::string());
        }
        french(pl ? noun.frPl : noun.fr, {nounWord});
        std::vector<int> after;
        for (int a : {np.after, np.after2})
            if (a >= 0) after.push_back(a);
        std::stable_sort(after.begin(), after.end(), [&](int x, int y) { return rankOf(x) > rankOf(y); });
        for (int a : after) french(adjectiveForm(mLex.adjectives[static_cast<size_t>(a)], fem, pl), {adjectiveWord[a]});
        return Agreement{3, pl, fem};
    }

    void prepPhrase(const PrepPhrase& pp) {
        const auto& prep = mLex.prepositions[static_cast<size_t>(pp.prep)];
        const int prepWord = english(prep.en);
        int deToken = -1;  // set when the French preposition ends in "de"
        for (const auto& w : splitWords(prep.fr)) {
            deToken = -1;
            if (w == "à") {
                french(w, {prepWord}, Role::PrepA);
            } else if (w == "de") {
                french(w, {prepWord}, Role::PrepDe, "d'");
                deToken = static_cast<int>(mFrench.size()) - 1;
            } else {
                french(w, {prepWord});
            }
        }
        nounPhrase(pp.np, false, deToken, Bare::Definite);
    }

    // The finite verb (or modal + infinitive), with negation around the finite verb:
    // "does not sleep" -> "ne dort pas", "cannot eat" -> "ne peut pas manger". In a
    // question the English finite word was written first (`front`: do, does, can).
    void verbGroup(const Clause& c, const Agreement& a, int front) {
        const auto& verb = mLex.verbs[static_cast<size_t>(c.verb)];
        const auto& finite = c.modal >= 0 ? mLex.verbs[static_cast<size_t>(c.modal)] : verb;
        std::vector<int> finiteWords;
        int notWord = -1;
        if (c.question) {
            finiteWords = !finite.modalTo && c.modal >= 0 ? std::vector<int>{front} : english(finite.enWords);
        } else if (c.negated && !finite.enNeg.empty()) {
            notWord = english(finite.enNeg);
            finiteWords = {notWord};
        } else if (c.negated) {
            english(a.thirdSingular() ? "does" : "do");  // no French word for it
            notWord = english("not");
            finiteWords = english(finite.enWords);
        } else {
            finiteWords = english(splitWords(englishForm(finite, a)));
        }
        if (c.negated) french("ne", {notWord}, Role::None, "n'");
        french(finite.fr[a.formIndex()], finiteWords);
        if (c.negated) french("pas", {notWord});
        if (c.modal >= 0) {
            if (finite.modalTo) english("to");
            french(verb.inf, english(verb.enWords));
        }
    }

    // "the agreement on the european area was not signed in august 1992"
    // -> "l'accord sur la zone européenne n'a pas été signé en août 1992".
    void passive(const Clause& c) {
        const auto& P = mLex.passive;
        const Agreement a = nounPhrase(c.subject.np, false, -1);
        if (c.topic.prep >= 0) prepPhrase(c.topic);
        const int was = english(a.plural ? P.enPl : P.en);
        const int notWord = c.negated ? english("not") : -1;
        if (c.negated) french("ne", {notWord}, Role::None, "n'");
        french(a.plural ? P.frPl : P.fr, {was});
        if (c.negated) french("pas", {notWord});
        french(P.been, {was});
        const auto& part = mLex.participles[static_cast<size_t>(c.participle)];
        french(a.plural ? (a.feminine ? part.fPl : part.mPl) : (a.feminine ? part.f : part.m), {english(part.en)});
        french(P.dateFr, {english(P.dateEn)});
        if (c.month >= 0) {
            const auto& m = mLex.months[static_cast<size_t>(c.month)];
            french(m.fr, {english(m.en)});
        }
        if (c.year >= 0) {
            const std::string y = std::to_string(c.year);
            french(y, {english(y)});
        }
    }

    // Right to left, so each token sees the final form of the word after it.
    SentencePair finish() {
        std::vector<FrenchToken> words;  // reversed
        for (size_t i = mFrench.size(); i-- > 0;) {
            FrenchToken token = mFrench[i];
            if (!words.empty()) {
                FrenchToken& next = words.back();
                if (const char* fused = contraction(token, next)) {
                    next.text = fused;
                    next.src.insert(next.src.end(), token.src.begin(), token.src.end());
                    next.role = Role::None;
                    continue;
                }
                if (!token.vowelText.empty() && frenchVowelStart(next.text)) {
                    if (token.vowelText.back() == '\'') {
                        next.text = token.vowelText + next.text;
                        next.src.insert(next.src.end(), token.src.begin(), token.src.end());
                        next.role = token.role;
                        continue;
                    }
                    token.text = token.vowelText;
                }
            }
            words.push_back(std::move(token));
        }
        std::reverse(words.begin(), words.end());

        SentencePair pair;
        pair.source = joinWords(mEnglish);
        std::vector<std::string> texts;
        for (size_t t = 0; t < words.size(); ++t) {
            texts.push_back(words[t].text);
            auto& src = words[t].src;
            std::sort(src.begin(), src.end());
            src.erase(std::unique(src.begin(), src.end()), src.end());
            for (int s : src) pair.alignment.emplace_back(static_cast<int>(t), s);
        }
        pair.target = joinWords(texts);
        return pair;
    }

    const Lexicon& mLex;
    std::vector<std::string> mEnglish;
    std::vector<FrenchToken> mFrench;
};

// ---- Sampling: random Clause, constrained by the lexicon's tags ----

class Sampler {
public:
    // `frenchSource`: the draw is for French -> English, so it avoids English choices
    // French cannot tell apart (his/her -> son; "like milk"/"like the milk" -> "aime le
    // lait") and draws "they" as ils and as elles, which French does tell apart.
    Sampler(const Lexicon& lexicon, Rng& rng, bool frenchSource = false)
        : mLex(lexicon), mRng(rng), mFrenchSource(frenchSource) {}

    Clause clause() {
        std::array<int, kKindCount> weights = kKindWeights;  // kinds the lexicon cannot fill get 0
        auto unused = [&](Kind k) { weights[static_cast<size_t>(k)] = 0; };
        if (mLex.intransitiveVerbs.empty()) unused(Kind::Intransitive);
        if (mLex.transitiveVerbs.empty()) unused(Kind::Transitive);
        if (mLex.complementVerbs.empty()) unused(Kind::Complement);
        if (mLex.adjectives.empty()) unused(Kind::BeAdjective);
        if (mLex.professions.empty()) unused(Kind::BeProfession);
        if (mLex.locatives.empty()) unused(Kind::BeLocation);
        if (mLex.participles.empty()) unused(Kind::Passive);
        if (mLex.phrases.empty()) unused(Kind::Phrase);

        Clause c;
        c.kind = static_cast<Kind>(weighted(mRng, weights));
        c.negated = chance(mRng, kNegatedPercent);
        switch (c.kind) {
        case Kind::Intransitive:
        case Kind::Transitive:
        case Kind::Complement: {
            const auto& verbs = c.kind == Kind::Intransitive ? mLex.intransitiveVerbs
                                : c.kind == Kind::Transitive ? mLex.transitiveVerbs
                                                             : mLex.complementVerbs;
            c.verb = pick(mRng, verbs);
            const auto& verb = mLex.verbs[static_cast<size_t>(c.verb)];
            TagMask subjectTags = verb.subject;
            if (!mLex.modals.empty() && chance(mRng, kModalPercent)) {
                const int modal = pick(mRng, mLex.modals);
                const TagMask both = subjectTags & mLex.verbs[static_cast<size_t>(modal)].subject;
                if (both) {
                    c.modal = modal;
                    subjectTags = both;
                }
            }
            c.subject = subject(subjectTags);
            if (c.kind == Kind::Transitive) {
                c.object = nounPhrase(verb.object);
                const bool bareOk = mLex.nouns[static_cast<size_t>(c.object.noun)].mass;
                // French source: "aime le lait" is read "like milk", never "like the milk".
                const bool definite = mLex.determiners[static_cast<size_t>(c.object.det)].kind == DeterminerKind::Definite;
                if (bareOk && (chance(mRng, kBareMassPercent) || (mFrenchSource && verb.generic && definite)))
                    c.object.det = -1;
            }
            if (c.kind == Kind::Complement) c.complement = prepPhrase(verb.complementPrep, verb.complementTags);
            break;
        }
        case Kind::BeAdjective:
            c.adjective = static_cast<int>(below(mRng, mLex.adjectives.size()));
            c.subject = subject(mLex.adjectives[static_cast<size_t>(c.adjective)].tags);
            break;
        case Kind::BeProfession:
            c.profession = static_cast<int>(below(mRng, mLex.professions.size()));
            c.subject = subject(mLex.person);
            break;
        case Kind::BeLocation:
            c.complement = locative();
            c.subject = subject(~TagMask(0), mLex.place);  // anything but a place
            break;
        case Kind::Passive: {
            const auto& P = mLex.passive;
            c.participle = static_cast<int>(below(mRng, mLex.participles.size()));
            c.subject.np = nounPhrase(mLex.participles[static_cast<size_t>(c.participle)].subject);
            if (P.topicPrep >= 0 && P.topicTags && chance(mRng, kTopicPercent))
                c.topic = prepPhrase(P.topicPrep, P.topicTags);
            const size_t date = below(mRng, 20);  // month and year, year, month: 12 : 5 : 3
            if (date < 15) c.year = P.firstYear + static_cast<int>(below(mRng, static_cast<size_t>(P.lastYear - P.firstYear + 1)));
            if ((date < 12 || date >= 17) && !mLex.months.empty()) c.month = static_cast<int>(below(mRng, mLex.months.size()));
            if (c.month < 0 && c.year < 0) c.year = P.firstYear;
            break;
        }
        case Kind::Phrase:
            c.phrase = static_cast<int>(below(mRng, mLex.phrases.size()));
            c.negated = false;
            break;
        }
        if (static_cast<size_t>(c.kind) < 6 && chance(mRng, kQuestionPercent)) {
            c.question = true;
            c.negated = false;
        }
        if (!mLex.locatives.empty() && chance(mRng, kExtraPhrasePercent[static_cast<size_t>(c.kind)]))
            c.extra = locative();
        return c;
    }

private:
    // A pronoun (when persons are allowed) or a noun phrase with a noun tagged `allowed`
    // and not `excluded`.
    Subject subject(TagMask allowed, TagMask excluded = 0) {
        Subject s;
        const bool personOk = (allowed & mLex.person) && !(excluded & mLex.person);
        if (personOk && chance(mRng, kPronounPercent)) {
            // An English pronoun with several French readings ("they": ils | elles) is
            // generated as its first one, the generic masculine: the source cannot tell
            // them apart, so a corpus with both would ask the model to guess. French
            // sources draw both (both read "they").
            const size_t drawn = static_cast<size_t>(below(mRng, mLex.pronouns.size()));
            s.pronoun = mFrenchSource ? static_cast<int>(drawn) : mLex.pronounByEn.at(mLex.pronouns[drawn].en).front();
        }
        else
            s.np = nounPhrase(allowed, excluded);
        return s;
    }

    NounPhrase nounPhrase(TagMask allowed, TagMask excluded = 0) {
        std::vector<int> candidates;
        for (size_t i = 0; i < mLex.nouns.size(); ++i)
            if ((mLex.nouns[i].tags & allowed) && !(mLex.nouns[i].tags & excluded))
                candidates.push_back(static_cast<int>(i));
        if (candidates.empty())  // the lexicon checks make this unreachable; stay total
            for (size_t i = 0; i < mLex.nouns.size(); ++i) candidates.push_back(static_cast<int>(i));

        NounPhrase np;
        np.noun = pick(mRng, candidates);
        const auto& noun = mLex.nouns[static_cast<size_t>(np.noun)];
        np.plural = !noun.singular && chance(mRng, kPluralPercent);

        std::array<int, 4> weights = kDeterminerWeights;
        for (size_t k = 0; k < weights.size(); ++k)
            if (mLex.determinersByKind[k].empty()) weights[k] = 0;
        if (noun.mass) weights[static_cast<size_t>(DeterminerKind::Indefinite)] = 0;
        const auto& ofKind = mLex.determinersByKind[weighted(mRng, weights)];
        np.det = pick(mRng, ofKind);
        if (mFrenchSource && mLex.determinerRepeatsFrench[static_cast<size_t>(np.det)]) np.det = ofKind.front();

        std::vector<int> before, after;
        for (size_t i = 0; i < mLex.adjectives.size(); ++i)
            if (mLex.adjectives[i].tags & noun.tags)
                (mLex.adjectives[i].before ? before : after).push_back(static_cast<int>(i));
        const size_t count = weighted(mRng, kAdjectiveCountWeights);
        if (count == 1 && before.size() + after.size() > 0) {
            const size_t i = below(mRng, before.size() + after.size());
            (i < before.size() ? np.before : np.after) = i < before.size() ? before[i] : after[i - before.size()];
        } else if (count == 2 && !before.empty() && !after.empty()) {
            // One on each side of the French noun, of different English ranks so the
            // English order is a natural one ("the happy little cat").
            np.before = pick(mRng, before);
            const int rank = mLex.adjectives[static_cast<size_t>(np.before)].rank;
            std::vector<int> others;
            for (int a : after)
                if (mLex.adjectives[static_cast<size_t>(a)].rank != rank) others.push_back(a);
            if (!others.empty()) np.after = pick(mRng, others);
        } else if (count == 2 && before.empty() && after.size() >= 2) {
            // Two after the French noun, mirrored: "the european economic area" ->
            // "la zone économique européenne".
            np.after = pick(mRng, after);
            const int rank = mLex.adjectives[static_cast<size_t>(np.after)].rank;
            std::vector<int> others;
            for (int a : after)
                if (mLex.adjectives[static_cast<size_t>(a)].rank != rank) others.push_back(a);
            if (!others.empty()) np.after2 = pick(mRng, others);
        }
        return np;
    }

    // A phrase of preposition `prep`; nouns the preposition takes bare ("to school")
    // lose their article and their plural.
    PrepPhrase prepPhrase(int prep, TagMask tags) {
        PrepPhrase pp{prep, nounPhrase(tags)};
        if (mLex.prepositions[static_cast<size_t>(prep)].bare & mLex.nouns[static_cast<size_t>(pp.np.noun)].tags) {
            pp.np.det = -1;
            pp.np.plural = false;
        }
        return pp;
    }

    PrepPhrase locative() {
        const int prep = pick(mRng, mLex.locatives);
        return prepPhrase(prep, mLex.prepositions[static_cast<size_t>(prep)].locative);
    }

    const Lexicon& mLex;
    Rng& mRng;
    bool mFrenchSource = false;
};

// ---- Parsing English of the grammar back into a Clause ----

class Parser {
public:
    Parser(const Lexicon& lexicon, const std::vector<std::string>& words) : mLex(lexicon), mWords(words) {}

    // The clause (a "they" subject reads as the first pronoun entry), or false with
    // message() set.
    bool clause(Clause& c) {
        if (const auto ph = mLex.phraseByEn.find(joinWords(mWords)); ph != mLex.phraseByEn.end()) {
            c.kind = Kind::Phrase;
            c.phrase = ph->second;
            return true;
        }
        const auto& be = mLex.verbs[static_cast<size_t>(mLex.copula)];
        auto isBe = [&](const std::string& w) { return w == be.en || w == be.en3sg || (!be.en1sg.empty() && w == be.en1sg); };
        // A yes/no question puts be, do/does or can first.
        bool beFirst = false;
        if (isBe(peek()) && !atEnd()) {
            c.question = beFirst = true;
            ++mAt;
        } else if (peek() == "do" || peek() == "does") {
            c.question = true;
            ++mAt;
        } else {
            for (int m : mLex.modals) {
                const auto& v = mLex.verbs[static_cast<size_t>(m)];
                if (!v.modalTo && (peek() == v.en || peek() == v.en3sg)) {
                    c.question = true;
                    c.modal = m;
                    ++mAt;
                    break;
                }
            }
        }
        if (const auto p = mLex.pronounByEn.find(peek()); p != mLex.pronounByEn.end()) {
            c.subject.pronoun = p->second.front();
            ++mAt;
        } else if (!nounPhrase(c.subject.np, false)) {
            return false;
        }
        if (!c.question && c.subject.pronoun < 0 && (peek() == mLex.passive.en || peek() == mLex.passive.enPl ||
                                                     (mLex.passive.topicPrep >= 0 && peek() == topicPrep())))
            return passive(c);
        if (beFirst || (!c.question && isBe(peek()))) {
            if (!beFirst) ++mAt;
            if (!c.question && peek() == "not") {
                c.negated = true;
                ++mAt;
            }
            if (!beComplement(c)) return false;
        } else if (!verbGroup(c)) {
            return false;
        }
        if (!atEnd() && mLex.prepositionByEn.count(peek()) && !prepPhrase(c.extra)) return false;
        if (!atEnd()) return fail("the end of the sentence");
        return true;
    }

    const std::string& message() const { return mError; }

private:
    bool atEnd() const { return mAt >= mWords.size(); }
    const std::string& peek(size_t ahead = 0) const {
        static const std::string kNone;
        return mAt + ahead < mWords.size() ? mWords[mAt + ahead] : kNone;
    }
    const std::string& topicPrep() const { return mLex.prepositions[static_cast<size_t>(mLex.passive.topicPrep)].en; }

    bool fail(const std::string& expected) {
        mError = "expected " + expected + " at word " + std::to_string(mAt + 1) +
                 (atEnd() ? std::string(" (the sentence ended)") : " ('" + peek() + "')");
        return false;
    }

    // `bare`: the phrase may go without determiner; the caller checks that its noun may.
    bool nounPhrase(NounPhrase& np, bool bare) {
        const auto det = mLex.determinerByEn.find(peek());
        if (det != mLex.determinerByEn.end()) {
            np.det = det->second;
            ++mAt;
        } else if (bare) {
            np.det = -1;
        } else {
            return fail("a pronoun or a determiner (the, a, my, this...)");
        }
        for (auto adj = mLex.adjectiveByEn.find(peek()); adj != mLex.adjectiveByEn.end();
             adj = mLex.adjectiveByEn.find(peek())) {
            const bool before = mLex.adjectives[static_cast<size_t>(adj->second)].before;
            int& slot = before ? np.before : np.after >= 0 ? np.after2 : np.after;
            if (slot >= 0) return fail("a noun (at most one adjective before the French noun and two after it)");
            slot = adj->second;
            ++mAt;
        }
        const auto noun = mLex.nounByEn.find(peek());
        if (noun == mLex.nounByEn.end()) return fail(np.det < 0 ? "a determiner (the, a, my, this...) or a noun" : "a noun");
        np.noun = noun->second.first;
        np.plural = noun->second.second;
        ++mAt;
        return true;
    }

    bool prepPhrase(PrepPhrase& pp) {
        const auto prep = mLex.prepositionByEn.find(peek());
        if (prep == mLex.prepositionByEn.end()) return fail("a preposition");
        pp.prep = prep->second;
        ++mAt;
        const TagMask bare = mLex.prepositions[static_cast<size_t>(pp.prep)].bare;
        if (!nounPhrase(pp.np, bare != 0)) return false;
        const bool takesBare = (mLex.nouns[static_cast<size_t>(pp.np.noun)].tags & bare) != 0;
        if (takesBare != (pp.np.det < 0)) {
            --mAt;
            return fail(takesBare ? "no article before '" + peek() + "' after '" + mLex.prepositions[static_cast<size_t>(pp.prep)].en + "'"
                                  : "a determiner (the, a, my, this...) before '" + peek() + "'");
        }
        return true;
    }

    // After "is" / "is not": an adjective, "a" + profession, professions, or a place.
    bool beComplement(Clause& c) {
        if (const auto a = mLex.adjectiveByEn.find(peek()); a != mLex.adjectiveByEn.end()) {
            c.kind = Kind::BeAdjective;
            c.adjective = a->second;
            ++mAt;
            return true;
        }
        const auto det = mLex.determinerByEn.find(peek());
        const bool article = det != mLex.determinerByEn.end() && det->second == mLex.indefinite;
        if (const auto p = mLex.professionByEn.find(peek(article ? 1 : 0)); p != mLex.professionByEn.end()) {
            c.kind = Kind::BeProfession;
            c.profession = p->second.first;
            mAt += article ? 2 : 1;
            return true;
        }
        if (mLex.prepositionByEn.count(peek())) {
            c.kind = Kind::BeLocation;
            return prepPhrase(c.complement);
        }
        return fail("an adjective, a profession or a preposition");
    }

    // Longest English form of a verb of `role` starting at the current word, or -1.
    int matchVerb(VerbRole role) {
        int best = -1;
        size_t bestLength = 0;
        for (size_t i = 0; i < mLex.verbs.size(); ++i) {
            const auto& v = mLex.verbs[i];
            if (v.role != role) continue;
            for (const auto* words : {&v.enWords, &v.en3sgWords}) {
                bool match = words->size() > bestLength;
                for (size_t k = 0; match && k < words->size(); ++k) match = peek(k) == (*words)[k];
                if (match) {
                    best = static_cast<int>(i);
                    bestLength = words->size();
                }
            }
        }
        mAt += bestLength;
        return best;
    }

    bool verbGroup(Clause& c) {
        if (!c.question && (peek() == "do" || peek() == "does") && peek(1) == "not") {
            c.negated = true;
            mAt += 2;
        }
        for (int m : mLex.modals) {
            const std::string& cannot = mLex.verbs[static_cast<size_t>(m)].enNeg;
            if (!c.question && !c.negated && !cannot.empty() && peek() == cannot) {
                c.modal = m;
                c.negated = true;
                ++mAt;
            }
        }
        if (c.modal < 0) c.modal = matchVerb(VerbRole::Modal);
        if (c.modal >= 0 && mLex.verbs[static_cast<size_t>(c.modal)].modalTo) {
            if (peek() != "to") return fail("'to'");
            ++mAt;
        }
        c.verb = matchVerb(VerbRole::Lexical);
        if (c.verb < 0) return fail("a verb");
        const auto& verb = mLex.verbs[static_cast<size_t>(c.verb)];
        const bool bareNoun = !mLex.determinerByEn.count(peek()) &&
                              (mLex.adjectiveByEn.count(peek()) || mLex.nounByEn.count(peek()));
        if (mLex.determinerByEn.count(peek()) || bareNoun) {
            if (!verb.object) return fail("no object after '" + verb.en + "'; a preposition or the end");
            c.kind = Kind::Transitive;
            if (!nounPhrase(c.object, true)) return false;
            if (c.object.det < 0 && !mLex.nouns[static_cast<size_t>(c.object.noun)].mass) {
                --mAt;
                return fail("a determiner before '" + peek() + "' (only mass nouns such as milk go without)");
            }
            return true;
        }
        if (verb.complementPrep >= 0 && peek() == mLex.prepositions[static_cast<size_t>(verb.complementPrep)].en) {
            c.kind = Kind::Complement;
            return prepPhrase(c.complement);
        }
        if (!verb.intransitive) return fail("an object or a complement after '" + verb.en + "'");
        c.kind = Kind::Intransitive;
        return true;
    }

    // After the subject: [on NP] was|were [not] participle in [month] [year].
    bool passive(Clause& c) {
        c.kind = Kind::Passive;
        if (mLex.passive.topicPrep >= 0 && peek() == topicPrep() && !prepPhrase(c.topic)) return false;
        if (peek() != mLex.passive.en && peek() != mLex.passive.enPl)
            return fail("'" + mLex.passive.en + "' or '" + mLex.passive.enPl + "'");
        ++mAt;
        if (peek() == "not") {
            c.negated = true;
            ++mAt;
        }
        const auto part = mLex.participleByEn.find(peek());
        if (part == mLex.participleByEn.end()) return fail("a participle (signed, written...)");
        c.participle = part->second;
        ++mAt;
        if (peek() != mLex.passive.dateEn) return fail("'" + mLex.passive.dateEn + "' and a date");
        ++mAt;
        if (const auto m = mLex.monthByEn.find(peek()); m != mLex.monthByEn.end()) {
            c.month = m->second;
            ++mAt;
        }
        const std::string& y = peek();
        if (y.size() == 4 && std::all_of(y.begin(), y.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
            const int year = std::stoi(y);
            if (year < mLex.passive.firstYear || year > mLex.passive.lastYear)
                return fail("a year from " + std::to_string(mLex.passive.firstYear) + " to " +
                            std::to_string(mLex.passive.lastYear));
            c.year = year;
            ++mAt;
        }
        if (c.month < 0 && c.year < 0) return fail("a month or a year");
        if (!atEnd()) return fail("the end of the sentence");
        return true;
    }

    const Lexicon& mLex;
    const std::vector<std::string>& mWords;
    size_t mAt = 0;
    std::string mError;
};

// ---- Parsing French of the grammar back into Clauses ----
//
// The French is first cut into atoms that undo the realizer's last pass: elided words
// stand alone again (l'homme -> l' homme, qu'il -> qu' il) and contractions open up
// (au -> à le, aux -> à les, du -> de le; "des" stays, it is an article or de + les). The
// parser then tries every structure the atoms allow, depth first (continuation-passing,
// so each ambiguity is a branch), and hands each complete Clause to a callback; the
// caller keeps those whose French, written again, is the input.
class FrenchParser {
public:
    using Done = std::function<void(const Clause&)>;

    FrenchParser(const Lexicon& lexicon, std::vector<std::string> atoms) : mLex(lexicon), mAtoms(std::move(atoms)) {}

    static std::vector<std::string> atomize(const std::vector<std::string>& words) {
        std::vector<std::string> atoms;
        for (std::string w : words) {
            for (const char* prefix : {"l'", "j'", "n'", "d'", "qu'"}) {
                const size_t n = std::strlen(prefix);
                if (w.size() > n && w.compare(0, n, prefix) == 0) {
                    atoms.push_back(prefix);
                    w = w.substr(n);
                    break;
                }
            }
            if (w == "au") atoms.insert(atoms.end(), {"à", "le"});
            else if (w == "aux") atoms.insert(atoms.end(), {"à", "les"});
            else if (w == "du") atoms.insert(atoms.end(), {"de", "le"});
            else atoms.push_back(w);
        }
        return atoms;
    }

    void parse(const Done& done) {
        mDone = &done;
        Clause c;
        if (at(0) == "est-ce" && (at(1) == "que" || at(1) == "qu'")) {
            c.question = true;
            subject(c, 2, [&](Clause s, size_t i) { predicate(s, i); });
        } else {
            subject(c, 0, [&](Clause s, size_t i) {
                predicate(s, i);
                if (s.subject.pronoun < 0) passive(s, i);
            });
        }
    }

    // The atom where the parse got furthest, for the error message.
    size_t furthest() const { return mFurthest; }

private:
    using Next = std::function<void(Clause, size_t)>;

    const std::string& at(size_t i) {
        static const std::string kNone;
        mFurthest = std::max(mFurthest, i);
        return i < mAtoms.size() ? mAtoms[i] : kNone;
    }
    bool end(size_t i) const { return i == mAtoms.size(); }

    static bool oneOf(const std::string& a, std::initializer_list<const std::string*> forms) {
        for (const std::string* f : forms)
            if (!f->empty() && a == *f) return true;
        return false;
    }

    void subject(Clause c, size_t i, const Next& next) {
        for (size_t p = 0; p < mLex.pronouns.size(); ++p) {
            const auto& pr = mLex.pronouns[p];
            if (oneOf(at(i), {&pr.fr, &pr.frVowel})) {
                c.subject.pronoun = static_cast<int>(p);
                next(c, i + 1);
            }
        }
        c.subject.pronoun = -1;
        nounPhrase(i, NpContext::Subject, [&](const NounPhrase& np, size_t j) {
            c.subject.np = np;
            next(c, j);
        });
    }

    enum class NpContext { Subject, Object, GenericObject, AfterA, AfterDe };
    using NpNext = std::function<void(const NounPhrase&, size_t)>;

    // Article forms: "le/la/l'/les/un/.../ce", "de/d'" (an indefinite in French clothes),
    // partitive "de" + "le" (a bare mass object), or none (after a preposition "de" that
    // absorbed "des", or a bare institution after "à").
    void nounPhrase(size_t i, NpContext ctx, const NpNext& next) {
        const std::string& a = at(i);
        const bool object = ctx == NpContext::Object || ctx == NpContext::GenericObject;
        for (size_t d = 0; d < mLex.determiners.size(); ++d) {
            const auto& det = mLex.determiners[d];
            if (oneOf(a, {&det.m, &det.mVowel, &det.f, &det.fVowel, &det.pl})) {
                const bool definite = det.kind == DeterminerKind::Definite;
                // A bare mass object of a generic verb, or a bare institution after à,
                // writes a definite article: try bare first (French-source data do).
                if (definite && (ctx == NpContext::GenericObject || ctx == NpContext::AfterA))
                    rest(i + 1, -1, ctx, next);
                rest(i + 1, static_cast<int>(d), ctx, next);
            }
        }
        if (a == "de" || a == "d'") {
            const std::string& b = at(i + 1);
            const auto& def = mLex.determiners[static_cast<size_t>(mLex.determinersByKind[0].front())];
            if (object && oneOf(b, {&def.m, &def.mVowel, &def.f, &def.fVowel})) rest(i + 2, -1, ctx, next);  // du lait
            if (object) rest(i + 1, -1, ctx, next);  // pas de lait
            rest(i + 1, mLex.indefinite, ctx, next);  // pas de chat, de petits chats
        }
        if (ctx == NpContext::AfterDe) rest(i, mLex.indefinite, ctx, next);  // près de chats
    }

    void rest(size_t i, int det, NpContext ctx, const NpNext& next) {
        NounPhrase np;
        np.det = det;
        // Before-adjective, noun, after-adjectives; each form may be several entries.
        std::vector<int> before = adjectivesAt(i, true);
        before.push_back(-1);
        for (int b : before) {
            const size_t j = b >= 0 ? i + 1 : i;
            for (size_t n = 0; n < mLex.nouns.size(); ++n) {
                const auto& noun = mLex.nouns[n];
                for (int plural = 0; plural < 2; ++plural) {
                    const std::string& form = plural ? noun.frPl : noun.fr;
                    if (form.empty() || at(j) != form || (plural && noun.singular)) continue;
                    if (det < 0 && ctx != NpContext::AfterA && !noun.mass) continue;
                    if (det == mLex.indefinite && noun.mass) continue;
                    np.noun = static_cast<int>(n);
                    np.plural = plural == 1;
                    np.before = b;
                    np.after = np.after2 = -1;
                    next(np, j + 1);
                    for (int a1 : adjectivesAt(j + 1, false)) {
                        np.after = a1;
                        np.after2 = -1;
                        next(np, j + 2);
                        for (int a2 : adjectivesAt(j + 2, false)) {
                            // French after-adjectives mirror English: the second here is
                            // the first in English.
                            np.after = a2;
                            np.after2 = a1;
                            next(np, j + 3);
                        }
                    }
                }
            }
        }
    }

    std::vector<int> adjectivesAt(size_t i, bool before) {
        std::vector<int> out;
        const std::string& a = at(i);
        for (size_t k = 0; k < mLex.adjectives.size(); ++k) {
            const auto& adj = mLex.adjectives[k];
            if (adj.before == before && oneOf(a, {&adj.m, &adj.mVowel, &adj.f, &adj.mPl, &adj.fPl}))
                out.push_back(static_cast<int>(k));
        }
        return out;
    }

    // A preposition's French words, then its noun phrase.
    void prepPhrase(size_t i, int only, TagMask locativeOnly, const std::function<void(const PrepPhrase&, size_t)>& next) {
        for (size_t p = 0; p < mLex.prepositions.size(); ++p) {
            const auto& prep = mLex.prepositions[p];
            if (only >= 0 && static_cast<int>(p) != only) continue;
            if (only < 0 && !(prep.locative & locativeOnly)) continue;
            const auto words = splitWords(prep.fr);
            const bool endsDe = words.back() == "de", isA = words.back() == "à";
            size_t j = i;
            bool match = true, deLes = false;
            for (size_t w = 0; w < words.size(); ++w, ++j) {
                const std::string& a = at(j);
                const bool last = w + 1 == words.size();
                if (last && endsDe && (a == "d'" || a == "des")) deLes = a == "des";  // d'un, des = de les
                else match = match && a == words[w];
            }
            if (!match) continue;
            if (deLes) --j;
            PrepPhrase pp;
            pp.prep = static_cast<int>(p);
            auto withNp = [&](const NounPhrase& np, size_t k) {
                const TagMask tags = mLex.nouns[static_cast<size_t>(np.noun)].tags;
                if (((prep.bare & tags) != 0) != (np.det < 0)) return;  // "à l'école" is "to school", never "to the school"
                if (only < 0 && !(prep.locative & tags)) return;  // a free locative takes the nouns it lists ("at home")
                pp.np = np;
                next(pp, k);
            };
            if (deLes) {  // de + les
                rest(j + 1, mLex.determinersByKind[0].front(), NpContext::AfterDe, withNp);
                continue;
            }
            nounPhrase(j, endsDe ? NpContext::AfterDe : isA ? NpContext::AfterA : NpContext::Subject, withNp);
        }
    }

    void extraAndEnd(Clause c, size_t i) {
        if (end(i)) (*mDone)(c);
        if (i < mAtoms.size() && !mLex.locatives.empty())
            prepPhrase(i, -1, ~TagMask(0), [&](const PrepPhrase& pp, size_t j) {
                if (!end(j)) return;
                Clause e = c;
                e.extra = pp;
                (*mDone)(e);
            });
    }

    // [ne] finite [pas] then what the verb takes.
    void predicate(Clause c, size_t i) {
        bool negated = false;
        if (!c.question && (at(i) == "ne" || at(i) == "n'")) {
            negated = true;
            ++i;
        }
        const std::string& finite = at(i);
        size_t j = i + 1;
        if (negated) {
            if (at(j) != "pas") return;
            ++j;
        }
        c.negated = negated;
        for (size_t v = 0; v < mLex.verbs.size(); ++v) {
            const auto& verb = mLex.verbs[v];
            if (std::find(verb.fr.begin(), verb.fr.end(), finite) == verb.fr.end()) continue;
            if (verb.role == VerbRole::Copula) {
                beComplement(c, j);
            } else if (verb.role == VerbRole::Modal) {
                for (size_t l = 0; l < mLex.verbs.size(); ++l)
                    if (mLex.verbs[l].role == VerbRole::Lexical && at(j) == mLex.verbs[l].inf) {
                        Clause m = c;
                        m.modal = static_cast<int>(v);
                        m.verb = static_cast<int>(l);
                        complements(m, j + 1);
                    }
            } else {
                Clause m = c;
                m.verb = static_cast<int>(v);
                complements(m, j);
            }
        }
    }

    void beComplement(Clause c, size_t i) {
        for (size_t a = 0; a < mLex.adjectives.size(); ++a) {
            const auto& adj = mLex.adjectives[a];
            if (oneOf(at(i), {&adj.m, &adj.f, &adj.mPl, &adj.fPl})) {
                Clause b = c;
                b.kind = Kind::BeAdjective;
                b.adjective = static_cast<int>(a);
                extraAndEnd(b, i + 1);
            }
        }
        for (size_t p = 0; p < mLex.professions.size(); ++p) {
            const auto& pr = mLex.professions[p];
            if (oneOf(at(i), {&pr.m, &pr.f, &pr.mPl, &pr.fPl})) {
                Clause b = c;
                b.kind = Kind::BeProfession;
                b.profession = static_cast<int>(p);
                extraAndEnd(b, i + 1);
            }
        }
        prepPhrase(i, -1, ~TagMask(0), [&](const PrepPhrase& pp, size_t j) {
            Clause b = c;
            b.kind = Kind::BeLocation;
            b.complement = pp;
            extraAndEnd(b, j);
        });
    }

    void complements(Clause c, size_t i) {
        const auto& verb = mLex.verbs[static_cast<size_t>(c.verb)];
        if (verb.intransitive) {
            Clause b = c;
            b.kind = Kind::Intransitive;
            extraAndEnd(b, i);
        }
        if (verb.object)
            nounPhrase(i, verb.generic ? NpContext::GenericObject : NpContext::Object, [&](const NounPhrase& np, size_t j) {
                Clause b = c;
                b.kind = Kind::Transitive;
                b.object = np;
                extraAndEnd(b, j);
            });
        if (verb.complementPrep >= 0)
            prepPhrase(i, verb.complementPrep, 0, [&](const PrepPhrase& pp, size_t j) {
                Clause b = c;
                b.kind = Kind::Complement;
                b.complement = pp;
                extraAndEnd(b, j);
            });
    }

    // [sur NP] [ne] a|ont [pas] été participle en [month] [year]
    void passive(Clause c, size_t i) {
        const auto& P = mLex.passive;
        if (mLex.participles.empty()) return;
        auto tail = [&](Clause t, size_t j) {
            bool negated = false;
            if (at(j) == "ne" || at(j) == "n'") negated = true, ++j;
            if (at(j) != P.fr && at(j) != P.frPl) return;
            ++j;
            if (negated && at(j++) != "pas") return;
            if (at(j++) != P.been) return;
            t.kind = Kind::Passive;
            t.negated = negated;
            for (size_t p = 0; p < mLex.participles.size(); ++p) {
                const auto& part = mLex.participles[p];
                if (!oneOf(at(j), {&part.m, &part.f, &part.mPl, &part.fPl}) || at(j + 1) != P.dateFr) continue;
                Clause d = t;
                d.participle = static_cast<int>(p);
                size_t k = j + 2;
                for (size_t m = 0; m < mLex.months.size(); ++m)
                    if (at(k) == mLex.months[m].fr) d.month = static_cast<int>(m);
                if (d.month >= 0) ++k;
                const std::string& y = at(k);
                if (y.size() == 4 && std::all_of(y.begin(), y.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
                    d.year = std::stoi(y);
                    ++k;
                }
                if ((d.month >= 0 || d.year >= 0) && end(k)) (*mDone)(d);
            }
        };
        tail(c, i);
        if (P.topicPrep >= 0)
            prepPhrase(i, P.topicPrep, 0, [&](const PrepPhrase& pp, size_t j) {
                Clause t = c;
                t.topic = pp;
                tail(t, j);
            });
    }

    const Lexicon& mLex;
    std::vector<std::string> mAtoms;
    const Done* mDone = nullptr;
    size_t mFurthest = 0;
};

// The adjectives fit their nouns (French alone cannot tell "économique" economical from
// economic; the tags can).
bool adjectivesFit(const Lexicon& lex, const Clause& c) {
    auto fits = [&](const NounPhrase& np) {
        for (int a : {np.before, np.after, np.after2})
            if (a >= 0 && !(lex.adjectives[static_cast<size_t>(a)].tags & lex.nouns[static_cast<size_t>(np.noun)].tags))
                return false;
        return true;
    };
    if (c.kind == Kind::Phrase) return true;
    if (c.subject.pronoun < 0 && !fits(c.subject.np)) return false;
    if (c.kind == Kind::Transitive && !fits(c.object)) return false;
    for (const PrepPhrase* pp : {&c.complement, &c.extra, &c.topic})
        if (pp->prep >= 0 && !fits(pp->np)) return false;
    if (c.kind == Kind::BeAdjective) {
        const TagMask subject = c.subject.pronoun >= 0 ? lex.person : lex.nouns[static_cast<size_t>(c.subject.np.noun)].tags;
        if (!(lex.adjectives[static_cast<size_t>(c.adjective)].tags & subject)) return false;
    }
    return true;
}

}  // namespace

// ---- EnFrGrammar ----

Result<EnFrGrammar> EnFrGrammar::load(const std::string& lexiconPath) {
    try {
        auto bytes = readFile(lexiconPath);
        if (!bytes) return error(bytes.message());
        const json root = json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
        if (root.is_discarded()) return error(lexiconPath + ": not valid JSON");
        auto lexicon = readLexicon(lexiconPath, root);
        if (!lexicon) return error(lexicon.message());
        return EnFrGrammar(std::make_shared<const Lexicon>(std::move(lexicon).value()));
    } catch (const std::exception& e) {  // allocation failure; nothing leaves the API
        return error(lexiconPath + ": " + e.what());
    }
}

SentencePair EnFrGrammar::sample(std::mt19937_64& rng) const { return sample(rng, Direction::EnFr); }

SentencePair EnFrGrammar::sample(std::mt19937_64& rng, Direction direction) const {
    Sampler sampler(*mLexicon, rng, direction == Direction::FrEn);
    SentencePair pair = Realizer(*mLexicon)(sampler.clause());
    return direction == Direction::FrEn ? reversed(std::move(pair)) : pair;
}

SentencePair reversed(SentencePair pair) {
    std::swap(pair.source, pair.target);
    for (auto& [t, s] : pair.alignment) std::swap(t, s);
    std::sort(pair.alignment.begin(), pair.alignment.end());
    return pair;
}

std::vector<SentencePair> EnFrGrammar::anchors(Direction direction) const {
    std::vector<SentencePair> out;
    for (const std::string& a : mLexicon->anchors) {
        auto pair = translate(a);
        if (pair) out.push_back(direction == Direction::FrEn ? reversed(std::move(*pair)) : std::move(*pair));
    }
    return out;
}

std::vector<SentencePair> EnFrGrammar::generate(size_t count, uint64_t seed) const {
    Rng rng(seed);
    std::vector<SentencePair> pairs;
    pairs.reserve(count);
    for (size_t i = 0; i < count; ++i) pairs.push_back(sample(rng));
    return pairs;
}

Result<CorpusSplit> EnFrGrammar::split(size_t trainSize, size_t testSize, uint64_t seed, Direction direction) const {
    Rng rng(seed);
    std::unordered_set<std::string> anchors;  // never held out
    for (const SentencePair& a : this->anchors(direction)) anchors.insert(a.source);
    CorpusSplit out;
    std::unordered_set<std::string> seen;
    const size_t maxDraws = 64 * (trainSize + testSize) + 100000;
    size_t draws = 0;
    for (; draws < maxDraws && (out.train.size() < trainSize || out.test.size() < testSize); ++draws) {
        SentencePair pair = sample(rng, direction);
        const bool test = heldOut(pair.source) && !anchors.count(pair.source);
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

Result<std::vector<SentencePair>> EnFrGrammar::translations(const std::string& english) const {
    std::string lower = english;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const std::vector<std::string> words = splitWords(lower);
    const std::string prefix = "en-fr grammar: '" + english + "': ";
    if (words.empty()) return error(prefix + "empty sentence");

    Clause clause;
    Parser parser(*mLexicon, words);
    if (!parser.clause(clause)) return error(prefix + parser.message());

    // One reading per pronoun entry with this English ("they": ils, elles).
    std::vector<int> readings = {clause.subject.pronoun};
    if (clause.subject.pronoun >= 0)
        readings = mLexicon->pronounByEn.at(mLexicon->pronouns[static_cast<size_t>(clause.subject.pronoun)].en);
    std::vector<SentencePair> pairs;
    for (int pronoun : readings) {
        clause.subject.pronoun = pronoun;
        pairs.push_back(Realizer(*mLexicon)(clause));
    }
    // The parse is loose about agreement and order; writing the English back is the check.
    const std::string canonical = joinWords(words);
    if (pairs.front().source != canonical)
        return error(prefix + "not a sentence of the grammar (it would read '" + pairs.front().source + "')");
    return pairs;
}

Result<SentencePair> EnFrGrammar::translate(const std::string& english) const {
    auto pairs = translations(english);
    if (!pairs) return error(pairs.message());
    return std::move(pairs->front());
}

Result<std::vector<SentencePair>> EnFrGrammar::frenchTranslations(const std::string& french) const {
    std::string lower = french;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const std::vector<std::string> words = splitWords(lower);
    const std::string prefix = "fr-en grammar: '" + french + "': ";
    if (words.empty()) return error(prefix + "empty sentence");
    const std::string canonical = joinWords(words);

    std::vector<SentencePair> pairs;
    std::unordered_set<std::string> seen;
    auto keep = [&](const Clause& c) {
        if (!adjectivesFit(*mLexicon, c)) return;
        SentencePair pair = Realizer(*mLexicon)(c);
        if (pair.target != canonical || !seen.insert(pair.source).second) return;
        pairs.push_back(reversed(std::move(pair)));
    };
    if (const auto ph = std::find_if(mLexicon->phrases.begin(), mLexicon->phrases.end(),
                                     [&](const Lexicon::Phrase& p) { return joinWords(splitWords(p.fr)) == canonical; });
        ph != mLexicon->phrases.end()) {
        Clause c;
        c.kind = Kind::Phrase;
        c.phrase = static_cast<int>(ph - mLexicon->phrases.begin());
        keep(c);
    }
    const std::vector<std::string> atoms = FrenchParser::atomize(words);
    FrenchParser parser(*mLexicon, atoms);
    const std::function<void(const Clause&)> done = keep;
    parser.parse(done);
    if (pairs.empty()) {
        const size_t at = std::min(parser.furthest(), atoms.size());
        return error(prefix + "not a sentence of the grammar (it reads as far as " +
                     (at < atoms.size() ? "'" + atoms[at] + "', atom " + std::to_string(at + 1) + " of " +
                                              std::to_string(atoms.size())
                                        : std::string("the end")) + ")");
    }
    return pairs;
}

// ---- Algorithmic tasks ----

Result<std::vector<IdSequencePair>> algorithmicTask(const std::string& name, size_t count, int minLen, int maxLen,
                                                    int firstId, int lastId, uint64_t seed) {
    const std::string prefix = "algorithmic task '" + name + "': ";
    if (name != "copy" && name != "reverse" && name != "sort")
        return error(prefix + "unknown task (copy | reverse | sort)");
    if (minLen < 1 || minLen > maxLen)
        return error(prefix + "lengths must satisfy 1 <= minLen <= maxLen, got " + std::to_string(minLen) + ".." +
                     std::to_string(maxLen));
    if (firstId > lastId)
        return error(prefix + "ids must satisfy firstId <= lastId, got " + std::to_string(firstId) + ".." +
                     std::to_string(lastId));
    Rng rng(seed);
    const size_t lengths = static_cast<size_t>(maxLen - minLen) + 1;
    const size_t ids = static_cast<size_t>(static_cast<int64_t>(lastId) - firstId) + 1;
    std::vector<IdSequencePair> pairs(count);
    for (auto& [source, target] : pairs) {
        source.resize(static_cast<size_t>(minLen) + below(rng, lengths));
        for (int& id : source) id = static_cast<int>(firstId + static_cast<int64_t>(below(rng, ids)));
        target = source;
        if (name == "reverse") std::reverse(target.begin(), target.end());
        if (name == "sort") std::sort(target.begin(), target.end());
    }
    return pairs;
}

}  // namespace sf::text
