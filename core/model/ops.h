// The operations of the Transformer, every forward with its backward right below it
// (llm.c style): the one set of operations of the engine. Inference runs the forwards
// through the CPU backend (kernels_cpu.cpp implements the backend seam, kernels.h, with
// them) without the backward caches; training (core/train/network.cpp) runs them batched
// and keeps the intermediates their backward needs (layer-norm mean / rstd, attention
// probabilities, dropout masks, softmax probabilities).
//
// Conventions:
//   * outputs first, then inputs, then sizes;
//   * every backward ACCUMULATES (+=) into its gradient outputs, so callers zero them
//     first and gradients from several uses (tied embeddings, the residual stream,
//     cross-attention memory) simply add up; a null gradient output is skipped;
//   * templates on the scalar type Real: float trains, double is the gradient-check reference
//     (explicitly instantiated for both in ops.cpp).
//
// Sizes: n = rows (tokens of a batch, flattened [B, T]), d = d_model, F = ffn dim,
// V = vocab, B = sentences, Tq = query length, Tk = key length, H = heads, dk = d / H.
// Linear weights are [out, in]: y = x W^T + b, as in the checkpoint.
#pragma once

#include "core/model/config.h"
#include "core/model/parallel.h"  // setThreads(), threads()

#include <cmath>
#include <cstdint>

namespace sf {

// ---------------------------------------------------------------------------------------
// Positional encoding (sec 3.5), constants (no backward):
//   PE(pos, 2i) = sin(pos / 10000^(2i/d)),  PE(pos, 2i+1) = cos(pos / 10000^(2i/d))
// Interleaved puts the pair at dimensions (2i, 2i+1); halves (Marian) puts sin at i and
// cos at d/2 + i; None (an ablation) is all zeros. Computed in double, rounded once.
// out: [n, d], rows are positions pos0 .. pos0 + n - 1.
void positionalEncoding(float* out, int pos0, int n, int d, PositionLayout layout);

// ---------------------------------------------------------------------------------------
// Embedding (sec 3.4, 3.5): x[r] = E[ids[r]] * scale + PE[r % Tn]
// ("we multiply those weights by sqrt(d_model)"; positions are added, never learned).
// x: [B*Tn, d], table E: [V, d], positions PE: [Tn, d] (constants; null adds none: the
// inference engine records the scaled embedding before it adds the positions), ids: [B*Tn].
template <class Real>
void embeddingForward(Real* x, const int* ids, const Real* table, const Real* positions, int B, int Tn, int d,
                      Real scale);
// dE[ids[r]] += scale * dx[r]   (scattered: a repeated id sums its rows). PE has no gradient.
template <class Real>
void embeddingBackward(Real* dtable, const Real* dx, const int* ids, int n, int d, Real scale);

// ---------------------------------------------------------------------------------------
// Linear: y = x W^T + b.  y: [n, out], x: [n, in], W: [out, in], b: [out] (may be null).
// Also the tied output projection (sec 3.4): logits = x E^T with W = E [V, d], b = null.
// In float, given `panels` (W's few-row layout, packLinearPanels: the inference weights
// that meet a whole sentence), 1 to 32 rows take the panel kernel. Without: one row (a
// decoding step) is a matrix-vector product over blocks of output features; 2 to 32 rows
// (one sentence) a register-tiled kernel that reads W once in place. More rows, Eigen's
// GEMM over blocks of rows.
template <class Real>
void linearForward(Real* y, const Real* x, const Real* W, const Real* b, int n, int in, int out,
                   const Real* panels = nullptr);
// The few-row layout of W [out, in]: W^T in panels of 32 output columns, panel p [in, 32]
// holding W[32p + j, k] at (k, j), zeros past `out`. Each k step of the kernel then reads
// two vectors of 16 outputs and multiplies them by one broadcast x[r, k] per row (no
// horizontal sums: with the weights in cache 1.4-1.5x the in-place kernel's GFLOP/s on a
// Xeon with two 512-bit FMA pipes; the base model's encoder in 0.85x the time). Floats it
// takes; 0 when this build's kernel reads W in place only (no AVX-512).
size_t linearPanelFloats(int out, int in);
void packLinearPanels(float* panels, const float* W, int out, int in);
// dx += dy W   [n, in];   dW += dy^T x   [out, in];   db += sum_r dy[r]   [out]
template <class Real>
void linearBackward(Real* dx, Real* dW, Real* db, const Real* dy, const Real* x, const Real* W, int n, int in, int out);

// ---------------------------------------------------------------------------------------
// Layer normalisation (sec 3.1 "LayerNorm(x + Sublayer(x))"), biased variance:
//   mean = sum_j x_j / d,  rstd = 1 / sqrt(sum_j (x_j - mean)^2 / d + eps)
//   y_j = (x_j - mean) * rstd * gamma_j + beta_j
// y, x: [n, d] (y may alias x), mean, rstd: [n] (kept for the backward; null when no
// backward follows), gamma, beta: [d].
// Mean and variance are accumulated in double, as the inference kernel does.
template <class Real>
void layerNormForward(Real* y, Real* mean, Real* rstd, const Real* x, const Real* gamma, const Real* beta, int n, int d,
                      Real eps);
// With xhat = (x - mean) * rstd and g = dy * gamma:
//   dx += rstd * (g - mean_j(g) - xhat * mean_j(g * xhat)),  dgamma += sum_r dy * xhat,
//   dbeta += sum_r dy.   x is the forward's input (not its output).
template <class Real>
void layerNormBackward(Real* dx, Real* dgamma, Real* dbeta, const Real* dy, const Real* x, const Real* mean,
                       const Real* rstd, const Real* gamma, int n, int d);

// ---------------------------------------------------------------------------------------
// Feed-forward activations (eq. 2 uses ReLU; GELU and swish as in BART / Marian):
//   relu max(0, x),  gelu x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) (exact),  swish x sigmoid(x)
// y, x: [count] (y may alias x only when the backward does not need x).
template <class Real>
void activationForward(Real* y, const Real* x, long count, Activation a);
// dx += dy * act'(x):  relu [x > 0];  gelu Phi(x) + x phi(x);  swish s + x s (1 - s).
template <class Real>
void activationBackward(Real* dx, const Real* dy, const Real* x, long count, Activation a);

// ---------------------------------------------------------------------------------------
// Softmax over rows: p_j = exp(x_j - max) / sum_k exp(x_k - max).  p, x: [rows, cols] with
// row stride ld (0 = cols); p may alias x. Masked entries (-inf) become exactly 0, and a row
// whose entries are all masked becomes all zeros (no distribution exists; never NaN).
template <class Real>
void softmaxForward(Real* p, const Real* x, int rows, int cols, int ld = 0);
// dx += p * (dp - sum_j p_j dp_j)   (the softmax Jacobian, row by row)
template <class Real>
void softmaxBackward(Real* dx, const Real* dp, const Real* p, int rows, int cols);

// ---------------------------------------------------------------------------------------
// The factor the scores are multiplied by (sec 3.2.1: "we scale the dot products by
// 1/sqrt(dk)"), or 1 when the scaling is removed (config attention_scale false, the
// no-scale intervention). The one place it is written: attention forward and backward,
// the decoder's recorded scores.
template <class Real>
Real attentionScale(int dk, bool scaled)
{
    return scaled ? Real(1) / std::sqrt(static_cast<Real>(dk)) : Real(1);
}

// Multi-head scaled dot-product attention over B sequences (sec 3.2.1 eq. 1, sec 3.2.2):
//   Attention(Q, K, V) = softmax(Q K^T / sqrt(dk)) V,   per sequence b and head h.
// q: [B*Tq, d], k, v: [B*Tk, d] (projected, heads side by side in the columns),
// ctx: [B*Tq, d] (heads concatenated, before W_O), probs: [B, H, Tq, Tk] (kept).
// Masks (sec 3.2.3): key j of sequence b is masked when j >= keyLengths[b] (padding) or,
// when causal, j > t0 + i for query row i (t0 = the position of the first query row: 0 in
// training, the KV cache's length in a decoding step). Masked probabilities are exactly 0;
// a row whose keys are all masked gets all-zero probabilities. scaled = false drops the
// 1/sqrt(dk) (alpha = 1: the "why scale" ablation, config attention_scale false).
// scores (null in training): also writes the scaled scores before the mask, over every
// key, [B, H, Tq, Tk] (what the app shows).
// Float, one sequence (B = 1: inference, a one-sentence batch): row by row in a fixed order,
// so a decoding step's row is bit for bit the same row of a full recomputation; more
// sequences (training batches, and double) take Eigen's products.
template <class Real>
void attentionForward(Real* ctx, Real* probs, const Real* q, const Real* k, const Real* v, const int* keyLengths,
                      bool causal, int B, int Tq, int Tk, int H, int d, bool scaled = true, Real* scores = nullptr,
                      int t0 = 0);
// s[m, n] = alpha * a[m, k] . b[n, k] (row strides lda, ldb, lds), each entry one dot
// product in the order attentionForward uses for one sequence: the pre-mask scores of the
// decoder's earlier rows against new keys are the bits a full recomputation records.
void attentionScores(float* s, const float* a, const float* b, int m, int n, int k, float alpha, int lda, int ldb,
                     int lds);

// With P = probs, S = scores (pre-softmax, scaled) and alpha = 1 / sqrt(dk) (1 unscaled), per (b, h)
// (keyLengths as in the forward; only the real keys are visited):
//   dV += P^T dctx,  dP = dctx V^T,  dS = P * (dP - rowsum(P * dP)),
//   dQ += alpha dS K,  dK += alpha dS^T Q.   Masked entries have P = 0, hence dS = 0.
template <class Real>
void attentionBackward(Real* dq, Real* dk, Real* dv, const Real* dctx, const Real* probs, const Real* q, const Real* k,
                       const Real* v, const int* keyLengths, int B, int Tq, int Tk, int H, int d, bool scaled = true);

// ---------------------------------------------------------------------------------------
// Inverted dropout (sec 5.4): y = x * keep / (1 - p), keep ~ Bernoulli(1 - p).
// The mask is a pure function of (key, i) (a counter-based hash), so it is reproducible
// from the seed alone, independent of thread count, and resumes exactly.
// y, x: [count] (y may alias x), keep: [count] (written; 1 = kept). p = 0 keeps all.
template <class Real>
void dropoutForward(Real* y, uint8_t* keep, const Real* x, long count, float p, uint64_t key);
// dx += dy * keep / (1 - p)
template <class Real>
void dropoutBackward(Real* dx, const Real* dy, const uint8_t* keep, long count, float p);

// ---------------------------------------------------------------------------------------
// Residual connection (sec 3.1): y = x + s.   y, x, s: [count] (y may alias x).
template <class Real>
void residualForward(Real* y, const Real* x, const Real* s, long count);
// dx += dy,  ds += dy
template <class Real>
void residualBackward(Real* dx, Real* ds, const Real* dy, long count);

// ---------------------------------------------------------------------------------------
// Cross-entropy with label smoothing (sec 5.4, eps_ls = 0.1), PyTorch's convention
// (torch.nn.CrossEntropyLoss(label_smoothing=eps)): the target distribution is
//   q_j = (1 - eps) [j = y] + eps / V     (uniform eps / V over ALL V classes, gold included)
//   loss_r = -sum_j q_j log softmax(z_r)_j = lse(z_r) - sum_j q_j z_rj
// Rows whose target is negative (padding) are ignored. Writes probs = softmax(z) [n, V]
// (kept for the backward) and rowLoss [n] (0 on ignored rows); returns
// sum_r rowLoss_r / count, count = rows not ignored (0 when none). When nll is given it
// receives the plain negative log-likelihood -log p(y) averaged the same way.
template <class Real>
double crossEntropyForward(Real* probs, Real* rowLoss, const Real* logits, const int* targets, int n, int V, Real eps,
                           double* nll = nullptr);
// dz_rj += scale * (p_rj - q_rj) on rows not ignored; scale = dLoss / count (1 / count
// for the mean loss above).
template <class Real>
void crossEntropyBackward(Real* dlogits, const Real* probs, const int* targets, int n, int V, Real eps, Real scale);

// Rows not ignored (targets >= 0).
int countTargets(const int* targets, int n);

// Token accuracy's numerator: rows not ignored whose largest logit is the target's
// (ties go to the lower id, as argmax in decoding). A measurement, not a loss: no backward.
template <class Real>
int countCorrect(const Real* logits, const int* targets, int n, int V);

}  // namespace sf
