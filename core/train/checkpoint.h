// Training checkpoints: a model directory (DESIGN.md: config.json + model.safetensors,
// loadable by Model::load and the app) plus optimizer.safetensors, the trainer state:
// Adam's moments as tensors "adam.m.<name>" / "adam.v.<name>" and, in the header's
// __metadata__, the step, epoch, batch cursor and seed. Every file is written to a
// temporary name and renamed over the old one (atomic); model.safetensors and
// optimizer.safetensors both carry the step, so a checkpoint torn between two writes
// is refused on resume instead of silently mixing steps.
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
// are given, dir/optimizer.safetensors. The directory is created if needed.
Status saveCheckpoint(const std::string& dir, const Config& c, const ParamLayout& layout, const float* params,
                      const float* m, const float* v, const TrainerState& state);

struct Checkpoint {
    Config config;
    std::map<std::string, Tensor> tensors;  // model.safetensors, by name
    bool hasOptimizer = false;              // optimizer.safetensors was present
    std::vector<float> m, v;                // Adam moments in ParamLayout(config) order (empty without)
    TrainerState state;                     // step from model.safetensors when there is no optimizer file
};

// Reads a checkpoint (or any F32/F16/BF16 model directory: then hasOptimizer = false).
Result<Checkpoint> loadCheckpoint(const std::string& dir);

}  // namespace sf::train
