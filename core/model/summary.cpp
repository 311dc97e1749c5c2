#include "core/model/summary.h"

#include "core/quote.h"

#include "core/io/safetensors.h"
#include "core/model/parallel.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>

namespace sf {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int64_t kBlock = 4096;         // values per partial sum (stays in L1)
constexpr int64_t kChunk = 1 << 18;      // values per parallel work item
constexpr int64_t kParallel = 1 << 16;   // inputs at least this large use every core

int64_t numelOf(const std::vector<int64_t>& shape)
{
    int64_t n = 1;
    for (int64_t s : shape) n *= s;
    return n;
}

// Count, mean and sum of squared deviations (M2) of finite values, plus min / max and
// the NaN / Inf counts.
struct Moments {
    int64_t n = 0;
    double mean = 0, m2 = 0;
    double min = kInf, max = -kInf;
    int64_t nan = 0, inf = 0;
};

// Combines the moments of two disjoint sets (Chan, Golub & LeVeque's pairwise update):
// delta = mean_b - mean_a, M2 = M2_a + M2_b + delta^2 n_a n_b / (n_a + n_b).
void merge(Moments& a, const Moments& b)
{
    a.nan += b.nan;
    a.inf += b.inf;
    if (b.n == 0) return;
    a.min = std::min(a.min, b.min);
    a.max = std::max(a.max, b.max);
    if (a.n == 0) {
        a.n = b.n, a.mean = b.mean, a.m2 = b.m2;
        return;
    }
    const double na = double(a.n), nb = double(b.n), n = na + nb;
    const double delta = b.mean - a.mean;
    a.mean += delta * nb / n;
    a.m2 += b.m2 + delta * delta * na * nb / n;
    a.n += b.n;
}

// One block, two passes while it is in cache: the mean, then the squared deviations.
// Each pass keeps kLanes independent accumulators so that the compiler can use SIMD
// lanes without reassociating a single sum.
constexpr int kLanes = 8;

Moments blockMoments(const float* x, int64_t n)
{
    Moments m;
    const float big = std::numeric_limits<float>::infinity();
    double sum[kLanes] = {};
    float lo[kLanes], hi[kLanes];
    int64_t finite[kLanes] = {};
    std::fill(lo, lo + kLanes, big);
    std::fill(hi, hi + kLanes, -big);
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
        for (int k = 0; k < kLanes; ++k) {
            const float v = x[i + k];
            const bool ok = std::fabs(v) <= std::numeric_limits<float>::max();  // false for NaN and Inf
            sum[k] += ok ? double(v) : 0.0;
            lo[k] = ok && v < lo[k] ? v : lo[k];
            hi[k] = ok && v > hi[k] ? v : hi[k];
            finite[k] += ok;
        }
    for (int k = 0; i < n; ++i, ++k) {
        const float v = x[i];
        const bool ok = std::fabs(v) <= std::numeric_limits<float>::max();
        sum[k] += ok ? double(v) : 0.0;
        lo[k] = ok && v < lo[k] ? v : lo[k];
        hi[k] = ok && v > hi[k] ? v : hi[k];
        finite[k] += ok;
    }
    int64_t count = 0;
    double total = 0;
    for (int k = 0; k < kLanes; ++k) {
        count += finite[k], total += sum[k];
        m.min = std::min(m.min, double(lo[k]));
        m.max = std::max(m.max, double(hi[k]));
    }
    if (count < n)  // rare: tell NaN from Inf
        for (int64_t j = 0; j < n; ++j) {
            if (std::isnan(x[j])) ++m.nan;
            else if (std::isinf(x[j])) ++m.inf;
        }
    if (count == 0) {
        m.min = kInf, m.max = -kInf;
        return m;
    }
    m.n = count;
    m.mean = total / double(count);
    double m2[kLanes] = {};
    i = 0;
    for (; i + kLanes <= n; i += kLanes)
        for (int k = 0; k < kLanes; ++k) {
            const float v = x[i + k];
            const bool ok = std::fabs(v) <= std::numeric_limits<float>::max();
            const double d = ok ? double(v) - m.mean : 0.0;
            m2[k] += d * d;
        }
    for (int k = 0; i < n; ++i, ++k) {
        const float v = x[i];
        const bool ok = std::fabs(v) <= std::numeric_limits<float>::max();
        const double d = ok ? double(v) - m.mean : 0.0;
        m2[k] += d * d;
    }
    for (int k = 0; k < kLanes; ++k) m.m2 += m2[k];
    return m;
}

// The moments of several spans of floats. The spans are cut into chunks of kChunk values,
// and all the chunks of all the spans share one dynamically scheduled loop: a core that
// another process takes away delays one chunk, not every tensor. Chunks merge in order,
// so the result does not depend on the number of threads.
struct Span {
    const float* data;
    int64_t n;
};

std::vector<Moments> moments(const std::vector<Span>& spans)
{
    struct Chunk {
        size_t span;
        int64_t begin, end;
    };
    std::vector<Chunk> chunks;
    int64_t total = 0;
    for (size_t i = 0; i < spans.size(); ++i) {
        for (int64_t b = 0; b < spans[i].n; b += kChunk) chunks.push_back({i, b, std::min(spans[i].n, b + kChunk)});
        total += spans[i].n;
    }
    std::vector<Moments> part(chunks.size());
    auto chunk = [&](int c) {
        const Chunk& k = chunks[size_t(c)];
        const float* x = spans[k.span].data;
        Moments m;
        for (int64_t b = k.begin; b < k.end; b += kBlock) merge(m, blockMoments(x + b, std::min(kBlock, k.end - b)));
        part[size_t(c)] = m;
    };
    if (total >= kParallel) {
        parallelFor(int(chunks.size()), chunk, double(total) * 4);  // the pool hands out chunks as threads free up
    } else {
        for (int c = 0; c < int(chunks.size()); ++c) chunk(c);
    }
    std::vector<Moments> out(spans.size());
    for (size_t c = 0; c < chunks.size(); ++c) merge(out[chunks[c].span], part[c]);
    return out;
}

TensorStats statsOf(const Moments& m, int64_t n)
{
    TensorStats s;
    s.count = n;
    s.nan = m.nan, s.inf = m.inf;
    if (m.n == 0) {
        s.min = s.max = s.mean = s.std = kNaN;
        return s;
    }
    s.min = m.min, s.max = m.max, s.mean = m.mean;
    s.std = std::sqrt(m.m2 / double(m.n));
    return s;
}


bool startsWith(const std::string& s, const std::string& head) { return s.compare(0, head.size(), head) == 0; }

bool endsWith(const std::string& s, const std::string& tail)
{
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// "encoder layer 2" for model.encoder.layers.1.*, and so on.
Text blockOf(const std::string& name)
{
    if (name == "model.shared.weight") return Text("summary.block.embeddings_shared");
    for (const char* side : {"encoder", "decoder"}) {
        const std::string p = std::string("model.") + side + ".layers.";
        if (startsWith(name, p)) {
            const int i = std::atoi(name.c_str() + p.size());
            return Text(std::string("summary.block.") + side + "_layer").count("layer", i + 1);
        }
        if (startsWith(name, std::string("model.") + side + ".layer_norm.")) return Text("summary.block.final_stack_norms");
    }
    if (name == "lm_head.weight") return Text("summary.block.lm_head");
    if (name == "final_logits_bias") return Text("summary.block.final_logits_bias");
    return Text("summary.block.other");
}

}  // namespace

const TensorStats* ModelSummary::find(const std::string& name) const
{
    for (const TensorStats& t : tensors)
        if (t.name == name) return &t;
    return nullptr;
}

TensorStats tensorStats(const float* data, int64_t n) { return statsOf(moments({Span{data, n}}).front(), n); }

std::vector<Text> describeVariant(const Model& m)
{
    const Config& c = m.config();
    const bool bias = m.weights().final_logits_bias != nullptr;
    return {Text(c.normalizeBefore ? "summary.variant.pre_norm" : "summary.variant.post_norm"),
            Text("summary.variant.positions").str("layout", positionLayoutName(c.positions)),
            Text("summary.variant.activation").str("activation", activationName(c.activation)),
            Text(c.scaleEmbedding ? "summary.variant.embeddings_scaled" : "summary.variant.embeddings_unscaled"),
            Text(std::string("summary.variant.output_") + (m.weights().tied ? "tied" : "untied") + (bias ? "_bias" : ""))};
}

namespace {

// kSampleRuns evenly spaced runs of kSampleRun values of an F32 / F16 / BF16 tensor with
// more than kSampleAbove elements, converted to float; only those bytes are read.
std::vector<float> sampleOf(const io::SafetensorsFile& file, const io::TensorInfo& t)
{
    const int64_t n = t.numel();
    const std::size_t size = io::dtypeSize(t.dtype);
    const uint8_t* base = file.bytes(t);
    std::vector<float> out;
    out.reserve(std::size_t(kSampleRuns * kSampleRun));
    for (int64_t r = 0; r < kSampleRuns; ++r) {
        const int64_t begin = r * (n - kSampleRun) / (kSampleRuns - 1);
        const uint8_t* p = base + std::size_t(begin) * size;
        for (int64_t i = 0; i < kSampleRun; ++i, p += size) {  // little-endian on disk
            if (t.dtype == io::DType::F32) {
                uint32_t bits = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
                float v;
                std::memcpy(&v, &bits, sizeof v);
                out.push_back(v);
            } else {
                const auto v = static_cast<uint16_t>(p[0] | p[1] << 8);
                out.push_back(t.dtype == io::DType::F16 ? io::halfToFloat(v) : io::bf16ToFloat(v));
            }
        }
    }
    return out;
}

bool convertsToFloat(io::DType d) { return d == io::DType::F32 || d == io::DType::F16 || d == io::DType::BF16; }

}  // namespace

ModelSummary summarize(const Model& m)
{
    ModelSummary s;
    s.variant = describeVariant(m);
    const std::map<std::string, TensorRef>& bound = m.boundTensors();
    const io::SafetensorsFile* file = m.file();
    const std::string label = file ? file->path() : m.directory();

    // First the table and where each tensor's floats are, then one parallel pass over all.
    std::vector<Span> spans;                 // one per tensor; null data = not measured
    std::vector<std::vector<float>> owned;   // converted unused tensors
    if (file) {
        for (const io::TensorInfo& t : file->tensors()) {
            TensorStats st;
            st.name = t.name;
            st.dtype = io::dtypeName(t.dtype);
            st.shape = t.shape;
            auto it = bound.find(t.name);
            st.used = it != bound.end();
            const float* data = st.used ? it->second.data : nullptr;
            int64_t n = t.numel();
            if (!st.used && t.numel() > kSampleAbove && convertsToFloat(t.dtype)) {
                owned.push_back(sampleOf(*file, t));
                data = owned.back().data();
                n = st.sampled = int64_t(owned.back().size());
            } else if (!st.used) {
                data = file->f32(t);
            }
            if (!data) {
                if (Result<std::vector<float>> conv = file->toFloat(t)) {
                    owned.push_back(std::move(conv).value());
                    data = owned.back().data();
                } else {
                    st.numeric = false;
                }
            }
            spans.push_back({data, data ? n : 0});
            s.tensors.push_back(st);
        }
    } else {
        for (const ExpectedTensor& e : expectedTensors(m.config())) {
            auto it = bound.find(e.name);
            if (it == bound.end()) continue;
            TensorStats st;
            st.name = e.name, st.dtype = "F32", st.shape = e.shape;
            spans.push_back({it->second.data, numelOf(e.shape)});
            s.tensors.push_back(st);
        }
    }
    const std::vector<Moments> measured = moments(spans);
    for (size_t i = 0; i < s.tensors.size(); ++i) {
        TensorStats& st = s.tensors[i];
        const TensorStats values = statsOf(measured[i], numelOf(st.shape));
        st.count = values.count;
        st.min = values.min, st.max = values.max, st.mean = values.mean, st.std = values.std;
        st.nan = values.nan, st.inf = values.inf;
    }

    // Parameters per block, in the architecture's order (expectedTensors lists them so).
    for (const ExpectedTensor& e : expectedTensors(m.config())) {
        if (!bound.count(e.name)) continue;
        const Text block = blockOf(e.name);
        const int64_t n = numelOf(e.shape);
        if (s.parametersPerBlock.empty() || !(s.parametersPerBlock.back().first == block))
            s.parametersPerBlock.emplace_back(block, 0);
        s.parametersPerBlock.back().second += n;
        s.parameters += n;
    }

    for (const TensorStats& t : s.tensors)
        if (t.nan || t.inf)
            s.warnings.push_back(Text(!t.used ? (t.sampled ? "summary.warning.non_finite_unused_sampled"
                                                           : "summary.warning.non_finite_unused")
                                              : "summary.warning.non_finite")
                                     .str("file", label)
                                     .str("tensor", clipped(t.name))
                                     .count("nan", t.nan)
                                     .count("inf", t.inf)
                                     .count("sampled", int64_t(t.sampled)));
    if (m.config().maxPositionsInFile > 0)
        s.warnings.push_back(Text("summary.warning.positions_capped")
                                 .str("file", m.directory() + "/config.json")
                                 .count("positions", m.config().maxPositionsInFile)
                                 .count("cap", m.config().maxPositions));
    return s;
}

int64_t TensorData::numel() const { return numelOf(shape); }

Result<TensorData> tensorData(const Model& m, const std::string& name)
{
    TensorData d;
    d.name = name;
    const std::map<std::string, TensorRef>& bound = m.boundTensors();
    if (auto it = bound.find(name); it != bound.end()) {
        d.shape = it->second.shape;
        d.view = it->second.data;
        return d;
    }
    const io::SafetensorsFile* file = m.file();
    const io::TensorInfo* t = file ? file->find(name) : nullptr;
    if (!t) return error(m.directory() + ": no tensor " + quoteText(name));
    d.shape = t->shape;
    if ((d.view = file->f32(*t))) return d;
    Result<std::vector<float>> conv = file->toFloat(*t);
    if (!conv) return error(conv.message());
    d.owned = std::move(conv).value();
    return d;
}

std::vector<int64_t> histogram(const float* data, int64_t n, double lo, double hi, int bins)
{
    if (bins < 1 || !(hi > lo)) return {};
    std::vector<int64_t> counts(size_t(bins), 0);
    const double scale = double(bins) / (hi - lo);
    auto count = [&](int64_t begin, int64_t end, std::vector<int64_t>& c) {
        for (int64_t i = begin; i < end; ++i) {
            const double v = double(data[i]);
            if (!(v >= lo && v <= hi)) continue;  // NaN fails both comparisons
            const int b = std::min(bins - 1, int((v - lo) * scale));
            ++c[size_t(b)];
        }
    };
    if (n < kParallel) {
        count(0, n, counts);
        return counts;
    }
    // Chunks handed out as threads free up (see moments()); each chunk counts into its own
    // bins, summed in order afterwards (integers: any order gives the same counts).
    const int64_t chunks = (n + kChunk - 1) / kChunk;
    std::vector<std::vector<int64_t>> local(size_t(chunks), std::vector<int64_t>(size_t(bins), 0));
    parallelFor(
        int(chunks), [&](int c) { count(c * kChunk, std::min(n, (c + 1) * kChunk), local[size_t(c)]); }, double(n) * 2);
    for (const std::vector<int64_t>& l : local)
        for (int b = 0; b < bins; ++b) counts[size_t(b)] += l[size_t(b)];
    return counts;
}

std::pair<double, double> histogramRange(double min, double max)
{
    if (!std::isfinite(min) || !std::isfinite(max)) return {0.0, 1.0};
    if (max > min) return {min, max};
    return {min - 0.5, min + 0.5};
}

bool Downsampled::pooled() const
{
    return values.shape.size() == 2 &&
           (values.shape[0] < rowBegin.back() || values.shape[1] < colBegin.back());
}

Downsampled downsample(const float* data, int64_t rows, int64_t cols, int maxRows, int maxCols)
{
    Downsampled d;
    const int64_t R = std::max<int64_t>(1, std::min<int64_t>(rows, maxRows));
    const int64_t C = std::max<int64_t>(1, std::min<int64_t>(cols, maxCols));
    d.rowBegin.resize(size_t(R + 1));
    d.colBegin.resize(size_t(C + 1));
    for (int64_t i = 0; i <= R; ++i) d.rowBegin[size_t(i)] = i * rows / R;
    for (int64_t j = 0; j <= C; ++j) d.colBegin[size_t(j)] = j * cols / C;
    d.values.shape = {R, C};
    d.values.data.assign(size_t(R * C), 0.0f);
    if (rows <= 0 || cols <= 0) return d;
    // Output row i: the mean of the block rows[rowBegin[i]..) x cols[colBegin[j]..).
    auto outputRow = [&](int64_t i) {
        std::vector<double> acc(size_t(C), 0.0);
        for (int64_t r = d.rowBegin[size_t(i)]; r < d.rowBegin[size_t(i + 1)]; ++r) {
            const float* row = data + r * cols;
            for (int64_t j = 0; j < C; ++j) {
                double s = 0;
                for (int64_t c = d.colBegin[size_t(j)]; c < d.colBegin[size_t(j + 1)]; ++c) s += double(row[c]);
                acc[size_t(j)] += s;
            }
        }
        const double rowsIn = double(d.rowBegin[size_t(i + 1)] - d.rowBegin[size_t(i)]);
        for (int64_t j = 0; j < C; ++j) {
            const double cells = rowsIn * double(d.colBegin[size_t(j + 1)] - d.colBegin[size_t(j)]);
            d.values.data[size_t(i * C + j)] = float(acc[size_t(j)] / cells);
        }
    };
    if (rows * cols >= kParallel) {
        constexpr int64_t kRowsPerTask = 8;
        parallelFor(
            int((R + kRowsPerTask - 1) / kRowsPerTask),
            [&](int t) {
                for (int64_t i = t * kRowsPerTask; i < std::min(R, (t + 1) * kRowsPerTask); ++i) outputRow(i);
            },
            double(rows) * cols);
    } else {
        for (int64_t i = 0; i < R; ++i) outputRow(i);
    }
    return d;
}

int headCount(const Model& m, const std::string& tensorName)
{
    const std::string& n = tensorName;
    const bool projection = endsWith(n, ".q_proj.weight") || endsWith(n, ".k_proj.weight") ||
                            endsWith(n, ".v_proj.weight") || endsWith(n, ".out_proj.weight");
    const bool attention = n.find(".self_attn.") != std::string::npos || n.find(".encoder_attn.") != std::string::npos;
    if (!projection || !attention) return 0;
    const Config& c = m.config();
    if (startsWith(n, "model.encoder.layers.")) return c.encoderHeads;
    if (startsWith(n, "model.decoder.layers.")) return c.decoderHeads;
    return 0;
}

Result<HeadSlice> headSlice(const Model& m, const std::string& tensorName, int head)
{
    const int H = headCount(m, tensorName);
    if (H <= 0) return error("tensor '" + tensorName + "' is not an attention projection weight");
    if (head < 0 || head >= H)
        return error("tensor '" + tensorName + "': head " + std::to_string(head) + " is out of range (0.." +
                     std::to_string(H - 1) + ")");
    const std::map<std::string, TensorRef>& bound = m.boundTensors();
    auto it = bound.find(tensorName);
    if (it == bound.end()) return error(m.directory() + ": tensor '" + tensorName + "' is not bound by this config");
    const float* W = it->second.data;  // [d, d], [out, in]
    const int d = m.config().dModel, dk = d / H;
    HeadSlice s;
    s.head = head, s.heads = H, s.dk = dk;
    s.first = int64_t(head) * dk;
    s.columns = endsWith(tensorName, ".out_proj.weight");
    if (!s.columns) {
        // head h of W_Q / W_K / W_V: rows h*dk .. (h+1)*dk - 1 -> [dk, d]
        s.values.shape = {dk, d};
        s.values.data.assign(W + s.first * d, W + (s.first + dk) * d);
    } else {
        // head h of W_O: columns h*dk .. (h+1)*dk - 1 -> [d, dk]
        s.values.shape = {d, dk};
        s.values.data.resize(size_t(d) * size_t(dk));
        for (int r = 0; r < d; ++r)
            std::copy(W + int64_t(r) * d + s.first, W + int64_t(r) * d + s.first + dk,
                      s.values.data.begin() + int64_t(r) * dk);
    }
    return s;
}

}  // namespace sf
