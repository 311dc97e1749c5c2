// config.json: hyper-parameters under Hugging Face Marian/BART key names (DESIGN.md),
// plus Stepformer's `position_encoding` and `tokenizer`. Everything is range-checked
// before a single weight is allocated.
#pragma once

#include "core/result.h"

#include <string>
#include <vector>

namespace sf {

enum class Activation { Relu, Gelu, Swish };
enum class PositionLayout {
    Interleaved,  // the paper: sin on even, cos on odd dimensions
    Halves,       // Marian: sin in the first half, cos in the second
    None          // no positional encoding (an ablation trained that way: "why add positions")
};

const char* activationName(Activation a);
const char* positionLayoutName(PositionLayout p);

struct TokenizerNames {
    std::string source;  // file names inside the model directory; empty = none
    std::string target;
    std::string vocab;   // optional Marian vocab.json
};

struct Config {
    std::string modelType = "stepformer";
    int dModel = 0;
    int encoderLayers = 0, decoderLayers = 0;
    int encoderHeads = 0, decoderHeads = 0;
    int encoderFfn = 0, decoderFfn = 0;
    Activation activation = Activation::Relu;
    int vocabSize = 0;
    int maxPositions = 0;
    int maxPositionsInFile = 0;  // max_position_embeddings as written, when Model::load lowered
                                 // maxPositions to what fits memory (maxPositionsForMemory); else 0
    bool scaleEmbedding = true;
    bool normalizeBefore = false;  // false: post-norm, as in the paper
    float layerNormEps = 1e-5f;
    int padId = 0, eosId = 3, bosId = 2, unkId = 1, decoderStartId = 2;
    // Hugging Face generation settings: forced_eos_token_id (-1: none) is forced at the
    // last allowed position; bad_words_ids are never generated (a one-token entry bans
    // the token, a longer one bans its last token after the others).
    int forcedEosId = -1;
    std::vector<std::vector<int>> badWordsIds;
    PositionLayout positions = PositionLayout::Interleaved;
    // Architecture switches of the training studio (Stepformer keys; absent = the paper):
    //   attention_scale false: scores = Q K^T, not divided by sqrt(dk), in every attention;
    //   decoder_causal_mask false: the decoder's self-attention is not masked in training
    //     and under teacher forcing. Token-by-token decoding has no later positions to see,
    //     so it runs as for any model (each step's row attends to the rows before it).
    bool attentionScale = true;
    bool decoderCausalMask = true;
    bool tokenizerKey = false;  // config names its tokenizer files explicitly
    TokenizerNames tokenizer;

    // "post-norm, interleaved sinusoids, relu, 3+3 layers, d 128, 4 heads, ffn 512"
    std::string describe() const;
};

// Parses and validates config.json text; `label` (the file path) starts every error.
Result<Config> parseConfig(const std::string& jsonText, const std::string& label);
Result<Config> loadConfig(const std::string& path);
// What one translation may cost: every Trace tensor of a source and target of n tokens
// each (attention [H, n, n] per layer, activations [n, d] and [n, F], logits and probs
// [n, V]) stays within kMaxTraceFloats. maxPositionsForMemory is the largest such n (at
// least 1); Model::load caps maxPositions to it, so longer inputs are truncated with the
// usual warning instead of exhausting memory.
constexpr double kMaxTraceFloats = double(1 << 28);  // 1 GiB of float32
double traceFloats(const Config& c, int n);
int maxPositionsForMemory(const Config& c);

// Serialises with the same key names (used when writing checkpoints).
std::string configToJson(const Config& c);

}  // namespace sf
