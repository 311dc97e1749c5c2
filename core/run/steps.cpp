#include "core/run/steps.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace sf {

namespace {

std::string layerPrefix(bool decoder, int layer)
{
    return std::string(decoder ? "decoder" : "encoder") + ".layers." + std::to_string(layer);
}

void attention(std::vector<Step>& v, bool decoder, int layer, Sublayer sub, int t)
{
    const Block b = !decoder ? Block::EncoderAttention
                             : (sub == Sublayer::SelfAttention ? Block::DecoderMaskedAttention : Block::DecoderCrossAttention);
    const bool masked = decoder && sub == Sublayer::SelfAttention;
    for (Stage s : {Stage::Projections, Stage::Heads, Stage::Scores, Stage::Mask, Stage::Weights, Stage::Context,
                    Stage::AttentionOutput, Stage::AllHeads}) {
        if (s == Stage::Mask && !masked) continue;
        v.push_back({s, b, decoder, layer, sub, t, s == Stage::AllHeads});
    }
}

void addNorm(std::vector<Step>& v, Block b, bool decoder, int layer, Sublayer sub, int t)
{
    v.push_back({Stage::AddNorm, b, decoder, layer, sub, t, true});
}

void feedForward(std::vector<Step>& v, Block b, bool decoder, int layer, int t)
{
    v.push_back({Stage::FfnHidden, b, decoder, layer, Sublayer::FeedForward, t, false});
    v.push_back({Stage::FfnOutput, b, decoder, layer, Sublayer::FeedForward, t, true});
}

std::string pct(double p)
{
    char b[32];
    std::snprintf(b, sizeof b, "%.0f%%", 100.0 * p);
    return b;
}

std::string num(double x, int digits = 3)
{
    char b[32];
    std::snprintf(b, sizeof b, "%.*g", digits, x);
    return b;
}

std::string quote(const std::string& piece) { return "'" + piece + "'"; }

std::string inputLabel(const Translation& t, int i)
{
    if (i == 0) return "<start>";
    return i - 1 < int(t.outputPieces.size()) ? t.outputPieces[size_t(i - 1)] : "?";
}

}  // namespace

std::string Step::prefix() const
{
    if (layer < 0) return decoder ? "decoder" : "encoder";
    const char* part = sublayer == Sublayer::SelfAttention ? ".self_attn"
                       : sublayer == Sublayer::CrossAttention ? ".cross_attn"
                       : sublayer == Sublayer::FeedForward    ? ".ffn"
                                                              : "";
    return layerPrefix(decoder, layer) + part;
}

std::string Step::tensor() const
{
    const std::string p = prefix();
    switch (stage) {
    case Stage::SourceTokens: return "encoder.embed";
    case Stage::Embedding: return decoder ? "decoder.embed" : "encoder.embed";
    case Stage::Positions: return decoder ? "decoder.input" : "encoder.input";
    case Stage::Projections: return p + ".q";
    case Stage::Heads: return p + ".q";
    case Stage::Scores: return p + ".scores";
    case Stage::Mask: return p + ".scores";
    case Stage::Weights: return p + ".weights";
    case Stage::Context: return p + ".context";
    case Stage::AttentionOutput: return p + ".output";
    case Stage::AllHeads: return p + ".weights";
    case Stage::AddNorm:
        return sublayer == Sublayer::FeedForward ? layerPrefix(decoder, layer) + ".output" : p + ".residual";
    case Stage::FfnHidden: return p + ".hidden";
    case Stage::FfnOutput: return p + ".output";
    case Stage::EncoderOutput: return "encoder.output";
    case Stage::DecoderInput: return "decoder.embed";
    case Stage::Logits: return "decoder.logits";
    case Stage::Probabilities: return "decoder.probs";
    case Stage::ChooseToken: return "decoder.probs";
    }
    return {};
}

std::string Step::title() const
{
    static const char* names[] = {"Source tokens", "Embedding", "Positional encoding", "Q, K, V projections",
                                  "Split into heads", "Scores", "Causal mask", "Softmax weights", "Weights x V",
                                  "Concat heads, W_O", "All heads", "Add & Norm", "Feed-forward hidden",
                                  "Feed-forward output", "Encoder output (memory)", "Decoder input (shifted right)",
                                  "Logits", "Probabilities", "Choose the next token"};
    std::string s;
    if (layer >= 0) {
        s = std::string(decoder ? "Decoder" : "Encoder") + " layer " + std::to_string(layer + 1) + " · ";
        if (sublayer == Sublayer::SelfAttention) s += decoder ? "masked self-attention · " : "self-attention · ";
        if (sublayer == Sublayer::CrossAttention) s += "cross-attention · ";
        if (sublayer == Sublayer::FeedForward && stage == Stage::AddNorm) s += "feed-forward · ";
    } else if (stage == Stage::Embedding || stage == Stage::Positions) {
        s = decoder ? "Decoder · " : "Encoder · ";
    }
    s += names[int(stage)];
    if (t >= 0) s += " (step " + std::to_string(t + 1) + ")";
    return s;
}

std::vector<Step> buildSteps(const Config& c, int outputTokens)
{
    std::vector<Step> v;
    v.push_back({Stage::SourceTokens, Block::InputEmbedding, false, -1, Sublayer::None, -1, true});
    v.push_back({Stage::Embedding, Block::InputEmbedding, false, -1, Sublayer::None, -1, true});
    v.push_back({Stage::Positions, Block::EncoderPositions, false, -1, Sublayer::None, -1, true});
    for (int l = 0; l < c.encoderLayers; ++l) {
        attention(v, false, l, Sublayer::SelfAttention, -1);
        addNorm(v, Block::EncoderAddNorm1, false, l, Sublayer::SelfAttention, -1);
        feedForward(v, Block::EncoderFeedForward, false, l, -1);
        addNorm(v, Block::EncoderAddNorm2, false, l, Sublayer::FeedForward, -1);
    }
    v.push_back({Stage::EncoderOutput, Block::EncoderAddNorm2, false, -1, Sublayer::None, -1, true});
    for (int t = 0; t < outputTokens; ++t) {
        v.push_back({Stage::DecoderInput, Block::OutputEmbedding, true, -1, Sublayer::None, t, true});
        v.push_back({Stage::Embedding, Block::OutputEmbedding, true, -1, Sublayer::None, t, false});
        v.push_back({Stage::Positions, Block::DecoderPositions, true, -1, Sublayer::None, t, false});
        for (int l = 0; l < c.decoderLayers; ++l) {
            attention(v, true, l, Sublayer::SelfAttention, t);
            addNorm(v, Block::DecoderAddNorm1, true, l, Sublayer::SelfAttention, t);
            attention(v, true, l, Sublayer::CrossAttention, t);
            addNorm(v, Block::DecoderAddNorm2, true, l, Sublayer::CrossAttention, t);
            feedForward(v, Block::DecoderFeedForward, true, l, t);
            addNorm(v, Block::DecoderAddNorm3, true, l, Sublayer::FeedForward, t);
        }
        v.push_back({Stage::Logits, Block::Linear, true, -1, Sublayer::None, t, false});
        v.push_back({Stage::Probabilities, Block::Softmax, true, -1, Sublayer::None, t, false});
        v.push_back({Stage::ChooseToken, Block::Softmax, true, -1, Sublayer::None, t, true});
    }
    return v;
}

int nextCoarse(const std::vector<Step>& steps, int from)
{
    for (int i = from + 1; i < int(steps.size()); ++i)
        if (steps[size_t(i)].coarse) return i;
    return int(steps.size()) - 1;
}

int previousCoarse(const std::vector<Step>& steps, int from)
{
    for (int i = from - 1; i >= 0; --i)
        if (steps[size_t(i)].coarse) return i;
    return 0;
}

int firstStepOf(const std::vector<Step>& steps, Block b, int layer, int t)
{
    for (int i = 0; i < int(steps.size()); ++i) {
        const Step& s = steps[size_t(i)];
        if (s.block == b && (layer < 0 || s.layer < 0 || s.layer == layer) && (!s.decoder || t < 0 || s.t == t)) return i;
    }
    return -1;
}

const char* blockName(Block b)
{
    switch (b) {
    case Block::InputEmbedding: return "Input Embedding";
    case Block::OutputEmbedding: return "Output Embedding";
    case Block::EncoderPositions:
    case Block::DecoderPositions: return "Positional Encoding";
    case Block::EncoderAttention: return "Multi-Head Attention";
    case Block::DecoderMaskedAttention: return "Masked Multi-Head Attention";
    case Block::DecoderCrossAttention: return "Multi-Head Attention";
    case Block::EncoderFeedForward:
    case Block::DecoderFeedForward: return "Feed Forward";
    case Block::Linear: return "Linear";
    case Block::Softmax: return "Softmax";
    default: return "Add & Norm";
    }
}

StepText explain(const Step& s, const Config& c, const Translation& tr)
{
    StepText x;
    const int d = c.dModel, H = s.decoder ? c.decoderHeads : c.encoderHeads, dk = d / std::max(1, H);
    const Trace* trace = tr.trace.get();
    auto tensor = [&](const std::string& name) { return trace ? trace->get(name) : Tensor{}; };
    const bool cross = s.sublayer == Sublayer::CrossAttention;
    // Row label of the current query: a source piece (encoder) or a decoder input token.
    auto queryLabel = [&](int row) {
        return s.decoder ? inputLabel(tr, row) : (row < int(tr.sourcePieces.size()) ? tr.sourcePieces[size_t(row)] : "?");
    };
    auto keyLabel = [&](int col) {
        return (!s.decoder || cross) ? (col < int(tr.sourcePieces.size()) ? tr.sourcePieces[size_t(col)] : "?")
                                     : inputLabel(tr, col);
    };
    // The (head, key) with the largest weight for query `row` of a [H, rows, keys] tensor.
    auto strongest = [&](const Tensor& w, int row, int* head, int* key) {
        float best = -1;
        for (int h = 0; h < int(w.dim(0)); ++h)
            for (int j = 0; j < int(w.dim(2)); ++j)
                if (w.at(h, row, j) > best) best = w.at(h, row, j), *head = h, *key = j;
        return best;
    };
    const int row = s.decoder ? s.t : 0;

    switch (s.stage) {
    case Stage::SourceTokens: {
        x.explanation = "SentencePiece cuts the sentence into pieces from a learned vocabulary; '▁' marks the "
                        "start of a word. Each piece has an id, and </s> closes the source.";
        x.formula = "text → pieces → ids";
        x.section = "§5.1 (byte-pair / word-piece vocabularies)";
        std::string split;
        for (size_t i = 0; i + 1 < tr.sourcePieces.size(); ++i)
            if (tr.sourcePieces[i + 1].rfind("\xE2\x96\x81", 0) != 0 && tr.sourcePieces[i + 1] != "</s>") {
                split = tr.sourcePieces[i] + " + " + tr.sourcePieces[i + 1];
                break;
            }
        x.notice = "This sentence became " + std::to_string(tr.sourcePieces.size()) + " pieces, </s> included" +
                   (split.empty() ? "; every word is a single piece." : "; one word is split: " + split + ".");
        break;
    }
    case Stage::Embedding: {
        x.explanation = "Each id selects one row of the embedding matrix: a vector of d_model numbers learned in "
                        "training. The rows are multiplied by sqrt(d_model) so that they are not drowned out by "
                        "the positional encoding added next.";
        x.formula = c.scaleEmbedding ? "x_i = E[id_i] · sqrt(" + std::to_string(d) + ") = E[id_i] · " +
                                           num(std::sqrt(double(d)))
                                     : "x_i = E[id_i]   (this model does not scale)";
        x.section = "§3.4 Embeddings and Softmax";
        const Tensor e = tensor(s.decoder ? "decoder.embed" : "encoder.embed"),
                     p = tensor(s.decoder ? "decoder.positions" : "encoder.positions");
        if (e.numel() && p.numel()) {
            auto rms = [&](const Tensor& m, int r) {
                double acc = 0;
                for (int j = 0; j < d; ++j) acc += double(m.at(r, j)) * m.at(r, j);
                return std::sqrt(acc / d);
            };
            x.notice = "Row " + quote(queryLabel(row)) + " has RMS " + num(rms(e, row)) +
                       " after scaling; its positional encoding has RMS " + num(rms(p, row)) + ".";
        }
        break;
    }
    case Stage::Positions: {
        x.explanation = "Attention alone does not know word order, so a fixed pattern of sines and cosines is added "
                        "to every embedding: low dimensions oscillate fast, high dimensions slowly, so each "
                        "position gets its own signature.";
        x.formula = c.positions == PositionLayout::Interleaved
                        ? "PE(pos, 2i) = sin(pos / 10000^(2i/d)),  PE(pos, 2i+1) = cos(pos / 10000^(2i/d))"
                        : "PE(pos, i) = sin(pos / 10000^(2i/d)),  PE(pos, d/2 + i) = cos(pos / 10000^(2i/d))";
        x.section = "§3.5 Positional Encoding";
        const int n = s.decoder ? s.t + 1 : int(tr.sourceIds.size());
        x.notice = "Dimension 0 completes a cycle every 2π ≈ 6.3 positions, while dimension " +
                   std::to_string(d - 2) + " would need " + num(2 * M_PI * std::pow(10000.0, double(d - 2) / d), 3) +
                   " positions: across these " + std::to_string(n) + " tokens it barely moves.";
        break;
    }
    case Stage::Projections:
        x.explanation = cross ? "Queries come from the decoder; keys and values come from the encoder's output (the "
                                "memory), projected once per source sentence."
                              : "Three learned linear maps turn each token's vector into a query (what it looks for), "
                                "a key (what it offers) and a value (what it passes on).";
        x.formula = "Q = X W_Q^T + b_Q,   K = X W_K^T + b_K,   V = X W_V^T + b_V";
        x.section = "§3.2.2 Multi-Head Attention";
        x.notice = "Each of the " + std::to_string(s.decoder ? s.t + 1 : int(tr.sourceIds.size())) +
                   " rows is a " + std::to_string(d) + "-number vector; the three matrices are " + std::to_string(d) +
                   " × " + std::to_string(d) + ".";
        break;
    case Stage::Heads:
        x.explanation = "The " + std::to_string(d) + " columns are cut into " + std::to_string(H) + " heads of " +
                        std::to_string(dk) + " columns. Each head attends on its own, so different heads can "
                        "follow different relations.";
        x.formula = "head_h = Attention(Q_h, K_h, V_h),   d_k = d_model / h = " + std::to_string(dk);
        x.section = "§3.2.2 Multi-Head Attention";
        x.notice = "Head 1 reads columns 0–" + std::to_string(dk - 1) + ", head " + std::to_string(H) +
                   " reads columns " + std::to_string(d - dk) + "–" + std::to_string(d - 1) + ".";
        break;
    case Stage::Scores: {
        x.explanation = "Every query is compared with every key by a dot product, divided by sqrt(d_k) so the "
                        "softmax that follows is not pushed into saturation.";
        x.formula = "scores = Q_h K_h^T / sqrt(" + std::to_string(dk) + ")";
        x.section = "§3.2.1 Scaled Dot-Product Attention";
        const Tensor sc = tensor(s.tensor());
        if (sc.numel()) {
            const int keys = s.decoder && !cross ? s.t + 1 : int(sc.dim(2));
            int bh = 0, bj = 0;
            float best = -1e30f;
            for (int h = 0; h < int(sc.dim(0)); ++h)
                for (int j = 0; j < keys; ++j)
                    if (sc.at(h, row, j) > best) best = sc.at(h, row, j), bh = h, bj = j;
            x.notice = "For " + quote(queryLabel(row)) + " the highest score is " + num(best) + ", head " +
                       std::to_string(bh + 1) + ", against " + quote(keyLabel(bj)) + ".";
        }
        break;
    }
    case Stage::Mask:
        x.explanation = "While decoding, a position may only look at itself and earlier positions: the tokens to "
                        "its right do not exist yet. Their scores are set to -inf, so their weights become exactly 0.";
        x.formula = "scores_ij = -inf for j > i";
        x.section = "§3.2.3 Applications of Attention in our Model";
        x.notice = "At step " + std::to_string(s.t + 1) + " the row for " + quote(inputLabel(tr, s.t)) + " sees " +
                   std::to_string(s.t + 1) + " token" + (s.t ? "s" : "") + "; " +
                   std::to_string(s.t * (s.t + 1) / 2) +
                   (s.t * (s.t + 1) / 2 == 1 ? " cell above the diagonal is masked." : " cells above the diagonal are masked.");
        break;
    case Stage::Weights:
    case Stage::AllHeads: {
        x.explanation = s.stage == Stage::Weights
                            ? "A softmax over each row turns scores into weights that are positive and sum to 1: how "
                              "much each key's value contributes to this query's output."
                            : "All heads of this layer side by side. Heads specialise: some look at the previous or "
                              "next token, some at the aligned word, some spread out.";
        x.formula = "weights = softmax(Q K^T / sqrt(d_k))";
        x.section = "§3.2.1, §3.2.2";
        const Tensor w = tensor(s.prefix() + ".weights");
        if (w.numel()) {
            int h = 0, j = 0;
            const float p = strongest(w, row, &h, &j);
            x.notice = quote(queryLabel(row)) + " gives its largest weight, " + pct(p) + ", in head " +
                       std::to_string(h + 1) + " to " + quote(keyLabel(j)) + ".";
        }
        break;
    }
    case Stage::Context:
        x.explanation = "Each head's output is the weighted average of the value vectors, using the weights just "
                        "computed.";
        x.formula = "head_h = weights_h V_h";
        x.section = "§3.2.1 (eq. 1)";
        x.notice = "Each head hands on " + std::to_string(dk) + " numbers per token.";
        break;
    case Stage::AttentionOutput:
        x.explanation = "The heads are concatenated back to d_model columns and mixed by the output projection W_O.";
        x.formula = "MultiHead(Q, K, V) = Concat(head_1, …, head_h) W_O";
        x.section = "§3.2.2 Multi-Head Attention";
        x.notice = std::to_string(H) + " heads × " + std::to_string(dk) + " = " + std::to_string(d) + " columns.";
        break;
    case Stage::AddNorm:
        x.explanation = c.normalizeBefore
                            ? "The sublayer's output is added to its input (the residual connection); this "
                              "pre-norm model normalised the input before the sublayer."
                            : "The sublayer's output is added to its input (the residual connection), then layer "
                              "normalisation rescales each row to mean 0 and variance 1, times γ plus β.";
        x.formula = c.normalizeBefore ? "x ← x + Sublayer(LayerNorm(x))" : "x ← LayerNorm(x + Sublayer(x))";
        x.section = "§3.1, §5.4 (residual dropout)";
        x.notice = "The residual path lets every layer refine the vector instead of replacing it.";
        break;
    case Stage::FfnHidden: {
        x.explanation = "A two-layer network applied to each position separately: first a wide layer with a "
                        "non-linearity.";
        x.formula = std::string(activationName(c.activation)) + "(x W_1^T + b_1),   " +
                    std::to_string(s.decoder ? c.decoderFfn : c.encoderFfn) + " hidden units";
        x.section = "§3.3 Position-wise Feed-Forward Networks (eq. 2)";
        const Tensor h = tensor(s.tensor());
        if (h.numel()) {
            const int F = int(h.dim(1));
            int zeros = 0;
            for (int j = 0; j < F; ++j) zeros += h.at(row, j) == 0.0f;
            x.notice = quote(queryLabel(row)) + ": " + std::to_string(zeros) + " of " + std::to_string(F) +
                       " hidden units are exactly 0" + (c.activation == Activation::Relu ? " (ReLU)." : ".");
        }
        break;
    }
    case Stage::FfnOutput:
        x.explanation = "The second layer maps the hidden units back to d_model numbers.";
        x.formula = "FFN(x) = " + std::string(activationName(c.activation)) + "(x W_1^T + b_1) W_2^T + b_2";
        x.section = "§3.3 (eq. 2)";
        x.notice = "The same weights are used at every position.";
        break;
    case Stage::EncoderOutput:
        x.explanation = "The encoder's last layer gives one vector per source piece: the memory. Every decoder "
                        "layer's cross-attention reads it; it is computed once per sentence.";
        x.formula = "memory = Encoder(x_1 … x_S)";
        x.section = "§3.1 Encoder and Decoder Stacks";
        x.notice = std::to_string(tr.sourceIds.size()) + " source vectors of " + std::to_string(d) + " numbers.";
        break;
    case Stage::DecoderInput:
        x.explanation = "The decoder's input is the output so far, shifted right by one: it starts with the start "
                        "token, and at each step the token just chosen is appended.";
        x.formula = "decoder input = [<start>, y_1, …, y_t-1]";
        x.section = "§3.1 (outputs shifted right)";
        x.notice = "Step " + std::to_string(s.t + 1) + " feeds " + quote(inputLabel(tr, s.t)) + " at position " +
                   std::to_string(s.t) + ".";
        break;
    case Stage::Logits:
        x.explanation = "The decoder's output vector is compared with every row of the (shared) embedding matrix: "
                        "one score per vocabulary entry.";
        x.formula = "logits = y E^T" + std::string(c.vocabSize ? "  (V = " + std::to_string(c.vocabSize) + ")" : "");
        x.section = "§3.4 Embeddings and Softmax";
        x.notice = "The same matrix that embedded the input tokens scores the output tokens.";
        break;
    case Stage::Probabilities:
    case Stage::ChooseToken: {
        x.explanation = s.stage == Stage::Probabilities
                            ? "A softmax turns the logits into a probability for every token of the vocabulary."
                            : "Greedy decoding takes the most probable token. It becomes part of the output, and, "
                              "shifted right, the decoder's input at the next step.";
        x.formula = s.stage == Stage::Probabilities ? "p = softmax(logits)" : "y_t = argmax p";
        x.section = "§3.4, §6.1 (beam search)";
        const Tensor p = tensor("decoder.probs");
        if (p.numel() && s.t < int(tr.outputIds.size())) {
            const int chosen = tr.outputIds[size_t(s.t)];
            float second = 0;
            for (int j = 0; j < int(p.dim(1)); ++j)
                if (j != chosen) second = std::max(second, p.at(s.t, j));
            x.notice = quote(tr.outputPieces[size_t(s.t)]) + " gets " + pct(p.at(s.t, chosen)) +
                       "; the runner-up gets " + pct(second) + ".";
        }
        break;
    }
    }
    return x;
}

}  // namespace sf
