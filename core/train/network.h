// The Transformer for training: a batched, teacher-forced forward over B padded sentence
// pairs that keeps every intermediate its backward needs, and that backward. The forward
// is the inference engine's wiring (core/model/wiring.h) on the operations of ops.h, so a
// trained model's logits are the numbers the app shows: bit for bit for one pair where
// the CPU has AVX-512, within 1e-5 inside a padded batch (tests/test_train.cpp).
//
// Sizes: B = sentences, S = longest source, T = longest target, nS = B*S, nT = B*T,
// d = d_model, H = heads, dk = d / H, F = ffn dim, V = vocab, L = layers.
// Real is the scalar type: float trains, double is the gradient-check reference.
#pragma once

#include "core/model/config.h"
#include "core/train/batch.h"
#include "core/train/buffer.h"
#include "core/train/params.h"

#include <cstdint>
#include <vector>

namespace sf::train {

struct ForwardOptions {
    float dropout = 0.0f;         // P_drop on embeddings + positions and on every sublayer output (sec 5.4)
    float labelSmoothing = 0.1f;  // eps_ls (sec 5.4), PyTorch convention (ops.h crossEntropyForward)
    uint64_t dropoutKey = 0;      // masks are a function of this key (the trainer: seed and step)
};

struct LossStats {
    double loss = 0.0;     // label-smoothed cross-entropy per target token (what is minimised)
    double nll = 0.0;      // -log p(gold) per target token (perplexity = exp(nll))
    int targetTokens = 0;  // non-padding targets the means are over
    int correctTokens = 0; // of those, how many the argmax of the logits gets right (token accuracy)
};

// One residual sublayer (sec 3.1, 5.4):
//   post-norm: x_out = LayerNorm(x + Dropout(Sublayer(x)))
//   pre-norm:  x_out = x + Dropout(Sublayer(LayerNorm(x)))
// n = rows (nS or nT); for cross-attention k, v have the source's rows (nS).
template <class Real>
struct SublayerCache {
    Buffer<Real> sum;          // post-norm: x + Dropout(Sublayer(x)), the norm's input [n, d]
    Buffer<Real> normed;       // pre-norm: LayerNorm(x), the sublayer's input [n, d]
    Buffer<Real> mean, rstd;   // the norm's statistics [n]
    Buffer<uint8_t> keep;      // dropout mask [n, d] (empty when P_drop = 0)
    Buffer<Real> q, k, v;      // attention: projected queries [n, d], keys and values [n or nS, d]
    Buffer<Real> probs;        // attention weights [B, H, Tq, Tk]
    bool scaled = true;        // attention: scores were divided by sqrt(dk)
    Buffer<Real> ctx;          // heads concatenated, before W_O [n, d]
    Buffer<Real> pre, hidden;  // feed-forward: x W1^T + b1 and act(.) [n, F]
};

template <class Real>
struct Activations {
    int B = 0, S = 0, T = 0;
    Buffer<Real> srcPositions, tgtPositions;  // sinusoids [S, d], [T, d]
    Buffer<uint8_t> srcKeep, tgtKeep;         // embedding dropout masks [nS, d], [nT, d]
    std::vector<Buffer<Real>> enc;            // residual stream at each sublayer boundary, 2L + 1 x [nS, d]
    std::vector<SublayerCache<Real>> encSub;  // 2L: self-attention, feed-forward, ...
    Buffer<Real> memory;                      // encoder output [nS, d] (pre-norm: the stack's final norm)
    Buffer<Real> encMean, encRstd;            // the final norm's statistics [nS] (pre-norm)
    std::vector<Buffer<Real>> dec;            // 3L + 1 x [nT, d]
    std::vector<SublayerCache<Real>> decSub;  // 3L: self-attention, cross-attention, feed-forward, ...
    Buffer<Real> output;                      // decoder output [nT, d]
    Buffer<Real> decMean, decRstd;            // [nT] (pre-norm)
    Buffer<Real> logits;                      // [nT, V] = output E^T (sec 3.4)
    Buffer<Real> probs;                       // softmax(logits) [nT, V]
    Buffer<Real> rowLoss;                     // [nT]
    // Scratch for the forward (sublayer outputs) and the backward (gradients).
    Buffer<Real> out, gX, gOut, gTmp, gCtx, gQ, gK, gV, gHidden, gPre, gMemory, gLogits;
};

// Runs the batch forward (logits and loss) and keeps the intermediates in `a`.
template <class Real>
LossStats forward(Activations<Real>& a, const ModelView<const Real>& w, const Config& c, const Batch& batch,
                  const ForwardOptions& o);

// Adds d loss / d parameter into `g` (zero it first) for the forward last run on `a`
// with the same arguments.
template <class Real>
void backward(const ModelView<Real>& g, Activations<Real>& a, const ModelView<const Real>& w, const Config& c,
              const Batch& batch, const ForwardOptions& o);

}  // namespace sf::train
