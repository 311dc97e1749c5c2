// The backend seam: every per-step operation of the forward pass, and the memory it runs
// in. The forward pass (transformer.cpp) only calls these; a GPU backend implements this
// interface and nothing more. The CPU backend (kernels_cpu.cpp) is the reference: it runs
// the engine's one set of operations (ops.h), the ones training uses too.
//
// Memory: every float pointer an operation takes is the backend's own memory (allocate(),
// or weights made resident()), host memory on the CPU, device memory on a GPU. Host
// memory crosses the seam only where it is named: token ids (embed), the trace and the
// logits (download), weights (resident), upload, logSumExp's input, and linear's panels.
//
// All matrices are row-major float32. Linear weights are stored [out, in] as in the
// checkpoint, so a linear layer is y = x W^T + b.
#pragma once

#include "core/model/config.h"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace sf {

class Kernels {
public:
    virtual ~Kernels() = default;
    virtual const char* name() const = 0;

    // ---- Memory --------------------------------------------------------------------
    // `count` floats of backend memory, contents undefined; release() gives them back.
    virtual float* allocate(size_t count) const = 0;
    virtual void release(float* p) const = 0;
    // A backend copy of `count` floats of host tensor data, made once per pointer and kept
    // for the backend's lifetime (weights are uploaded once). The CPU uses them in place.
    virtual const float* resident(const float* host, size_t count) const = 0;
    // dst [count] backend memory <- host [count] (inputs that change: test data, a GPU's
    // resident() cache fills).
    virtual void upload(float* dst, const float* host, size_t count) const = 0;
    // dst [rows, cols] with row stride ldd, HOST memory <- src [rows, cols] with row stride
    // lds, backend memory. Trace capture and the logits.
    virtual void download(float* dst, int ldd, const float* src, int lds, int rows, int cols) const = 0;
    // The same shape rules, backend memory on both sides (KV-cache growth, beam copies).
    virtual void copy(float* dst, int ldd, const float* src, int lds, int rows, int cols) const = 0;
    // y[rows, cols] (row stride ld) <- value. Ablated heads' context, removed positions.
    virtual void fill(float* y, int rows, int cols, int ld, float value) const = 0;

    // ---- Per-step operations -------------------------------------------------------
    // x[r] = table[ids[r]] * scale  (sec 3.4). x: [n, d], table: [V, d]; ids: [n], HOST
    // memory, each < V (checked by the caller).
    virtual void embed(float* x, const int* ids, int n, const float* table, int d, float scale) const = 0;

    // pe[r] = PE(pos0 + r)  (sec 3.5, ops.h positionalEncoding). pe: [n, d].
    virtual void positions(float* pe, int pos0, int n, int d, PositionLayout layout) const = 0;

    // y += x over `count` floats: residual connections (sec 3.1) and adding the positions.
    virtual void add(float* y, const float* x, long count) const = 0;

    // x <- act(x) in place over `count` floats (eq. 2: ReLU; GELU, swish).
    virtual void activate(float* x, long count, Activation a) const = 0;

    // y[n, out] = x[n, in] W[out, in]^T + b[out]      (b may be null)
    // panels: W in the CPU's few-row layout (ops.h packLinearPanels), HOST memory, or null;
    // the CPU reads it for 1..32 rows, a backend with its own layout ignores it.
    virtual void linear(float* y, const float* x, const float* W, const float* b, int n, int in, int out,
                        const float* panels) const = 0;

    // Multi-head scaled dot-product attention (sec 3.2.1 eq. 1, 3.2.2) for n query rows at
    // positions t0 .. t0+n-1: q [n, d] and k, v [nk, d] (rows of stride d, heads side by
    // side in the columns). Writes scores [H, n, nk] (scaled, before the mask), weights
    // [H, n, nk] (masked keys exactly 0: j >= keyLength, and j > t0 + r when causal) and
    // ctx [n, d] = Concat_h(weights_h V_h). scaled = false drops the 1/sqrt(dk).
    virtual void attention(float* ctx, float* scores, float* weights, const float* q, const float* k,
                           const float* v, int n, int nk, int H, int t0, bool causal, int keyLength, int d,
                           bool scaled) const = 0;

    // c[m, n] = alpha * a[m, k] b[n, k]^T, with row strides lda, ldb, ldc (elements).
    // The decoder's earlier query rows against new keys (recorded pre-mask scores).
    virtual void matmulNT(float* c, const float* a, const float* b, int m, int n, int k, float alpha,
                          int lda, int ldb, int ldc) const = 0;

    // In place, each of `rows` rows of length `cols` (row stride ld):
    // x_j <- exp(x_j - max) / sum_k exp(x_k - max). -inf entries become exactly 0.
    virtual void softmaxRows(float* x, int rows, int cols, int ld) const = 0;

    // y = (x - mean) / sqrt(var + eps) * gamma + beta over each row of length d; the
    // variance is the biased one (divide by d), as in PyTorch's LayerNorm.
    virtual void layerNormRows(float* y, const float* x, const float* gamma, const float* beta, int rows,
                               int d, float eps) const = 0;

    // log sum_j exp(x_j), stably: max + log sum_j exp(x_j - max), over HOST memory (the
    // downloaded logits the decoding strategies read).
    virtual float logSumExp(const float* x, int n) const = 0;
};

// The CPU backend: the operations of ops.h, split over the cores by the thread pool
// (parallel.h).
const Kernels& cpuKernels();

// The backends a build may have, by the names --device takes: "cpu", "cuda".
const std::vector<std::string>& backendNames();
// The backends this build has, the CPU one (the reference) first: what --device,
// `stepformer devices` and the backend-parametrised op test choose from.
std::vector<const Kernels*> backends();
// The backend called `name`, or null when this build has none of that name.
const Kernels* findBackend(const std::string& name);

// Floats in backend memory that grow on demand: the forward pass's activations, the
// KV cache, the encoder output. Bound to a backend by its first resize(); copies are deep
// (a beam's decoder state is copied when the beam splits).
class BackendBuffer {
public:
    BackendBuffer() = default;
    BackendBuffer(const BackendBuffer& o);
    BackendBuffer& operator=(const BackendBuffer& o);
    BackendBuffer(BackendBuffer&& o) noexcept;
    BackendBuffer& operator=(BackendBuffer&& o) noexcept;
    ~BackendBuffer();

    // At least `count` floats; with keep, the first size() floats are kept, else the
    // contents are undefined. Capacity doubles, so growing a row at a time is amortised.
    void resize(const Kernels& K, size_t count, bool keep = false);
    float* data() { return mData; }
    const float* data() const { return mData; }
    size_t size() const { return mSize; }

private:
    const Kernels* mKernels = nullptr;
    float* mData = nullptr;
    size_t mSize = 0, mCapacity = 0;
};

}  // namespace sf
