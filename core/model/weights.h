// Weights as plain structs whose fields are named after their checkpoint tensors
// (DESIGN.md "Tensor names"). They are views: the memory belongs to a WeightStore
// (a mapped safetensors file, converted copies) or to the trainer's parameters.
//
// d = d_model, F = ffn dim, V = vocab. Linear weights are [out, in]; y = x W^T + b.
#pragma once

#include "core/model/config.h"
#include "core/result.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sf {

struct LinearW {
    const float* weight = nullptr;  // [out, in]
    const float* bias = nullptr;    // [out]
    int in = 0, out = 0;
};

struct LayerNormW {
    const float* weight = nullptr;  // [d] gamma
    const float* bias = nullptr;    // [d] beta
};

// *.self_attn / *.encoder_attn
struct AttentionW {
    LinearW q_proj, k_proj, v_proj;  // [d, d] each
    LinearW out_proj;                // [d, d]  W_O
};

// model.encoder.layers.{i}
struct EncoderLayerW {
    AttentionW self_attn;
    LayerNormW self_attn_layer_norm;
    LinearW fc1;  // [F, d]
    LinearW fc2;  // [d, F]
    LayerNormW final_layer_norm;
};

// model.decoder.layers.{i}
struct DecoderLayerW {
    AttentionW self_attn;
    LayerNormW self_attn_layer_norm;
    AttentionW encoder_attn;
    LayerNormW encoder_attn_layer_norm;
    LinearW fc1;  // [F, d]
    LinearW fc2;  // [d, F]
    LayerNormW final_layer_norm;
};

struct Weights {
    const float* shared = nullptr;  // model.shared.weight [V, d]
    std::vector<EncoderLayerW> encoder;
    std::vector<DecoderLayerW> decoder;
    LayerNormW encoder_layer_norm;       // model.encoder.layer_norm (pre-norm only)
    LayerNormW decoder_layer_norm;       // model.decoder.layer_norm (pre-norm only)
    const float* lm_head = nullptr;      // lm_head.weight [V, d]; == shared when tied
    const float* final_logits_bias = nullptr;  // [1, V] or null
    bool tied = true;
};

// A tensor somebody else owns.
struct TensorRef {
    const float* data = nullptr;
    std::vector<int64_t> shape;
};

// Every tensor name the config implies, with its shape (optional ones flagged).
struct ExpectedTensor {
    std::string name;
    std::vector<int64_t> shape;
    bool optional = false;  // lm_head.weight, final_logits_bias
};
std::vector<ExpectedTensor> expectedTensors(const Config& c);

// Binds every expected tensor from `tensors`, checking shapes. `label` names the file.
// Tensors the config does not use are listed in `unused` (if given), not refused.
Result<Weights> bindWeights(const Config& c, const std::map<std::string, TensorRef>& tensors,
                            const std::string& label, std::vector<std::string>* unused = nullptr);

}  // namespace sf
