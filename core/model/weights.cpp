#include "core/model/weights.h"

#include "core/io/trace.h"

#include <set>

namespace sf {

namespace {

std::string layerPrefix(const char* side, int i)
{
    return std::string("model.") + side + ".layers." + std::to_string(i) + ".";
}

void addLinear(std::vector<ExpectedTensor>& v, const std::string& name, int out, int in)
{
    v.push_back({name + ".weight", {out, in}, false});
    v.push_back({name + ".bias", {out}, false});
}

void addNorm(std::vector<ExpectedTensor>& v, const std::string& name, int d)
{
    v.push_back({name + ".weight", {d}, false});
    v.push_back({name + ".bias", {d}, false});
}

void addAttention(std::vector<ExpectedTensor>& v, const std::string& name, int d)
{
    for (const char* p : {"q_proj", "k_proj", "v_proj", "out_proj"}) addLinear(v, name + "." + p, d, d);
}

}  // namespace

std::vector<ExpectedTensor> expectedTensors(const Config& c)
{
    const int d = c.dModel, V = c.vocabSize;
    std::vector<ExpectedTensor> v;
    v.push_back({"model.shared.weight", {V, d}, false});
    for (int i = 0; i < c.encoderLayers; ++i) {
        const std::string p = layerPrefix("encoder", i);
        addAttention(v, p + "self_attn", d);
        addNorm(v, p + "self_attn_layer_norm", d);
        addLinear(v, p + "fc1", c.encoderFfn, d);
        addLinear(v, p + "fc2", d, c.encoderFfn);
        addNorm(v, p + "final_layer_norm", d);
    }
    for (int i = 0; i < c.decoderLayers; ++i) {
        const std::string p = layerPrefix("decoder", i);
        addAttention(v, p + "self_attn", d);
        addNorm(v, p + "self_attn_layer_norm", d);
        addAttention(v, p + "encoder_attn", d);
        addNorm(v, p + "encoder_attn_layer_norm", d);
        addLinear(v, p + "fc1", c.decoderFfn, d);
        addLinear(v, p + "fc2", d, c.decoderFfn);
        addNorm(v, p + "final_layer_norm", d);
    }
    if (c.normalizeBefore) {
        addNorm(v, "model.encoder.layer_norm", d);
        addNorm(v, "model.decoder.layer_norm", d);
    }
    v.push_back({"lm_head.weight", {V, d}, true});
    v.push_back({"final_logits_bias", {1, V}, true});
    return v;
}

Result<Weights> bindWeights(const Config& c, const std::map<std::string, TensorRef>& tensors,
                            const std::string& label, std::vector<std::string>* unused)
{
    std::map<std::string, const float*> bound;
    for (const ExpectedTensor& e : expectedTensors(c)) {
        auto it = tensors.find(e.name);
        if (it == tensors.end()) {
            if (e.optional) continue;
            return error(label + ": tensor '" + e.name + "' is missing (expected shape " + shapeString(e.shape) + ")",
                         Text("errors.tensor_missing").str("file", label).str("tensor", e.name));
        }
        if (it->second.shape != e.shape)
            return error(label + ": tensor '" + e.name + "' has shape " + shapeString(it->second.shape) +
                             " but the config implies " + shapeString(e.shape),
                         Text("errors.tensor_shape").str("file", label).str("tensor", e.name)
                             .str("shape", shapeString(it->second.shape)).str("expected", shapeString(e.shape)));
        if (!it->second.data) return error(label + ": tensor '" + e.name + "' has no data");
        bound[e.name] = it->second.data;
    }
    if (unused) {
        unused->clear();
        for (const auto& [name, ref] : tensors)
            if (!bound.count(name)) unused->push_back(name);
    }

    auto get = [&](const std::string& n) { return bound.at(n); };
    auto linear = [&](const std::string& n, int out, int in) {
        return LinearW{get(n + ".weight"), get(n + ".bias"), in, out};
    };
    auto norm = [&](const std::string& n) { return LayerNormW{get(n + ".weight"), get(n + ".bias")}; };
    auto attention = [&](const std::string& n) {
        const int d = c.dModel;
        return AttentionW{linear(n + ".q_proj", d, d), linear(n + ".k_proj", d, d), linear(n + ".v_proj", d, d),
                          linear(n + ".out_proj", d, d)};
    };

    Weights w;
    w.shared = get("model.shared.weight");
    for (int i = 0; i < c.encoderLayers; ++i) {
        const std::string p = layerPrefix("encoder", i);
        w.encoder.push_back({attention(p + "self_attn"), norm(p + "self_attn_layer_norm"),
                             linear(p + "fc1", c.encoderFfn, c.dModel), linear(p + "fc2", c.dModel, c.encoderFfn),
                             norm(p + "final_layer_norm")});
    }
    for (int i = 0; i < c.decoderLayers; ++i) {
        const std::string p = layerPrefix("decoder", i);
        w.decoder.push_back({attention(p + "self_attn"), norm(p + "self_attn_layer_norm"),
                             attention(p + "encoder_attn"), norm(p + "encoder_attn_layer_norm"),
                             linear(p + "fc1", c.decoderFfn, c.dModel), linear(p + "fc2", c.dModel, c.decoderFfn),
                             norm(p + "final_layer_norm")});
    }
    if (c.normalizeBefore) {
        w.encoder_layer_norm = norm("model.encoder.layer_norm");
        w.decoder_layer_norm = norm("model.decoder.layer_norm");
    }
    w.tied = !bound.count("lm_head.weight");
    w.lm_head = w.tied ? w.shared : get("lm_head.weight");
    w.final_logits_bias = bound.count("final_logits_bias") ? get("final_logits_bias") : nullptr;
    return w;
}

}  // namespace sf
