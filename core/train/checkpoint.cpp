#include "core/train/checkpoint.h"

#include "core/io/safetensors.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace sf::train {

namespace fs = std::filesystem;

namespace {

// Writes `text` to path.tmp, then renames it over path.
Status writeTextAtomic(const std::string& path, const std::string& text)
{
    const std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f << text;
        f.flush();
        if (!f) return error(tmp + ": write failed");
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) return error(path + ": cannot replace it (" + ec.message() + ")");
    return {};
}

bool parseNumber(const std::map<std::string, std::string>& meta, const char* key, uint64_t* out)
{
    auto it = meta.find(key);
    if (it == meta.end() || it->second.empty()) return false;
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(it->second.c_str(), &end, 10);
    if (errno != 0 || *end != '\0') return false;
    *out = v;
    return true;
}

}  // namespace

Status saveCheckpoint(const std::string& dir, const Config& c, const ParamLayout& layout, const float* params,
                      const float* m, const float* v, const TrainerState& state)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return error(dir + ": cannot create the directory (" + ec.message() + ")");
    const std::string step = std::to_string(state.step);

    if (m && v) {
        std::vector<io::TensorToWrite> moments;
        for (const ParamEntry& e : layout.entries()) {
            moments.push_back(io::tensorFromFloats("adam.m." + e.name, e.shape, m + e.offset));
            moments.push_back(io::tensorFromFloats("adam.v." + e.name, e.shape, v + e.offset));
        }
        Status s = io::writeSafetensors((fs::path(dir) / "optimizer.safetensors").string(), moments,
                                        {{"format", "stepformer-trainer"},
                                         {"step", step},
                                         {"epoch", std::to_string(state.epoch)},
                                         {"batch_in_epoch", std::to_string(state.batchInEpoch)},
                                         {"seed", std::to_string(state.seed)}});
        if (!s) return s;
    }

    std::vector<io::TensorToWrite> weights;
    for (const ParamEntry& e : layout.entries())
        weights.push_back(io::tensorFromFloats(e.name, e.shape, params + e.offset));
    Status s = io::writeSafetensors((fs::path(dir) / "model.safetensors").string(), weights,
                                    {{"format", "pt"}, {"step", step}});
    if (!s) return s;
    return writeTextAtomic((fs::path(dir) / "config.json").string(), configToJson(c));
}

Result<Checkpoint> loadCheckpoint(const std::string& dir)
{
    Checkpoint ck;
    Result<Config> config = loadConfig((fs::path(dir) / "config.json").string());
    if (!config) return Error{config.message()};
    ck.config = *config;

    const std::string modelPath = (fs::path(dir) / "model.safetensors").string();
    auto model = io::SafetensorsFile::open(modelPath);
    if (!model) return Error{model.message()};
    for (const io::TensorInfo& t : (*model)->tensors()) {
        Result<std::vector<float>> data = (*model)->toFloat(t);
        if (!data) return Error{data.message()};
        ck.tensors[t.name] = Tensor{t.shape, std::move(data).value()};
    }
    uint64_t modelStep = 0;
    const bool modelHasStep = parseNumber((*model)->metadata(), "step", &modelStep);
    ck.state.step = int(modelStep);

    const std::string optPath = (fs::path(dir) / "optimizer.safetensors").string();
    std::error_code ec;
    if (!fs::exists(optPath, ec)) return ck;
    auto opt = io::SafetensorsFile::open(optPath);
    if (!opt) return Error{opt.message()};
    const auto& meta = (*opt)->metadata();
    uint64_t step = 0, epoch = 0, batch = 0, seed = 0;
    if (!parseNumber(meta, "step", &step) || !parseNumber(meta, "epoch", &epoch) ||
        !parseNumber(meta, "batch_in_epoch", &batch) || !parseNumber(meta, "seed", &seed))
        return error(optPath + ": the metadata lacks step, epoch, batch_in_epoch or seed");
    if (!modelHasStep || modelStep != step)
        return error(optPath + ": optimizer state is for step " + std::to_string(step) + " but " + modelPath +
                     " is for step " + (modelHasStep ? std::to_string(modelStep) : std::string("(unknown)")) +
                     "; the checkpoint is incomplete");
    ck.state = TrainerState{int(step), int(epoch), int(batch), seed};

    const ParamLayout layout(ck.config);
    ck.m.assign(layout.total(), 0.0f);
    ck.v.assign(layout.total(), 0.0f);
    for (const ParamEntry& e : layout.entries())
        for (const char* which : {"adam.m.", "adam.v."}) {
            const std::string name = which + e.name;
            const io::TensorInfo* t = (*opt)->find(name);
            if (!t) return error(optPath + ": tensor '" + name + "' is missing");
            if (t->shape != e.shape)
                return error(optPath + ": tensor '" + name + "' has shape " + shapeString(t->shape) +
                             " but the config implies " + shapeString(e.shape));
            Result<std::vector<float>> data = (*opt)->toFloat(*t);
            if (!data) return Error{data.message()};
            float* dst = (which[5] == 'm' ? ck.m.data() : ck.v.data()) + e.offset;
            std::copy(data->begin(), data->end(), dst);
        }
    ck.hasOptimizer = true;
    return ck;
}

}  // namespace sf::train
