// stepformer bench decode --model DIR [--src-len 20] [--steps 20] [--runs 20] [--json]
// Medians over runs of: model load, encoder (and the decoder's cross-attention K/V, as
// Session::encode makes them), one KV-cached decoding step with capture off
// and on, and the whole forced translation with capture. Source ids and the forced
// output length match ../shared/peers/torch_decode.py so both engines do the same work.
#include "app/cli.h"
#include "app/cli_options.h"

#include "core/model/model.h"
#include "core/model/parallel.h"
#include "core/run/session.h"

#include <QCommandLineParser>


#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <iostream>
#include <vector>

namespace sf::cli {

namespace {

using Clock = std::chrono::steady_clock;

double ms(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double, std::milli>(b - a).count();
}

double median(std::vector<double> v)
{
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct RunTimes {
    double encoder = 0, step = 0, total = 0;
};

// One forced run: encoder, then `steps` greedy steps ignoring </s>. step = median of
// steps 1.. (step 0 warms the cache rows, as in the peer).
RunTimes timedRun(Session& s, int steps, bool capture)
{
    const Config& c = s.model().config();
    RunTimes r;
    s.releaseTrace();  // freeing the previous run's Trace is not encoder work
    const auto t0 = Clock::now();
    s.encode(capture);
    const auto t1 = Clock::now();
    std::vector<double> stepMs;
    int input = c.decoderStartId;
    for (int i = 0; i < steps; ++i) {
        const auto a = Clock::now();
        const float* logits = s.step(input);
        input = int(std::max_element(logits, logits + c.vocabSize) - logits);
        const auto b = Clock::now();
        if (i > 0) stepMs.push_back(ms(a, b));
    }
    const auto t2 = Clock::now();
    r.encoder = ms(t0, t1);
    r.step = median(stepMs);
    r.total = ms(t0, t2);
    return r;
}

// Memory bandwidth now, in GB/s: the best of `passes` parallel read passes over 512 MB
// (larger than any cache; ~20 ms each), each core summing its share. parallelTasks, so
// that every pass runs on all the threads whatever the pool's team-or-solo probe has
// picked for the model's ops (a solo pass measured one core's bandwidth).
double readBandwidth(int passes)
{
    const size_t n = size_t(128) << 20;  // floats
    static std::vector<float> buf;
    if (buf.size() != n) buf.assign(n, 1.0f);
    const int tasks = std::max(1, threads());
    std::vector<double> sums(static_cast<size_t>(tasks));
    double best = 0.0;
    for (int pass = 0; pass < passes; ++pass) {
        const auto a = Clock::now();
        parallelTasks(tasks, [&](int t) {
            const size_t b = n / size_t(tasks) * size_t(t), e = t + 1 == tasks ? n : b + n / size_t(tasks);
            float acc[16] = {};
            for (size_t i = b; i + 16 <= e; i += 16)
                for (int j = 0; j < 16; ++j) acc[j] += buf[i + size_t(j)];
            double s = 0;
            for (float x : acc) s += x;
            sums[size_t(t)] = s;
        });
        const double sec = std::chrono::duration<double>(Clock::now() - a).count();
        best = std::max(best, double(n) * sizeof(float) / sec / 1e9);
    }
    return best;
}

// The cores' multiply-add peak now, in GFLOP/s (2 flops per multiply-add): the best of
// `passes` passes (~1 ms each), each core running 12 independent FMA chains (enough to
// cover the FMA latency on two pipes) for ~20M multiply-adds, on all the threads
// (parallelTasks, as above), in the vectors the kernels use: 16 lanes where the build has
// AVX-512 (a core with two 512-bit FMA pipes peaks at twice its 8-lane figure), else 8.
// Without AVX2 + FMA, 0 (not measured).
double fmaPeak(int passes)
{
#if defined(__AVX2__) && defined(__FMA__)
#if defined(__AVX512F__)
    using Vec = __m512;
    constexpr int kLanes = 16;
    auto set1 = [](float v) { return _mm512_set1_ps(v); };
    auto fma = [](Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); };
    auto add = [](Vec a, Vec b) { return _mm512_add_ps(a, b); };
#else
    using Vec = __m256;
    constexpr int kLanes = 8;
    auto set1 = [](float v) { return _mm256_set1_ps(v); };
    auto fma = [](Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); };
    auto add = [](Vec a, Vec b) { return _mm256_add_ps(a, b); };
#endif
    const int tasks = std::max(1, threads());
    constexpr long kIters = 200000;
    std::vector<float> sink(static_cast<size_t>(tasks));
    double best = 0.0;
    for (int pass = 0; pass < passes; ++pass) {
        const auto a = Clock::now();
        parallelTasks(tasks, [&](int t) {
            Vec acc[12];
            for (int j = 0; j < 12; ++j) acc[j] = set1(float(j + t));
            const Vec m = set1(0.999999f), b = set1(1e-7f);
            for (long i = 0; i < kIters; ++i)
                for (int j = 0; j < 12; ++j) acc[j] = fma(acc[j], m, b);
            Vec s = acc[0];
            for (int j = 1; j < 12; ++j) s = add(s, acc[j]);
            float lanes[kLanes];
            std::memcpy(lanes, &s, sizeof lanes);
            sink[size_t(t)] = lanes[0];
        });
        const double sec = std::chrono::duration<double>(Clock::now() - a).count();
        best = std::max(best, 2.0 * kLanes * 12 * double(kIters) * tasks / sec / 1e9);
    }
    return best;
#else
    return 0.0;
#endif
}

// Multiply-adds x 2 of the encoder phase over S tokens, as Session::encode runs it: per
// encoder layer the four d x d projections and the two feed-forward products per token,
// and the attention products (Q K^T and weights V, S x S x d each); then per decoder
// layer the cross-attention K and V of the memory (two d x d products per token), made
// once per source.
double encoderFlops(const Config& c, int S)
{
    const double d = c.dModel, F = c.encoderFfn;
    return 2.0 * c.encoderLayers * (S * (4 * d * d + 2 * d * F) + 2.0 * S * S * d) +
           2.0 * c.decoderLayers * S * 2 * d * d;
}

// Weight bytes each phase must read once (float32 as the engine holds them): the encoder
// phase, its layers and the decoder's cross-attention K/V projections; one decoding step
// over the decoder's other weights (cross-attention K/V are computed once per source, not
// per step) and the output projection.
double encoderWeightBytes(const Config& c)
{
    const double d = c.dModel, F = c.encoderFfn;
    return 4.0 * (c.encoderLayers * (4 * d * d + 2 * d * F) + c.decoderLayers * 2 * d * d);
}

double stepWeightBytes(const Config& c)
{
    const double d = c.dModel, F = c.decoderFfn;
    return 4.0 * (c.decoderLayers * (6 * d * d + 2 * d * F) + double(c.vocabSize) * d);
}

}  // namespace

int bench(const QStringList& args)
{
    if (!args.isEmpty() && args.first() == "train") return benchTrain(args.mid(1));
    if (!args.isEmpty() && (args.first() == "--help" || args.first() == "-h")) {
        std::cout << "usage: stepformer bench decode|train|ui [options]; stepformer bench NAME --help lists them\n";
        return Ok;
    }
    if (args.isEmpty() || args.first() != "decode") return fail("bench takes a benchmark name: decode, train or ui", Usage);
    QCommandLineParser p;
    p.addOption({"model", "A bundled model's name or a model directory.", "NAME|DIR"});
    p.addOption({"src-len", "Source tokens.", "N", "20"});
    p.addOption({"steps", "Forced decoding steps.", "N", "20"});
    p.addOption({"runs", "Timed runs (after 3 warm-up runs).", "N", "20"});
    p.addOption({"json", "End with one JSON line of the medians."});
    if (const int code = parseArgs(p, "bench", args.mid(1)); code >= 0) return code;
    int S = 20, steps = 20, runs = 20;
    if (!intOption(p, "src-len", 1, 4096, &S) || !intOption(p, "steps", 2, 4096, &steps) ||
        !intOption(p, "runs", 1, 100000, &runs))
        return Usage;
    const std::string dir = modelDirOption(p);
    if (dir.empty()) return BadInput;

    // Load: the first load warms the page cache; the figure is the median of warm loads.
    std::vector<double> loadMs, firstTokenMs;
    std::shared_ptr<const Model> model;
    for (int i = 0; i < 6; ++i) {
        model.reset();
        const auto a = Clock::now();
        auto m = Model::load(dir);
        const auto b = Clock::now();
        if (!m) return fail(m.message());
        model = *m;
        // Load to first token: load, encode, one decoding step.
        Session s(model);
        std::vector<int> ids;
        for (int k = 0; k < S; ++k) ids.push_back((k * 7919 + 13) % (model->config().vocabSize - 10) + 10);
        (void)s.setSourceIds(ids);
        s.encode(false);
        s.step(model->config().decoderStartId);
        const auto c = Clock::now();
        if (i > 0) {
            loadMs.push_back(ms(a, b));
            firstTokenMs.push_back(ms(a, c));
        }
    }
    const Config& c = model->config();
    if (S > c.maxPositions || steps > c.maxPositions) return fail("--src-len and --steps must not exceed max positions");
    std::vector<int> ids;
    for (int k = 0; k < S; ++k) ids.push_back((k * 7919 + 13) % (c.vocabSize - 10) + 10);
    Session s(model);
    (void)s.setSourceIds(ids);

    // The bandwidth and the multiply-add peak move from second to second on a shared
    // machine, so they are measured right before every run, and each run's times are
    // divided by the floors of that moment; the ratios quoted are the medians of those.
    // The floors in ms at a bandwidth (GB/s) or a peak (GFLOP/s).
    auto encFloorAt = [&](double gbs) { return encoderWeightBytes(c) / gbs / 1e6; };
    auto stepFloorAt = [&](double gbs) { return stepWeightBytes(c) / gbs / 1e6; };
    auto computeFloorAt = [&](double gflops) { return gflops > 0 ? encoderFlops(c, S) / gflops / 1e6 : 0.0; };
    std::vector<double> enc, step, encCap, stepCap, totalCap, bws, peaks, encRatio, stepRatio, encComputeRatio;
    for (int r = 0; r < runs + 3; ++r) {
        const double bwNow = readBandwidth(1), peakNow = fmaPeak(2);
        const RunTimes off = timedRun(s, steps, false);
        const RunTimes on = timedRun(s, steps, true);
        if (r < 3) continue;
        enc.push_back(off.encoder), step.push_back(off.step);
        encCap.push_back(on.encoder), stepCap.push_back(on.step), totalCap.push_back(on.total);
        bws.push_back(bwNow), peaks.push_back(peakNow);
        encRatio.push_back(off.encoder / encFloorAt(bwNow));
        stepRatio.push_back(off.step / stepFloorAt(bwNow));
        if (peakNow > 0) encComputeRatio.push_back(off.encoder / computeFloorAt(peakNow));
    }
    const double bw = median(bws), peak = median(peaks);
    const double encFloor = encFloorAt(bw), stepFloor = stepFloorAt(bw), encComputeFloor = computeFloorAt(peak);
    const double loadMed = median(loadMs), encMed = median(enc), stepMed = median(step);
    const double stepCapMed = median(stepCap), encCapMed = median(encCap), totalCapMed = median(totalCap);
    const double encRatioMed = median(encRatio), stepRatioMed = median(stepRatio);
    const double encComputeRatioMed = encComputeRatio.empty() ? 0.0 : median(encComputeRatio);
    const auto [bwMin, bwMax] = std::minmax_element(bws.begin(), bws.end());
    std::printf("stepformer %s, %d threads, S=%d steps=%d runs=%d\n", c.describe().c_str(), threads(), S,
                steps, runs);
    std::printf("load %.2f ms, load to first token %.2f ms\n", loadMed, median(firstTokenMs));
    std::printf("encoder, with the decoder's cross-attention K/V, %.2f ms (capture on: %.2f ms)\n", encMed, encCapMed);
    std::printf("per step %.3f ms, with capture %.3f ms (capture costs %+.1f%%)\n", stepMed, stepCapMed,
                100.0 * (stepCapMed / stepMed - 1.0));
    std::printf("whole translation with capture %.2f ms\n", totalCapMed);
    std::printf("memory bandwidth before each run %.1f-%.1f GB/s, median %.1f: weight-read floor encoder %.2f ms, "
                "step %.3f ms; each run over its own floor: encoder %.2fx, step %.2fx (medians)\n",
                *bwMin, *bwMax, bw, encFloor, stepFloor, encRatioMed, stepRatioMed);
    if (peak > 0)
        std::printf("multiply-add peak median %.1f GFLOP/s: encoder compute floor %.2f ms (%.2f GFLOP); "
                    "each run over its own: %.2fx (median)\n",
                    peak, encComputeFloor, encoderFlops(c, S) / 1e9, encComputeRatioMed);
    if (p.isSet("json"))
        std::printf("{\"encoder_ms\": %.4f, \"step_ms\": %.4f, \"step_ms_capture\": %.4f, \"load_ms\": %.4f, "
                    "\"first_token_ms\": %.4f, \"encoder_ms_capture\": %.4f, \"translation_ms_capture\": %.4f, "
                    "\"threads\": %d, \"bandwidth_gbs\": %.2f, \"encoder_floor_ms\": %.4f, \"step_floor_ms\": %.4f, "
                    "\"fma_peak_gflops\": %.1f, \"encoder_compute_floor_ms\": %.4f, \"bandwidth_gbs_min\": %.2f, "
                    "\"bandwidth_gbs_max\": %.2f, \"encoder_floor_ratio\": %.3f, \"step_floor_ratio\": %.3f, "
                    "\"encoder_compute_ratio\": %.3f}\n",
                    encMed, stepMed, stepCapMed, loadMed, median(firstTokenMs), encCapMed, totalCapMed, threads(), bw,
                    encFloor, stepFloor, peak, encComputeFloor, *bwMin, *bwMax, encRatioMed, stepRatioMed,
                    encComputeRatioMed);
    return Ok;
}

}  // namespace sf::cli
