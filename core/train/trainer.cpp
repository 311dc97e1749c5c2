#include "core/train/trainer.h"

#include "core/model/random_model.h"
#include "core/model/ops.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace sf::train {

namespace {

// The dropout stream of step t: a function of the seed and t only (resumes exactly).
constexpr uint64_t kDropoutStream = 0x64726f706f7574ULL;  // "dropout"

Status checkConfig(const Config& c)
{
    if (c.dModel <= 0 || c.vocabSize <= 0 || c.encoderLayers < 0 || c.decoderLayers < 0 || c.encoderHeads <= 0 ||
        c.decoderHeads <= 0 || c.encoderFfn <= 0 || c.decoderFfn <= 0 || c.maxPositions <= 0)
        return error("config: sizes must be positive (" + c.describe() + ")");
    if (c.dModel % c.encoderHeads != 0 || c.dModel % c.decoderHeads != 0)
        return error("config: d_model " + std::to_string(c.dModel) + " is not divisible by the number of heads");
    return {};
}

}  // namespace

Status validateOptions(const TrainOptions& o)
{
    if (o.steps < 0) return error("training options: steps must be >= 0");
    if (o.batchSize < 0 || o.tokensPerBatch < 0 || (o.batchSize == 0 && o.tokensPerBatch == 0))
        return error("training options: give a batch size or a token budget per batch");
    if (o.warmup < 1) return error("training options: warmup must be >= 1 step");
    if (!(o.dropout >= 0.0f && o.dropout < 1.0f)) return error("training options: dropout must be in [0, 1)");
    if (!(o.labelSmoothing >= 0.0f && o.labelSmoothing < 1.0f))
        return error("training options: label smoothing must be in [0, 1)");
    if (!(o.lrScale > 0.0f)) return error("training options: the learning-rate scale must be > 0");
    if (o.clipNorm < 0.0f) return error("training options: the clip norm must be >= 0");
    if (o.logEvery < 0 || o.saveEvery < 0) return error("training options: logEvery and saveEvery must be >= 0");
    return {};
}

Trainer::Trainer(Trainer&& o) noexcept
    : mConfig(std::move(o.mConfig)), mOptions(std::move(o.mOptions)), mLayout(std::move(o.mLayout)),
      mParams(std::move(o.mParams)), mGrads(std::move(o.mGrads)), mAdamM(std::move(o.mAdamM)),
      mAdamV(std::move(o.mAdamV)), mState(o.mState), mData(std::move(o.mData)),
      mEpochBatches(std::move(o.mEpochBatches)), mBatchesEpoch(o.mBatchesEpoch), mAct(std::move(o.mAct)),
      mStop(o.mStop.load())
{
}

Trainer& Trainer::operator=(Trainer&& o) noexcept
{
    mConfig = std::move(o.mConfig);
    mOptions = std::move(o.mOptions);
    mLayout = std::move(o.mLayout);
    mParams = std::move(o.mParams), mGrads = std::move(o.mGrads);
    mAdamM = std::move(o.mAdamM), mAdamV = std::move(o.mAdamV);
    mState = o.mState;
    mData = std::move(o.mData);
    mEpochBatches = std::move(o.mEpochBatches);
    mBatchesEpoch = o.mBatchesEpoch;
    mAct = std::move(o.mAct);
    mStop = o.mStop.load();
    return *this;
}

Result<Trainer> Trainer::create(const Config& config, const TrainOptions& options)
{
    Status s = checkConfig(config);
    if (!s) return error(s.message());
    return fromTensors(config, randomTensors(config, options.seed), options);
}

Result<Trainer> Trainer::fromTensors(const Config& config, const std::map<std::string, Tensor>& tensors,
                                     const TrainOptions& options)
{
    Status s = checkConfig(config);
    if (!s) return error(s.message());
    s = validateOptions(options);
    if (!s) return error(s.message());
    Trainer t;
    t.mConfig = config;
    t.mOptions = options;
    t.mLayout = ParamLayout(config);
    t.mParams.assign(t.mLayout.total(), 0.0f);
    s = train::fromTensors(t.mParams.data(), t.mLayout, tensors, "initial tensors");
    if (!s) return error(s.message());
    t.mGrads.assign(t.mLayout.total(), 0.0f);
    t.mAdamM.assign(t.mLayout.total(), 0.0f);
    t.mAdamV.assign(t.mLayout.total(), 0.0f);
    t.mState.seed = options.seed;
    setThreads(options.threads);
    return t;
}

Result<Trainer> Trainer::resume(const std::string& dir, const TrainOptions& options)
{
    Result<Checkpoint> ck = loadCheckpoint(dir);
    if (!ck) return error(ck.message());
    TrainOptions o = options;
    if (ck->hasOptimizer) o.seed = ck->state.seed;
    Result<Trainer> t = fromTensors(ck->config, ck->tensors, o);
    if (!t) return error(dir + ": " + t.message());
    if (ck->hasOptimizer) {
        t->mAdamM.assign(ck->m.begin(), ck->m.end());
        t->mAdamV.assign(ck->v.begin(), ck->v.end());
        t->mState = ck->state;
    } else {
        t->mState.step = ck->state.step;
    }
    return t;
}

Status Trainer::setOptions(const TrainOptions& o)
{
    Status s = validateOptions(o);
    if (!s) return s;
    mOptions = o;
    setThreads(o.threads);
    return {};
}

Status Trainer::setData(std::vector<Example> examples)
{
    if (examples.empty()) return error("no training examples");
    Status s = validateExamples(mConfig, examples);
    if (!s) return s;
    mData = std::move(examples);
    mBatchesEpoch = -1;
    return {};
}

const std::vector<int>& Trainer::nextBatch()
{
    if (mBatchesEpoch != mState.epoch) {
        mEpochBatches = epochBatches(mData, mOptions.batchSize, mOptions.tokensPerBatch, mState.seed, mState.epoch);
        mBatchesEpoch = mState.epoch;
    }
    if (mState.batchInEpoch >= int(mEpochBatches.size())) {
        ++mState.epoch;
        mState.batchInEpoch = 0;
        mEpochBatches = epochBatches(mData, mOptions.batchSize, mOptions.tokensPerBatch, mState.seed, mState.epoch);
        mBatchesEpoch = mState.epoch;
    }
    return mEpochBatches[size_t(mState.batchInEpoch++)];
}

LossStats Trainer::computeGradients(const Batch& batch, uint64_t dropoutKey)
{
    ForwardOptions fo;
    fo.dropout = mOptions.dropout;
    fo.labelSmoothing = mOptions.labelSmoothing;
    fo.dropoutKey = dropoutKey;
    const ModelView<const float> w = bindView<const float>(mConfig, mLayout, mParams.data());
    const ModelView<float> g = bindView<float>(mConfig, mLayout, mGrads.data());
    std::fill(mGrads.begin(), mGrads.end(), 0.0f);
    const LossStats ls = forward(mAct, w, mConfig, batch, fo);
    backward(g, mAct, w, mConfig, batch, fo);
    return ls;
}

StepStats Trainer::step()
{
    StepStats st;
    if (mData.empty()) return st;
    const Batch batch = makeBatch(mConfig, mData, nextBatch());
    const int t = mState.step + 1;
    const LossStats ls = computeGradients(batch, hashSeed(mState.seed, uint64_t(t), kDropoutStream));
    st.step = t;
    st.loss = ls.loss;
    st.nll = ls.nll;
    st.targetTokens = ls.targetTokens;
    st.correctTokens = ls.correctTokens;
    st.gradNorm = clipGlobalNorm(mGrads.data(), mGrads.size(), mOptions.clipNorm);
    st.learningRate = learningRate(t, mConfig.dModel, mOptions.warmup, mOptions.lrScale);
    adamStep(mParams.data(), mAdamM.data(), mAdamV.data(), mGrads.data(), mParams.size(), st.learningRate, t,
             mOptions.adam);
    mState.step = t;
    return st;
}

Status Trainer::run(const ProgressCallback& progress)
{
    if (mData.empty()) return error("no training examples (setData first)");
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    auto last = start;
    double lossSum = 0.0, nllSum = 0.0;
    long tokens = 0;
    mStop = false;
    while (mState.step < mOptions.steps && !mStop) {
        const StepStats st = step();
        lossSum += st.loss * st.targetTokens;
        nllSum += st.nll * st.targetTokens;
        tokens += st.targetTokens;
        const bool lastStep = mState.step >= mOptions.steps;
        if (progress && mOptions.logEvery > 0 && (mState.step % mOptions.logEvery == 0 || lastStep)) {
            const auto now = Clock::now();
            const double dt = std::chrono::duration<double>(now - last).count();
            TrainProgress p;
            p.step = mState.step;
            p.totalSteps = mOptions.steps;
            p.epoch = mState.epoch;
            p.loss = tokens > 0 ? lossSum / double(tokens) : 0.0;
            p.nll = tokens > 0 ? nllSum / double(tokens) : 0.0;
            p.targetTokensPerSecond = dt > 0.0 ? double(tokens) / dt : 0.0;
            p.learningRate = st.learningRate;
            p.gradNorm = st.gradNorm;
            p.elapsedSeconds = std::chrono::duration<double>(now - start).count();
            last = now;
            lossSum = nllSum = 0.0;
            tokens = 0;
            if (!progress(p)) mStop = true;
        }
        if (!mOptions.outDir.empty() && mOptions.saveEvery > 0 && mState.step % mOptions.saveEvery == 0 && !lastStep) {
            Status s = save(mOptions.outDir);
            if (!s) return s;
        }
    }
    if (!mOptions.outDir.empty()) return save(mOptions.outDir);
    return {};
}

Status Trainer::save(const std::string& dir) const
{
    return saveCheckpoint(dir, mConfig, mLayout, mParams.data(), mAdamM.data(), mAdamV.data(), mState);
}

LossStats Trainer::evaluate(const std::vector<Example>& examples, int batchSize) const
{
    LossStats total;
    if (examples.empty()) return total;
    std::vector<int> order(examples.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return examples[size_t(a)].src.size() < examples[size_t(b)].src.size(); });
    ForwardOptions fo;
    fo.labelSmoothing = mOptions.labelSmoothing;
    const ModelView<const float> w = bindView<const float>(mConfig, mLayout, mParams.data());
    Activations<float> act;
    double loss = 0.0, nll = 0.0;
    const size_t step = size_t(std::max(1, batchSize));
    for (size_t i = 0; i < order.size(); i += step) {
        const std::vector<int> idx(order.begin() + long(i), order.begin() + long(std::min(order.size(), i + step)));
        const LossStats ls = forward(act, w, mConfig, makeBatch(mConfig, examples, idx), fo);
        loss += ls.loss * ls.targetTokens;
        nll += ls.nll * ls.targetTokens;
        total.targetTokens += ls.targetTokens;
        total.correctTokens += ls.correctTokens;
    }
    if (total.targetTokens > 0) {
        total.loss = loss / total.targetTokens;
        total.nll = nll / total.targetTokens;
    }
    return total;
}

const float* Trainer::parameter(const std::string& name) const
{
    const ParamEntry* e = mLayout.find(name);
    return e ? mParams.data() + e->offset : nullptr;
}

std::map<std::string, Tensor> Trainer::tensors() const { return toTensors(mLayout, mParams.data()); }

Result<std::shared_ptr<const Model>> Trainer::model() const { return Model::fromTensors(mConfig, tensors()); }

Result<Weights> Trainer::weights() const { return weightsView(mConfig, mLayout, mParams.data()); }

}  // namespace sf::train
