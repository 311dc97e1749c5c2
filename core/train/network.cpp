#include "core/train/network.h"

#include "core/model/transformer.h"
#include "core/model/ops.h"

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
enum Site : uint64_t { kSrcEmbed = 0, kTgtEmbed = 1, kFirstSublayer = 2 };

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

// post-norm: x_out = LayerNorm(x + Dropout(f(x)));  pre-norm: x_out = x + Dropout(f(LayerNorm(x)))
// f(out [n, d], in [n, d]) computes the sublayer.
template <class Real, class F>
void sublayerForward(SublayerCache<Real>& s, Real* xOut, const Real* x, const NormView<const Real>& ln, int n,
                     const Config& c, float p, uint64_t key, Buffer<Real>& out, F&& f)
{
    const int d = c.dModel;
    const long count = long(n) * d;
    const Real eps = static_cast<Real>(c.layerNormEps);
    s.mean.resize(size_t(n));
    s.rstd.resize(size_t(n));
    const Real* in = x;
    if (c.normalizeBefore) {
        s.normed.resize(size_t(count));
        layerNormForward(s.normed.data(), s.mean.data(), s.rstd.data(), x, ln.weight, ln.bias, n, d, eps);
        in = s.normed.data();
    }
    out.resize(size_t(count));
    f(out.data(), in);
    if (p > 0.0f) {
        s.keep.resize(size_t(count));
        dropoutForward(out.data(), s.keep.data(), out.data(), count, p, key);
    } else {
        s.keep.clear();
    }
    if (c.normalizeBefore) {
        residualForward(xOut, x, out.data(), count);
    } else {
        s.sum.resize(size_t(count));
        residualForward(s.sum.data(), x, out.data(), count);
        layerNormForward(xOut, s.mean.data(), s.rstd.data(), s.sum.data(), ln.weight, ln.bias, n, d, eps);
    }
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

// MultiHead(Q, K, V) = Concat(head_1..head_H) W_O,  head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V)
// (sec 3.2.2). Queries from `in` [nq, d]; keys and values from `kv` [nk, d] (== in for self-attention).
template <class Real>
void attentionSublayer(Real* out, SublayerCache<Real>& s, const Real* in, const Real* kv,
                       const AttentionView<const Real>& w, const int* keyLengths, bool causal, bool scaled, int B,
                       int Tq, int Tk, int H, int d)
{
    s.scaled = scaled;
    const int nq = B * Tq, nk = B * Tk;
    s.q.resize(size_t(nq) * d), s.k.resize(size_t(nk) * d), s.v.resize(size_t(nk) * d);
    s.ctx.resize(size_t(nq) * d), s.probs.resize(size_t(B) * H * Tq * Tk);
    linearForward(s.q.data(), in, w.q_proj.weight, w.q_proj.bias, nq, d, d);
    linearForward(s.k.data(), kv, w.k_proj.weight, w.k_proj.bias, nk, d, d);
    linearForward(s.v.data(), kv, w.v_proj.weight, w.v_proj.bias, nk, d, d);
    attentionForward(s.ctx.data(), s.probs.data(), s.q.data(), s.k.data(), s.v.data(), keyLengths, causal, B, Tq, Tk, H,
                     d, scaled);
    linearForward(out, s.ctx.data(), w.out_proj.weight, w.out_proj.bias, nq, d, d);
}

// Backward of attentionSublayer: gIn += d/d in, gKv += d/d kv (gKv == gIn for self-attention).
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

// FFN(x) = act(x W1^T + b1) W2^T + b2   (sec 3.3, eq. 2)
template <class Real>
void feedForward(Real* out, SublayerCache<Real>& s, const Real* in, const LinearView<const Real>& fc1,
                 const LinearView<const Real>& fc2, int n, Activation act)
{
    const int d = fc1.in, F = fc1.out;
    s.pre.resize(size_t(n) * F), s.hidden.resize(size_t(n) * F);
    linearForward(s.pre.data(), in, fc1.weight, fc1.bias, n, d, F);
    activationForward(s.hidden.data(), s.pre.data(), long(n) * F, act);
    linearForward(out, s.hidden.data(), fc2.weight, fc2.bias, n, F, d);
}

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

}  // namespace

template <class Real>
LossStats forward(Activations<Real>& a, const ModelView<const Real>& w, const Config& c, const Batch& batch,
                  const ForwardOptions& o)
{
    const int B = batch.B, S = batch.S, Tn = batch.T, d = c.dModel, V = c.vocabSize;
    const int nS = B * S, nT = B * Tn, Le = c.encoderLayers, Ld = c.decoderLayers;
    const float p = o.dropout;
    const Real scale = embedScale<Real>(c), eps = static_cast<Real>(c.layerNormEps);
    auto key = [&](uint64_t site) { return hashSeed(o.dropoutKey, site); };
    a.B = B, a.S = S, a.T = Tn;

    // Encoder input: Dropout(E[src] sqrt(d) + PE)   (sec 3.4, 3.5, 5.4)
    sinusoids(a.srcPositions, S, c);
    a.enc.resize(size_t(2 * Le + 1));
    a.encSub.resize(size_t(2 * Le));
    for (auto& x : a.enc) x.resize(size_t(nS) * d);
    embeddingForward(a.enc[0].data(), batch.src.data(), w.shared, a.srcPositions.data(), B, S, d, scale);
    a.srcKeep.resize(size_t(nS) * d);
    if (p > 0.0f) dropoutForward(a.enc[0].data(), a.srcKeep.data(), a.enc[0].data(), long(nS) * d, p, key(kSrcEmbed));

    for (int l = 0; l < Le; ++l) {
        const EncoderLayerView<const Real>& L = w.encoder[size_t(l)];
        const int i = 2 * l;
        SublayerCache<Real>& sa = a.encSub[size_t(i)];
        sublayerForward(sa, a.enc[size_t(i + 1)].data(), a.enc[size_t(i)].data(), L.self_attn_layer_norm, nS, c, p,
                        key(kFirstSublayer + uint64_t(i)), a.out, [&](Real* out, const Real* in) {
                            attentionSublayer(out, sa, in, in, L.self_attn, batch.srcLengths.data(), false,
                                              c.attentionScale, B, S, S,
                                              c.encoderHeads, d);
                        });
        SublayerCache<Real>& ff = a.encSub[size_t(i + 1)];
        sublayerForward(ff, a.enc[size_t(i + 2)].data(), a.enc[size_t(i + 1)].data(), L.final_layer_norm, nS, c, p,
                        key(kFirstSublayer + uint64_t(i + 1)), a.out,
                        [&](Real* out, const Real* in) { feedForward(out, ff, in, L.fc1, L.fc2, nS, c.activation); });
    }
    if (c.normalizeBefore) {
        a.memory.resize(size_t(nS) * d), a.encMean.resize(size_t(nS)), a.encRstd.resize(size_t(nS));
        layerNormForward(a.memory.data(), a.encMean.data(), a.encRstd.data(), a.enc.back().data(),
                         w.encoder_layer_norm.weight, w.encoder_layer_norm.bias, nS, d, eps);
    } else {
        a.memory = a.enc.back();
    }

    // Decoder input: the targets shifted right, Dropout(E[y] sqrt(d) + PE)
    sinusoids(a.tgtPositions, Tn, c);
    a.dec.resize(size_t(3 * Ld + 1));
    a.decSub.resize(size_t(3 * Ld));
    for (auto& x : a.dec) x.resize(size_t(nT) * d);
    embeddingForward(a.dec[0].data(), batch.decoderInput.data(), w.shared, a.tgtPositions.data(), B, Tn, d, scale);
    a.tgtKeep.resize(size_t(nT) * d);
    if (p > 0.0f) dropoutForward(a.dec[0].data(), a.tgtKeep.data(), a.dec[0].data(), long(nT) * d, p, key(kTgtEmbed));

    const uint64_t decSite = kFirstSublayer + uint64_t(2 * Le);
    for (int l = 0; l < Ld; ++l) {
        const DecoderLayerView<const Real>& L = w.decoder[size_t(l)];
        const int i = 3 * l;
        // Masked self-attention: causal and target padding (sec 3.2.3); a decoder_causal_mask
        // false model (the studio's ablation) masks the padding only.
        SublayerCache<Real>& sa = a.decSub[size_t(i)];
        sublayerForward(sa, a.dec[size_t(i + 1)].data(), a.dec[size_t(i)].data(), L.self_attn_layer_norm, nT, c, p,
                        key(decSite + uint64_t(i)), a.out, [&](Real* out, const Real* in) {
                            attentionSublayer(out, sa, in, in, L.self_attn, batch.tgtLengths.data(),
                                              c.decoderCausalMask, c.attentionScale, B, Tn, Tn,
                                              c.decoderHeads, d);
                        });
        // Encoder-decoder attention: queries from the decoder, keys and values from the memory.
        SublayerCache<Real>& ca = a.decSub[size_t(i + 1)];
        sublayerForward(ca, a.dec[size_t(i + 2)].data(), a.dec[size_t(i + 1)].data(), L.encoder_attn_layer_norm, nT, c,
                        p, key(decSite + uint64_t(i + 1)), a.out, [&](Real* out, const Real* in) {
                            attentionSublayer(out, ca, in, a.memory.data(), L.encoder_attn, batch.srcLengths.data(),
                                              false, c.attentionScale, B, Tn, S, c.decoderHeads, d);
                        });
        SublayerCache<Real>& ff = a.decSub[size_t(i + 2)];
        sublayerForward(ff, a.dec[size_t(i + 3)].data(), a.dec[size_t(i + 2)].data(), L.final_layer_norm, nT, c, p,
                        key(decSite + uint64_t(i + 2)), a.out,
                        [&](Real* out, const Real* in) { feedForward(out, ff, in, L.fc1, L.fc2, nT, c.activation); });
    }
    if (c.normalizeBefore) {
        a.output.resize(size_t(nT) * d), a.decMean.resize(size_t(nT)), a.decRstd.resize(size_t(nT));
        layerNormForward(a.output.data(), a.decMean.data(), a.decRstd.data(), a.dec.back().data(),
                         w.decoder_layer_norm.weight, w.decoder_layer_norm.bias, nT, d, eps);
    } else {
        a.output = a.dec.back();
    }

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
