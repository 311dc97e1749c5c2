#include "core/train/checkpoint.h"

#include "core/io/safetensors.h"

#include <cerrno>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <unistd.h>

namespace sf::train {

namespace fs = std::filesystem;

namespace {

CheckpointFaultHook gFaultHook = nullptr;

// The test hook: true means "the process dies here" (the save stops, nothing is cleaned up).
bool fault(const char* step) { return gFaultHook && gFaultHook(step); }

Status interrupted(const std::string& dir, const char* step)
{
    return error(dir + ": save interrupted at " + step + " (test hook)");
}

// Writes `text` to path.tmp, syncs it, then renames it over path.
Status writeTextAtomic(const std::string& path, const std::string& text)
{
    const std::string tmp = path + ".tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) return error(tmp + ": cannot create (" + std::strerror(errno) + ")");
    bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    ok = std::fflush(f) == 0 && ok;
    ok = ::fsync(::fileno(f)) == 0 && ok;
    ok = std::fclose(f) == 0 && ok;
    if (!ok) {
        std::remove(tmp.c_str());
        return error(tmp + ": write failed");
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) return error(path + ": cannot replace it (" + ec.message() + ")");
    return {};
}

// fsync on a directory makes the renames inside it durable.
Status syncDirectory(const fs::path& dir)
{
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return error(dir.string() + ": cannot open the directory to sync it (" + std::strerror(errno) + ")");
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) return error(dir.string() + ": cannot sync the directory");
    return {};
}

bool ours(const fs::path& name)
{
    return name == "config.json" || name == "model.safetensors" || name == "optimizer.safetensors";
}

// Carries what else the old directory holds (spm.model, notes) into the new one:
// hard links where the file system allows, copies otherwise. Symlinks are copied as links.
Status carryOver(const fs::path& from, const fs::path& to)
{
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(from, ec)) {
        const fs::path name = e.path().filename();
        if (ours(name)) continue;
        const fs::path target = to / name;
        std::error_code one;
        const fs::file_status st = e.symlink_status(one);
        if (fs::is_symlink(st)) fs::copy_symlink(e.path(), target, one);
        else if (fs::is_regular_file(st)) {
            fs::create_hard_link(e.path(), target, one);
            if (one) {
                one.clear();
                fs::copy_file(e.path(), target, one);
            }
        } else if (fs::is_directory(st)) {
            fs::copy(e.path(), target, fs::copy_options::recursive | fs::copy_options::copy_symlinks, one);
        }
        if (one) return error(e.path().string() + ": cannot carry it into the new checkpoint (" + one.message() + ")");
    }
    if (ec) return error(from.string() + ": cannot list the directory (" + ec.message() + ")");
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

void setCheckpointFaultHook(CheckpointFaultHook hook) { gFaultHook = hook; }

std::string checkpointStagingDir(const std::string& dir) { return dir + ".saving"; }
std::string checkpointPreviousDir(const std::string& dir) { return dir + ".previous"; }

Status recoverCheckpoint(const std::string& dir)
{
    std::error_code ec;
    const fs::path d(dir), previous(checkpointPreviousDir(dir));
    // Interrupted between "move the old one away" and "move the new one in": put the old back.
    if (!fs::exists(fs::symlink_status(d, ec)) && fs::is_directory(fs::symlink_status(previous, ec))) {
        fs::rename(previous, d, ec);
        if (ec) return error(dir + ": cannot restore the previous checkpoint from " + previous.string() + " (" +
                             ec.message() + ")");
    }
    return {};
}

// A save never touches the live directory's files: it writes a sibling DIR.saving, syncs
// it, renames DIR to DIR.previous, renames DIR.saving to DIR, and only then removes
// DIR.previous. A kill at any point leaves DIR complete (old or new), or DIR missing with
// DIR.previous complete, which recoverCheckpoint (run by loadCheckpoint) renames back.
Status saveCheckpoint(const std::string& dirIn, const Config& c, const ParamLayout& layout, const float* params,
                      const float* m, const float* v, const TrainerState& state)
{
    std::error_code ec;
    std::string dir = dirIn;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    const fs::path live(dir), staging(checkpointStagingDir(dir)), previous(checkpointPreviousDir(dir));
    Status recovered = recoverCheckpoint(dir);
    if (!recovered) return recovered;
    if (!live.parent_path().empty()) {
        fs::create_directories(live.parent_path(), ec);
        if (ec) return error(live.parent_path().string() + ": cannot create the directory (" + ec.message() + ")");
    }
    fs::remove_all(staging, ec);  // what an interrupted save left
    fs::remove_all(previous, ec);
    fs::create_directory(staging, ec);
    if (ec) return error(staging.string() + ": cannot create the directory (" + ec.message() + ")");
    const bool hadLive = fs::is_directory(live, ec);
    if (hadLive) {
        Status s = carryOver(live, staging);
        if (!s) return s;
    }
    const std::string step = std::to_string(state.step);

    if (fault("optimizer")) return interrupted(dir, "optimizer");
    if (m && v) {
        std::vector<io::TensorToWrite> moments;
        for (const ParamEntry& e : layout.entries()) {
            moments.push_back(io::tensorFromFloats("adam.m." + e.name, e.shape, m + e.offset));
            moments.push_back(io::tensorFromFloats("adam.v." + e.name, e.shape, v + e.offset));
        }
        Status s = io::writeSafetensors((staging / "optimizer.safetensors").string(), moments,
                                        {{"format", "stepformer-trainer"},
                                         {"step", step},
                                         {"epoch", std::to_string(state.epoch)},
                                         {"batch_in_epoch", std::to_string(state.batchInEpoch)},
                                         {"seed", std::to_string(state.seed)}});
        if (!s) return s;
    }

    if (fault("model")) return interrupted(dir, "model");
    std::vector<io::TensorToWrite> weights;
    for (const ParamEntry& e : layout.entries())
        weights.push_back(io::tensorFromFloats(e.name, e.shape, params + e.offset));
    Status s = io::writeSafetensors((staging / "model.safetensors").string(), weights,
                                    {{"format", "pt"}, {"step", step}});
    if (!s) return s;
    if (fault("config")) return interrupted(dir, "config");
    s = writeTextAtomic((staging / "config.json").string(), configToJson(c));
    if (!s) return s;
    if (fault("sync")) return interrupted(dir, "sync");
    s = syncDirectory(staging);
    if (!s) return s;

    // The switch: one rename away, one rename in.
    if (hadLive) {
        if (fault("move-old")) return interrupted(dir, "move-old");
        fs::rename(live, previous, ec);
        if (ec) return error(dir + ": cannot move the previous checkpoint aside (" + ec.message() + ")");
    }
    if (fault("move-new")) return interrupted(dir, "move-new");
    fs::rename(staging, live, ec);
    if (ec) {
        std::error_code back;
        if (hadLive) fs::rename(previous, live, back);
        return error(dir + ": cannot move the new checkpoint into place (" + ec.message() + ")");
    }
    const fs::path parent = live.parent_path().empty() ? fs::path(".") : live.parent_path();
    s = syncDirectory(parent);
    if (!s) return s;
    if (fault("remove-old")) return interrupted(dir, "remove-old");
    fs::remove_all(previous, ec);
    return {};
}

Result<Checkpoint> loadCheckpoint(const std::string& dir)
{
    Status recovered = recoverCheckpoint(dir);
    if (!recovered) return error(recovered.message());
    Checkpoint ck;
    Result<Config> config = loadConfig((fs::path(dir) / "config.json").string());
    if (!config) return error(config.message());
    ck.config = *config;

    const std::string modelPath = (fs::path(dir) / "model.safetensors").string();
    auto model = io::SafetensorsFile::open(modelPath);
    if (!model) return error(model.message());
    for (const io::TensorInfo& t : (*model)->tensors()) {
        Result<std::vector<float>> data = (*model)->toFloat(t);
        if (!data) return error(data.message());
        ck.tensors[t.name] = Tensor{t.shape, std::move(data).value()};
    }
    uint64_t modelStep = 0;
    const bool modelHasStep = parseNumber((*model)->metadata(), "step", &modelStep);
    ck.state.step = int(modelStep);

    const std::string optPath = (fs::path(dir) / "optimizer.safetensors").string();
    std::error_code ec;
    if (!fs::exists(optPath, ec)) return ck;
    auto opt = io::SafetensorsFile::open(optPath);
    if (!opt) return error(opt.message());
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
            if (!data) return error(data.message());
            float* dst = (which[5] == 'm' ? ck.m.data() : ck.v.data()) + e.offset;
            std::copy(data->begin(), data->end(), dst);
        }
    ck.hasOptimizer = true;
    return ck;
}

}  // namespace sf::train
