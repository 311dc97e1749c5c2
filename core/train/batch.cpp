#include "core/train/batch.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <utility>

namespace sf::train {

namespace {

uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

}  // namespace

uint64_t hashSeed(uint64_t a, uint64_t b, uint64_t c) { return mix64(mix64(mix64(a) ^ b) ^ c); }

Batch makeBatch(const Config& c, const std::vector<Example>& examples, const std::vector<int>& indices)
{
    Batch b;
    b.B = int(indices.size());
    for (int i : indices) {
        b.S = std::max(b.S, int(examples[size_t(i)].src.size()));
        b.T = std::max(b.T, int(examples[size_t(i)].tgt.size()));
    }
    b.src.assign(size_t(b.B) * b.S, c.padId);
    b.decoderInput.assign(size_t(b.B) * b.T, c.padId);
    b.target.assign(size_t(b.B) * b.T, -1);
    for (int r = 0; r < b.B; ++r) {
        const Example& e = examples[size_t(indices[size_t(r)])];
        const int s = int(e.src.size()), t = int(e.tgt.size());
        std::copy(e.src.begin(), e.src.end(), b.src.begin() + long(r) * b.S);
        std::copy(e.tgt.begin(), e.tgt.end(), b.target.begin() + long(r) * b.T);
        // The outputs shifted right: [decoder_start, y_0, .., y_{t-2}]
        int* in = b.decoderInput.data() + long(r) * b.T;
        if (t > 0) in[0] = c.decoderStartId;
        for (int j = 1; j < t; ++j) in[j] = e.tgt[size_t(j - 1)];
        b.srcLengths.push_back(s);
        b.tgtLengths.push_back(t);
        b.sourceTokens += s;
        b.targetTokens += t;
    }
    return b;
}

Status validateExamples(const Config& c, const std::vector<Example>& examples)
{
    for (size_t i = 0; i < examples.size(); ++i) {
        const Example& e = examples[i];
        for (const auto* side : {&e.src, &e.tgt}) {
            const char* what = side == &e.src ? "source" : "target";
            if (side->empty()) return error("example " + std::to_string(i) + ": the " + what + " is empty");
            if (int(side->size()) > c.maxPositions)
                return error("example " + std::to_string(i) + ": the " + what + " has " + std::to_string(side->size()) +
                             " tokens, more than max_position_embeddings = " + std::to_string(c.maxPositions));
            for (int id : *side)
                if (id < 0 || id >= c.vocabSize)
                    return error("example " + std::to_string(i) + ": " + what + " token id " + std::to_string(id) +
                                 " is outside the vocabulary [0, " + std::to_string(c.vocabSize) + ")");
        }
    }
    return {};
}

std::vector<std::vector<int>> epochBatches(const std::vector<Example>& examples, int batchSize, int tokensPerBatch,
                                           uint64_t seed, int epoch)
{
    const int n = int(examples.size());
    std::vector<uint64_t> key(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) key[size_t(i)] = hashSeed(seed, uint64_t(epoch), uint64_t(i));
    std::vector<int> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        const Example &x = examples[size_t(a)], &y = examples[size_t(b)];
        if (x.src.size() != y.src.size()) return x.src.size() < y.src.size();
        if (x.tgt.size() != y.tgt.size()) return x.tgt.size() < y.tgt.size();
        if (key[size_t(a)] != key[size_t(b)]) return key[size_t(a)] < key[size_t(b)];
        return a < b;
    });

    std::vector<std::vector<int>> batches;
    std::vector<int> cur;
    size_t longest = 0;
    for (int i : order) {
        const Example& e = examples[size_t(i)];
        const size_t len = std::max(e.src.size(), e.tgt.size());
        const size_t grown = std::max(longest, len);
        const bool full = (batchSize > 0 && int(cur.size()) >= batchSize) ||
                          (tokensPerBatch > 0 && (cur.size() + 1) * grown > size_t(tokensPerBatch));
        if (!cur.empty() && full) {
            batches.push_back(std::move(cur));
            cur.clear();
            longest = 0;
        }
        cur.push_back(i);
        longest = std::max(longest, len);
    }
    if (!cur.empty()) batches.push_back(std::move(cur));

    // Fisher-Yates with our own generator (std::shuffle's algorithm is unspecified).
    for (size_t i = batches.size(); i > 1; --i) {
        const size_t j = size_t(hashSeed(seed ^ 0x5bd1e995ULL, uint64_t(epoch), i) % i);
        std::swap(batches[i - 1], batches[j]);
    }
    return batches;
}

}  // namespace sf::train
