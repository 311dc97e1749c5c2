// The few heavy kernels, behind one narrow seam. Everything else in the engine is
// cheap bookkeeping; a GPU backend implements this interface and nothing more.
//
// All matrices are row-major float32. Linear weights are stored [out, in] as in the
// checkpoint, so a linear layer is y = x W^T + b.
#pragma once

#include <memory>

namespace sf {

class Kernels {
public:
    virtual ~Kernels() = default;
    virtual const char* name() const = 0;

    // y[n, out] = x[n, in] W[out, in]^T + b[out]      (b may be null)
    virtual void linear(float* y, const float* x, const float* W, const float* b, int n, int in,
                        int out) const = 0;

    // c[m, n] = alpha * a[m, k] b[n, k]^T, with row strides lda, ldb, ldc (elements).
    // Attention scores: q k^T / sqrt(dk) for one head.
    virtual void matmulNT(float* c, const float* a, const float* b, int m, int n, int k, float alpha,
                          int lda, int ldb, int ldc) const = 0;

    // c[m, n] = a[m, k] b[k, n], with row strides. Attention context: weights V for one head.
    virtual void matmulNN(float* c, const float* a, const float* b, int m, int n, int k, int lda,
                          int ldb, int ldc) const = 0;

    // In place, each of `rows` rows of length `cols` (row stride ld):
    // x_j <- exp(x_j - max) / sum_k exp(x_k - max). -inf entries become exactly 0.
    virtual void softmaxRows(float* x, int rows, int cols, int ld) const = 0;

    // log sum_j exp(x_j), stably: max + log sum_j exp(x_j - max). Log-probabilities of
    // chosen tokens are x_i - logSumExp(x).
    virtual float logSumExp(const float* x, int n) const = 0;

    // y = (x - mean) / sqrt(var + eps) * gamma + beta over each row of length d; the
    // variance is the biased one (divide by d), as in PyTorch's LayerNorm.
    virtual void layerNormRows(float* y, const float* x, const float* gamma, const float* beta, int rows,
                               int d, float eps) const = 0;
};

// The CPU backend: Eigen products, split over the cores with OpenMP.
const Kernels& cpuKernels();

}  // namespace sf
