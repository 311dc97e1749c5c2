#include "core/model/transformer.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>

namespace sf {

const Interventions kNoInterventions{};

float attentionScale(int dk, bool scaled) { return scaled ? 1.0f / std::sqrt(static_cast<float>(dk)) : 1.0f; }

void multiHeadAttention(const Kernels& K, float* ctx, float* scores, float* weights, const float* q,
                        const float* k, const float* v, int n, int nk, int H, int t0, bool causal,
                        int keyLength, int d, bool scaled, const std::vector<bool>& ablated)
{
    K.attention(ctx, scores, weights, q, k, v, n, nk, H, t0, causal, keyLength, d, scaled);
    // Ablated: the head contributes nothing to Concat(head_1..head_H) W_O (its scores and
    // weights are still computed and shown).
    const int dk = d / H;
    for (int h = 0; h < H && h < int(ablated.size()); ++h)
        if (ablated[size_t(h)]) K.fill(ctx + h * dk, n, dk, d, 0.0f);
}

Weights residentWeights(const Kernels& K, const Config& c, const Weights& w)
{
    const size_t d = size_t(c.dModel), V = size_t(c.vocabSize);
    auto lin = [&](LinearW l) {
        l.weight = K.resident(l.weight, size_t(l.in) * size_t(l.out));
        if (l.bias) l.bias = K.resident(l.bias, size_t(l.out));
        return l;
    };
    auto norm = [&](LayerNormW n) {
        if (n.weight) n.weight = K.resident(n.weight, d);
        if (n.bias) n.bias = K.resident(n.bias, d);
        return n;
    };
    auto att = [&](const AttentionW& a) {
        return AttentionW{lin(a.q_proj), lin(a.k_proj), lin(a.v_proj), lin(a.out_proj)};
    };
    Weights r = w;
    r.shared = K.resident(w.shared, V * d);
    r.lm_head = w.lm_head == w.shared ? r.shared : K.resident(w.lm_head, V * d);
    if (w.final_logits_bias) r.final_logits_bias = K.resident(w.final_logits_bias, V);
    for (EncoderLayerW& L : r.encoder) {
        L.self_attn = att(L.self_attn);
        L.self_attn_layer_norm = norm(L.self_attn_layer_norm);
        L.fc1 = lin(L.fc1), L.fc2 = lin(L.fc2);
        L.final_layer_norm = norm(L.final_layer_norm);
    }
    for (DecoderLayerW& L : r.decoder) {
        L.self_attn = att(L.self_attn);
        L.self_attn_layer_norm = norm(L.self_attn_layer_norm);
        L.encoder_attn = att(L.encoder_attn);
        L.encoder_attn_layer_norm = norm(L.encoder_attn_layer_norm);
        L.fc1 = lin(L.fc1), L.fc2 = lin(L.fc2);
        L.final_layer_norm = norm(L.final_layer_norm);
    }
    r.encoder_layer_norm = norm(w.encoder_layer_norm);
    r.decoder_layer_norm = norm(w.decoder_layer_norm);
    return r;
}

namespace {

// Finds or makes a trace tensor and grows it to `shape`; null when not capturing.
TraceTensor* traced(Trace* tr, const std::string& name, const std::vector<int64_t>& shape)
{
    if (!tr) return nullptr;
    TraceTensor* t = tr->find(name);
    if (!t || t->shape().size() != shape.size()) return tr->put(name, shape);
    t->grow(shape);
    return t;
}

// x [n, cols] (backend memory) -> rows t0 .. t0+n-1 of a [T, cols] trace tensor.
void captureRows(const Kernels& K, Trace* tr, const std::string& name, const float* x, int n, int t0, int cols)
{
    if (!tr) return;
    TraceTensor* t = traced(tr, name, {t0 + n, cols});
    K.download(t->row(t0), int(t->rowStride()), x, cols, n, cols);
}

// x [n, d] (heads side by side) -> rows t0 .. t0+n-1 of a head-major [H, T, dk] tensor.
void captureHeads(const Kernels& K, Trace* tr, const std::string& name, const float* x, int n, int t0, int H, int d)
{
    if (!tr) return;
    const int dk = d / H;
    TraceTensor* t = traced(tr, name, {H, t0 + n, dk});
    for (int h = 0; h < H; ++h) K.download(t->row(h, t0), int(t->rowStride()), x + h * dk, d, n, dk);
}

// m [H, n, nk] -> rows t0 .. t0+n-1 of an [H, rows, nk] tensor.
void captureMaps(const Kernels& K, Trace* tr, const std::string& name, const float* m, int H, int n, int t0, int nk,
                 int rows)
{
    if (!tr) return;
    TraceTensor* t = traced(tr, name, {H, rows, nk});
    for (int h = 0; h < H; ++h) K.download(t->row(h, t0), int(t->rowStride()), m + long(h) * n * nk, nk, n, nk);
}

void layerNorm(const Kernels& K, float* y, const float* x, const LayerNormW& ln, int n, int d, float eps)
{
    K.layerNormRows(y, x, ln.weight, ln.bias, n, d, eps);
}

// Residual connection around a sublayer, then norm (sec 3.1, 5.4):
//   post-norm: x <- LayerNorm(x + sublayer);   pre-norm: x <- x + sublayer (the norm came first)
void addAndNorm(const Kernels& K, float* x, const float* sub, const LayerNormW& ln, int n, int d, const Config& c)
{
    K.add(x, sub, long(n) * d);
    if (!c.normalizeBefore) layerNorm(K, x, x, ln, n, d, c.layerNormEps);
}

// The input the sublayer reads: x itself (post-norm) or LayerNorm(x) (pre-norm).
const float* sublayerInput(const Kernels& K, Workspace& ws, const float* x, const LayerNormW& ln, int n, int d,
                           const Config& c)
{
    if (!c.normalizeBefore) return x;
    ws.normed.resize(K, size_t(n) * d);
    layerNorm(K, ws.normed.data(), x, ln, n, d, c.layerNormEps);
    return ws.normed.data();
}

void linear(const Kernels& K, float* y, const float* x, const LinearW& l, int n)
{
    K.linear(y, x, l.weight, l.bias, n, l.in, l.out);
}

// FFN(x) = act(x W1^T + b1) W2^T + b2   (sec 3.3, eq. 2). hidden: [n, F], out: [n, d]
void feedForward(const Kernels& K, float* out, float* hidden, const float* x, const LinearW& fc1,
                 const LinearW& fc2, int n, Activation a)
{
    linear(K, hidden, x, fc1, n);
    K.activate(hidden, long(n) * fc1.out, a);
    linear(K, out, hidden, fc2, n);
}

// The input of either stack (sec 3.4, 3.5): x = E[ids] * scale + PE(pos0 ..), recording
// the three of them. x: [n, d]; pe: scratch [n, d].
void embedInput(const Kernels& K, const Config& c, const Weights& w, Stack stack, const int* ids, int n, int pos0,
                float* x, float* pe, Trace* trace, const Interventions& iv)
{
    namespace tn = trace_names;
    const int d = c.dModel;
    const float scale = c.scaleEmbedding ? std::sqrt(static_cast<float>(d)) : 1.0f;
    K.embed(x, ids, n, w.shared, d, scale);
    if (iv.noPositions)
        K.fill(pe, n, d, d, 0.0f);
    else
        K.positions(pe, pos0, n, d, c.positions);
    captureRows(K, trace, tn::embed(stack), x, n, pos0, d);
    captureRows(K, trace, tn::positions(stack), pe, n, pos0, d);
    K.add(x, pe, long(n) * d);
    captureRows(K, trace, tn::input(stack), x, n, pos0, d);
}

namespace tn = trace_names;
constexpr AttentionKind kSelf = AttentionKind::Self, kCross = AttentionKind::Cross;

}  // namespace

void encode(const Kernels& K, const Config& c, const Weights& w, const int* ids, int S, int keyLength,
            float* memory, Trace* trace, Workspace& ws, const Interventions& iv)
{
    const int d = c.dModel, H = c.encoderHeads, F = c.encoderFfn;
    const bool scaled = c.attentionScale && !iv.noScale;  // scores / sqrt(dk), or not (model or intervention)
    float* x = memory;  // the residual stream [S, d]; ends as the encoder output
    ws.a.resize(K, size_t(S) * d);
    embedInput(K, c, w, Stack::Encoder, ids, S, 0, x, ws.a.data(), trace, iv);

    ws.q.resize(K, size_t(S) * d), ws.k.resize(K, size_t(S) * d), ws.v.resize(K, size_t(S) * d);
    ws.ctx.resize(K, size_t(S) * d), ws.b.resize(K, size_t(S) * d);
    ws.scores.resize(K, size_t(H) * S * S), ws.weights.resize(K, size_t(H) * S * S);
    ws.hidden.resize(K, size_t(S) * F);
    for (int l = 0; l < c.encoderLayers; ++l) {
        const EncoderLayerW& L = w.encoder[size_t(l)];
        // Self-attention sublayer.
        const float* in = sublayerInput(K, ws, x, L.self_attn_layer_norm, S, d, c);
        linear(K, ws.q.data(), in, L.self_attn.q_proj, S);
        linear(K, ws.k.data(), in, L.self_attn.k_proj, S);
        linear(K, ws.v.data(), in, L.self_attn.v_proj, S);
        multiHeadAttention(K, ws.ctx.data(), ws.scores.data(), ws.weights.data(), ws.q.data(), ws.k.data(),
                           ws.v.data(), S, S, H, 0, false, keyLength, d, scaled,
                           iv.ablatedHeads(Stack::Encoder, l, AttentionKind::Self, H));
        // MultiHead(Q, K, V) = Concat(head_1..head_H) W_O
        linear(K, ws.b.data(), ws.ctx.data(), L.self_attn.out_proj, S);
        addAndNorm(K, x, ws.b.data(), L.self_attn_layer_norm, S, d, c);
        if (trace) {
            captureHeads(K, trace, tn::attention(Stack::Encoder, l, kSelf, "q"), ws.q.data(), S, 0, H, d);
            captureHeads(K, trace, tn::attention(Stack::Encoder, l, kSelf, "k"), ws.k.data(), S, 0, H, d);
            captureHeads(K, trace, tn::attention(Stack::Encoder, l, kSelf, "v"), ws.v.data(), S, 0, H, d);
            captureMaps(K, trace, tn::attention(Stack::Encoder, l, kSelf, "scores"), ws.scores.data(), H, S, 0, S, S);
            captureMaps(K, trace, tn::attention(Stack::Encoder, l, kSelf, "weights"), ws.weights.data(), H, S, 0, S, S);
            captureHeads(K, trace, tn::attention(Stack::Encoder, l, kSelf, "context"), ws.ctx.data(), S, 0, H, d);
            captureRows(K, trace, tn::attention(Stack::Encoder, l, kSelf, "output"), ws.b.data(), S, 0, d);
            captureRows(K, trace, tn::attention(Stack::Encoder, l, kSelf, "residual"), x, S, 0, d);
        }
        // Feed-forward sublayer.
        in = sublayerInput(K, ws, x, L.final_layer_norm, S, d, c);
        feedForward(K, ws.b.data(), ws.hidden.data(), in, L.fc1, L.fc2, S, c.activation);
        addAndNorm(K, x, ws.b.data(), L.final_layer_norm, S, d, c);
        if (trace) {
            captureRows(K, trace, tn::ffn(Stack::Encoder, l, "hidden"), ws.hidden.data(), S, 0, F);
            captureRows(K, trace, tn::ffn(Stack::Encoder, l, "output"), ws.b.data(), S, 0, d);
            captureRows(K, trace, tn::layerOutput(Stack::Encoder, l), x, S, 0, d);
        }
    }
    if (c.normalizeBefore) layerNorm(K, x, x, w.encoder_layer_norm, S, d, c.layerNormEps);
    captureRows(K, trace, tn::output(Stack::Encoder), x, S, 0, d);
}

void prepareDecoder(const Kernels& K, const Config& c, const Weights& w, const float* memory, int S,
                    int keyLength, DecoderState& st, Trace* trace)
{
    const int d = c.dModel, L = c.decoderLayers;
    st.S = S;
    st.keyLength = keyLength;
    st.length = 0;
    st.crossK.resize(size_t(L));
    st.crossV.resize(size_t(L));
    st.selfK.resize(size_t(L));
    st.selfV.resize(size_t(L));
    st.selfQ.resize(size_t(L));
    st.capacity = 0;
    for (int l = 0; l < L; ++l) {
        const DecoderLayerW& Lw = w.decoder[size_t(l)];
        st.crossK[size_t(l)].resize(K, size_t(S) * d);
        st.crossV[size_t(l)].resize(K, size_t(S) * d);
        linear(K, st.crossK[size_t(l)].data(), memory, Lw.encoder_attn.k_proj, S);
        linear(K, st.crossV[size_t(l)].data(), memory, Lw.encoder_attn.v_proj, S);
        captureHeads(K, trace, tn::attention(Stack::Decoder, l, kCross, "k"), st.crossK[size_t(l)].data(), S, 0, c.decoderHeads, d);
        captureHeads(K, trace, tn::attention(Stack::Decoder, l, kCross, "v"), st.crossV[size_t(l)].data(), S, 0, c.decoderHeads, d);
    }
}

void decode(const Kernels& K, const Config& c, const Weights& w, const int* ids, int n, DecoderState& st,
            float* logits, Trace* trace, const Interventions& iv)
{
    const int d = c.dModel, H = c.decoderHeads, F = c.decoderFfn, V = c.vocabSize, S = st.S;
    const int t0 = st.length, T = t0 + n;
    Workspace& ws = st.ws;

    // Grow the KV cache (amortised doubling), keeping the rows cached so far.
    if (T > st.capacity) {
        const int cap = std::max(T, std::max(16, 2 * st.capacity));
        for (int l = 0; l < c.decoderLayers; ++l)
            for (auto* cache : {&st.selfK, &st.selfV, &st.selfQ}) (*cache)[size_t(l)].resize(K, size_t(cap) * d, true);
        st.capacity = cap;
    }

    // The outputs shifted right: ids are [decoder_start, y_0, .., y_{t-1}] (sec 3.1).
    ws.c.resize(K, size_t(n) * d);
    float* x = ws.c.data();  // residual stream [n, d]
    ws.a.resize(K, size_t(n) * d);
    embedInput(K, c, w, Stack::Decoder, ids, n, t0, x, ws.a.data(), trace, iv);

    const int maxKeys = std::max(T, S);
    ws.q.resize(K, size_t(n) * d), ws.ctx.resize(K, size_t(n) * d), ws.b.resize(K, size_t(n) * d);
    ws.scores.resize(K, size_t(H) * n * maxKeys), ws.weights.resize(K, size_t(H) * n * maxKeys);
    ws.hidden.resize(K, size_t(n) * F);
    const bool scaled = c.attentionScale && !iv.noScale;           // model or intervention
    const bool causal = c.decoderCausalMask && !iv.noCausalMask;  // model or intervention
    const float alpha = attentionScale(d / H, scaled);
    for (int l = 0; l < c.decoderLayers; ++l) {
        const DecoderLayerW& L = w.decoder[size_t(l)];
        float* kc = st.selfK[size_t(l)].data();  // [capacity, d]
        float* vc = st.selfV[size_t(l)].data();
        float* qc = st.selfQ[size_t(l)].data();
        float* q = qc + long(t0) * d;  // this call's queries [n, d], kept for the later rows' trace

        // Masked self-attention over positions 0 .. T-1 (sec 3.2.3).
        const float* in = sublayerInput(K, ws, x, L.self_attn_layer_norm, n, d, c);
        linear(K, q, in, L.self_attn.q_proj, n);
        linear(K, kc + long(t0) * d, in, L.self_attn.k_proj, n);
        linear(K, vc + long(t0) * d, in, L.self_attn.v_proj, n);
        multiHeadAttention(K, ws.ctx.data(), ws.scores.data(), ws.weights.data(), q, kc, vc, n, T, H, t0,
                           causal, T, d, scaled,
                           iv.ablatedHeads(Stack::Decoder, l, AttentionKind::Self, H));
        linear(K, ws.b.data(), ws.ctx.data(), L.self_attn.out_proj, n);
        addAndNorm(K, x, ws.b.data(), L.self_attn_layer_norm, n, d, c);
        if (trace) {
            captureHeads(K, trace, tn::attention(Stack::Decoder, l, kSelf, "q"), q, n, t0, H, d);
            captureHeads(K, trace, tn::attention(Stack::Decoder, l, kSelf, "k"), kc + long(t0) * d, n, t0, H, d);
            captureHeads(K, trace, tn::attention(Stack::Decoder, l, kSelf, "v"), vc + long(t0) * d, n, t0, H, d);
            captureMaps(K, trace, tn::attention(Stack::Decoder, l, kSelf, "scores"), ws.scores.data(), H, n, t0, T, T);
            captureMaps(K, trace, tn::attention(Stack::Decoder, l, kSelf, "weights"), ws.weights.data(), H, n, t0, T, T);
            // Earlier rows meet the new keys only above the diagonal: record their scores
            // before the mask (what a full recomputation shows); their weights stay 0.
            if (t0 > 0) {
                TraceTensor* st2 = trace->find(tn::attention(Stack::Decoder, l, kSelf, "scores"));
                const int dk = d / H;
                ws.k.resize(K, size_t(t0) * n);  // [t0, n], one head at a time
                for (int h = 0; h < H; ++h) {
                    K.matmulNT(ws.k.data(), qc + h * dk, kc + long(t0) * d + h * dk, t0, n, dk, alpha, d, d, n);
                    K.download(st2->row(h, 0) + t0, int(st2->rowStride()), ws.k.data(), n, t0, n);
                }
            }
            captureHeads(K, trace, tn::attention(Stack::Decoder, l, kSelf, "context"), ws.ctx.data(), n, t0, H, d);
            captureRows(K, trace, tn::attention(Stack::Decoder, l, kSelf, "output"), ws.b.data(), n, t0, d);
            captureRows(K, trace, tn::attention(Stack::Decoder, l, kSelf, "residual"), x, n, t0, d);
        }

        // Cross-attention: queries from the decoder, keys and values from the memory.
        in = sublayerInput(K, ws, x, L.encoder_attn_layer_norm, n, d, c);
        linear(K, ws.q.data(), in, L.encoder_attn.q_proj, n);
        multiHeadAttention(K, ws.ctx.data(), ws.scores.data(), ws.weights.data(), ws.q.data(),
                           st.crossK[size_t(l)].data(), st.crossV[size_t(l)].data(), n, S, H, 0, false, st.keyLength, d,
                           scaled, iv.ablatedHeads(Stack::Decoder, l, AttentionKind::Cross, H));
        linear(K, ws.b.data(), ws.ctx.data(), L.encoder_attn.out_proj, n);
        addAndNorm(K, x, ws.b.data(), L.encoder_attn_layer_norm, n, d, c);
        if (trace) {
            captureHeads(K, trace, tn::attention(Stack::Decoder, l, kCross, "q"), ws.q.data(), n, t0, H, d);
            captureMaps(K, trace, tn::attention(Stack::Decoder, l, kCross, "scores"), ws.scores.data(), H, n, t0, S, T);
            captureMaps(K, trace, tn::attention(Stack::Decoder, l, kCross, "weights"), ws.weights.data(), H, n, t0, S, T);
            captureHeads(K, trace, tn::attention(Stack::Decoder, l, kCross, "context"), ws.ctx.data(), n, t0, H, d);
            captureRows(K, trace, tn::attention(Stack::Decoder, l, kCross, "output"), ws.b.data(), n, t0, d);
            captureRows(K, trace, tn::attention(Stack::Decoder, l, kCross, "residual"), x, n, t0, d);
        }

        // Feed-forward.
        in = sublayerInput(K, ws, x, L.final_layer_norm, n, d, c);
        feedForward(K, ws.b.data(), ws.hidden.data(), in, L.fc1, L.fc2, n, c.activation);
        addAndNorm(K, x, ws.b.data(), L.final_layer_norm, n, d, c);
        if (trace) {
            captureRows(K, trace, tn::ffn(Stack::Decoder, l, "hidden"), ws.hidden.data(), n, t0, F);
            captureRows(K, trace, tn::ffn(Stack::Decoder, l, "output"), ws.b.data(), n, t0, d);
            captureRows(K, trace, tn::layerOutput(Stack::Decoder, l), x, n, t0, d);
        }
    }
    if (c.normalizeBefore) layerNorm(K, x, x, w.decoder_layer_norm, n, d, c.layerNormEps);
    captureRows(K, trace, tn::output(Stack::Decoder), x, n, t0, d);

    // Linear + softmax over the vocabulary (sec 3.4): logits = x E^T (+ final_logits_bias).
    ws.logits.resize(K, size_t(n) * V);
    K.linear(ws.logits.data(), x, w.lm_head, w.final_logits_bias, n, d, V);
    K.download(logits, V, ws.logits.data(), V, n, V);
    if (trace) {
        captureRows(K, trace, tn::logits(), ws.logits.data(), n, t0, V);
        K.softmaxRows(ws.logits.data(), n, V, V);  // probabilities, recorded only
        captureRows(K, trace, tn::probs(), ws.logits.data(), n, t0, V);
    }
    st.length = T;
}

}  // namespace sf
