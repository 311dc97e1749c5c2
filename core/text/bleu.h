// Corpus BLEU-4 (Papineni et al. 2002, "BLEU: a Method for Automatic Evaluation of
// Machine Translation"), one reference per hypothesis, whitespace tokenisation, no
// smoothing, no lowercasing:
//   p_n  = sum over sentences of clipped n-gram matches / sum of hypothesis n-grams  (sec 2.1)
//          (a hypothesis n-gram counts at most as often as it occurs in the reference)
//   BP   = 1 if c > r else exp(1 - r / c)     c, r = total hypothesis, reference words (sec 2.2.2)
//   BLEU = 100 * BP * exp(sum_{n=1..4} log(p_n) / 4)
// BLEU is 0 when c is 0 or any p_n is 0 (including when no hypothesis has n words).
#pragma once

#include "core/result.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace sf::text {

struct BleuScore {
    double score = 0.0;                  // 0..100
    std::array<int64_t, 4> matches{};    // clipped n-gram matches, n = 1..4
    std::array<int64_t, 4> totals{};     // hypothesis n-grams, n = 1..4
    std::array<double, 4> precisions{};  // matches / totals (0 when totals is 0)
    double brevityPenalty = 0.0;
    int64_t hypothesisLength = 0;        // c
    int64_t referenceLength = 0;         // r
};

// The score with its parts. Error when the lists differ in length.
Result<BleuScore> bleu(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references);

// A text as BLEU's words: every non-ASCII UTF-8 character (a Chinese character) becomes
// a word of its own, so BLEU counts characters in Chinese and words in English.
std::string bleuWords(const std::string& text);

// bleu(...).score, or 0 when the lists differ in length.
double corpusBleu(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references);

}  // namespace sf::text
