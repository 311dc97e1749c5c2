// The CPU backend of the seam (kernels.h): the engine's operations (ops.h), the same
// functions training runs, in host memory. Products, softmax and layer norm are split over
// the cores by the thread pool (parallel.h) inside the operations: a decoding step's
// matrix-vector products by blocks of output features (memory-bound, W streamed once),
// few-row products (one sentence's encoder) by a register-tiled kernel that reads W's
// panels (the layout Model packs for the encoder phase) or W in place, larger ones by
// Eigen's GEMM over blocks of rows.
#include "core/model/kernels.h"

#include "core/model/ops.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

namespace sf {
namespace {

void copyRows(float* dst, int ldd, const float* src, int lds, int rows, int cols)
{
    if (ldd == cols && lds == cols) {
        std::memcpy(dst, src, sizeof(float) * size_t(rows) * size_t(cols));
        return;
    }
    for (int r = 0; r < rows; ++r) std::memcpy(dst + long(r) * ldd, src + long(r) * lds, sizeof(float) * size_t(cols));
}

class CpuKernels final : public Kernels {
public:
    CpuKernels() { Eigen::setNbThreads(1); }  // the pool splits the work, not Eigen
    const char* name() const override { return "cpu"; }

    float* allocate(size_t count) const override
    {
        // 64-byte aligned (a cache line, an AVX-512 vector).
        void* p = std::aligned_alloc(64, std::max<size_t>(64, (count * sizeof(float) + 63) / 64 * 64));
        if (!p) throw std::bad_alloc();
        return static_cast<float*>(p);
    }
    void release(float* p) const override { std::free(p); }
    const float* resident(const float* host, size_t) const override { return host; }  // host memory is ours
    void upload(float* dst, const float* host, size_t count) const override
    {
        std::memcpy(dst, host, sizeof(float) * count);
    }
    void download(float* dst, int ldd, const float* src, int lds, int rows, int cols) const override
    {
        copyRows(dst, ldd, src, lds, rows, cols);
    }
    void copy(float* dst, int ldd, const float* src, int lds, int rows, int cols) const override
    {
        copyRows(dst, ldd, src, lds, rows, cols);
    }
    void fill(float* y, int rows, int cols, int ld, float value) const override
    {
        for (int r = 0; r < rows; ++r) std::fill(y + long(r) * ld, y + long(r) * ld + cols, value);
    }

    void embed(float* x, const int* ids, int n, const float* table, int d, float scale) const override
    {
        embeddingForward<float>(x, ids, table, nullptr, 1, n, d, scale);
    }
    void positions(float* pe, int pos0, int n, int d, PositionLayout layout) const override
    {
        positionalEncoding(pe, pos0, n, d, layout);
    }
    void add(float* y, const float* x, long count) const override { residualForward<float>(y, y, x, count); }
    void activate(float* x, long count, Activation a) const override { activationForward<float>(x, x, count, a); }

    void linear(float* y, const float* x, const float* W, const float* b, int n, int in, int out,
                const float* panels) const override
    {
        linearForward<float>(y, x, W, b, n, in, out, panels);
    }

    void attention(float* ctx, float* scores, float* weights, const float* q, const float* k, const float* v,
                   int n, int nk, int H, int t0, bool causal, int keyLength, int d, bool scaled) const override
    {
        attentionForward<float>(ctx, weights, q, k, v, &keyLength, causal, 1, n, nk, H, d, scaled, scores, t0);
    }

    void matmulNT(float* c, const float* a, const float* b, int m, int n, int k, float alpha, int lda,
                  int ldb, int ldc) const override
    {
        attentionScores(c, a, b, m, n, k, alpha, lda, ldb, ldc);
    }

    void softmaxRows(float* x, int rows, int cols, int ld) const override
    {
        softmaxForward<float>(x, x, rows, cols, ld);
    }

    void layerNormRows(float* y, const float* x, const float* gamma, const float* beta, int rows, int d,
                       float eps) const override
    {
        layerNormForward<float>(y, nullptr, nullptr, x, gamma, beta, rows, d, eps);
    }

    float logSumExp(const float* x, int n) const override
    {
        Eigen::Map<const Eigen::ArrayXf> a(x, n);
        const float mx = a.maxCoeff();
        if (!std::isfinite(mx)) return mx;
        return mx + std::log((a - mx).exp().sum());
    }
};

}  // namespace

const Kernels& cpuKernels()
{
    static const CpuKernels k;
    return k;
}

const std::vector<std::string>& backendNames()
{
    static const std::vector<std::string> names = {"cpu", "cuda"};
    return names;
}

// A CUDA backend registers here when the build has one (issue 15); this build has none.
std::vector<const Kernels*> backends() { return {&cpuKernels()}; }

const Kernels* findBackend(const std::string& name)
{
    for (const Kernels* k : backends())
        if (name == k->name()) return k;
    return nullptr;
}

}  // namespace sf
