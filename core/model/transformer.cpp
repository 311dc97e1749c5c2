#include "core/model/transformer.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>

namespace sf {

void positionalEncoding(float* out, int pos0, int n, int d, PositionLayout layout)
{
    if (layout == PositionLayout::None) {  // an ablation: nothing is added
        std::fill(out, out + long(n) * d, 0.0f);
        return;
    }
    const int half = d / 2;
    for (int r = 0; r < n; ++r) {
        const double pos = pos0 + r;
        float* row = out + long(r) * d;
        for (int i = 0; i < half; ++i) {
            // angle = pos / 10000^(2i/d)
            const double angle = pos / std::pow(10000.0, 2.0 * i / d);
            const float s = static_cast<float>(std::sin(angle)), co = static_cast<float>(std::cos(angle));
            if (layout == PositionLayout::Interleaved) {
                row[2 * i] = s;
                row[2 * i + 1] = co;
            } else {
                row[i] = s;
                row[half + i] = co;
            }
        }
    }
}

void embedTokens(float* out, const int* ids, int n, const float* table, int d, float scale)
{
    for (int r = 0; r < n; ++r) {
        const float* e = table + long(ids[r]) * d;
        float* o = out + long(r) * d;
        for (int j = 0; j < d; ++j) o[j] = e[j] * scale;
    }
}

void activate(float* x, long count, Activation a)
{
    switch (a) {
    case Activation::Relu:
        for (long i = 0; i < count; ++i) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
        break;
    case Activation::Gelu:  // 0.5 x (1 + erf(x / sqrt 2))
        for (long i = 0; i < count; ++i) x[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * 0.70710678118654752f));
        break;
    case Activation::Swish:  // x / (1 + e^-x)
        for (long i = 0; i < count; ++i) x[i] = x[i] / (1.0f + std::exp(-x[i]));
        break;
    }
}

const Interventions kNoInterventions{};

float attentionScale(int dk, bool scaled) { return scaled ? 1.0f / std::sqrt(static_cast<float>(dk)) : 1.0f; }

void multiHeadAttention(const Kernels& K, float* ctx, float* scores, float* weights, const float* q,
                        const float* k, const float* v, int n, int nk, int H, int t0, bool causal,
                        int keyLength, int d, bool scaled, const std::vector<bool>& ablated)
{
    const int dk = d / H;
    const float alpha = attentionScale(dk, scaled);
    const float ninf = -std::numeric_limits<float>::infinity();
    for (int h = 0; h < H; ++h) {
        float* sc = scores + long(h) * n * nk;   // [n, nk]
        float* wt = weights + long(h) * n * nk;  // [n, nk]
        // scores = Q_h K_h^T / sqrt(dk)
        K.matmulNT(sc, q + h * dk, k + h * dk, n, nk, dk, alpha, d, d, nk);
        std::memcpy(wt, sc, sizeof(float) * size_t(n) * nk);
        // Masks: padding keys, and (causal) keys after the query's own position.
        for (int r = 0; r < n; ++r) {
            const int last = causal ? std::min(t0 + r, nk - 1) : nk - 1;
            for (int j = 0; j < nk; ++j)
                if (j > last || j >= keyLength) wt[long(r) * nk + j] = ninf;
        }
        K.softmaxRows(wt, n, nk, nk);
        if (h < int(ablated.size()) && ablated[size_t(h)]) {
            // Ablated: the head contributes nothing to Concat(head_1..head_H) W_O.
            for (int r = 0; r < n; ++r) std::memset(ctx + long(r) * d + h * dk, 0, sizeof(float) * size_t(dk));
            continue;
        }
        // ctx_h = weights_h V_h    [n, dk], written into its head's columns of ctx [n, d]
        K.matmulNN(ctx + h * dk, wt, v + h * dk, n, dk, nk, nk, d, d);
    }
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

// x [n, cols] -> rows t0 .. t0+n-1 of a [T, cols] trace tensor.
void captureRows(Trace* tr, const std::string& name, const float* x, int n, int t0, int cols)
{
    if (!tr) return;
    TraceTensor* t = traced(tr, name, {t0 + n, cols});
    for (int r = 0; r < n; ++r) std::memcpy(t->row(t0 + r), x + long(r) * cols, sizeof(float) * cols);
}

// x [n, d] (heads side by side) -> rows t0 .. t0+n-1 of a head-major [H, T, dk] tensor.
void captureHeads(Trace* tr, const std::string& name, const float* x, int n, int t0, int H, int d)
{
    if (!tr) return;
    const int dk = d / H;
    TraceTensor* t = traced(tr, name, {H, t0 + n, dk});
    for (int h = 0; h < H; ++h)
        for (int r = 0; r < n; ++r) std::memcpy(t->row(h, t0 + r), x + long(r) * d + h * dk, sizeof(float) * dk);
}

// m [H, n, nk] -> rows t0 .. t0+n-1 of an [H, rows, nk] tensor.
void captureMaps(Trace* tr, const std::string& name, const float* m, int H, int n, int t0, int nk, int rows)
{
    if (!tr) return;
    TraceTensor* t = traced(tr, name, {H, rows, nk});
    for (int h = 0; h < H; ++h)
        for (int r = 0; r < n; ++r)
            std::memcpy(t->row(h, t0 + r), m + (long(h) * n + r) * nk, sizeof(float) * nk);
}

void layerNorm(const Kernels& K, float* y, const float* x, const LayerNormW& ln, int n, int d, float eps)
{
    K.layerNormRows(y, x, ln.weight, ln.bias, n, d, eps);
}

// Residual connection around a sublayer, then norm (sec 3.1, 5.4):
//   post-norm: x <- LayerNorm(x + sublayer);   pre-norm: x <- x + sublayer (the norm came first)
void addAndNorm(const Kernels& K, float* x, const float* sub, const LayerNormW& ln, int n, int d, const Config& c)
{
    for (long i = 0; i < long(n) * d; ++i) x[i] += sub[i];
    if (!c.normalizeBefore) layerNorm(K, x, x, ln, n, d, c.layerNormEps);
}

// The input the sublayer reads: x itself (post-norm) or LayerNorm(x) (pre-norm).
const float* sublayerInput(const Kernels& K, Workspace& ws, const float* x, const LayerNormW& ln, int n, int d,
                           const Config& c)
{
    if (!c.normalizeBefore) return x;
    ws.normed.resize(size_t(n) * d);
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
    activate(hidden, long(n) * fc1.out, a);
    linear(K, out, hidden, fc2, n);
}

namespace tn = trace_names;
constexpr AttentionKind kSelf = AttentionKind::Self, kCross = AttentionKind::Cross;

}  // namespace

void encode(const Kernels& K, const Config& c, const Weights& w, const int* ids, int S, int keyLength,
            float* memory, Trace* trace, Workspace& ws, const Interventions& iv)
{
    const int d = c.dModel, H = c.encoderHeads, F = c.encoderFfn;
    const float scale = c.scaleEmbedding ? std::sqrt(static_cast<float>(d)) : 1.0f;
    const bool scaled = c.attentionScale && !iv.noScale;  // scores / sqrt(dk), or not (model or intervention)
    float* x = memory;  // the residual stream [S, d]; ends as the encoder output
    ws.a.resize(size_t(S) * d);
    embedTokens(x, ids, S, w.shared, d, scale);
    positionalEncoding(ws.a.data(), 0, S, d, c.positions);
    if (iv.noPositions) std::fill(ws.a.begin(), ws.a.end(), 0.0f);
    captureRows(trace, tn::embed(Stack::Encoder), x, S, 0, d);
    captureRows(trace, tn::positions(Stack::Encoder), ws.a.data(), S, 0, d);
    for (long i = 0; i < long(S) * d; ++i) x[i] += ws.a[size_t(i)];
    captureRows(trace, tn::input(Stack::Encoder), x, S, 0, d);

    ws.q.resize(size_t(S) * d), ws.k.resize(size_t(S) * d), ws.v.resize(size_t(S) * d);
    ws.ctx.resize(size_t(S) * d), ws.b.resize(size_t(S) * d);
    ws.scores.resize(size_t(H) * S * S), ws.weights.resize(size_t(H) * S * S);
    ws.hidden.resize(size_t(S) * F);
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
            captureHeads(trace, tn::attention(Stack::Encoder, l, kSelf, "q"), ws.q.data(), S, 0, H, d);
            captureHeads(trace, tn::attention(Stack::Encoder, l, kSelf, "k"), ws.k.data(), S, 0, H, d);
            captureHeads(trace, tn::attention(Stack::Encoder, l, kSelf, "v"), ws.v.data(), S, 0, H, d);
            captureMaps(trace, tn::attention(Stack::Encoder, l, kSelf, "scores"), ws.scores.data(), H, S, 0, S, S);
            captureMaps(trace, tn::attention(Stack::Encoder, l, kSelf, "weights"), ws.weights.data(), H, S, 0, S, S);
            captureHeads(trace, tn::attention(Stack::Encoder, l, kSelf, "context"), ws.ctx.data(), S, 0, H, d);
            captureRows(trace, tn::attention(Stack::Encoder, l, kSelf, "output"), ws.b.data(), S, 0, d);
            captureRows(trace, tn::attention(Stack::Encoder, l, kSelf, "residual"), x, S, 0, d);
        }
        // Feed-forward sublayer.
        in = sublayerInput(K, ws, x, L.final_layer_norm, S, d, c);
        feedForward(K, ws.b.data(), ws.hidden.data(), in, L.fc1, L.fc2, S, c.activation);
        addAndNorm(K, x, ws.b.data(), L.final_layer_norm, S, d, c);
        if (trace) {
            captureRows(trace, tn::ffn(Stack::Encoder, l, "hidden"), ws.hidden.data(), S, 0, F);
            captureRows(trace, tn::ffn(Stack::Encoder, l, "output"), ws.b.data(), S, 0, d);
            captureRows(trace, tn::layerOutput(Stack::Encoder, l), x, S, 0, d);
        }
    }
    if (c.normalizeBefore) layerNorm(K, x, x, w.encoder_layer_norm, S, d, c.layerNormEps);
    captureRows(trace, tn::output(Stack::Encoder), x, S, 0, d);
}

void prepareDecoder(const Kernels& K, const Config& c, const Weights& w, const float* memory, int S,
                    int keyLength, DecoderState& st, Trace* trace)
{
    const int d = c.dModel, L = c.decoderLayers;
    st.S = S;
    st.keyLength = keyLength;
    st.length = 0;
    st.crossK.assign(size_t(L), {});
    st.crossV.assign(size_t(L), {});
    st.selfK.assign(size_t(L), {});
    st.selfV.assign(size_t(L), {});
    st.capacity = 0;
    for (int l = 0; l < L; ++l) {
        const DecoderLayerW& Lw = w.decoder[size_t(l)];
        st.crossK[size_t(l)].resize(size_t(S) * d);
        st.crossV[size_t(l)].resize(size_t(S) * d);
        linear(K, st.crossK[size_t(l)].data(), memory, Lw.encoder_attn.k_proj, S);
        linear(K, st.crossV[size_t(l)].data(), memory, Lw.encoder_attn.v_proj, S);
        captureHeads(trace, tn::attention(Stack::Decoder, l, kCross, "k"), st.crossK[size_t(l)].data(), S, 0, c.decoderHeads, d);
        captureHeads(trace, tn::attention(Stack::Decoder, l, kCross, "v"), st.crossV[size_t(l)].data(), S, 0, c.decoderHeads, d);
    }
}

void decode(const Kernels& K, const Config& c, const Weights& w, const int* ids, int n, DecoderState& st,
            float* logits, Trace* trace, const Interventions& iv)
{
    const int d = c.dModel, H = c.decoderHeads, F = c.decoderFfn, V = c.vocabSize, S = st.S;
    const int t0 = st.length, T = t0 + n;
    const float scale = c.scaleEmbedding ? std::sqrt(static_cast<float>(d)) : 1.0f;
    Workspace& ws = st.ws;

    // Grow the KV cache (amortised doubling).
    if (T > st.capacity) {
        const int cap = std::max(T, std::max(16, 2 * st.capacity));
        for (int l = 0; l < c.decoderLayers; ++l) {
            st.selfK[size_t(l)].resize(size_t(cap) * d);
            st.selfV[size_t(l)].resize(size_t(cap) * d);
        }
        st.capacity = cap;
    }

    // The outputs shifted right: ids are [decoder_start, y_0, .., y_{t-1}] (sec 3.1).
    ws.c.resize(size_t(n) * d);
    float* x = ws.c.data();  // residual stream [n, d]
    ws.a.resize(size_t(n) * d);
    embedTokens(x, ids, n, w.shared, d, scale);
    positionalEncoding(ws.a.data(), t0, n, d, c.positions);
    if (iv.noPositions) std::fill(ws.a.begin(), ws.a.end(), 0.0f);
    captureRows(trace, tn::embed(Stack::Decoder), x, n, t0, d);
    captureRows(trace, tn::positions(Stack::Decoder), ws.a.data(), n, t0, d);
    for (long i = 0; i < long(n) * d; ++i) x[i] += ws.a[size_t(i)];
    captureRows(trace, tn::input(Stack::Decoder), x, n, t0, d);

    const int maxKeys = std::max(T, S);
    ws.q.resize(size_t(n) * d), ws.ctx.resize(size_t(n) * d), ws.b.resize(size_t(n) * d);
    ws.scores.resize(size_t(H) * n * maxKeys), ws.weights.resize(size_t(H) * n * maxKeys);
    ws.hidden.resize(size_t(n) * F);
    const bool scaled = c.attentionScale && !iv.noScale;           // model or intervention
    const bool causal = c.decoderCausalMask && !iv.noCausalMask;  // model or intervention
    const float alpha = attentionScale(d / H, scaled);
    for (int l = 0; l < c.decoderLayers; ++l) {
        const DecoderLayerW& L = w.decoder[size_t(l)];
        float* kc = st.selfK[size_t(l)].data();  // [capacity, d]
        float* vc = st.selfV[size_t(l)].data();

        // Masked self-attention over positions 0 .. T-1 (sec 3.2.3).
        const float* in = sublayerInput(K, ws, x, L.self_attn_layer_norm, n, d, c);
        linear(K, ws.q.data(), in, L.self_attn.q_proj, n);
        linear(K, kc + long(t0) * d, in, L.self_attn.k_proj, n);
        linear(K, vc + long(t0) * d, in, L.self_attn.v_proj, n);
        multiHeadAttention(K, ws.ctx.data(), ws.scores.data(), ws.weights.data(), ws.q.data(), kc, vc, n, T, H, t0,
                           causal, T, d, scaled,
                           iv.ablatedHeads(Stack::Decoder, l, AttentionKind::Self, H));
        linear(K, ws.b.data(), ws.ctx.data(), L.self_attn.out_proj, n);
        addAndNorm(K, x, ws.b.data(), L.self_attn_layer_norm, n, d, c);
        if (trace) {
            captureHeads(trace, tn::attention(Stack::Decoder, l, kSelf, "q"), ws.q.data(), n, t0, H, d);
            captureHeads(trace, tn::attention(Stack::Decoder, l, kSelf, "k"), kc + long(t0) * d, n, t0, H, d);
            captureHeads(trace, tn::attention(Stack::Decoder, l, kSelf, "v"), vc + long(t0) * d, n, t0, H, d);
            captureMaps(trace, tn::attention(Stack::Decoder, l, kSelf, "scores"), ws.scores.data(), H, n, t0, T, T);
            captureMaps(trace, tn::attention(Stack::Decoder, l, kSelf, "weights"), ws.weights.data(), H, n, t0, T, T);
            // Earlier rows meet the new keys only above the diagonal: record their scores
            // before the mask (what a full recomputation shows); their weights stay 0.
            if (t0 > 0) {
                const TraceTensor* qt = trace->find(tn::attention(Stack::Decoder, l, kSelf, "q"));
                TraceTensor* st2 = trace->find(tn::attention(Stack::Decoder, l, kSelf, "scores"));
                const int dk = d / H;
                for (int h = 0; h < H; ++h)
                    K.matmulNT(st2->row(h, 0) + t0, qt->row(h, 0), kc + long(t0) * d + h * dk, t0, n, dk, alpha,
                               int(qt->rowStride()), d, int(st2->rowStride()));
            }
            captureHeads(trace, tn::attention(Stack::Decoder, l, kSelf, "context"), ws.ctx.data(), n, t0, H, d);
            captureRows(trace, tn::attention(Stack::Decoder, l, kSelf, "output"), ws.b.data(), n, t0, d);
            captureRows(trace, tn::attention(Stack::Decoder, l, kSelf, "residual"), x, n, t0, d);
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
            captureHeads(trace, tn::attention(Stack::Decoder, l, kCross, "q"), ws.q.data(), n, t0, H, d);
            captureMaps(trace, tn::attention(Stack::Decoder, l, kCross, "scores"), ws.scores.data(), H, n, t0, S, T);
            captureMaps(trace, tn::attention(Stack::Decoder, l, kCross, "weights"), ws.weights.data(), H, n, t0, S, T);
            captureHeads(trace, tn::attention(Stack::Decoder, l, kCross, "context"), ws.ctx.data(), n, t0, H, d);
            captureRows(trace, tn::attention(Stack::Decoder, l, kCross, "output"), ws.b.data(), n, t0, d);
            captureRows(trace, tn::attention(Stack::Decoder, l, kCross, "residual"), x, n, t0, d);
        }

        // Feed-forward.
        in = sublayerInput(K, ws, x, L.final_layer_norm, n, d, c);
        feedForward(K, ws.b.data(), ws.hidden.data(), in, L.fc1, L.fc2, n, c.activation);
        addAndNorm(K, x, ws.b.data(), L.final_layer_norm, n, d, c);
        if (trace) {
            captureRows(trace, tn::ffn(Stack::Decoder, l, "hidden"), ws.hidden.data(), n, t0, F);
            captureRows(trace, tn::ffn(Stack::Decoder, l, "output"), ws.b.data(), n, t0, d);
            captureRows(trace, tn::layerOutput(Stack::Decoder, l), x, n, t0, d);
        }
    }
    if (c.normalizeBefore) layerNorm(K, x, x, w.decoder_layer_norm, n, d, c.layerNormEps);
    captureRows(trace, tn::output(Stack::Decoder), x, n, t0, d);

    // Linear + softmax over the vocabulary (sec 3.4): logits = x E^T (+ final_logits_bias).
    K.linear(logits, x, w.lm_head, w.final_logits_bias, n, d, V);
    if (trace) {
        captureRows(trace, tn::logits(), logits, n, t0, V);
        TraceTensor* pr = traced(trace, tn::probs(), {T, V});
        for (int r = 0; r < n; ++r) std::memcpy(pr->row(t0 + r), logits + long(r) * V, sizeof(float) * V);
        K.softmaxRows(pr->row(t0), n, V, int(pr->rowStride()));
    }
    st.length = T;
}

}  // namespace sf
