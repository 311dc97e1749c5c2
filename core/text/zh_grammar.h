// ZhGrammar: a small English<->Chinese toy grammar with gold word alignments, the
// Chinese counterpart of EnFrGrammar (corpus.h): rules in code, words in a lexicon file
// (resources/lexicon/en-zh.json). One grammar serves both directions: EnZh (English
// source, Chinese target) and ZhEn (the same pairs, sides swapped).
//
// Sentences (English, then Chinese):
//   clause  = subject predicate
//   subject = pronoun | noun-phrase
//   noun-phrase (English -> Chinese):
//       the N            -> N                  "the cat" -> 猫 (subjects and places)
//       a/an N, two N    -> 一/两 + measure + N  "a student" -> 一名学生, "two cats" -> 两只猫
//       this/that N      -> 这/那 + measure + N  "this book" -> 这本书
//       my/your/... N    -> 我的/你的/... N     "my cat" -> 我的猫
//       N-plural, mass N -> N (objects only)    "i like cats" -> 我喜欢猫, "i drink tea" -> 我喝茶
//       the/my N-plural  -> N们, 我的N们 (people only) "the children are at school" -> 孩子们在学校
//     with at most one adjective before the noun. 的: a two-character adjective takes 的,
//     a one-character one does not: "a black cat" -> 一只黑色的猫, "a big dog" -> 一只大狗.
//   predicate:
//       verb [object] [locative] [time]  "i eat rice at home" -> 我在家吃饭
//                                        "the cat sleeps on the bed" -> 猫在床上睡觉
//       want to + verb ...               "i want to sleep" -> 我想睡觉
//       be + adjective (很)              "he is happy" -> 他很高兴
//       be + colour adjective (是…的)    "the cat is black" -> 猫是黑色的
//       be + a profession                "i am a student" -> 我是一名学生
//       be + locative                    "the cat is on the table" -> 猫在桌子上
//   locative: on/under/in the N -> 在 N 上/下/里; at home, at school -> 在家, 在学校.
//   time (English last, Chinese right after the subject): today 今天, every day 每天,
//   in the morning 早上, at night 晚上.
//   negation: 不 before verbs, adjectives, 是 and 在 ("he is not happy" -> 他不高兴, 很
//   drops); 没 before 有 ("i do not have a cat" -> 我没有猫). A negated "a N" loses 一+measure
//   (我不是学生, 我没有猫), so a negated generic verb takes no indefinite object.
// Conventions: English is lowercase, single spaces, no punctuation; "they" is 他们.
// A bare count noun object is the English plural ("i read books" -> 我看书); objects are
// never "the N". Both directions are functions: every Chinese sentence of the grammar has
// exactly one English reading, so zh->en is as learnable as en->zh.
//
// Chinese words: SentencePair::target (EnZh) / ::source (ZhEn) holds the Chinese as the
// grammar's segments separated by spaces ("我 是 一名 学生"), so that the alignment's word
// indices follow the same space convention as EnFrGrammar. The model never sees those
// spaces: surface() removes them, and that unspaced text ("我是一名学生") is what the
// SentencePiece model is trained on, what the model reads and writes, and what a person
// types. Segments: a numeral or demonstrative with its measure word is one segment
// (一名, 这本), so is a possessive (我的); 的 after an adjective, 在 and the localizer
// 上/下/里 are segments of their own.
#pragma once

#include "core/result.h"
#include "core/text/corpus.h"

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace sf::text {

enum class ZhDirection { EnZh, ZhEn };

class ZhGrammar {
public:
    // Reads and checks the lexicon; errors name the file and the entry
    // ("en-zh.json: nouns[3]: missing string 'zh'").
    static Result<ZhGrammar> load(const std::string& lexiconPath, ZhDirection direction = ZhDirection::EnZh);

    ZhDirection direction() const { return mDirection; }
    // The same grammar, the other way round.
    ZhGrammar reversed() const;

    // One random pair (platform-independent draws, as EnFrGrammar).
    SentencePair sample(std::mt19937_64& rng) const;
    std::vector<SentencePair> generate(size_t count, uint64_t seed) const;
    // The lexicon's example sentences ("anchors": "i am a student", "i love you", ...) as
    // pairs in this direction; split() always puts them on the training side.
    std::vector<SentencePair> anchors() const;
    // Distinct pairs, the anchors first; 1 in 8 of the others held out by a hash of the
    // English sentence, whichever the direction (en-zh and zh-en hold out the same sentences).
    Result<CorpusSplit> split(size_t trainSize, size_t testSize, uint64_t seed) const;

    // Parses a source sentence (English for EnZh; Chinese, spaced or not, for ZhEn) and
    // returns its translation (one reading). Fails naming the word when the text is
    // outside the grammar: "en-zh grammar: 'i like milks': 'milks' is not a word of the grammar".
    Result<std::vector<SentencePair>> translations(const std::string& text) const;
    Result<SentencePair> translate(const std::string& text) const;

    // "我 是 一名 学生" -> "我是一名学生": the Chinese as typed and as the model sees it.
    static std::string surface(const std::string& segmented);
    // The model's text of each side of a pair (Chinese unspaced, English as is).
    std::string sourceText(const SentencePair& p) const;
    std::string targetText(const SentencePair& p) const;

    struct Lexicon;  // defined in zh_grammar.cpp

private:
    ZhGrammar(std::shared_ptr<const Lexicon> lexicon, ZhDirection d) : mLexicon(std::move(lexicon)), mDirection(d) {}
    std::shared_ptr<const Lexicon> mLexicon;
    ZhDirection mDirection;
};

// For the `grammar` verb: task "en-zh" or "zh-en", the lexicon file, the source text.
// The pairs' Chinese is segmented; print ZhGrammar::surface() of it.
Result<std::vector<SentencePair>> zhTranslations(const std::string& task, const std::string& lexiconPath,
                                                 const std::string& text);

}  // namespace sf::text
