#include "core/model/weights.h"

#include "core/io/trace.h"

#include <optional>
#include <set>

namespace sf {

std::vector<ExpectedTensor> expectedTensors(const Config& c)
{
    std::vector<ExpectedTensor> v;
    Weights w;
    forEachTensor(c, w, [&](const ExpectedTensor& e, const float*&) { v.push_back(e); });
    return v;
}

Result<Weights> bindWeights(const Config& c, const std::map<std::string, TensorRef>& tensors,
                            const std::string& label, std::vector<std::string>* unused)
{
    // The first problem, in checkpoint order, is the one reported.
    std::optional<Error> failed;
    std::set<std::string> bound;
    Weights w{bindTensors<const float>(c, [&](const ExpectedTensor& e) -> const float* {
        if (failed) return nullptr;
        auto it = tensors.find(e.name);
        if (it == tensors.end()) {
            if (e.optional) return nullptr;
            failed = error(label + ": tensor '" + e.name + "' is missing (expected shape " + shapeString(e.shape) + ")",
                           Text("errors.tensor_missing").str("file", label).str("tensor", e.name));
            return nullptr;
        }
        if (it->second.shape != e.shape) {
            failed = error(label + ": tensor '" + e.name + "' has shape " + shapeString(it->second.shape) +
                               " but the config implies " + shapeString(e.shape),
                           Text("errors.tensor_shape").str("file", label).str("tensor", e.name)
                               .str("shape", shapeString(it->second.shape)).str("expected", shapeString(e.shape)));
            return nullptr;
        }
        if (!it->second.data) {
            failed = error(label + ": tensor '" + e.name + "' has no data");
            return nullptr;
        }
        bound.insert(e.name);
        return it->second.data;
    })};
    if (failed) return *failed;
    if (unused) {
        unused->clear();
        for (const auto& [name, ref] : tensors)
            if (!bound.count(name)) unused->push_back(name);
    }
    return w;
}

}  // namespace sf
