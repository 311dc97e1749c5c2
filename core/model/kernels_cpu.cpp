// CPU backend of the kernel seam. Matrix-vector products (decoding, n = 1) stream the
// weights once and are memory-bound, so the output rows are split across the cores by
// hand with OpenMP (the training ops' pool, parallel.h, measured 1.6x slower per decoding
// step on an idle machine, though 3x faster for the encoder on a busy one: see README); Eigen does the inner products. Few-row products (the encoder of one sentence,
// n <= 32) read each weight row once, straight from the checkpoint layout, with a
// register-tiled dot-product kernel: GEMM would first copy (pack) all of W, which for so
// few rows costs more than the arithmetic. Larger products split the output columns the
// same way and let Eigen's GEMM do each block on one core.
#include "core/model/kernels.h"

#include <Eigen/Core>
#include <omp.h>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <limits>

namespace sf {
namespace {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapMat = Eigen::Map<RowMat, 0, Eigen::OuterStride<>>;
using MapCMat = Eigen::Map<const RowMat, 0, Eigen::OuterStride<>>;
using MapCVec = Eigen::Map<const Eigen::VectorXf>;

// Below this many multiply-adds a product stays on one core: the fork costs more.
constexpr long kParallelMacs = 1L << 16;

int threadsFor(long macs, int units)
{
    if (macs < kParallelMacs) return 1;
    return std::max(1, std::min(omp_get_max_threads(), units));
}

// Rows at most this many take the few-row kernel.
constexpr int kFewRows = 32;

#if defined(__AVX2__) && defined(__FMA__)
float hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// y[r, o] = x[r, :] . W[o, :] for R rows of x and O rows of W, k in [0, in): R*O
// accumulators of 8 lanes, each W chunk loaded once for all R rows.
template <int R, int O>
void dotTile(float* y, int ldy, const float* x, int ldx, const float* W, int in)
{
    __m256 acc[R][O];
    for (int r = 0; r < R; ++r)
        for (int o = 0; o < O; ++o) acc[r][o] = _mm256_setzero_ps();
    const int k8 = in / 8 * 8;
    for (int k = 0; k < k8; k += 8) {
        __m256 w[O];
        for (int o = 0; o < O; ++o) w[o] = _mm256_loadu_ps(W + long(o) * in + k);
        for (int r = 0; r < R; ++r) {
            const __m256 xv = _mm256_loadu_ps(x + long(r) * ldx + k);
            for (int o = 0; o < O; ++o) acc[r][o] = _mm256_fmadd_ps(xv, w[o], acc[r][o]);
        }
    }
    for (int r = 0; r < R; ++r)
        for (int o = 0; o < O; ++o) {
            float v = hsum(acc[r][o]);
            for (int k = k8; k < in; ++k) v += x[long(r) * ldx + k] * W[long(o) * in + k];
            y[long(r) * ldy + o] = v;
        }
}

// R rows of x against outputs [0, outs) of W, three W rows at a time.
template <int R>
void dotRows(float* y, int ldy, const float* x, int ldx, const float* W, int in, int outs)
{
    int o = 0;
    for (; o + 3 <= outs; o += 3) dotTile<R, 3>(y + o, ldy, x, ldx, W + long(o) * in, in);
    if (outs - o == 2) dotTile<R, 2>(y + o, ldy, x, ldx, W + long(o) * in, in);
    else if (outs - o == 1) dotTile<R, 1>(y + o, ldy, x, ldx, W + long(o) * in, in);
}

// y[n, o0:o1] = x[n, in] W[o0:o1, in]^T, n <= kFewRows. W is read from memory once: each
// group of 3 W rows (in L1) meets every row of x (in L2, n * in floats) before the next.
void fewRowLinear(float* y, int ldy, const float* x, int n, int in, const float* W, int outs)
{
    for (int o = 0; o < outs; o += 3) {
        const int m = std::min(3, outs - o);
        const float* w = W + long(o) * in;
        int r = 0;
        for (; r + 4 <= n; r += 4) dotRows<4>(y + long(r) * ldy + o, ldy, x + long(r) * in, in, w, in, m);
        switch (n - r) {
        case 3: dotRows<3>(y + long(r) * ldy + o, ldy, x + long(r) * in, in, w, in, m); break;
        case 2: dotRows<2>(y + long(r) * ldy + o, ldy, x + long(r) * in, in, w, in, m); break;
        case 1: dotRows<1>(y + long(r) * ldy + o, ldy, x + long(r) * in, in, w, in, m); break;
        default: break;
        }
    }
}
constexpr bool kHaveFewRowKernel = true;
#else
void fewRowLinear(float*, int, const float*, int, int, const float*, int) {}
constexpr bool kHaveFewRowKernel = false;
#endif

class CpuKernels final : public Kernels {
public:
    CpuKernels() { Eigen::setNbThreads(1); }  // we split the work ourselves
    const char* name() const override { return "cpu"; }

    void linear(float* y, const float* x, const float* W, const float* b, int n, int in,
                int out) const override
    {
        const long macs = long(n) * in * out;
        const int nt = threadsFor(macs, out / 16);
        // Each thread owns a contiguous block of output features: rows [o0, o1) of W.
#pragma omp parallel num_threads(nt) if (nt > 1)
        {
            const int t = omp_get_thread_num(), T = omp_get_num_threads();
            // Blocks aligned to 16 outputs keep every thread's stores in its own cache lines.
            const int per = ((out + T - 1) / T + 15) / 16 * 16;
            const int o0 = std::min(out, t * per), o1 = std::min(out, o0 + per);
            if (o1 > o0) {
                MapCMat w(W + long(o0) * in, o1 - o0, in, Eigen::OuterStride<>(in));  // [o, in]
                if (n == 1) {
                    Eigen::Map<Eigen::VectorXf> yv(y + o0, o1 - o0);
                    yv.noalias() = w * MapCVec(x, in);
                    if (b) yv += MapCVec(b + o0, o1 - o0);
                } else if (kHaveFewRowKernel && n <= kFewRows) {
                    fewRowLinear(y + o0, out, x, n, in, W + long(o0) * in, o1 - o0);
                    if (b) {
                        MapMat ym(y + o0, n, o1 - o0, Eigen::OuterStride<>(out));
                        ym.rowwise() += MapCVec(b + o0, o1 - o0).transpose();
                    }
                } else {
                    MapCMat xm(x, n, in, Eigen::OuterStride<>(in));           // [n, in]
                    MapMat ym(y + o0, n, o1 - o0, Eigen::OuterStride<>(out)); // [n, o]
                    ym.noalias() = xm * w.transpose();
                    if (b) ym.rowwise() += MapCVec(b + o0, o1 - o0).transpose();
                }
            }
        }
    }

    void matmulNT(float* c, const float* a, const float* b, int m, int n, int k, float alpha, int lda,
                  int ldb, int ldc) const override
    {
        MapCMat am(a, m, k, Eigen::OuterStride<>(lda));
        MapCMat bm(b, n, k, Eigen::OuterStride<>(ldb));
        MapMat cm(c, m, n, Eigen::OuterStride<>(ldc));
        cm.noalias() = alpha * (am * bm.transpose());
    }

    void matmulNN(float* c, const float* a, const float* b, int m, int n, int k, int lda, int ldb,
                  int ldc) const override
    {
        MapCMat am(a, m, k, Eigen::OuterStride<>(lda));
        MapCMat bm(b, k, n, Eigen::OuterStride<>(ldb));
        MapMat cm(c, m, n, Eigen::OuterStride<>(ldc));
        cm.noalias() = am * bm;
    }

    void softmaxRows(float* x, int rows, int cols, int ld) const override
    {
        const float ninf = -std::numeric_limits<float>::infinity();
        const int nt = threadsFor(long(rows) * cols * 8, rows);
#pragma omp parallel for num_threads(nt) if (nt > 1)
        for (int r = 0; r < rows; ++r) {
            Eigen::Map<Eigen::ArrayXf> row(x + long(r) * ld, cols);
            const float mx = row.maxCoeff();
            if (mx == ninf) {
                // Every key masked: no distribution exists; write zeros, never NaN.
                row.setZero();
                continue;
            }
            // Eigen's vectorised exp clamps instead of reaching 0, so masked (-inf)
            // entries are set to exactly 0 explicitly.
            row = (row == ninf).select(0.0f, (row - mx).exp());
            row *= 1.0f / row.sum();
        }
    }

    float logSumExp(const float* x, int n) const override
    {
        Eigen::Map<const Eigen::ArrayXf> a(x, n);
        const float mx = a.maxCoeff();
        if (!std::isfinite(mx)) return mx;
        return mx + std::log((a - mx).exp().sum());
    }

    void layerNormRows(float* y, const float* x, const float* gamma, const float* beta, int rows, int d,
                       float eps) const override
    {
        for (int r = 0; r < rows; ++r) {
            const float* xr = x + long(r) * d;
            float* yr = y + long(r) * d;
            double mean = 0.0;
            for (int j = 0; j < d; ++j) mean += xr[j];
            mean /= d;
            double var = 0.0;
            for (int j = 0; j < d; ++j) var += (xr[j] - mean) * (xr[j] - mean);
            var /= d;
            const float m = static_cast<float>(mean);
            const float rstd = static_cast<float>(1.0 / std::sqrt(var + eps));
            for (int j = 0; j < d; ++j) yr[j] = (xr[j] - m) * rstd * gamma[j] + beta[j];
        }
    }
};

}  // namespace

const Kernels& cpuKernels()
{
    static const CpuKernels k;
    return k;
}

}  // namespace sf
