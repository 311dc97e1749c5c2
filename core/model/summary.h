// What a checkpoint holds, measured: per-tensor statistics (min, max, mean, std, NaN and
// Inf counts), parameters per block, the architecture variant and warnings; plus the
// display preparation the Weights view needs (histogram counts, mean-pooled matrices,
// per-head slices of the attention projections), so that views only draw.
//
// d = d_model, H = heads, dk = d / H, V = vocab. Linear weights are [out, in]; y = x W^T + b.
#pragma once

#include "core/io/trace.h"
#include "core/model/model.h"
#include "core/result.h"
#include "core/text/text.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sf {

// Statistics of one tensor. min / max / mean / std are over its finite values (std is
// the population standard deviation); they are NaN when it has none.
struct TensorStats {
    std::string name, dtype;  // dtype as in the file: "F32", "F16", "BF16", ...
    std::vector<int64_t> shape;
    int64_t count = 0;  // elements
    double min = 0, max = 0, mean = 0, std = 0;
    int64_t nan = 0, inf = 0;
    bool used = true;     // false: in the file, but the config does not use it
    bool numeric = true;  // false: a dtype that does not convert to float (listed, not measured)
    int64_t sampled = 0;  // > 0: an unused tensor of more than kSampleAbove elements, measured
                          // on this many of its values (evenly spaced runs), not all of them
};

// Unused tensors larger than this are sampled, so that a huge tensor the config does not
// need is never read whole (kSampleRuns runs of kSampleRun elements, about 4 MiB).
constexpr int64_t kSampleAbove = int64_t(1) << 24;
constexpr int64_t kSampleRuns = 256, kSampleRun = 4096;

struct ModelSummary {
    std::vector<TensorStats> tensors;  // in file order (expected-tensor order for in-memory models)
    // Texts of resources/texts/<lang>/summary.json (English shown here).
    // "embeddings (shared)", "encoder layer 1", ..., "decoder layer N", "final stack norms",
    // "lm_head", "final_logits_bias": the used tensors only; they sum to `parameters`.
    std::vector<std::pair<Text, int64_t>> parametersPerBlock;
    int64_t parameters = 0;
    // "post-norm (LayerNorm(x + Sublayer(x)), as in the paper)", "sinusoidal_interleaved",
    // "relu", "embeddings x sqrt(d_model)", "output projection tied to model.shared.weight"
    std::vector<Text> variant;
    // "<dir>/model.safetensors: tensor 'x' has 3 NaN and 0 Inf values"
    std::vector<Text> warnings;

    const TensorStats* find(const std::string& name) const;  // nullptr if absent
};

// Statistics of n floats (double accumulation; both cores for large n). Names empty.
TensorStats tensorStats(const float* data, int64_t n);

// Measures every tensor of the model: the weights actually bound for the tensors the
// config uses, the file's data (converted when not F32) for the ones it does not.
ModelSummary summarize(const Model& m);

// The pre-norm / post-norm, position layout, activation, scaling and output-projection parts.
std::vector<Text> describeVariant(const Model& m);

// The floats of one tensor by name: the bound weights (zero-copy) for used tensors, the
// file's data for unused ones (zero-copy for aligned F32, else a converted copy).
struct TensorData {
    std::string name;
    std::vector<int64_t> shape;
    const float* view = nullptr;  // borrowed from the model, or null when `owned` holds the data
    std::vector<float> owned;     // converted copy
    const float* data() const { return view ? view : owned.data(); }
    int64_t numel() const;
};
Result<TensorData> tensorData(const Model& m, const std::string& name);

// Bin counts of the finite values in [lo, hi]: `bins` bins of width (hi - lo) / bins, the
// last one closed (hi counts in it). Values outside the range, NaN and Inf are not counted.
// Empty when bins < 1 or hi <= lo.
std::vector<int64_t> histogram(const float* data, int64_t n, double lo, double hi, int bins);
// A histogram range for finite values in [min, max]: the range itself, or [v - 0.5, v + 0.5]
// when every value is v (so that it lands in a middle bin); [0, 1] when there are none.
std::pair<double, double> histogramRange(double min, double max);

// A [rows, cols] matrix mean-pooled into at most [maxRows, maxCols] for display. Output
// row i averages input rows [rowBegin[i], rowBegin[i + 1]) (the same for columns); blocks
// differ in size by at most one. A block holding NaN or Inf averages to a non-finite
// value, so broken weights stay visible. Unpooled axes copy their values.
struct Downsampled {
    Tensor values;                  // [R, C]
    std::vector<int64_t> rowBegin;  // R + 1 entries, from 0 to rows
    std::vector<int64_t> colBegin;  // C + 1 entries, from 0 to cols
    bool pooled() const;            // true when R < rows or C < cols
};
Downsampled downsample(const float* data, int64_t rows, int64_t cols, int maxRows = 512, int maxCols = 512);

// The heads of an attention projection weight (*.self_attn.{q,k,v,out}_proj.weight,
// *.encoder_attn.*): H of the encoder or decoder; 0 for every other tensor.
int headCount(const Model& m, const std::string& tensorName);

// One head's part of an attention projection (sec 3.2.2: head_i = Attention(Q W_i^Q, K W_i^K,
// V W_i^V), MultiHead = Concat(head_1..head_H) W^O). In our [out, in] layout head h of
// W_Q / W_K / W_V is rows h*dk .. (h+1)*dk - 1: a [dk, d] matrix; head h of W_O is
// columns h*dk .. (h+1)*dk - 1: a [d, dk] matrix.
struct HeadSlice {
    Tensor values;          // [dk, d] (q/k/v) or [d, dk] (out_proj)
    int head = 0, heads = 0, dk = 0;
    int64_t first = 0;      // first row (q/k/v) or column (out_proj) of W in the slice
    bool columns = false;   // true for out_proj
};
Result<HeadSlice> headSlice(const Model& m, const std::string& tensorName, int head);

}  // namespace sf
