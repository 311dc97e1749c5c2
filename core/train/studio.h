// The training studio's building blocks, shared by `stepformer train` and the window's
// Train tab: an architecture with the "why" switches (positions, causal mask, 1/sqrt(dk)
// scale, pre-/post-norm), named presets, the algorithmic tasks as training examples, and
// the held-out, free-running score every run reports.
#pragma once

#include "core/model/config.h"
#include "core/model/model.h"
#include "core/result.h"
#include "core/train/batch.h"
#include "core/train/params.h"
#include "core/train/trainer.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sf::train {

// Encoder and decoder alike. The switches become config.json keys (config.h), so a model
// trained without positions is also run without them.
struct Architecture {
    int layers = 3, heads = 4, dModel = 128, ffn = 512;
    bool positions = true;   // false: position_encoding "none"
    bool causalMask = true;  // false: decoder_causal_mask false
    bool scale = true;       // false: attention_scale false
    bool preNorm = false;    // true: normalize_before (x + Sublayer(LayerNorm(x)))
};

// The model configuration for an architecture over `vocab` ids.
Config architectureConfig(const Architecture& a, int vocab, int maxPositions = 128);

// A named starting point: "studio", the small fast configuration the studio opens with
// (reverse, 2 + 2 layers, d_model 64, 4 heads, 16 ids, 1500 steps of 128 sequences), and
// "studio-text", the same model on en-fr (600 pieces, 30 000 pairs, 2000 steps of 64).
struct Preset {
    std::string name, task;
    Architecture arch;
    TrainOptions options;  // steps, batch, warmup, dropout, ...
    int trainSize = 0;     // training examples
    int vocab = 0;         // id range of the algorithmic tasks (ids 4 .. vocab-1)
};
Result<Preset> preset(const std::string& name);
std::vector<std::string> presetNames();

// Algorithmic tasks ("copy", "reverse", "sort"): ids 4 .. vocab-1 (0-3 are pad, unk, bos,
// eos), lengths 3..12, </s> appended to both sides. Deterministic for a seed.
bool isAlgorithmicTask(const std::string& task);
std::vector<Example> algorithmicExamples(const std::string& task, size_t n, int vocab, uint64_t seed);
// The held-out draw `stepformer eval` and the studio score on: a seed disjoint from the
// training seed's stream (seed * 7919 + 17).
std::vector<Example> heldOutExamples(const std::string& task, size_t n, int vocab, uint64_t seed);

// Greedy, free-running decoding (what the model says on its own, no teacher forcing) of
// every example's source; exact = the output ids equal the target ids (with </s>). BLEU
// is over the ids as words, or, when the model has a tokenizer (a text task), over the
// decoded texts' words (text::bleuWords).
struct FreeRunningScore {
    int n = 0, exact = 0;
    double exactMatch = 0.0;  // exact / n
    double bleu = 0.0;        // corpus BLEU over the id sequences as words
    std::vector<std::vector<int>> outputs;  // per example
};
Result<FreeRunningScore> scoreFreeRunning(const std::shared_ptr<const Model>& model,
                                          const std::vector<Example>& examples);

// "Watch the alignment emerge": the last decoder layer's cross-attention weights for one
// example, teacher-forced on its target, averaged over the heads: [rows = target
// positions, cols = source positions]; each row sums to 1.
struct AttentionSnapshot {
    int rows = 0, cols = 0;
    std::vector<float> weights;  // [rows, cols]
};
Result<AttentionSnapshot> crossAttentionSnapshot(const std::shared_ptr<const Model>& model, const Example& example);

// The global gradient's L2 norm per block of parameters, in model order: "embeddings"
// (model.shared), "encoder 1" .. "encoder L", "decoder 1" .. "decoder L", "final norms"
// (pre-norm stacks). grads: [layout.total()], as Trainer::gradients() after a step.
struct NamedNorm {
    std::string name;
    double norm = 0.0;
};
std::vector<NamedNorm> layerGradientNorms(const ParamLayout& layout, const float* grads);

}  // namespace sf::train
