// Every kernel of the backend seam (kernels.h) on every available backend, against a
// plain double-precision reference written here, over shapes that reach every code path:
// one row (the decoding step's matrix-vector product), few rows (the register-tiled
// kernel, with row and column remainders and an inner size that is not a multiple of 8),
// many rows (GEMM), and sizes below and above the threshold where the work is split over
// the threads. In the spirit of ggml's test-backend-ops: a new backend adds itself to
// sf::backends() (kernels.h: what --device chooses from) and inherits every check.
// Tolerances are relative to the largest reference magnitude of the tensor.
#include "check.h"

#include "core/model/kernels.h"
#include "core/model/ops.h"
#include "core/model/parallel.h"

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace sf;
using sf::test::checkTensor;

namespace {

std::vector<float> randomVector(size_t n, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> d(0.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v) x = d(rng);
    return v;
}

// Every operation runs in the backend's own memory, as the forward pass runs it: inputs
// are uploaded, results downloaded back.
BackendBuffer toBackend(const Kernels& K, const std::vector<float>& host)
{
    BackendBuffer b;
    b.resize(K, host.size());
    K.upload(b.data(), host.data(), host.size());
    return b;
}

std::vector<float> toHost(const Kernels& K, const BackendBuffer& b, size_t n)
{
    std::vector<float> host(n);
    K.download(host.data(), int(n), b.data(), int(n), 1, int(n));
    return host;
}

// float32 products of length k: about sqrt(k) * 2^-24 relative error per dot product.
constexpr double kProductTol = 2e-6;

// W [out, in] in the CPU's few-row layout (ops.h), host memory; empty where this build's
// kernel reads W in place only.
std::vector<float> panelsOf(const std::vector<float>& W, int out, int in)
{
    std::vector<float> p(linearPanelFloats(out, in));
    if (!p.empty()) packLinearPanels(p.data(), W.data(), out, in);
    return p;
}

}  // namespace

TEST_CASE("backend ops: linear over every shape class", "[backend]")
{
    struct Shape {
        int n, in, out;
    };
    // With panels: one tile and its remainders (n 1-10), several tiles (11-32), a last panel
    // that is mostly padding (out 5, 97, 300), an in that is a multiple of 1024 (x copied).
    const std::vector<Shape> shapes{{1, 32, 48},   {1, 512, 2048}, {1, 37, 5},      {2, 512, 512},   {3, 13, 7},
                                    {4, 64, 96},   {5, 100, 97},   {7, 9, 2},       {10, 64, 33},    {11, 31, 64},
                                    {20, 512, 2048}, {20, 2048, 512}, {21, 1024, 40}, {32, 40, 300},  {33, 64, 64},
                                    {64, 128, 130}};
    for (const Kernels* K : backends())
        for (const Shape& s : shapes)
            for (int variant = 0; variant < 4; ++variant) {
                // W in place or (where the build packs them) also its panels; with or without b.
                const bool bias = variant % 2 == 1, packed = variant >= 2;
                const std::vector<float> x = randomVector(size_t(s.n) * s.in, 1), W = randomVector(size_t(s.out) * s.in, 2),
                                         b = randomVector(size_t(s.out), 3);
                const std::vector<float> panels = packed ? panelsOf(W, s.out, s.in) : std::vector<float>();
                if (packed && panels.empty()) continue;
                const std::string label = std::string(K->name()) + " linear n=" + std::to_string(s.n) +
                                          " in=" + std::to_string(s.in) + " out=" + std::to_string(s.out) +
                                          (bias ? " +b" : "") + (packed ? " panels" : "");
                std::vector<float> ref(size_t(s.n) * s.out);
                const BackendBuffer xb = toBackend(*K, x), Wb = toBackend(*K, W), bb = toBackend(*K, b);
                BackendBuffer yb = toBackend(*K, std::vector<float>(ref.size(), -7.0f));
                K->linear(yb.data(), xb.data(), Wb.data(), bias ? bb.data() : nullptr, s.n, s.in, s.out,
                          packed ? panels.data() : nullptr);
                const std::vector<float> y = toHost(*K, yb, ref.size());
                for (int r = 0; r < s.n; ++r)
                    for (int o = 0; o < s.out; ++o) {
                        double acc = bias ? b[size_t(o)] : 0.0;
                        for (int k = 0; k < s.in; ++k)
                            acc += double(x[size_t(r) * s.in + k]) * W[size_t(o) * s.in + k];
                        ref[size_t(r) * s.out + o] = float(acc);
                    }
                checkTensor(label, y, ref, kProductTol * std::sqrt(double(s.in)));
            }
}

// The few-row kernels reduce every output by one fixed order (W in place: k steps, then
// one lane tree; panels: k in order, in one lane), whichever rows share its tile and
// whichever thread runs it: a row of x gives the same bits alone (a decoding step) as
// inside a block of rows (a full recomputation), at any thread count. This holds where the
// CPU has the kernels (AVX-512); elsewhere the one-row product is Eigen's and only the
// tolerance of the case above applies.
TEST_CASE("backend ops: a row's linear output does not depend on its neighbours or on the threads", "[backend]")
{
#if defined(__AVX512F__)
    const Kernels& K = cpuKernels();
    struct Shape {
        int in, out;
    };
    for (const Shape s : {Shape{512, 2048}, Shape{2048, 512}, Shape{37, 131}, Shape{256, 70}}) {
        const int n = 23;  // W in place: four 5-row tiles + 3 rows; panels: two 10-row tiles + 3
        const std::vector<float> x = randomVector(size_t(n) * s.in, 4), W = randomVector(size_t(s.out) * s.in, 5),
                                 b = randomVector(size_t(s.out), 6);
        const std::vector<float> packed = panelsOf(W, s.out, s.in);
        REQUIRE(!packed.empty());  // AVX-512 builds pack
        for (const float* panels : {static_cast<const float*>(nullptr), packed.data()}) {
        std::vector<float> block(size_t(n) * s.out);
        K.linear(block.data(), x.data(), W.data(), b.data(), n, s.in, s.out, panels);
        for (int threads : {1, 2, 3}) {
            setThreads(threads);
            for (int r : {0, 4, 5, 21, 22}) {
                std::vector<float> alone(size_t(s.out)), pair(size_t(2) * s.out);
                K.linear(alone.data(), x.data() + size_t(r) * s.in, W.data(), b.data(), 1, s.in, s.out, panels);
                const int r2 = r == 0 ? 0 : r - 1;  // the row inside a 2-row call
                K.linear(pair.data(), x.data() + size_t(r2) * s.in, W.data(), b.data(), 2, s.in, s.out, panels);
                const float* inPair = pair.data() + size_t(r - r2) * s.out;
                int differing = 0;
                for (int o = 0; o < s.out; ++o) {
                    const float want = block[size_t(r) * s.out + o];
                    differing += alone[size_t(o)] != want || inPair[o] != want ? 1 : 0;
                }
                INFO("in=" << s.in << " out=" << s.out << " row " << r << " threads " << threads
                            << (panels ? " panels" : " W in place"));
                CHECK(differing == 0);
            }
        }
        setThreads(0);
        }
    }
#else
    SUCCEED("no AVX-512 few-row kernel on this CPU");
#endif
}

TEST_CASE("backend ops: the strided attention product (earlier queries against new keys)", "[backend]")
{
    for (const Kernels* K : backends()) {
        // One head of a [n, d] layout: lda = ldb = d, dk columns, like multiHeadAttention.
        const int n = 6, nk = 9, d = 24, dk = 8, off = 8;
        const std::vector<float> q = randomVector(size_t(n) * d, 4), k = randomVector(size_t(nk) * d, 5);
        std::vector<float> ref(size_t(n) * nk);
        const BackendBuffer qb = toBackend(*K, q), kb = toBackend(*K, k);
        BackendBuffer cb;
        cb.resize(*K, ref.size());
        K->matmulNT(cb.data(), qb.data() + off, kb.data() + off, n, nk, dk, 0.25f, d, d, nk);
        const std::vector<float> c = toHost(*K, cb, ref.size());
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < nk; ++j) {
                double acc = 0;
                for (int x = 0; x < dk; ++x) acc += double(q[size_t(i) * d + off + x]) * k[size_t(j) * d + off + x];
                ref[size_t(i) * nk + j] = float(0.25 * acc);
            }
        checkTensor(std::string(K->name()) + " matmulNT", c, ref, kProductTol * 4);
    }
}

TEST_CASE("backend ops: softmax rows (masked, all masked, split over threads), log-sum-exp, layer norm",
          "[backend]")
{
    const float ninf = -std::numeric_limits<float>::infinity();
    for (const Kernels* K : backends()) {
        for (int rows : {1, 3, 700}) {  // 700 x 130 is past the threshold where rows are split
            const int cols = 130, ld = 136;
            std::vector<float> x = randomVector(size_t(rows) * ld, 8);
            for (int r = 0; r < rows; ++r)
                for (int j = 0; j < cols; ++j)
                    if ((j + r) % 5 == 0) x[size_t(r) * ld + j] = ninf;
            if (rows > 1)
                for (int j = 0; j < cols; ++j) x[size_t(1) * ld + j] = ninf;  // a fully masked row
            std::vector<float> ref(x.size());
            for (int r = 0; r < rows; ++r) {
                double mx = -1e300, z = 0;
                for (int j = 0; j < cols; ++j) mx = std::max(mx, double(x[size_t(r) * ld + j]));
                for (int j = 0; j < cols; ++j)
                    z += std::isinf(x[size_t(r) * ld + j]) ? 0.0 : std::exp(x[size_t(r) * ld + j] - mx);
                for (int j = 0; j < ld; ++j) {
                    const float v = x[size_t(r) * ld + j];
                    ref[size_t(r) * ld + j] =
                        j >= cols ? v : (std::isinf(v) || z == 0.0 ? 0.0f : float(std::exp(v - mx) / z));
                }
            }
            BackendBuffer xb = toBackend(*K, x);
            K->softmaxRows(xb.data(), rows, cols, ld);
            x = toHost(*K, xb, x.size());
            checkTensor(std::string(K->name()) + " softmax rows=" + std::to_string(rows), x, ref, 1e-6);
            for (int r = 0; r < rows; ++r)
                for (int j = 0; j < cols; ++j)
                    if (ref[size_t(r) * ld + j] == 0.0f) REQUIRE(x[size_t(r) * ld + j] == 0.0f);  // exactly 0
        }

        const std::vector<float> l = randomVector(1000, 9);
        double mx = -1e300, z = 0;
        for (float v : l) mx = std::max(mx, double(v));
        for (float v : l) z += std::exp(v - mx);
        CHECK(K->logSumExp(l.data(), 1000) == Approx(mx + std::log(z)).epsilon(1e-6));  // host memory (kernels.h)
        // Banned tokens are -inf logits: they add nothing.
        std::vector<float> banned = l;
        double zb = 0;
        for (size_t i = 0; i < banned.size(); ++i)
            if (i % 3 == 0) banned[i] = -std::numeric_limits<float>::infinity();
            else zb += std::exp(banned[i] - mx);
        CHECK(K->logSumExp(banned.data(), 1000) == Approx(mx + std::log(zb)).epsilon(1e-6));

        // Layer norm: a small odd width; the model's width over 20 rows (the AVX-512 row);
        // enough rows to be split over the threads; and in place (y = x), as the forward calls it.
        struct NormShape {
            int rows, d;
            bool inPlace;
        };
        for (const NormShape ns : {NormShape{5, 37, false}, NormShape{20, 512, false}, NormShape{96, 512, false},
                                   NormShape{20, 512, true}}) {
            const int rows = ns.rows, d = ns.d;
            const std::vector<float> x = randomVector(size_t(rows) * d, 10), g = randomVector(size_t(d), 11),
                                     b = randomVector(size_t(d), 12);
            std::vector<float> ref(x.size());
            BackendBuffer xb = toBackend(*K, x);
            const BackendBuffer gb = toBackend(*K, g), bb = toBackend(*K, b);
            BackendBuffer yb;
            yb.resize(*K, x.size());
            float* out = ns.inPlace ? xb.data() : yb.data();
            K->layerNormRows(out, xb.data(), gb.data(), bb.data(), rows, d, 1e-5f);
            const std::vector<float> y = toHost(*K, ns.inPlace ? xb : yb, x.size());
            for (int r = 0; r < rows; ++r) {
                double mean = 0, var = 0;
                for (int j = 0; j < d; ++j) mean += x[size_t(r) * d + j];
                mean /= d;
                for (int j = 0; j < d; ++j) var += (x[size_t(r) * d + j] - mean) * (x[size_t(r) * d + j] - mean);
                var /= d;
                for (int j = 0; j < d; ++j)
                    ref[size_t(r) * d + j] = float((x[size_t(r) * d + j] - mean) / std::sqrt(var + 1e-5) * g[size_t(j)] + b[size_t(j)]);
            }
            checkTensor(std::string(K->name()) + " layer norm " + std::to_string(rows) + "x" + std::to_string(d) +
                            (ns.inPlace ? " in place" : ""),
                        y, ref, 1e-6);
        }
    }
}


TEST_CASE("backend ops: embedding, positions and their sum", "[backend]")
{
    const int V = 11, d = 10, n = 5, pos0 = 3;
    const std::vector<float> table = randomVector(size_t(V) * d, 4);
    const std::vector<int> ids{7, 0, 10, 7, 2};  // host memory, a repeated id
    const float scale = std::sqrt(float(d));
    for (const Kernels* K : backends())
        for (PositionLayout layout : {PositionLayout::Interleaved, PositionLayout::Halves}) {
            const std::string label = std::string(K->name()) +
                                      (layout == PositionLayout::Interleaved ? " interleaved" : " halves");
            const BackendBuffer E = toBackend(*K, table);
            BackendBuffer x, pe;
            x.resize(*K, size_t(n) * d);
            pe.resize(*K, size_t(n) * d);
            K->embed(x.data(), ids.data(), n, E.data(), d, scale);
            K->positions(pe.data(), pos0, n, d, layout);
            const std::vector<float> embedded = toHost(*K, x, size_t(n) * d), positions = toHost(*K, pe, size_t(n) * d);
            K->add(x.data(), pe.data(), long(n) * d);
            const std::vector<float> sum = toHost(*K, x, size_t(n) * d);
            std::vector<float> refE(embedded.size()), refP(embedded.size()), refS(embedded.size());
            for (int r = 0; r < n; ++r)
                for (int i = 0; i < d / 2; ++i) {
                    const double angle = double(pos0 + r) / std::pow(10000.0, 2.0 * i / d);
                    const int si = layout == PositionLayout::Interleaved ? 2 * i : i;
                    const int ci = layout == PositionLayout::Interleaved ? 2 * i + 1 : d / 2 + i;
                    refP[size_t(r * d + si)] = float(std::sin(angle));
                    refP[size_t(r * d + ci)] = float(std::cos(angle));
                }
            for (size_t i = 0; i < refE.size(); ++i) {
                refE[i] = float(double(table[size_t(ids[i / d]) * d + i % d]) * scale);
                refS[i] = float(double(refE[i]) + double(refP[i]));
            }
            checkTensor(label + " embed", embedded, refE, 1e-7);    // one product, rounded once
            checkTensor(label + " positions", positions, refP, 1e-7);  // computed in double, rounded once
            checkTensor(label + " embed + positions", sum, refS, 1e-7);
        }
}

TEST_CASE("backend ops: activations, fill, strided copy and download", "[backend]")
{
    const std::vector<float> x = randomVector(5000, 5);  // above the threshold where the work is split
    for (const Kernels* K : backends())
        for (Activation a : {Activation::Relu, Activation::Gelu, Activation::Swish}) {
            BackendBuffer b = toBackend(*K, x);
            K->activate(b.data(), long(x.size()), a);
            std::vector<float> ref(x.size());
            for (size_t i = 0; i < x.size(); ++i) {
                const double v = x[i];
                ref[i] = float(a == Activation::Relu   ? std::max(0.0, v)
                               : a == Activation::Gelu ? 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)))
                                                       : v / (1.0 + std::exp(-v)));
            }
            checkTensor(std::string(K->name()) + " activation " + std::to_string(int(a)), toHost(*K, b, x.size()), ref,
                        1e-6);
        }
    for (const Kernels* K : backends()) {
        // [4, 6] with row stride 6: fill columns 2..4 of rows 1..2, then copy a [2, 3] block
        // out with strides, then download it into a host block of stride 5.
        std::vector<float> m(24);
        for (size_t i = 0; i < m.size(); ++i) m[i] = float(i);
        BackendBuffer b = toBackend(*K, m);
        K->fill(b.data() + 6 + 2, 2, 3, 6, -1.0f);
        for (int r = 1; r <= 2; ++r)
            for (int c = 2; c < 5; ++c) m[size_t(r * 6 + c)] = -1.0f;
        CHECK(toHost(*K, b, 24) == m);
        BackendBuffer block;
        block.resize(*K, 6);
        K->copy(block.data(), 3, b.data() + 6 + 1, 6, 2, 3);  // rows 1..2, columns 1..3
        std::vector<float> host(10, 99.0f);
        K->download(host.data(), 5, block.data(), 3, 2, 3);
        CHECK(host == std::vector<float>{m[7], m[8], m[9], 99, 99, m[13], m[14], m[15], 99, 99});
    }
}

TEST_CASE("backend ops: multi-head attention with a query offset, padding, the causal mask and no scaling",
          "[backend]")
{
    // Head geometries: tiny; the base model's (8 heads of 64, 20 keys: full 16-lane dot
    // products, and enough work to be split over the threads); a head size that is not a
    // multiple of 16; one past 64 columns (the context sums' second block).
    struct Geometry {
        int H, dk, nk;
    };
    struct Case {
        int n, t0, keyLength;
        bool causal, scaled;
    };
    for (const Geometry g : {Geometry{3, 4, 7}, Geometry{8, 64, 20}, Geometry{2, 30, 9}, Geometry{4, 80, 70}}) {
        const int H = g.H, dk = g.dk, d = H * dk, nk = g.nk;
        const std::vector<Case> cases{{nk, 0, nk, false, true},        {nk, 0, nk - 2, false, true},
                                      {nk, 0, nk, true, true},         {1, nk - 1, nk, true, true},
                                      {2, nk - 3, nk - 1, true, false}, {3, 0, 0, false, true}};
        for (const Kernels* K : backends())
            for (const Case& cs : cases) {
                const std::string label = std::string(K->name()) + " attention H=" + std::to_string(H) +
                                          " dk=" + std::to_string(dk) + " n=" + std::to_string(cs.n) +
                                          " t0=" + std::to_string(cs.t0) + " keys=" + std::to_string(cs.keyLength) +
                                          (cs.causal ? " causal" : "") + (cs.scaled ? "" : " unscaled");
                const std::vector<float> q = randomVector(size_t(cs.n) * d, 6), k = randomVector(size_t(nk) * d, 7),
                                         v = randomVector(size_t(nk) * d, 8);
                const BackendBuffer qb = toBackend(*K, q), kb = toBackend(*K, k), vb = toBackend(*K, v);
                BackendBuffer ctx, scores, weights;
                ctx.resize(*K, size_t(cs.n) * d);
                scores.resize(*K, size_t(H) * cs.n * nk);
                weights.resize(*K, size_t(H) * cs.n * nk);
                K->attention(ctx.data(), scores.data(), weights.data(), qb.data(), kb.data(), vb.data(), cs.n, nk, H, cs.t0,
                             cs.causal, cs.keyLength, d, cs.scaled);
                std::vector<float> refS(size_t(H) * cs.n * nk), refW(refS.size(), 0.0f), refC(size_t(cs.n) * d, 0.0f);
                const double alpha = cs.scaled ? 1.0 / std::sqrt(double(dk)) : 1.0;
                for (int h = 0; h < H; ++h)
                    for (int r = 0; r < cs.n; ++r) {
                        std::vector<double> s(static_cast<size_t>(nk));
                        double mx = -1e300;
                        for (int j = 0; j < nk; ++j) {
                            double acc = 0;
                            for (int e = 0; e < dk; ++e) acc += double(q[size_t(r * d + h * dk + e)]) * k[size_t(j * d + h * dk + e)];
                            s[size_t(j)] = alpha * acc;
                            refS[size_t((h * cs.n + r) * nk + j)] = float(s[size_t(j)]);
                            const bool visible = j < cs.keyLength && (!cs.causal || j <= cs.t0 + r);
                            if (visible) mx = std::max(mx, s[size_t(j)]);
                        }
                        double z = 0;
                        std::vector<double> p(static_cast<size_t>(nk), 0.0);
                        for (int j = 0; j < nk; ++j)
                            if (j < cs.keyLength && (!cs.causal || j <= cs.t0 + r)) z += (p[size_t(j)] = std::exp(s[size_t(j)] - mx));
                        for (int j = 0; j < nk; ++j) {
                            const double w = z > 0 ? p[size_t(j)] / z : 0.0;
                            refW[size_t((h * cs.n + r) * nk + j)] = float(w);
                            for (int e = 0; e < dk; ++e) refC[size_t(r * d + h * dk + e)] += float(w * v[size_t(j * d + h * dk + e)]);
                        }
                    }
                const std::vector<float> gotW = toHost(*K, weights, refW.size());
                checkTensor(label + " scores (before the mask, every key)", toHost(*K, scores, refS.size()), refS,
                            kProductTol * 4);
                // A weight's relative error is about its score's absolute error, which grows with
                // the score's size: unscaled scores are sqrt(dk) times the scaled ones (with dk 80
                // the 8-lane build's weights are 1.5e-6 off, the 16-lane build's within 1e-6).
                const double softmaxTol = 1e-6 * (cs.scaled ? 1.0 : std::sqrt(double(dk)));
                checkTensor(label + " weights", gotW, refW, softmaxTol);
                checkTensor(label + " context", toHost(*K, ctx, refC.size()), refC, softmaxTol);
                int leaked = 0;  // masked weights must be exactly 0, not merely small
                for (size_t i = 0; i < refW.size(); ++i) leaked += refW[i] == 0.0f && gotW[i] != 0.0f;
                CHECK(leaked == 0);
            }
    }
}

TEST_CASE("backend buffers: growth keeps the contents, copies are deep", "[backend]")
{
    for (const Kernels* K : backends()) {
        BackendBuffer a = toBackend(*K, {1, 2, 3});
        a.resize(*K, 1000, true);  // grows: the first three floats stay
        CHECK(toHost(*K, a, 3) == std::vector<float>{1, 2, 3});
        BackendBuffer b = a;
        K->fill(b.data(), 1, 3, 3, 0.0f);
        CHECK(toHost(*K, a, 3) == std::vector<float>{1, 2, 3});
        CHECK(toHost(*K, b, 3) == std::vector<float>{0, 0, 0});
        CHECK(b.size() == 1000);
    }
}
