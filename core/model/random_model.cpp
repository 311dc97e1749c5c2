#include "core/model/random_model.h"

#include "core/io/safetensors.h"
#include "core/model/weights.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

namespace sf {

Config presetConfig(const std::string& preset)
{
    Config c;
    const bool base = preset == "base";
    c.dModel = base ? 512 : 128;
    c.encoderLayers = c.decoderLayers = base ? 6 : 3;
    c.encoderHeads = c.decoderHeads = base ? 8 : 4;
    c.encoderFfn = c.decoderFfn = base ? 2048 : 512;
    c.vocabSize = base ? 58101 : 1000;
    c.maxPositions = base ? 512 : 128;
    return c;
}

std::map<std::string, Tensor> randomTensors(const Config& c, uint64_t seed, bool withLogitsBias, bool untiedHead)
{
    std::mt19937_64 rng(seed);
    std::map<std::string, Tensor> out;
    auto normal = [&](Tensor& t, double sd) {
        std::normal_distribution<float> nd(0.0f, static_cast<float>(sd));
        for (float& v : t.data) v = nd(rng);
    };
    for (const ExpectedTensor& e : expectedTensors(c)) {
        if (e.name == "lm_head.weight" && !untiedHead) continue;
        if (e.name == "final_logits_bias" && !withLogitsBias) continue;
        Tensor t;
        t.shape = e.shape;
        t.data.assign(size_t(t.numel()), 0.0f);
        const bool isBias = e.name.size() > 5 && e.name.compare(e.name.size() - 5, 5, ".bias") == 0;
        const bool isNorm = e.name.find("norm") != std::string::npos;
        if (e.name == "model.shared.weight" || e.name == "lm_head.weight") {
            normal(t, 1.0 / std::sqrt(double(c.dModel)));
        } else if (isNorm && !isBias) {
            t.data.assign(t.data.size(), 1.0f);
        } else if (e.name == "final_logits_bias") {
            normal(t, 0.5);
        } else if (!isBias) {
            normal(t, std::sqrt(2.0 / double(e.shape[0] + e.shape[1])));  // Glorot normal
        }
        out[e.name] = std::move(t);
    }
    return out;
}

Status writeModel(const std::string& dir, const Config& c, const std::map<std::string, Tensor>& tensors)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return error(dir + ": cannot create the directory (" + ec.message() + ")");
    std::vector<io::TensorToWrite> w;
    for (const auto& [name, t] : tensors) w.push_back(io::tensorFromFloats(name, t.shape, t.data.data()));
    Status s = io::writeSafetensors((std::filesystem::path(dir) / "model.safetensors").string(), w,
                                    {{"format", "pt"}});
    if (!s) return s;
    const std::string cfgPath = (std::filesystem::path(dir) / "config.json").string();
    std::ofstream f(cfgPath, std::ios::binary);
    f << configToJson(c);
    if (!f) return error(cfgPath + ": write failed");
    return {};
}

}  // namespace sf
