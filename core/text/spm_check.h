// Validates a SentencePiece model file (a serialized ModelProto) before SentencePiece
// 0.1.97 sees it: that library trusts the file and crashes on some hostile ones
// (upstream #1263, #1269, PR #1267). A small protobuf wire reader walks the parts that
// matter and refuses, with the reason:
//   - malformed wire data (truncated varints or lengths, groups, bad field numbers);
//   - a piece longer than kMaxPieceBytes (the trie builder recurses once per byte);
//   - more pieces than the model's vocabulary allows (when the caller gives a bound);
//   - user-defined pieces (type 4) that are prefixes of each other more than
//     kMaxPrefixChain deep (the encoder's prefix matcher keeps a fixed-size result array);
//   - a precompiled_charsmap (normalizer_spec or denormalizer_spec, field 2) whose
//     double-array trie lets a lookup read outside itself, whose values point outside
//     the normalized-string blob, or whose keys nest more than kMaxPrefixChain deep.
#pragma once

#include "core/result.h"

#include <cstddef>
#include <string>

namespace sf::text {

constexpr std::size_t kMaxPieceBytes = 4096;
constexpr int kMaxPrefixChain = 32;
constexpr std::size_t kMaxCharsmapBytes = std::size_t(16) << 20;
constexpr int kMaxSpmPieces = 4000000;  // config.json's vocab_size bound

struct SpmSummary {
    int pieces = 0;
    int userDefined = 0;
    std::size_t normalizerCharsmapBytes = 0;
    std::size_t denormalizerCharsmapBytes = 0;
};

// Checks `bytes` (the whole file); `label` (the path) starts every error, e.g.
// "spm.model: piece 12 is 300000 bytes long (at most 4096)". maxPieces <= 0: no bound
// beyond kMaxSpmPieces.
Result<SpmSummary> checkSentencePieceModel(const std::string& bytes, const std::string& label, int maxPieces = 0);

// The precompiled_charsmap rules alone: "" when `blob` is acceptable, else the reason.
std::string checkPrecompiledCharsmap(const std::string& blob);

}  // namespace sf::text
