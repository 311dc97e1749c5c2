#include "core/model/transformer.h"

#include "core/model/ops.h"
#include "core/model/wiring.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>

namespace sf {

const Interventions kNoInterventions{};

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

void linear(const Kernels& K, float* y, const float* x, const LinearW& l, int n)
{
    K.linear(y, x, l.weight, l.bias, n, l.in, l.out, l.panels);
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

// The executor of wiring.h for inference: one sentence on the backend, n rows in this
// call at positions t0 .. t0+n-1 (the encoder: all S at 0). The residual stream x is
// updated in place (the encoder's is the memory, the decoder's ws.c); decoder
// self-attention appends its keys, values and queries to the KV cache; each finished
// sublayer is recorded into the trace.
struct BackendExec {
    const Kernels& K;
    const Config& c;
    const Weights& w;
    Workspace& ws;
    Trace* trace;
    const Interventions& iv;
    Stack stack;
    const int* ids;
    int n, t0;
    float* x;                      // [n, d]
    int keyLength;                 // the source's valid keys (the rest is padding)
    DecoderState* st = nullptr;    // the decoder's cache and cross K/V
    int d = c.dModel;
    int H = stack == Stack::Encoder ? c.encoderHeads : c.decoderHeads;
    int F = stack == Stack::Encoder ? c.encoderFfn : c.decoderFfn;
    bool scaled = c.attentionScale && !iv.noScale;            // scores / sqrt(dk), or not (model or intervention)
    bool causal = decoderCausalMask(c, iv);                  // model or intervention

    int rows(Stack) const { return n; }
    bool cached(const Site& s) const { return s.stack == Stack::Decoder && s.part == Part::SelfAttention; }
    float* cacheRows(std::vector<BackendBuffer>& cache, int l) { return cache[size_t(l)].data() + long(t0) * d; }
    // This call's rows of a self-attention's keys or values: appended to the decoder's
    // cache, scratch in the encoder.
    float* newKeys(const Site& s) { return cached(s) ? cacheRows(st->selfK, s.layer) : ws.k.data(); }
    float* newValues(const Site& s) { return cached(s) ? cacheRows(st->selfV, s.layer) : ws.v.data(); }

    float* embed(Stack s)
    {
        embedInput(K, c, w, s, ids, n, t0, x, ws.a.data(), trace, iv);
        return x;
    }
    float* stream(const Site&) { return x; }
    float* streamOut(const Site&) { return x; }
    float* sum(const Site&) { return x; }
    float* normed(const Site&) { return ws.normed.data(); }
    void layerNorm(const Site&, float* y, const float* in, const LayerNormW& ln)
    {
        K.layerNormRows(y, in, ln.weight, ln.bias, n, d, c.layerNormEps);
    }
    void add(const Site&, float* y, const float* a, const float* b)
    {
        assert(y == a);  // in place: x += sublayer
        (void)a;
        K.add(y, b, long(n) * d);
    }
    void dropout(const Site&, float*) {}
    float* query(const Site& s) { return cached(s) ? cacheRows(st->selfQ, s.layer) : ws.q.data(); }
    float* context(const Site&) { return ws.ctx.data(); }
    float* output(const Site&) { return ws.b.data(); }
    void linear(float* y, const float* in, const LinearW& l, int rows) { sf::linear(K, y, in, l, rows); }
    // Self-attention projects this call's rows (the decoder's into the cache, so its keys
    // are rows 0 .. T-1); cross-attention reads the K and V prepareDecoder made.
    std::pair<const float*, const float*> keysValues(const Site& s, const float* in, const AttentionW& a)
    {
        if (s.part == Part::CrossAttention)
            return {st->crossK[size_t(s.layer)].data(), st->crossV[size_t(s.layer)].data()};
        linear(newKeys(s), in, a.k_proj, n);
        linear(newValues(s), in, a.v_proj, n);
        if (cached(s)) return {st->selfK[size_t(s.layer)].data(), st->selfV[size_t(s.layer)].data()};
        return {ws.k.data(), ws.v.data()};
    }
    int keys(const Site& s) const
    {
        if (stack == Stack::Encoder) return n;
        return s.part == Part::CrossAttention ? st->S : t0 + n;
    }
    void attention(const Site& s, float* ctx, const float* q, const float* k, const float* v)
    {
        const int nk = keys(s);
        // The decoder's own keys are all valid, the source's up to keyLength.
        multiHeadAttention(K, ctx, ws.scores.data(), ws.weights.data(), q, k, v, n, nk, H, cached(s) ? t0 : 0,
                           cached(s) && causal, cached(s) ? nk : keyLength, d, scaled,
                           iv.ablatedHeads(stack, s.layer, s.kind(), H));
    }
    float* preActivation(const Site&) { return ws.hidden.data(); }
    float* hidden(const Site&) { return ws.hidden.data(); }
    void activate(const Site&, float* y, const float* in, long count)
    {
        assert(y == in);  // in place
        (void)in;
        K.activate(y, count, c.activation);
    }
    void finalNorm(Stack, const LayerNormW& ln) { K.layerNormRows(x, x, ln.weight, ln.bias, n, d, c.layerNormEps); }

    // Records the sublayer's tensors as rows t0 .. t0+n-1.
    void finished(const Site& s)
    {
        if (!trace) return;
        const int l = s.layer, T = t0 + n;
        if (s.part == Part::FeedForward) {
            captureRows(K, trace, tn::ffn(stack, l, "hidden"), ws.hidden.data(), n, t0, F);
            captureRows(K, trace, tn::ffn(stack, l, "output"), ws.b.data(), n, t0, d);
            captureRows(K, trace, tn::layerOutput(stack, l), x, n, t0, d);
            return;
        }
        const AttentionKind kind = s.kind();
        const int nk = keys(s);
        captureHeads(K, trace, tn::attention(stack, l, kind, "q"), query(s), n, t0, H, d);
        if (s.part == Part::SelfAttention) {
            captureHeads(K, trace, tn::attention(stack, l, kind, "k"), newKeys(s), n, t0, H, d);
            captureHeads(K, trace, tn::attention(stack, l, kind, "v"), newValues(s), n, t0, H, d);
        }
        captureMaps(K, trace, tn::attention(stack, l, kind, "scores"), ws.scores.data(), H, n, t0, nk, T);
        captureMaps(K, trace, tn::attention(stack, l, kind, "weights"), ws.weights.data(), H, n, t0, nk, T);
        // Earlier rows meet the new keys only above the diagonal: record their scores
        // before the mask (what a full recomputation shows); their weights stay 0.
        if (cached(s) && t0 > 0) {
            TraceTensor* scores = trace->find(tn::attention(stack, l, kind, "scores"));
            const int dk = d / H;
            const float alpha = attentionScale<float>(dk, scaled);
            const float* qc = st->selfQ[size_t(l)].data();
            const float* kNew = newKeys(s);
            ws.k.resize(K, size_t(t0) * n);  // [t0, n], one head at a time
            for (int h = 0; h < H; ++h) {
                K.matmulNT(ws.k.data(), qc + h * dk, kNew + h * dk, t0, n, dk, alpha, d, d, n);
                K.download(scores->row(h, 0) + t0, int(scores->rowStride()), ws.k.data(), n, t0, n);
            }
        }
        captureHeads(K, trace, tn::attention(stack, l, kind, "context"), ws.ctx.data(), n, t0, H, d);
        captureRows(K, trace, tn::attention(stack, l, kind, "output"), ws.b.data(), n, t0, d);
        captureRows(K, trace, tn::attention(stack, l, kind, "residual"), x, n, t0, d);
    }
};

constexpr AttentionKind kCross = AttentionKind::Cross;

}  // namespace

void encode(const Kernels& K, const Config& c, const Weights& w, const int* ids, int S, int keyLength,
            float* memory, Trace* trace, Workspace& ws, const Interventions& iv)
{
    const int d = c.dModel, H = c.encoderHeads, F = c.encoderFfn;
    for (BackendBuffer* b : {&ws.a, &ws.q, &ws.k, &ws.v, &ws.ctx, &ws.b, &ws.normed}) b->resize(K, size_t(S) * d);
    ws.scores.resize(K, size_t(H) * S * S), ws.weights.resize(K, size_t(H) * S * S);
    ws.hidden.resize(K, size_t(S) * F);
    // The residual stream [S, d] is `memory` itself; it ends as the encoder output.
    BackendExec e{K, c, w, ws, trace, iv, Stack::Encoder, ids, S, 0, memory, keyLength};
    wiring::encoder(e, c, w);
    captureRows(K, trace, tn::output(Stack::Encoder), memory, S, 0, d);
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
    const int maxKeys = std::max(T, S);
    for (BackendBuffer* b : {&ws.a, &ws.c, &ws.q, &ws.ctx, &ws.b, &ws.normed}) b->resize(K, size_t(n) * d);
    ws.scores.resize(K, size_t(H) * n * maxKeys), ws.weights.resize(K, size_t(H) * n * maxKeys);
    ws.hidden.resize(K, size_t(n) * F);

    // The outputs shifted right: ids are [decoder_start, y_0, .., y_{t-1}] (sec 3.1); the
    // residual stream [n, d] is ws.c.
    float* x = ws.c.data();
    BackendExec e{K, c, w, ws, trace, iv, Stack::Decoder, ids, n, t0, x, st.keyLength, &st};
    wiring::decoder(e, c, w);
    captureRows(K, trace, tn::output(Stack::Decoder), x, n, t0, d);

    // Linear + softmax over the vocabulary (sec 3.4): logits = x E^T (+ final_logits_bias).
    ws.logits.resize(K, size_t(n) * V);
    K.linear(ws.logits.data(), x, w.lm_head, w.final_logits_bias, n, d, V, nullptr);
    K.download(logits, V, ws.logits.data(), V, n, V);
    if (trace) {
        captureRows(K, trace, tn::logits(), ws.logits.data(), n, t0, V);
        K.softmaxRows(ws.logits.data(), n, V, V);  // probabilities, recorded only
        captureRows(K, trace, tn::probs(), ws.logits.data(), n, t0, V);
    }
    st.length = T;
}

}  // namespace sf
