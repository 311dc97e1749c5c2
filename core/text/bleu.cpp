// Corpus BLEU-4; see bleu.h for the formula.
#include "core/text/bleu.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

namespace sf::text {

namespace {

constexpr int kMaxOrder = 4;

std::vector<std::string> tokens(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    return words;
}

// Counts of every n-gram of order n (n words joined by a separator no token contains).
std::map<std::string, int64_t> ngramCounts(const std::vector<std::string>& words, size_t n) {
    std::map<std::string, int64_t> counts;
    for (size_t i = 0; i + n <= words.size(); ++i) {
        std::string key = words[i];
        for (size_t k = 1; k < n; ++k) key += '\n' + words[i + k];
        ++counts[key];
    }
    return counts;
}

}  // namespace

Result<BleuScore> bleu(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references) {
    if (hypotheses.size() != references.size())
        return error("bleu: " + std::to_string(hypotheses.size()) + " hypotheses but " +
                     std::to_string(references.size()) + " references");
    BleuScore s;
    for (size_t i = 0; i < hypotheses.size(); ++i) {
        const auto hyp = tokens(hypotheses[i]);
        const auto ref = tokens(references[i]);
        s.hypothesisLength += static_cast<int64_t>(hyp.size());
        s.referenceLength += static_cast<int64_t>(ref.size());
        for (size_t n = 1; n <= kMaxOrder; ++n) {
            const auto refCounts = ngramCounts(ref, n);
            for (const auto& [gram, count] : ngramCounts(hyp, n)) {
                const auto found = refCounts.find(gram);
                s.matches[n - 1] += found == refCounts.end() ? 0 : std::min(count, found->second);
                s.totals[n - 1] += count;
            }
        }
    }
    double logSum = 0.0;
    bool zero = s.hypothesisLength == 0;
    for (size_t n = 0; n < kMaxOrder; ++n) {
        s.precisions[n] = s.totals[n] > 0 ? double(s.matches[n]) / double(s.totals[n]) : 0.0;
        if (s.precisions[n] == 0.0) zero = true;
        else logSum += std::log(s.precisions[n]);
    }
    if (s.hypothesisLength > 0)
        s.brevityPenalty = s.hypothesisLength > s.referenceLength
                               ? 1.0
                               : std::exp(1.0 - double(s.referenceLength) / double(s.hypothesisLength));
    s.score = zero ? 0.0 : 100.0 * s.brevityPenalty * std::exp(logSum / kMaxOrder);
    return s;
}

double corpusBleu(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references) {
    const auto s = bleu(hypotheses, references);
    return s ? s->score : 0.0;
}

std::string bleuWords(const std::string& s)
{
    std::string out;
    for (size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            out += s[i++];
            continue;
        }
        size_t n = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        n = std::min(n, s.size() - i);
        out += " " + s.substr(i, n) + " ";
        i += n;
    }
    return out;
}

}  // namespace sf::text
