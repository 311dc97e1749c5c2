#include "core/train/params.h"

#include <algorithm>
#include <cstring>

namespace sf::train {

ParamLayout::ParamLayout(const Config& c)
{
    size_t offset = 0;
    for (const ExpectedTensor& e : expectedTensors(c)) {
        if (e.optional) continue;  // lm_head.weight (tied), final_logits_bias
        ParamEntry p;
        p.name = e.name;
        p.shape = e.shape;
        p.size = 1;
        for (int64_t s : e.shape) p.size *= size_t(s);
        p.offset = offset;
        offset += (p.size + 15) / 16 * 16;
        mIndex[p.name] = mEntries.size();
        mCount += int64_t(p.size);
        mEntries.push_back(std::move(p));
    }
    mTotal = offset;
}

const ParamEntry* ParamLayout::find(const std::string& name) const
{
    auto it = mIndex.find(name);
    return it == mIndex.end() ? nullptr : &mEntries[it->second];
}

std::map<std::string, Tensor> toTensors(const ParamLayout& layout, const float* base)
{
    std::map<std::string, Tensor> out;
    for (const ParamEntry& e : layout.entries()) {
        Tensor t;
        t.shape = e.shape;
        t.data.assign(base + e.offset, base + e.offset + e.size);
        out[e.name] = std::move(t);
    }
    return out;
}

Status fromTensors(float* base, const ParamLayout& layout, const std::map<std::string, Tensor>& tensors,
                   const std::string& label)
{
    std::fill(base, base + layout.total(), 0.0f);
    for (const ParamEntry& e : layout.entries()) {
        auto it = tensors.find(e.name);
        if (it == tensors.end())
            return error(label + ": tensor '" + e.name + "' is missing (expected shape " + shapeString(e.shape) + ")");
        if (it->second.shape != e.shape || it->second.data.size() != e.size)
            return error(label + ": tensor '" + e.name + "' has shape " + shapeString(it->second.shape) +
                         " but the config implies " + shapeString(e.shape));
        std::copy(it->second.data.begin(), it->second.data.end(), base + e.offset);
    }
    for (const auto& [name, t] : tensors) {
        if (layout.find(name)) continue;
        if (name == "lm_head.weight") {
            const Tensor& shared = tensors.at("model.shared.weight");
            if (t.shape != shared.shape || t.data != shared.data)
                return error(label + ": lm_head.weight differs from model.shared.weight; the trainer trains tied "
                                     "embeddings only");
            continue;
        }
        if (name == "final_logits_bias") {
            if (std::any_of(t.data.begin(), t.data.end(), [](float x) { return x != 0.0f; }))
                return error(label + ": final_logits_bias is not zero; the trainer does not train it");
            continue;
        }
        return error(label + ": tensor '" + name + "' is not a parameter of this config");
    }
    return {};
}

Result<Weights> weightsView(const Config& c, const ParamLayout& layout, const float* base)
{
    return Weights{bindView<const float>(c, layout, base)};
}

}  // namespace sf::train
