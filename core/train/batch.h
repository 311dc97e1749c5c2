// Training examples, padded batches and the batcher that groups similar lengths.
//
// B = sentences in a batch, S = longest source (with </s>), T = longest target (with </s>).
#pragma once

#include "core/model/config.h"
#include "core/result.h"

#include <cstdint>
#include <vector>

namespace sf::train {

// One sentence pair, already tokenised: both end with </s> (eos_token_id).
struct Example {
    std::vector<int> src;
    std::vector<int> tgt;
};

// B pairs padded to the batch's longest source and target. Teacher forcing (sec 3.1):
// the decoder reads the targets shifted right, [decoder_start] + tgt[0 .. len-2], and
// is trained to predict tgt.
struct Batch {
    int B = 0, S = 0, T = 0;
    std::vector<int> src;           // [B, S] source ids, pad_token_id after each source
    std::vector<int> srcLengths;    // [B]
    std::vector<int> decoderInput;  // [B, T] [decoder_start] + tgt[:-1], pad_token_id after
    std::vector<int> target;        // [B, T] tgt, -1 after (ignored by the loss)
    std::vector<int> tgtLengths;    // [B]
    int sourceTokens = 0;           // sum of srcLengths
    int targetTokens = 0;           // sum of tgtLengths: the tokens the loss averages over
};

// The batch of examples[indices[0..]], in that order.
Batch makeBatch(const Config& c, const std::vector<Example>& examples, const std::vector<int>& indices);

// Checks ids (inside the vocabulary) and lengths (1 .. max_position_embeddings) of every
// example; the error names the first bad example.
Status validateExamples(const Config& c, const std::vector<Example>& examples);

// The batches of one epoch as lists of example indices (sec 5.1: "sentence pairs were
// batched together by approximate sequence length"). Examples are sorted by (source
// length, target length), ties broken by a random key of (seed, epoch), so equal-length
// examples meet different partners each epoch; consecutive examples fill a batch up to
// `batchSize` sentences and/or `tokensPerBatch` padded tokens (sentences x max(S, T)),
// whichever limits are > 0 (at least one example per batch); then the batch order is
// shuffled from (seed, epoch). Deterministic: the same arguments give the same batches.
std::vector<std::vector<int>> epochBatches(const std::vector<Example>& examples, int batchSize, int tokensPerBatch,
                                           uint64_t seed, int epoch);

// A reproducible 64-bit hash of (a, b, c) (splitmix64 chain); the trainer's only randomness.
uint64_t hashSeed(uint64_t a, uint64_t b, uint64_t c = 0);

}  // namespace sf::train
