// The trainer's parameters: every checkpoint tensor (DESIGN.md "Tensor names") in one
// flat float buffer, so that gradients and both Adam moments are buffers of the same
// layout and the optimizer is one loop. Views name their fields after the checkpoint
// tensors, as sf::Weights does; P is `const T` for parameters and `T` for gradients.
//
// d = d_model, F = ffn dim, V = vocab. Linear weights are [out, in]; y = x W^T + b.
#pragma once

#include "core/io/trace.h"
#include "core/model/config.h"
#include "core/model/weights.h"
#include "core/result.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sf::train {

// One tensor inside the flat buffer.
struct ParamEntry {
    std::string name;            // checkpoint name, e.g. "model.encoder.layers.0.fc1.weight"
    std::vector<int64_t> shape;  // as expectedTensors() gives it
    size_t offset = 0;           // first element in the buffer (a multiple of 16)
    size_t size = 0;             // elements
};

// The non-optional tensors of expectedTensors(config), in that order: tied embeddings
// (no lm_head.weight) and no final_logits_bias. Each starts on a 64-byte boundary; the
// gaps are zero and stay zero.
class ParamLayout {
public:
    ParamLayout() = default;
    explicit ParamLayout(const Config& c);

    const std::vector<ParamEntry>& entries() const { return mEntries; }
    const ParamEntry* find(const std::string& name) const;
    size_t total() const { return mTotal; }   // buffer length, gaps included
    int64_t count() const { return mCount; }  // parameters, gaps excluded

private:
    std::vector<ParamEntry> mEntries;
    std::map<std::string, size_t> mIndex;
    size_t mTotal = 0;
    int64_t mCount = 0;
};

template <class P>
struct LinearView {
    P* weight = nullptr;  // [out, in]
    P* bias = nullptr;    // [out]
    int in = 0, out = 0;
};

template <class P>
struct NormView {
    P* weight = nullptr;  // [d] gamma
    P* bias = nullptr;    // [d] beta
};

// *.self_attn / *.encoder_attn
template <class P>
struct AttentionView {
    LinearView<P> q_proj, k_proj, v_proj;  // [d, d] each
    LinearView<P> out_proj;                // [d, d]  W_O
};

// model.encoder.layers.{i}
template <class P>
struct EncoderLayerView {
    AttentionView<P> self_attn;
    NormView<P> self_attn_layer_norm;
    LinearView<P> fc1;  // [F, d]
    LinearView<P> fc2;  // [d, F]
    NormView<P> final_layer_norm;
};

// model.decoder.layers.{i}
template <class P>
struct DecoderLayerView {
    AttentionView<P> self_attn;
    NormView<P> self_attn_layer_norm;
    AttentionView<P> encoder_attn;
    NormView<P> encoder_attn_layer_norm;
    LinearView<P> fc1;  // [F, d]
    LinearView<P> fc2;  // [d, F]
    NormView<P> final_layer_norm;
};

template <class P>
struct ModelView {
    P* shared = nullptr;  // model.shared.weight [V, d]: embeddings and output projection
    std::vector<EncoderLayerView<P>> encoder;
    std::vector<DecoderLayerView<P>> decoder;
    NormView<P> encoder_layer_norm;  // model.encoder.layer_norm (pre-norm only)
    NormView<P> decoder_layer_norm;  // model.decoder.layer_norm (pre-norm only)
};

// A view of `base` (layout.total() elements) laid out by `layout` (built from `c`).
template <class P>
ModelView<P> bindView(const Config& c, const ParamLayout& layout, P* base)
{
    auto at = [&](const std::string& name) -> P* { return base + layout.find(name)->offset; };
    auto linear = [&](const std::string& name, int in, int out) {
        return LinearView<P>{at(name + ".weight"), at(name + ".bias"), in, out};
    };
    auto norm = [&](const std::string& name) { return NormView<P>{at(name + ".weight"), at(name + ".bias")}; };
    auto attention = [&](const std::string& name) {
        const int d = c.dModel;
        return AttentionView<P>{linear(name + ".q_proj", d, d), linear(name + ".k_proj", d, d),
                                linear(name + ".v_proj", d, d), linear(name + ".out_proj", d, d)};
    };
    ModelView<P> v;
    v.shared = at("model.shared.weight");
    for (int i = 0; i < c.encoderLayers; ++i) {
        const std::string p = "model.encoder.layers." + std::to_string(i) + ".";
        v.encoder.push_back({attention(p + "self_attn"), norm(p + "self_attn_layer_norm"),
                             linear(p + "fc1", c.dModel, c.encoderFfn), linear(p + "fc2", c.encoderFfn, c.dModel),
                             norm(p + "final_layer_norm")});
    }
    for (int i = 0; i < c.decoderLayers; ++i) {
        const std::string p = "model.decoder.layers." + std::to_string(i) + ".";
        v.decoder.push_back({attention(p + "self_attn"), norm(p + "self_attn_layer_norm"),
                             attention(p + "encoder_attn"), norm(p + "encoder_attn_layer_norm"),
                             linear(p + "fc1", c.dModel, c.decoderFfn), linear(p + "fc2", c.decoderFfn, c.dModel),
                             norm(p + "final_layer_norm")});
    }
    if (c.normalizeBefore) {
        v.encoder_layer_norm = norm("model.encoder.layer_norm");
        v.decoder_layer_norm = norm("model.decoder.layer_norm");
    }
    return v;
}

// Copies every layout tensor out of `base` (tensors by checkpoint name).
std::map<std::string, Tensor> toTensors(const ParamLayout& layout, const float* base);

// Copies `tensors` into `base` (layout.total() elements, gaps zeroed). Every layout
// tensor must be present with its shape; lm_head.weight must be absent or equal to
// model.shared.weight (the trainer ties them); other extra tensors are refused.
// `label` names the source in errors.
Status fromTensors(float* base, const ParamLayout& layout, const std::map<std::string, Tensor>& tensors,
                   const std::string& label);

// A zero-copy sf::Weights over `base` for the inference engine (valid while `base` lives
// and is not resized).
Result<Weights> weightsView(const Config& c, const ParamLayout& layout, const float* base);

}  // namespace sf::train
