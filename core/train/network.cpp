#include "core/train/network.h"

#include "core/model/transformer.h"
#include "core/model/ops.h"
#include "core/model/wiring.h"

#include <algorithm>
#include <cmath>

namespace sf::train {

namespace {

template <class Vec>
void zero(Vec& v, size_t n)
{
    v.assign(n, typename Vec::value_type(0));
}

// Dropout sites: each gets its own mask stream from the step's key.
enum DropoutSite : uint64_t { kSrcEmbed = 0, kTgtEmbed = 1, kFirstSublayer = 2 };

template <class Real>
void sinusoids(Buffer<Real>& out, int n, const Config& c)
{
    std::vector<float> pe(size_t(n) * c.dModel);
    positionalEncoding(pe.data(), 0, n, c.dModel, c.positions);  // the inference engine's table
    out.assign(pe.begin(), pe.end());
}

template <class Real>
Real embedScale(const Config& c)
{
    return c.scaleEmbedding ? std::sqrt(static_cast<Real>(c.dModel)) : Real(1);
}

// gx: d loss / d x_out on entry, d loss / d x on return. fb(gIn, gOut, in) adds
// d loss / d in (the sublayer's input) into gIn given d loss / d f(in) = gOut.
template <class Real, class FB>
void sublayerBackward(Real* gx, SublayerCache<Real>& s, const Real* x, const NormView<const Real>& ln,
                      const NormView<Real>& gln, int n, const Config& c, float p, Activations<Real>& a, FB&& fb)
{
    const int d = c.dModel;
    const long count = long(n) * d;
    if (!c.normalizeBefore) {
        // x_out = LayerNorm(sum):  gsum = LN'(gx)
        zero(a.gTmp, size_t(count));
        layerNormBackward(a.gTmp.data(), gln.weight, gln.bias, gx, s.sum.data(), s.mean.data(), s.rstd.data(),
                          ln.weight, n, d);
        // sum = x + Dropout(out):  gx = gsum,  gout = Dropout'(gsum)
        std::copy(a.gTmp.begin(), a.gTmp.begin() + count, gx);
        const Real* gOut = a.gTmp.data();
        if (p > 0.0f) {
            zero(a.gOut, size_t(count));
            dropoutBackward(a.gOut.data(), a.gTmp.data(), s.keep.data(), count, p);
            gOut = a.gOut.data();
        }
        // out = f(x):  gx += f'(gout)
        fb(gx, gOut, x);
    } else {
        // x_out = x + Dropout(out):  gx passes through,  gout = Dropout'(gx)
        const Real* gOut = gx;
        if (p > 0.0f) {
            zero(a.gOut, size_t(count));
            dropoutBackward(a.gOut.data(), gx, s.keep.data(), count, p);
            gOut = a.gOut.data();
        }
        // out = f(normed):  gnormed = f'(gout)
        zero(a.gTmp, size_t(count));
        fb(a.gTmp.data(), gOut, s.normed.data());
        // normed = LayerNorm(x):  gx += LN'(gnormed)
        layerNormBackward(gx, gln.weight, gln.bias, a.gTmp.data(), x, s.mean.data(), s.rstd.data(), ln.weight, n, d);
    }
}

// Backward of wiring::attentionSublayer: gIn += d/d in, gKv += d/d kv (gKv == gIn for self-attention).
template <class Real>
void attentionSublayerBackward(Real* gIn, Real* gKv, const AttentionView<Real>& g, const Real* gOut,
                               SublayerCache<Real>& s, const Real* in, const Real* kv,
                               const AttentionView<const Real>& w, const int* keyLengths, int B, int Tq, int Tk, int H,
                               int d, Activations<Real>& a)
{
    const int nq = B * Tq, nk = B * Tk;
    zero(a.gCtx, size_t(nq) * d);
    linearBackward(a.gCtx.data(), g.out_proj.weight, g.out_proj.bias, gOut, s.ctx.data(), w.out_proj.weight, nq, d, d);
    zero(a.gQ, size_t(nq) * d), zero(a.gK, size_t(nk) * d), zero(a.gV, size_t(nk) * d);
    attentionBackward(a.gQ.data(), a.gK.data(), a.gV.data(), a.gCtx.data(), s.probs.data(), s.q.data(), s.k.data(),
                      s.v.data(), keyLengths, B, Tq, Tk, H, d, s.scaled);
    linearBackward(gIn, g.q_proj.weight, g.q_proj.bias, a.gQ.data(), in, w.q_proj.weight, nq, d, d);
    linearBackward(gKv, g.k_proj.weight, g.k_proj.bias, a.gK.data(), kv, w.k_proj.weight, nk, d, d);
    linearBackward(gKv, g.v_proj.weight, g.v_proj.bias, a.gV.data(), kv, w.v_proj.weight, nk, d, d);
}

// Backward of wiring::feedForward, FFN(x) = act(x W1^T + b1) W2^T + b2 (sec 3.3, eq. 2).
template <class Real>
void feedForwardBackward(Real* gIn, const LinearView<Real>& g1, const LinearView<Real>& g2, const Real* gOut,
                         SublayerCache<Real>& s, const Real* in, const LinearView<const Real>& fc1,
                         const LinearView<const Real>& fc2, int n, Activation act, Activations<Real>& a)
{
    const int d = fc1.in, F = fc1.out;
    zero(a.gHidden, size_t(n) * F);
    linearBackward(a.gHidden.data(), g2.weight, g2.bias, gOut, s.hidden.data(), fc2.weight, n, F, d);
    zero(a.gPre, size_t(n) * F);
    activationBackward(a.gPre.data(), a.gHidden.data(), s.pre.data(), long(n) * F, act);
    linearBackward(gIn, g1.weight, g1.bias, a.gPre.data(), in, fc1.weight, n, d, F);
}

// The executor of wiring.h for training: a padded batch of B pairs. Every sublayer keeps
// its SublayerCache and the residual stream at every boundary (a.enc, a.dec) for the
// backward, and dropout runs on the embeddings and on every sublayer output (sec 5.4).
template <class Real>
struct TrainExec {
    Activations<Real>& a;
    const ModelView<const Real>& w;
    const Config& c;
    const Batch& batch;
    const ForwardOptions& o;
    int d = c.dModel;

    bool encoder(Stack s) const { return s == Stack::Encoder; }
    int length(Stack s) const { return encoder(s) ? batch.S : batch.T; }
    int rows(Stack s) const { return batch.B * length(s); }
    long count(Stack s) const { return long(rows(s)) * d; }
    int heads(Stack s) const { return encoder(s) ? c.encoderHeads : c.decoderHeads; }
    std::vector<Buffer<Real>>& streams(Stack s) { return encoder(s) ? a.enc : a.dec; }
    SublayerCache<Real>& cache(const Site& s) { return (encoder(s.stack) ? a.encSub : a.decSub)[size_t(s.index)]; }
    uint64_t key(uint64_t site) const { return hashSeed(o.dropoutKey, site); }

    // Dropout(E[ids] sqrt(d) + PE)   (sec 3.4, 3.5, 5.4); the encoder reads the source, the
    // decoder the targets shifted right.
    Real* embed(Stack s)
    {
        const bool enc = encoder(s);
        const int Tn = length(s), sublayers = enc ? 2 * c.encoderLayers : 3 * c.decoderLayers;
        Buffer<Real>& positions = enc ? a.srcPositions : a.tgtPositions;
        sinusoids(positions, Tn, c);
        std::vector<Buffer<Real>>& x = streams(s);
        x.resize(size_t(sublayers + 1));
        (enc ? a.encSub : a.decSub).resize(size_t(sublayers));
        for (auto& xi : x) xi.resize(size_t(count(s)));
        embeddingForward(x[0].data(), enc ? batch.src.data() : batch.decoderInput.data(), w.shared,
                         positions.data(), batch.B, Tn, d, embedScale<Real>(c));
        Buffer<uint8_t>& keep = enc ? a.srcKeep : a.tgtKeep;
        keep.resize(size_t(count(s)));
        if (o.dropout > 0.0f)
            dropoutForward(x[0].data(), keep.data(), x[0].data(), count(s), o.dropout, key(enc ? kSrcEmbed : kTgtEmbed));
        return x[0].data();
    }
    Real* stream(const Site& s) { return streams(s.stack)[size_t(s.index)].data(); }
    Real* streamOut(const Site& s) { return streams(s.stack)[size_t(s.index + 1)].data(); }
    Real* normed(const Site& s) { return sized(cache(s).normed, count(s.stack)); }
    Real* sum(const Site& s) { return sized(cache(s).sum, count(s.stack)); }
    static Real* sized(Buffer<Real>& b, long n)
    {
        b.resize(size_t(n));
        return b.data();
    }
    void layerNorm(const Site& s, Real* y, const Real* x, const NormView<const Real>& ln)
    {
        SublayerCache<Real>& sc = cache(s);
        const int n = rows(s.stack);
        layerNormForward(y, sized(sc.mean, n), sized(sc.rstd, n), x, ln.weight, ln.bias, n, d,
                         static_cast<Real>(c.layerNormEps));
    }
    void add(const Site& s, Real* y, const Real* x, const Real* sub) { residualForward(y, x, sub, count(s.stack)); }
    void dropout(const Site& s, Real* x)
    {
        SublayerCache<Real>& sc = cache(s);
        if (o.dropout <= 0.0f) {
            sc.keep.clear();
            return;
        }
        // One mask stream per sublayer: the encoder's first, then the decoder's.
        const uint64_t site = kFirstSublayer + uint64_t(encoder(s.stack) ? 0 : 2 * c.encoderLayers) + uint64_t(s.index);
        sc.keep.resize(size_t(count(s.stack)));
        dropoutForward(x, sc.keep.data(), x, count(s.stack), o.dropout, key(site));
    }
    Real* query(const Site& s) { return sized(cache(s).q, count(s.stack)); }
    Real* context(const Site& s) { return sized(cache(s).ctx, count(s.stack)); }
    Real* output(const Site& s) { return sized(a.out, count(s.stack)); }
    void linear(Real* y, const Real* x, const LinearView<const Real>& l, int n)
    {
        linearForward(y, x, l.weight, l.bias, n, l.in, l.out);
    }
    // Self-attention: K and V from the sublayer's input; cross-attention: from the memory.
    std::pair<const Real*, const Real*> keysValues(const Site& s, const Real* in, const AttentionView<const Real>& aw)
    {
        SublayerCache<Real>& sc = cache(s);
        const bool cross = s.part == Part::CrossAttention;
        const Real* kv = cross ? a.memory.data() : in;
        const int nk = cross ? rows(Stack::Encoder) : rows(s.stack);
        Real* k = sized(sc.k, long(nk) * d);
        Real* v = sized(sc.v, long(nk) * d);
        linear(k, kv, aw.k_proj, nk);
        linear(v, kv, aw.v_proj, nk);
        return {k, v};
    }
    // Keys past a sentence's length are padding; the decoder's self-attention is also
    // causal (sec 3.2.3), unless the model was trained without the mask (the studio's ablation).
    void attention(const Site& s, Real* ctx, const Real* q, const Real* k, const Real* v)
    {
        SublayerCache<Real>& sc = cache(s);
        const bool decoderSelf = !encoder(s.stack) && s.part == Part::SelfAttention;
        const int Tq = length(s.stack), Tk = s.part == Part::CrossAttention ? batch.S : Tq, H = heads(s.stack);
        sc.scaled = c.attentionScale;
        sc.probs.resize(size_t(batch.B) * H * Tq * Tk);
        attentionForward(ctx, sc.probs.data(), q, k, v, decoderSelf ? batch.tgtLengths.data() : batch.srcLengths.data(),
                         decoderSelf && c.decoderCausalMask, batch.B, Tq, Tk, H, d, c.attentionScale);
    }
    Real* preActivation(const Site& s) { return sized(cache(s).pre, long(rows(s.stack)) * ffn(s.stack)); }
    Real* hidden(const Site& s) { return sized(cache(s).hidden, long(rows(s.stack)) * ffn(s.stack)); }
    int ffn(Stack s) const { return encoder(s) ? c.encoderFfn : c.decoderFfn; }
    void activate(const Site&, Real* y, const Real* x, long n) { activationForward(y, x, n, c.activation); }
    void finished(const Site&) {}
    // A pre-norm stack's output: its last norm, keeping the statistics for the backward.
    void finalNorm(Stack s, const NormView<const Real>& ln)
    {
        const bool enc = encoder(s);
        const int n = rows(s);
        Buffer<Real>& y = enc ? a.memory : a.output;
        Buffer<Real>& mean = enc ? a.encMean : a.decMean;
        Buffer<Real>& rstd = enc ? a.encRstd : a.decRstd;
        layerNormForward(sized(y, count(s)), sized(mean, n), sized(rstd, n), streams(s).back().data(), ln.weight,
                         ln.bias, n, d, static_cast<Real>(c.layerNormEps));
    }
};

}  // namespace

template <class Real>
LossStats forward(Activations<Real>& a, const ModelView<const Real>& w, const Config& c, const Batch& batch,
                  const ForwardOptions& o)
{
    const int d = c.dModel, V = c.vocabSize, nT = batch.B * batch.T;
    a.B = batch.B, a.S = batch.S, a.T = batch.T;
    TrainExec<Real> e{a, w, c, batch, o};
    wiring::encoder(e, c, w);
    if (!c.normalizeBefore) a.memory = a.enc.back();
    wiring::decoder(e, c, w);
    if (!c.normalizeBefore) a.output = a.dec.back();

    // logits = x E^T  (sec 3.4: the output projection shares the embedding matrix)
    a.logits.resize(size_t(nT) * V), a.probs.resize(size_t(nT) * V), a.rowLoss.resize(size_t(nT));
    linearForward<Real>(a.logits.data(), a.output.data(), w.shared, nullptr, nT, d, V);
    LossStats st;
    st.loss = crossEntropyForward(a.probs.data(), a.rowLoss.data(), a.logits.data(), batch.target.data(), nT, V,
                                  static_cast<Real>(o.labelSmoothing), &st.nll);
    st.targetTokens = countTargets(batch.target.data(), nT);
    st.correctTokens = countCorrect(a.logits.data(), batch.target.data(), nT, V);
    return st;
}

template <class Real>
void backward(const ModelView<Real>& g, Activations<Real>& a, const ModelView<const Real>& w, const Config& c,
              const Batch& batch, const ForwardOptions& o)
{
    const int B = batch.B, S = batch.S, Tn = batch.T, d = c.dModel, V = c.vocabSize;
    const int nS = B * S, nT = B * Tn, Le = c.encoderLayers, Ld = c.decoderLayers;
    const float p = o.dropout;
    const Real scale = embedScale<Real>(c);
    const int count = countTargets(batch.target.data(), nT);
    if (count == 0) return;

    // loss = mean over targets of CE(softmax(logits), q):  glogits = (p - q) / count
    zero(a.gLogits, size_t(nT) * V);
    crossEntropyBackward(a.gLogits.data(), a.probs.data(), batch.target.data(), nT, V,
                         static_cast<Real>(o.labelSmoothing), Real(1) / Real(count));
    // logits = x E^T:  gx = glogits E,  gE += glogits^T x
    Buffer<Real>& gX = a.gX;
    zero(gX, size_t(std::max(nS, nT)) * d);
    linearBackward<Real>(gX.data(), g.shared, nullptr, a.gLogits.data(), a.output.data(), w.shared, nT, d, V);
    if (c.normalizeBefore) {
        // output = LayerNorm(dec[3L])
        a.gTmp.assign(gX.begin(), gX.begin() + long(nT) * d);
        std::fill(gX.begin(), gX.end(), Real(0));
        layerNormBackward(gX.data(), g.decoder_layer_norm.weight, g.decoder_layer_norm.bias, a.gTmp.data(),
                          a.dec.back().data(), a.decMean.data(), a.decRstd.data(), w.decoder_layer_norm.weight, nT, d);
    }

    zero(a.gMemory, size_t(nS) * d);
    for (int l = Ld - 1; l >= 0; --l) {
        const DecoderLayerView<const Real>& L = w.decoder[size_t(l)];
        const DecoderLayerView<Real>& G = g.decoder[size_t(l)];
        const int i = 3 * l;
        SublayerCache<Real>& ff = a.decSub[size_t(i + 2)];
        sublayerBackward(gX.data(), ff, a.dec[size_t(i + 2)].data(), L.final_layer_norm, G.final_layer_norm, nT, c, p,
                         a, [&](Real* gIn, const Real* gOut, const Real* in) {
                             feedForwardBackward(gIn, G.fc1, G.fc2, gOut, ff, in, L.fc1, L.fc2, nT, c.activation, a);
                         });
        SublayerCache<Real>& ca = a.decSub[size_t(i + 1)];
        sublayerBackward(gX.data(), ca, a.dec[size_t(i + 1)].data(), L.encoder_attn_layer_norm,
                         G.encoder_attn_layer_norm, nT, c, p, a, [&](Real* gIn, const Real* gOut, const Real* in) {
                             attentionSublayerBackward(gIn, a.gMemory.data(), G.encoder_attn, gOut, ca, in,
                                                       a.memory.data(), L.encoder_attn, batch.srcLengths.data(), B, Tn,
                                                       S, c.decoderHeads, d, a);
                         });
        SublayerCache<Real>& sa = a.decSub[size_t(i)];
        sublayerBackward(gX.data(), sa, a.dec[size_t(i)].data(), L.self_attn_layer_norm, G.self_attn_layer_norm, nT, c,
                         p, a, [&](Real* gIn, const Real* gOut, const Real* in) {
                             attentionSublayerBackward(gIn, gIn, G.self_attn, gOut, sa, in, in, L.self_attn,
                                                       batch.tgtLengths.data(), B, Tn, Tn, c.decoderHeads, d, a);
                         });
    }
    // dec[0] = Dropout(E[y] sqrt(d) + PE):  gE[y] += sqrt(d) Dropout'(gx)
    if (p > 0.0f) {
        zero(a.gOut, size_t(nT) * d);
        dropoutBackward(a.gOut.data(), gX.data(), a.tgtKeep.data(), long(nT) * d, p);
        embeddingBackward(g.shared, a.gOut.data(), batch.decoderInput.data(), nT, d, scale);
    } else {
        embeddingBackward(g.shared, gX.data(), batch.decoderInput.data(), nT, d, scale);
    }

    // The encoder, from the gradient that every cross-attention sent to the memory.
    std::fill(gX.begin(), gX.end(), Real(0));
    if (c.normalizeBefore) {
        layerNormBackward(gX.data(), g.encoder_layer_norm.weight, g.encoder_layer_norm.bias, a.gMemory.data(),
                          a.enc.back().data(), a.encMean.data(), a.encRstd.data(), w.encoder_layer_norm.weight, nS, d);
    } else {
        std::copy(a.gMemory.begin(), a.gMemory.end(), gX.begin());
    }
    for (int l = Le - 1; l >= 0; --l) {
        const EncoderLayerView<const Real>& L = w.encoder[size_t(l)];
        const EncoderLayerView<Real>& G = g.encoder[size_t(l)];
        const int i = 2 * l;
        SublayerCache<Real>& ff = a.encSub[size_t(i + 1)];
        sublayerBackward(gX.data(), ff, a.enc[size_t(i + 1)].data(), L.final_layer_norm, G.final_layer_norm, nS, c, p,
                         a, [&](Real* gIn, const Real* gOut, const Real* in) {
                             feedForwardBackward(gIn, G.fc1, G.fc2, gOut, ff, in, L.fc1, L.fc2, nS, c.activation, a);
                         });
        SublayerCache<Real>& sa = a.encSub[size_t(i)];
        sublayerBackward(gX.data(), sa, a.enc[size_t(i)].data(), L.self_attn_layer_norm, G.self_attn_layer_norm, nS, c,
                         p, a, [&](Real* gIn, const Real* gOut, const Real* in) {
                             attentionSublayerBackward(gIn, gIn, G.self_attn, gOut, sa, in, in, L.self_attn,
                                                       batch.srcLengths.data(), B, S, S, c.encoderHeads, d, a);
                         });
    }
    if (p > 0.0f) {
        zero(a.gOut, size_t(nS) * d);
        dropoutBackward(a.gOut.data(), gX.data(), a.srcKeep.data(), long(nS) * d, p);
        embeddingBackward(g.shared, a.gOut.data(), batch.src.data(), nS, d, scale);
    } else {
        embeddingBackward(g.shared, gX.data(), batch.src.data(), nS, d, scale);
    }
}

template LossStats forward<float>(Activations<float>&, const ModelView<const float>&, const Config&, const Batch&,
                                  const ForwardOptions&);
template LossStats forward<double>(Activations<double>&, const ModelView<const double>&, const Config&, const Batch&,
                                   const ForwardOptions&);
template void backward<float>(const ModelView<float>&, Activations<float>&, const ModelView<const float>&,
                              const Config&, const Batch&, const ForwardOptions&);
template void backward<double>(const ModelView<double>&, Activations<double>&, const ModelView<const double>&,
                               const Config&, const Batch&, const ForwardOptions&);

}  // namespace sf::train
