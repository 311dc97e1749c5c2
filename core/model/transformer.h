// The Transformer forward pass of "Attention Is All You Need" (Vaswani et al., 2017) for
// inference: one sentence, the KV cache, every intermediate recorded into a Trace when
// given one. Every operation runs on a backend (kernels.h): the activations, the cache and
// the encoder output are backend memory, and the trace receives downloads of them.
//
// Sizes: S = source length (with </s>), T = decoder length, n = rows computed in this
// call, d = d_model, H = heads, dk = d / H, F = ffn dim, V = vocab.
#pragma once

#include "core/io/trace.h"
#include "core/model/config.h"
#include "core/model/interventions.h"
#include "core/model/kernels.h"
#include "core/model/ops.h"  // positionalEncoding
#include "core/model/weights.h"

#include <string>
#include <vector>

namespace sf {

// Multi-head scaled dot-product attention for n query rows (sec 3.2.1 eq. 1, sec 3.2.2):
//   Attention(Q, K, V) = softmax(Q K^T / sqrt(dk)) V,   per head, heads side by side.
// q: [n, d] projected queries; k, v: [nk, d] projected keys and values (ld = d).
// Query row r sits at position t0 + r. causal: it sees keys j <= t0 + r only (sec 3.2.3).
// Keys j >= keyLength are padding and masked. Masked weights are exactly 0.
// scaled = false drops the 1/sqrt(dk) (the no-scale intervention). ablated[h] = true
// zeroes head h's context (its scores and weights are still computed).
// Writes scores [H, n, nk] (before the mask), weights [H, n, nk], ctx [n, d]; all backend
// memory (the backend's attention op, then the ablation).
void multiHeadAttention(const Kernels& K, float* ctx, float* scores, float* weights, const float* q,
                        const float* k, const float* v, int n, int nk, int H, int t0, bool causal,
                        int keyLength, int d, bool scaled = true, const std::vector<bool>& ablated = {});

// No intervention at all (the model as trained).
extern const Interventions kNoInterventions;

// Scratch buffers in backend memory, reused across calls (no allocation per decoding step
// once warm).
struct Workspace {
    BackendBuffer a, b, c, q, k, v, ctx, scores, weights, hidden, normed, logits;
};

// The weights as the backend reads them: every pointer of `w` made resident (uploaded
// once; the CPU backend uses host memory in place, so this is `w` itself there).
Weights residentWeights(const Kernels& K, const Config& c, const Weights& w);

// Encoder: source ids [S] -> memory [S, d] (encoder.output, backend memory; the weights
// resident). Keys >= keyLength are padding.
// Records encoder.* into `trace` when not null.
// `iv` changes the forward pass (interventions.h); the model as trained by default.
void encode(const Kernels& K, const Config& c, const Weights& w, const int* ids, int S, int keyLength,
            float* memory, Trace* trace, Workspace& ws, const Interventions& iv = kNoInterventions);

// The decoder's state for one hypothesis: cross-attention K/V (computed once from the
// memory) and the self-attention KV cache of every position decoded so far.
struct DecoderState {
    int S = 0;           // source length
    int keyLength = 0;   // valid source keys (S without padding)
    int length = 0;      // decoder positions cached so far (the next one is `length`)
    int capacity = 0;    // rows allocated in selfK / selfV / selfQ
    std::vector<BackendBuffer> crossK, crossV;        // per layer [S, d]
    std::vector<BackendBuffer> selfK, selfV, selfQ;  // per layer [capacity, d]; selfQ: the queries,
                                                      // for the earlier rows' recorded scores
    Workspace ws;
};

// Projects the memory into every decoder layer's cross-attention K and V (once per
// source) and records decoder.layers.{i}.cross_attn.{k,v} [H, S, dk].
void prepareDecoder(const Kernels& K, const Config& c, const Weights& w, const float* memory, int S,
                    int keyLength, DecoderState& st, Trace* trace);

// Runs decoder positions [t0, t0 + n) with t0 = st.length, feeding ids[n] (the outputs
// shifted right), appends their K/V to the cache, and writes logits [n, V] (HOST memory,
// downloaded from the backend). n = 1 is one
// decoding step with the KV cache; t0 = 0, n = T recomputes a whole prefix at once. Both
// record identical decoder.* rows. Records probs only when capturing.
// With iv.noCausalMask the self-attention sees all n rows (meant for t0 = 0, n = T:
// one teacher-forced pass).
void decode(const Kernels& K, const Config& c, const Weights& w, const int* ids, int n, DecoderState& st,
            float* logits, Trace* trace, const Interventions& iv = kNoInterventions);

}  // namespace sf
