// CPU backend of the kernel seam. Matrix-vector products (decoding, n = 1) stream the
// weights once and are memory-bound, so the output rows are split across the cores by
// hand; Eigen does the inner products. Matrix products (encoder, training) split the
// output columns the same way and let Eigen's GEMM do each block on one core.
#include "core/model/kernels.h"

#include <Eigen/Core>
#include <omp.h>

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
