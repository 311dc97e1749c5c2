// Toy parallel data for training and checking small models:
//  - EnFrGrammar: a deterministic English->French sentence generator. The grammar rules
//    (agreement, elision, contractions, negation, adjective placement) are code; the words
//    are data, read from a lexicon file (resources/lexicon/en-fr.json). Every pair carries
//    its gold word alignment, so attention heads can be scored against it.
//  - algorithmicTask: copy / reverse / sort over integer ids, for quick experiments.
//
// Sentences (English side; the French follows from the same structure):
//   clause  = subject predicate [locative-pp]
//   subject = pronoun (i you he she we they) | noun-phrase
//   noun-phrase = determiner [adjective] [adjective] noun
//       determiner: the | a/an/some | my your his her our their | this/these;
//       at most one adjective placed before the French noun (petit, beau...) and one
//       placed after it (noir, heureux...); English puts both before the noun, ordered
//       by the lexicon's en_rank ("the happy little cat" -> "le petit chat heureux").
//   predicate = verb                          "the cat sleeps"     "le chat dort"
//             | verb noun-phrase              "i like the apple"   "j'aime la pomme"
//             | verb complement               "he goes to the park" "il va au parc"
//             | want to / can + any of those  "she wants to eat"   "elle veut manger"
//             | be adjective                  "they are happy"     "elles sont heureuses"
//             | be a profession               "i am a student"     "je suis étudiant"
//             | be locative-pp                "the cat is on the bed" "le chat est sur le lit"
//   any predicate may be negated: "does not sleep" -> "ne dort pas", "is not" -> "n'est pas",
//   "cannot" -> "ne peut pas"; an indefinite object becomes "de": "je n'ai pas de chat",
//   "we do not have any cats" -> "nous n'avons pas de chats".
// Added for a first lesson (issue 13):
//   professions are nouns too       "the teacher is happy"    "le professeur est heureux"
//   a mass object may go bare       "he drinks coffee"        "il boit du café"
//     (le after like/love/hate)     "i like milk"             "j'aime le lait"
//     (de after a negation)         "he does not drink water" "il ne boit pas d'eau"
//   bare institutions after to/at   "they go to school"       "ils vont à l'école"
//                                   "we are at home"          "nous sommes à la maison"
//   yes/no questions, always with est-ce que (never inversion: one regular rule, no
//   t-euphonic, no pronoun copies):
//                                   "is the cat black"        "est-ce que le chat est noir"
//                                   "do you like milk"        "est-ce que tu aimes le lait"
//                                   "can he swim"             "est-ce qu'il peut nager"
//     est-ce and que link to the fronted English word (is, do, does, can).
//   fixed phrases (lexicon "phrases", with their alignment): "how are you" -> "comment vas-tu"
//   the passive with a date:        "the agreement on the european economic area was signed
//     in august 1992" -> "l'accord sur la zone économique européenne a été signé en août 1992"
//     (two adjectives after the French noun come in the mirror of the English order;
//     a, été -> was; en -> in; the partitive du / de la and a bare noun's article link to
//     the noun).
// English is lowercase, single spaces, no punctuation; French is lowercase with elided
// words attached ("l'homme", "j'aime", "n'est"). Conventions where English says less than
// French: "i", "you", "we" are masculine; "you" is always "tu"; "they" is "ils" or "elles"
// (the one ambiguity: translations() returns both); "some" + adjective gives "de"
// ("some little cats" -> "de petits chats").
#pragma once

#include "core/result.h"

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace sf::text {

// One sentence pair with its gold word alignment.
//
// Words are the space-separated tokens of `source` (English) and `target` (French).
// `alignment` holds (target word, source word) index pairs, sorted, without duplicates.
// Every target word has at least one pair; a source word may have none: English words
// French does not express ("do"/"does" of a negation, "to" of "want to", "a" before a
// profession). The convention:
//   - a French word made of several fused words links to the English words of each:
//       l'homme -> {the, man}   j'aime -> {i, like}   n'est -> {not, is}
//       au / aux -> {to, the}   du / des -> {from, the} or {near, the}   d'un -> {near, a}
//   - each French word of a multi-word translation links to the English word(s):
//       ne, pas -> {not}   (cannot: ne, peut, pas -> {cannot})   près, de -> {near}
//   - a French verb links to all words of a multi-word English verb: cherche -> {looks, for};
//     an infinitive links to the English verb, not to "to": manger -> {eat}
//   - "de" standing for an indefinite article (after a negation, before an adjective,
//     or "près de" + "des" -> "près de") links to that article ("a", "an", "some", "any") too.
// Example: "the little black cat sleeps" / "le petit chat noir dort":
//   le->the, petit->little, chat->cat, noir->black, dort->sleeps = {0,0} {1,1} {2,3} {3,2} {4,4}.
struct SentencePair {
    std::string source;  // English
    std::string target;  // French
    std::vector<std::pair<int, int>> alignment;  // (target word, source word)
};

// A train and a held-out test set with no source sentence in common.
struct CorpusSplit {
    std::vector<SentencePair> train;
    std::vector<SentencePair> test;
};

// Which side of the grammar is the source: EnFr pairs are (English, French); FrEn pairs
// are (French, English) with the alignment transposed, (English word, French word).
enum class Direction { EnFr, FrEn };

// The pair with source and target swapped and the alignment transposed (and sorted).
SentencePair reversed(SentencePair pair);

class EnFrGrammar {
public:
    // Reads and checks the lexicon. Errors name the file and the entry:
    // "en-fr.json: nouns[3]: missing string 'fr'".
    static Result<EnFrGrammar> load(const std::string& lexiconPath);

    // One random sentence. The same generator state gives the same sentence on every
    // platform (no std:: distributions, whose output is implementation-defined).
    SentencePair sample(std::mt19937_64& rng) const;
    // FrEn: a (French, English) pair drawn so that the French says which English it is:
    // no "her" beside "his" (both son), a generic verb's mass object is bare ("j'aime le
    // lait" is "i like milk"), and "they" is drawn as ils and as elles.
    SentencePair sample(std::mt19937_64& rng, Direction direction) const;
    // `count` sentences drawn from std::mt19937_64(seed); may repeat short sentences.
    std::vector<SentencePair> generate(size_t count, uint64_t seed) const;

    // Distinct sentences drawn from `seed`, split by a hash of the English sentence
    // (1 sentence in 8 belongs to the test side): a test sentence is never a training
    // sentence, whatever the seeds and sizes of two splits. Neither side repeats a
    // source. Fails if the grammar runs out of new sentences.
    // The lexicon's anchors (the models' example sentences) are never held out.
    Result<CorpusSplit> split(size_t trainSize, size_t testSize, uint64_t seed,
                              Direction direction = Direction::EnFr) const;
    // The lexicon's "anchors" as pairs: the example sentences a bundled model must
    // translate ("i am a student", "how are you", the agreement sentence). Training adds
    // them to the training side (they are never on the test side).
    std::vector<SentencePair> anchors(Direction direction = Direction::EnFr) const;

    // Parses an English sentence of this grammar and returns its translation(s) with
    // alignments: one, or two when the subject is "they" (ils first, then elles).
    // Fails, naming the word, on English the grammar cannot produce.
    Result<std::vector<SentencePair>> translations(const std::string& english) const;
    // The first of translations(): "they" is read as "ils".
    Result<SentencePair> translate(const std::string& english) const;
    // Parses a French sentence of this grammar and returns its English reading(s) as
    // (French, English) pairs, the alignment transposed; first the one FrEn training data
    // uses ("son chat": his cat | her cat; "j'aime le lait": i like milk | i like the
    // milk). Fails, naming the word, on French the grammar cannot produce.
    Result<std::vector<SentencePair>> frenchTranslations(const std::string& french) const;

    struct Lexicon;  // defined in corpus.cpp

private:
    explicit EnFrGrammar(std::shared_ptr<const Lexicon> lexicon) : mLexicon(std::move(lexicon)) {}
    std::shared_ptr<const Lexicon> mLexicon;  // immutable, shared by copies
};

// FNV-1a of the bytes: a fixed hash (std::hash differs between libraries), so the
// grammars' train/test splits are the same everywhere.
uint64_t fnv1a(const std::string& text);

// Source -> target id sequences. `name` is "copy", "reverse" or "sort" (ascending);
// lengths uniform in [minLen, maxLen], ids uniform in [firstId, lastId]. Deterministic
// for a seed. Errors: unknown name, minLen < 1, minLen > maxLen, firstId > lastId.
using IdSequencePair = std::pair<std::vector<int>, std::vector<int>>;
Result<std::vector<IdSequencePair>> algorithmicTask(const std::string& name, size_t count, int minLen,
                                                    int maxLen, int firstId, int lastId, uint64_t seed);

}  // namespace sf::text
