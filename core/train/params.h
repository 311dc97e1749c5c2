// The trainer's parameters: every checkpoint tensor (DESIGN.md "Tensor names") in one
// flat float buffer, so that gradients and both Adam moments are buffers of the same
// layout and the optimizer is one loop. Views are the inference engine's weight structs
// (core/model/weights.h); P is `const T` for parameters and `T` for gradients.
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

// The views are sf::ModelWeights and its parts (core/model/weights.h), under the names
// the training code uses. A trainer view is tied: lm_head == shared, final_logits_bias null.
template <class P>
using LinearView = LinearWeights<P>;
template <class P>
using NormView = NormWeights<P>;
template <class P>
using AttentionView = AttentionWeights<P>;
template <class P>
using EncoderLayerView = EncoderLayerWeights<P>;
template <class P>
using DecoderLayerView = DecoderLayerWeights<P>;
template <class P>
using ModelView = ModelWeights<P>;

// A view of `base` (layout.total() elements) laid out by `layout` (built from `c`).
template <class P>
ModelView<P> bindView(const Config& c, const ParamLayout& layout, P* base)
{
    return bindTensors<P>(c, [&](const ExpectedTensor& e) -> P* {
        const ParamEntry* p = layout.find(e.name);
        return p ? base + p->offset : nullptr;  // only the optional tensors are absent
    });
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
// and is not resized): bindView<const float>, as a Result for the callers that load.
Result<Weights> weightsView(const Config& c, const ParamLayout& layout, const float* base);

}  // namespace sf::train
