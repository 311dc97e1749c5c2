// Random-weight models in our format, for tests, demos and benchmarks (the same
// initialisation as ../shared/peers/make_random_model.py: Glorot-normal linears, zero
// biases, unit layer norms, N(0, d^-1/2) embeddings), from a fixed seed.
#pragma once

#include "core/io/trace.h"
#include "core/model/config.h"
#include "core/result.h"

#include <cstdint>
#include <map>
#include <string>

namespace sf {

// A config of the named preset: "tiny" (d 128, 3+3, 4 heads, ffn 512, vocab 1000) or
// "base" (d 512, 6+6, 8 heads, ffn 2048, vocab 58101). Unknown names give tiny.
Config presetConfig(const std::string& preset);

// Every tensor the config implies (lm_head tied, no final_logits_bias unless asked).
std::map<std::string, Tensor> randomTensors(const Config& c, uint64_t seed, bool withLogitsBias = false,
                                            bool untiedHead = false);

// Writes config.json and model.safetensors into dir (created if needed).
Status writeModel(const std::string& dir, const Config& c, const std::map<std::string, Tensor>& tensors);

}  // namespace sf
