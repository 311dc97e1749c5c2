// Every kernel of the backend seam (kernels.h) on every available backend, against a
// plain double-precision reference written here, over shapes that reach every code path:
// one row (the decoding step's matrix-vector product), few rows (the register-tiled
// kernel, with row and column remainders and an inner size that is not a multiple of 8),
// many rows (GEMM), and sizes below and above the threshold where the work is split over
// the threads. In the spirit of ggml's test-backend-ops: a new backend adds itself to
// backends() and inherits every check. Tolerances are relative to the largest reference
// magnitude of the tensor.
#include "check.h"

#include "core/model/kernels.h"

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace sf;
using sf::test::checkTensor;

namespace {

std::vector<const Kernels*> backends() { return {&cpuKernels()}; }

std::vector<float> randomVector(size_t n, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> d(0.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v) x = d(rng);
    return v;
}

// float32 products of length k: about sqrt(k) * 2^-24 relative error per dot product.
constexpr double kProductTol = 2e-6;

}  // namespace

TEST_CASE("backend ops: linear over every shape class", "[backend]")
{
    struct Shape {
        int n, in, out;
    };
    const std::vector<Shape> shapes{{1, 32, 48},   {1, 512, 2048}, {1, 37, 5},    {2, 512, 512}, {3, 13, 7},
                                    {4, 64, 96},   {5, 100, 97},   {7, 9, 2},     {20, 512, 2048}, {20, 2048, 512},
                                    {32, 40, 300}, {33, 64, 64},   {64, 128, 130}};
    for (const Kernels* K : backends())
        for (const Shape& s : shapes)
            for (bool bias : {false, true}) {
                const std::string label = std::string(K->name()) + " linear n=" + std::to_string(s.n) +
                                          " in=" + std::to_string(s.in) + " out=" + std::to_string(s.out) +
                                          (bias ? " +b" : "");
                const std::vector<float> x = randomVector(size_t(s.n) * s.in, 1), W = randomVector(size_t(s.out) * s.in, 2),
                                         b = randomVector(size_t(s.out), 3);
                std::vector<float> y(size_t(s.n) * s.out, -7.0f), ref(y.size());
                K->linear(y.data(), x.data(), W.data(), bias ? b.data() : nullptr, s.n, s.in, s.out);
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

TEST_CASE("backend ops: strided attention products", "[backend]")
{
    for (const Kernels* K : backends()) {
        // One head of a [n, d] layout: lda = ldb = d, dk columns, like multiHeadAttention.
        const int n = 6, nk = 9, d = 24, dk = 8, off = 8;
        const std::vector<float> q = randomVector(size_t(n) * d, 4), k = randomVector(size_t(nk) * d, 5);
        std::vector<float> c(size_t(n) * nk), ref(c.size());
        K->matmulNT(c.data(), q.data() + off, k.data() + off, n, nk, dk, 0.25f, d, d, nk);
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < nk; ++j) {
                double acc = 0;
                for (int x = 0; x < dk; ++x) acc += double(q[size_t(i) * d + off + x]) * k[size_t(j) * d + off + x];
                ref[size_t(i) * nk + j] = float(0.25 * acc);
            }
        checkTensor(std::string(K->name()) + " matmulNT", c, ref, kProductTol * 4);

        const std::vector<float> w = randomVector(size_t(n) * nk, 6), v = randomVector(size_t(nk) * d, 7);
        std::vector<float> ctx(size_t(n) * d, 0.0f), cref(ctx.size(), 0.0f);
        K->matmulNN(ctx.data() + off, w.data(), v.data() + off, n, dk, nk, nk, d, d);
        for (int i = 0; i < n; ++i)
            for (int x = 0; x < dk; ++x) {
                double acc = 0;
                for (int j = 0; j < nk; ++j) acc += double(w[size_t(i) * nk + j]) * v[size_t(j) * d + off + x];
                cref[size_t(i) * d + off + x] = float(acc);
            }
        checkTensor(std::string(K->name()) + " matmulNN (other heads' columns untouched)", ctx, cref, kProductTol * 4);
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
            K->softmaxRows(x.data(), rows, cols, ld);
            checkTensor(std::string(K->name()) + " softmax rows=" + std::to_string(rows), x, ref, 1e-6);
            for (int r = 0; r < rows; ++r)
                for (int j = 0; j < cols; ++j)
                    if (ref[size_t(r) * ld + j] == 0.0f) REQUIRE(x[size_t(r) * ld + j] == 0.0f);  // exactly 0
        }

        const std::vector<float> l = randomVector(1000, 9);
        double mx = -1e300, z = 0;
        for (float v : l) mx = std::max(mx, double(v));
        for (float v : l) z += std::exp(v - mx);
        CHECK(K->logSumExp(l.data(), 1000) == Approx(mx + std::log(z)).epsilon(1e-6));

        const int rows = 5, d = 37;
        const std::vector<float> x = randomVector(size_t(rows) * d, 10), g = randomVector(size_t(d), 11),
                                 b = randomVector(size_t(d), 12);
        std::vector<float> y(x.size()), ref(x.size());
        K->layerNormRows(y.data(), x.data(), g.data(), b.data(), rows, d, 1e-5f);
        for (int r = 0; r < rows; ++r) {
            double mean = 0, var = 0;
            for (int j = 0; j < d; ++j) mean += x[size_t(r) * d + j];
            mean /= d;
            for (int j = 0; j < d; ++j) var += (x[size_t(r) * d + j] - mean) * (x[size_t(r) * d + j] - mean);
            var /= d;
            for (int j = 0; j < d; ++j)
                ref[size_t(r) * d + j] = float((x[size_t(r) * d + j] - mean) / std::sqrt(var + 1e-5) * g[size_t(j)] + b[size_t(j)]);
        }
        checkTensor(std::string(K->name()) + " layer norm", y, ref, 1e-6);
    }
}
