// The trainer: owns the parameters (flat float buffers keyed by checkpoint tensor name,
// params.h), their gradients and Adam's moments; draws batches of similar lengths;
// runs forward, backward, clipping and Adam with the paper's schedule; reports
// progress; writes and resumes checkpoints. Deterministic: the same seed, data and
// options give bit-identical parameters, straight through or across a resume.
#pragma once

#include "core/model/config.h"
#include "core/model/model.h"
#include "core/model/weights.h"
#include "core/result.h"
#include "core/train/batch.h"
#include "core/train/buffer.h"
#include "core/train/checkpoint.h"
#include "core/train/network.h"
#include "core/train/optimizer.h"
#include "core/train/params.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sf::train {

struct TrainOptions {
    int steps = 1000;             // optimizer steps in all (a resumed run continues up to it)
    int batchSize = 32;           // sentences per batch; 0 = limited by tokensPerBatch only
    int tokensPerBatch = 0;       // padded tokens per batch, sentences x max(S, T); 0 = no limit
    int warmup = 4000;            // warmup_steps (sec 5.3)
    float lrScale = 1.0f;         // multiplies the schedule
    float labelSmoothing = 0.1f;  // eps_ls (sec 5.4), PyTorch convention: eps / V on every class
    float dropout = 0.1f;         // P_drop (sec 5.4); 0 = off
    float clipNorm = 0.0f;        // clip gradients to this global L2 norm; 0 = off
    AdamOptions adam;             // beta1 0.9, beta2 0.98, eps 1e-9 (sec 5.3)
    uint64_t seed = 1;            // initialisation, batch order, dropout masks
    int logEvery = 10;            // progress callback every N steps; 0 = never
    std::string outDir;           // checkpoint directory; empty = never saved
    int saveEvery = 0;            // checkpoint every N steps (and always at the end); 0 = at the end only
    int threads = 0;              // threads for the ops (parallel.h); 0 = all
};

Status validateOptions(const TrainOptions& o);

struct StepStats {
    int step = 0;       // the step just taken (1-based)
    double loss = 0.0;  // label-smoothed loss per target token of the batch
    double nll = 0.0;   // -log p(gold) per target token
    int targetTokens = 0;
    int correctTokens = 0;      // targets the argmax got right (with dropout, before the update)
    double learningRate = 0.0;  // used for this step
    double gradNorm = 0.0;      // global L2 norm before clipping
};

struct TrainProgress {
    int step = 0, totalSteps = 0, epoch = 0;
    double loss = 0.0;                   // mean loss per target token since the last report
    double nll = 0.0;                    // mean -log p(gold) since the last report
    double targetTokensPerSecond = 0.0;  // since the last report
    double learningRate = 0.0;
    double gradNorm = 0.0;        // of the last step
    double elapsedSeconds = 0.0;  // since run() started
};

// Called every logEvery steps (and after the last); return false to stop early.
using ProgressCallback = std::function<bool(const TrainProgress&)>;

class Trainer {
public:
    // Fresh parameters: randomTensors(config, options.seed) (Glorot-normal linears, zero
    // biases, unit norms, N(0, d^-1/2) embeddings).
    static Result<Trainer> create(const Config& config, const TrainOptions& options);
    // Starts from the given tensors (e.g. a loaded model), with fresh optimizer state.
    static Result<Trainer> fromTensors(const Config& config, const std::map<std::string, Tensor>& tensors,
                                       const TrainOptions& options);
    // Continues from a checkpoint directory written by save(): parameters, Adam moments,
    // step, epoch and batch cursor. Without optimizer.safetensors it starts the optimizer
    // afresh from the model's weights. The seed comes from the checkpoint.
    static Result<Trainer> resume(const std::string& dir, const TrainOptions& options);

    Trainer(Trainer&& o) noexcept;
    Trainer& operator=(Trainer&& o) noexcept;

    // The training pairs (validated). Resume with the same data to continue exactly.
    Status setData(std::vector<Example> examples);

    // One optimizer step on the next batch. Requires data.
    StepStats step();
    // Steps until options().steps (or the callback says stop), reporting every logEvery
    // steps, saving every saveEvery steps and at the end when outDir is set.
    Status run(const ProgressCallback& progress = {});
    // A checkpoint of the current state (checkpoint.h).
    Status save(const std::string& dir) const;
    // Asks run() to stop after the current step (thread-safe).
    void requestStop() { mStop = true; }

    // Mean loss over examples without dropout and without updating anything.
    LossStats evaluate(const std::vector<Example>& examples, int batchSize = 64) const;
    // Forward + backward of one batch into gradients() (zeroed first); no update.
    LossStats computeGradients(const Batch& batch, uint64_t dropoutKey);

    const Config& config() const { return mConfig; }
    const TrainOptions& options() const { return mOptions; }
    // New options for the steps to come (e.g. more steps after a resume); a new batch
    // size or token budget re-batches from the next epoch on.
    Status setOptions(const TrainOptions& o);
    const TrainerState& state() const { return mState; }
    int stepCount() const { return mState.step; }
    const ParamLayout& layout() const { return mLayout; }
    Buffer<float>& parameters() { return mParams; }  // [layout().total()]
    const Buffer<float>& parameters() const { return mParams; }
    const Buffer<float>& gradients() const { return mGrads; }
    const float* parameter(const std::string& name) const;  // null if unknown

    // The parameters as checkpoint tensors, as an inference Model (a copy, for Session),
    // or as a zero-copy Weights view (valid until the next step).
    std::map<std::string, Tensor> tensors() const;
    Result<std::shared_ptr<const Model>> model() const;
    Result<Weights> weights() const;

private:
    Trainer() = default;
    const std::vector<int>& nextBatch();

    Config mConfig;
    TrainOptions mOptions;
    ParamLayout mLayout;
    Buffer<float> mParams, mGrads, mAdamM, mAdamV;  // [layout.total()] each
    TrainerState mState;
    std::vector<Example> mData;
    std::vector<std::vector<int>> mEpochBatches;  // batches of mBatchesEpoch
    int mBatchesEpoch = -1;
    Activations<float> mAct;
    std::atomic<bool> mStop{false};
};

}  // namespace sf::train
