// Weights as plain structs whose fields are named after their checkpoint tensors
// (DESIGN.md "Tensor names"). They are views: the memory belongs to a WeightStore
// (a mapped safetensors file, converted copies) or to the trainer's buffers. One set of
// structs serves both: P is `const float` for inference, `const T` for the trainer's
// parameters and `T` for its gradients (T = float, or double in the gradient checks).
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

template <class P>
struct LinearWeights {
    P* weight = nullptr;  // [out, in]
    P* bias = nullptr;    // [out]
    int in = 0, out = 0;
    // Not a checkpoint tensor: the same weight in the few-row layout (ops.h
    // packLinearPanels), packed by Model for the products that meet a whole sentence; null
    // when not packed (the trainer's weights, builds without the kernel).
    P* panels = nullptr;
};

template <class P>
struct NormWeights {
    P* weight = nullptr;  // [d] gamma
    P* bias = nullptr;    // [d] beta
};

// *.self_attn / *.encoder_attn
template <class P>
struct AttentionWeights {
    LinearWeights<P> q_proj, k_proj, v_proj;  // [d, d] each
    LinearWeights<P> out_proj;                // [d, d]  W_O
};

// model.encoder.layers.{i}
template <class P>
struct EncoderLayerWeights {
    AttentionWeights<P> self_attn;
    NormWeights<P> self_attn_layer_norm;
    LinearWeights<P> fc1;  // [F, d]
    LinearWeights<P> fc2;  // [d, F]
    NormWeights<P> final_layer_norm;
};

// model.decoder.layers.{i}
template <class P>
struct DecoderLayerWeights {
    AttentionWeights<P> self_attn;
    NormWeights<P> self_attn_layer_norm;
    AttentionWeights<P> encoder_attn;
    NormWeights<P> encoder_attn_layer_norm;
    LinearWeights<P> fc1;  // [F, d]
    LinearWeights<P> fc2;  // [d, F]
    NormWeights<P> final_layer_norm;
};

template <class P>
struct ModelWeights {
    P* shared = nullptr;  // model.shared.weight [V, d]
    std::vector<EncoderLayerWeights<P>> encoder;
    std::vector<DecoderLayerWeights<P>> decoder;
    NormWeights<P> encoder_layer_norm;  // model.encoder.layer_norm (pre-norm only)
    NormWeights<P> decoder_layer_norm;  // model.decoder.layer_norm (pre-norm only)
    P* lm_head = nullptr;               // lm_head.weight [V, d]; == shared when tied
    P* final_logits_bias = nullptr;     // [1, V] or null
    bool tied = true;
};

// The inference engine's names.
using LinearW = LinearWeights<const float>;
using LayerNormW = NormWeights<const float>;
using AttentionW = AttentionWeights<const float>;
using EncoderLayerW = EncoderLayerWeights<const float>;
using DecoderLayerW = DecoderLayerWeights<const float>;
// A class, not an alias, only so that enumerators named Weights (Stage::Weights) do not
// shadow it under -Wshadow; it adds nothing, and binds wherever ModelWeights<const float> does.
struct Weights : ModelWeights<const float> {};

// A tensor somebody else owns.
struct TensorRef {
    const float* data = nullptr;
    std::vector<int64_t> shape;
};

// One tensor name the config implies, with its shape.
struct ExpectedTensor {
    std::string name;
    std::vector<int64_t> shape;
    bool optional = false;  // lm_head.weight, final_logits_bias
};

// The one list of the model's tensors: calls f(tensor, slot) for every tensor the config
// implies, in checkpoint order, with `slot` the field of `w` it belongs in (P*&). Sizes
// w.encoder / w.decoder to the config and sets each linear's in/out. Binding fills the
// slots; a walk over a bound view reads them.
template <class P, class F>
void forEachTensor(const Config& c, ModelWeights<P>& w, F&& f)
{
    const int d = c.dModel, V = c.vocabSize;
    auto linear = [&](LinearWeights<P>& l, const std::string& name, int out, int in) {
        l.in = in, l.out = out;
        f(ExpectedTensor{name + ".weight", {out, in}, false}, l.weight);
        f(ExpectedTensor{name + ".bias", {out}, false}, l.bias);
    };
    auto norm = [&](NormWeights<P>& n, const std::string& name) {
        f(ExpectedTensor{name + ".weight", {d}, false}, n.weight);
        f(ExpectedTensor{name + ".bias", {d}, false}, n.bias);
    };
    auto attention = [&](AttentionWeights<P>& a, const std::string& name) {
        linear(a.q_proj, name + ".q_proj", d, d);
        linear(a.k_proj, name + ".k_proj", d, d);
        linear(a.v_proj, name + ".v_proj", d, d);
        linear(a.out_proj, name + ".out_proj", d, d);
    };

    f(ExpectedTensor{"model.shared.weight", {V, d}, false}, w.shared);
    w.encoder.resize(size_t(c.encoderLayers));
    for (int i = 0; i < c.encoderLayers; ++i) {
        EncoderLayerWeights<P>& L = w.encoder[size_t(i)];
        const std::string p = "model.encoder.layers." + std::to_string(i) + ".";
        attention(L.self_attn, p + "self_attn");
        norm(L.self_attn_layer_norm, p + "self_attn_layer_norm");
        linear(L.fc1, p + "fc1", c.encoderFfn, d);
        linear(L.fc2, p + "fc2", d, c.encoderFfn);
        norm(L.final_layer_norm, p + "final_layer_norm");
    }
    w.decoder.resize(size_t(c.decoderLayers));
    for (int i = 0; i < c.decoderLayers; ++i) {
        DecoderLayerWeights<P>& L = w.decoder[size_t(i)];
        const std::string p = "model.decoder.layers." + std::to_string(i) + ".";
        attention(L.self_attn, p + "self_attn");
        norm(L.self_attn_layer_norm, p + "self_attn_layer_norm");
        attention(L.encoder_attn, p + "encoder_attn");
        norm(L.encoder_attn_layer_norm, p + "encoder_attn_layer_norm");
        linear(L.fc1, p + "fc1", c.decoderFfn, d);
        linear(L.fc2, p + "fc2", d, c.decoderFfn);
        norm(L.final_layer_norm, p + "final_layer_norm");
    }
    if (c.normalizeBefore) {
        norm(w.encoder_layer_norm, "model.encoder.layer_norm");
        norm(w.decoder_layer_norm, "model.decoder.layer_norm");
    }
    f(ExpectedTensor{"lm_head.weight", {V, d}, true}, w.lm_head);
    f(ExpectedTensor{"final_logits_bias", {1, V}, true}, w.final_logits_bias);
}

// Binds every tensor the config implies to at(tensor) -> P*, asked once per tensor in
// checkpoint order; at() returns null for an optional tensor that is absent. Without
// lm_head.weight the output projection is tied to model.shared.weight.
template <class P, class At>
ModelWeights<P> bindTensors(const Config& c, At&& at)
{
    ModelWeights<P> w;
    forEachTensor(c, w, [&](const ExpectedTensor& e, P*& slot) { slot = at(e); });
    w.tied = w.lm_head == nullptr;
    if (w.tied) w.lm_head = w.shared;
    return w;
}

// Every tensor name the config implies, with its shape (optional ones flagged).
std::vector<ExpectedTensor> expectedTensors(const Config& c);

// Binds every expected tensor from `tensors`, checking shapes. `label` names the file.
// Tensors the config does not use are listed in `unused` (if given), not refused.
Result<Weights> bindWeights(const Config& c, const std::map<std::string, TensorRef>& tensors,
                            const std::string& label, std::vector<std::string>* unused = nullptr);

}  // namespace sf
