// The Transformer's wiring (fig. 1; sec 3.1-3.4), written once: which operation reads
// which rows, in the paper's order. Inference (transformer.cpp: one sentence on a backend,
// the KV cache, the Trace) and training (train/network.cpp: a padded batch, dropout, the
// caches its backward reads) both run these functions. Each passes an executor that owns
// the memory and runs the operations (the backend's kernels, or ops.h with caches); the
// executors differ in where rows live and what is kept, never in the arithmetic.
//
// An executor E provides (Rows = its pointer type, a block of rows in its memory;
// n = rows(stack) rows of d = d_model columns unless said otherwise):
//   int rows(Stack)                               rows in this call (inference: S or the
//                                                 decoder's new n; training: B*S or B*T)
//   Rows embed(Stack)                             x = E[ids] * scale + PE (sec 3.4, 3.5)
//   Rows stream(Site), streamOut(Site)            the residual stream before / after the
//                                                 sublayer (the same rows in place)
//   Rows normed(Site), sum(Site)                  pre-norm input, post-norm x + sublayer
//   void layerNorm(Site, Rows y, Rows x, NormW)   y = LayerNorm(x) (y may be x)
//   void add(Site, Rows y, Rows x, Rows s)        y = x + s over n rows (y may be x)
//   void dropout(Site, Rows x)                    in place (inference: nothing)
//   Rows query(Site), context(Site), output(Site) attention rows
//   void linear(Rows y, Rows x, LinearW, int n)   y[n, out] = x[n, in] W^T + b
//   pair<Rows,Rows> keysValues(Site, Rows in, AttentionW)  the sublayer's K and V
//   void attention(Site, Rows ctx, Rows q, Rows k, Rows v) heads, masks, scale
//   Rows preActivation(Site), hidden(Site)        feed-forward rows [n, F]
//   void activate(Site, Rows y, Rows x, long count)  y = act(x) (y may be x)
//   void finished(Site)                           the sublayer is done (inference: trace it)
//   void finalNorm(Stack, NormW)                  a pre-norm stack's last LayerNorm
#pragma once

#include "core/model/config.h"
#include "core/model/trace_names.h"

namespace sf {

enum class Part { SelfAttention, CrossAttention, FeedForward };

// Where in the model an operation runs.
struct Site {
    Stack stack = Stack::Encoder;
    int layer = 0;
    Part part = Part::SelfAttention;
    int index = 0;  // the sublayer's number in its stack: 2l + {0, 1}, or 3l + {0, 1, 2}
    AttentionKind kind() const { return part == Part::CrossAttention ? AttentionKind::Cross : AttentionKind::Self; }
};

namespace wiring {

// MultiHead(Q, K, V) = Concat(head_1..head_H) W_O,  head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V)
// (sec 3.2.2). Queries from `in`; keys and values from `in` (self-attention) or the encoder
// output (cross-attention), as the executor's keysValues gives them.
template <class E, class Rows, class AttW>
Rows attentionSublayer(E& e, const Site& s, Rows in, const AttW& w)
{
    const int n = e.rows(s.stack);
    auto q = e.query(s), ctx = e.context(s), out = e.output(s);
    e.linear(q, in, w.q_proj, n);
    auto kv = e.keysValues(s, in, w);
    e.attention(s, ctx, q, kv.first, kv.second);
    e.linear(out, ctx, w.out_proj, n);
    return out;
}

// FFN(x) = act(x W1^T + b1) W2^T + b2   (sec 3.3, eq. 2)
template <class E, class Rows, class LinW>
Rows feedForward(E& e, const Site& s, Rows in, const LinW& fc1, const LinW& fc2)
{
    const int n = e.rows(s.stack);
    auto pre = e.preActivation(s), hidden = e.hidden(s), out = e.output(s);
    e.linear(pre, in, fc1, n);
    e.activate(s, hidden, pre, long(n) * fc1.out);
    e.linear(out, hidden, fc2, n);
    return out;
}

// One residual sublayer (sec 3.1, 5.4):
//   post-norm: x_out = LayerNorm(x + Dropout(Sublayer(x)))
//   pre-norm:  x_out = x + Dropout(Sublayer(LayerNorm(x)))
template <class E, class NormW, class F>
void residualSublayer(E& e, const Config& c, const Site& s, const NormW& ln, F&& sublayer)
{
    auto x = e.stream(s), xOut = e.streamOut(s);
    auto in = x;  // post-norm: the sublayer reads x itself
    if (c.normalizeBefore) {
        in = e.normed(s);
        e.layerNorm(s, in, x, ln);
    }
    auto out = sublayer(in);
    e.dropout(s, out);
    if (c.normalizeBefore) {
        e.add(s, xOut, x, out);
    } else {
        auto sum = e.sum(s);
        e.add(s, sum, x, out);
        e.layerNorm(s, xOut, sum, ln);
    }
    e.finished(s);
}

// The encoder (sec 3.1): N identical layers of self-attention and feed-forward sublayers
// over the embedded source.
template <class E, class W>
void encoder(E& e, const Config& c, const W& w)
{
    e.embed(Stack::Encoder);
    for (int l = 0; l < c.encoderLayers; ++l) {
        const auto& L = w.encoder[size_t(l)];
        const Site sa{Stack::Encoder, l, Part::SelfAttention, 2 * l};
        residualSublayer(e, c, sa, L.self_attn_layer_norm, [&](auto in) {
            return attentionSublayer(e, sa, in, L.self_attn);
        });
        const Site ff{Stack::Encoder, l, Part::FeedForward, 2 * l + 1};
        residualSublayer(e, c, ff, L.final_layer_norm, [&](auto in) {
            return feedForward(e, ff, in, L.fc1, L.fc2);
        });
    }
    if (c.normalizeBefore) e.finalNorm(Stack::Encoder, w.encoder_layer_norm);
}

// The decoder (sec 3.1): N layers of masked self-attention over the outputs shifted right,
// attention over the encoder output, and feed-forward. The logits are the executor's
// (x E^T, sec 3.4), after this.
template <class E, class W>
void decoder(E& e, const Config& c, const W& w)
{
    e.embed(Stack::Decoder);
    for (int l = 0; l < c.decoderLayers; ++l) {
        const auto& L = w.decoder[size_t(l)];
        const Site sa{Stack::Decoder, l, Part::SelfAttention, 3 * l};
        residualSublayer(e, c, sa, L.self_attn_layer_norm, [&](auto in) {
            return attentionSublayer(e, sa, in, L.self_attn);
        });
        const Site ca{Stack::Decoder, l, Part::CrossAttention, 3 * l + 1};
        residualSublayer(e, c, ca, L.encoder_attn_layer_norm, [&](auto in) {
            return attentionSublayer(e, ca, in, L.encoder_attn);
        });
        const Site ff{Stack::Decoder, l, Part::FeedForward, 3 * l + 2};
        residualSublayer(e, c, ff, L.final_layer_norm, [&](auto in) {
            return feedForward(e, ff, in, L.fc1, L.fc2);
        });
    }
    if (c.normalizeBefore) e.finalNorm(Stack::Decoder, w.decoder_layer_norm);
}

}  // namespace wiring
}  // namespace sf
