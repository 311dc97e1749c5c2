// Training checkpoints: a model directory (DESIGN.md: config.json + model.safetensors,
// loadable by Model::load and the app) plus optimizer.safetensors, the trainer state:
// Adam's moments as tensors "adam.m.<name>" / "adam.v.<name>" and, in the header's
// __metadata__, the step, epoch, batch cursor and seed. The set is atomic: a save writes
// a sibling directory DIR.saving (other files of DIR, e.g. spm.model, carried over as
// hard links), syncs it, renames DIR to DIR.previous and DIR.saving to DIR, then removes
// DIR.previous. An interrupted save leaves DIR complete, or only DIR.previous, which
// loadCheckpoint (and the next save) renames back. model.safetensors and
// optimizer.safetensors both carry the step, so a directory mixed by hand is refused.
#pragma once

#include "core/io/trace.h"
#include "core/model/config.h"
#include "core/result.h"
#include "core/train/params.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sf::train {

struct TrainerState {
    int step = 0;          // optimizer steps taken
    int epoch = 0;         // current pass over the data
    int batchInEpoch = 0;  // next batch of that epoch
    uint64_t seed = 0;     // initialisation, batch order, dropout masks
};

// Writes dir/config.json and dir/model.safetensors (metadata "step") and, when m and v
// are given, dir/optimizer.safetensors, as one atomic switch (above).
Status saveCheckpoint(const std::string& dir, const Config& c, const ParamLayout& layout, const float* params,
                      const float* m, const float* v, const TrainerState& state);

struct Checkpoint {
    Config config;
    std::map<std::string, Tensor> tensors;  // model.safetensors, by name
    bool hasOptimizer = false;              // optimizer.safetensors was present
    std::vector<float> m, v;                // Adam moments in ParamLayout(config) order (empty without)
    TrainerState state;                     // step from model.safetensors when there is no optimizer file
};

// Restores DIR from DIR.previous when a save was interrupted between its two renames.
Status recoverCheckpoint(const std::string& dir);
std::string checkpointStagingDir(const std::string& dir);   // DIR.saving
std::string checkpointPreviousDir(const std::string& dir);  // DIR.previous

// Tests only: called at each step of a save ("optimizer", "model", "config", "sync",
// "move-old", "move-new", "remove-old"); returning true stops the save right there, as a
// kill would (nothing cleaned up). nullptr (the default) turns it off.
using CheckpointFaultHook = bool (*)(const char* step);
void setCheckpointFaultHook(CheckpointFaultHook hook);

// Reads a checkpoint (or any F32/F16/BF16 model directory: then hasOptimizer = false).
Result<Checkpoint> loadCheckpoint(const std::string& dir);

}  // namespace sf::train
