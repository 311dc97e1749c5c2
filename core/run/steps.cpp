#include "core/run/steps.h"

#include "core/model/trace_names.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace sf {

namespace {

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

std::string inputLabel(const Translation& t, int i)
{
    if (i == 0) return kStartLabel;
    return i - 1 < int(t.outputPieces.size()) ? t.outputPieces[size_t(i - 1)] : "?";
}

}  // namespace

std::string Step::attentionTensor(const char* part) const
{
    return trace_names::attention(decoder ? Stack::Decoder : Stack::Encoder, layer,
                                  sublayer == Sublayer::CrossAttention ? AttentionKind::Cross : AttentionKind::Self, part);
}

std::vector<std::string> Step::tensors() const
{
    namespace tn = trace_names;
    const Stack st = decoder ? Stack::Decoder : Stack::Encoder;
    const AttentionKind kind = sublayer == Sublayer::CrossAttention ? AttentionKind::Cross : AttentionKind::Self;
    auto attn = [&](const char* part) { return tn::attention(st, layer, kind, part); };
    switch (stage) {
    case Stage::SourceTokens: return {tn::embed(Stack::Encoder)};
    case Stage::Embedding: return {tn::embed(st)};
    case Stage::Positions: return {tn::input(st), tn::embed(st), tn::positions(st)};
    case Stage::Projections:
    case Stage::Heads: return {attn("q"), attn("k"), attn("v")};
    case Stage::Scores:
    case Stage::Mask: return {attn("scores")};
    case Stage::Weights:
    case Stage::AllHeads: return {attn("weights"), attn("scores")};
    case Stage::Context: return {attn("context"), attn("weights"), attn("v")};
    case Stage::AttentionOutput: return {attn("output")};
    case Stage::AddNorm:
        return sublayer == Sublayer::FeedForward ? std::vector<std::string>{tn::layerOutput(st, layer), tn::ffn(st, layer, "output")}
                                                 : std::vector<std::string>{attn("residual"), attn("output")};
    case Stage::FfnHidden: return {tn::ffn(st, layer, "hidden")};
    case Stage::FfnOutput: return {tn::ffn(st, layer, "output")};
    case Stage::EncoderOutput: return {tn::output(Stack::Encoder)};
    case Stage::DecoderInput: return {tn::embed(Stack::Decoder)};
    case Stage::Logits: return {tn::logits()};
    case Stage::Probabilities:
    case Stage::ChooseToken: return {tn::probs(), tn::logits()};
    }
    return {};
}

std::string Step::tensor() const { return tensors().front(); }

Text Step::title() const
{
    static const char* stages[] = {"source_tokens", "embedding",   "positions",      "projections",    "heads",
                                   "scores",        "mask",        "weights",        "context",        "attention_output",
                                   "all_heads",     "add_norm",    "ffn_hidden",     "ffn_output",     "encoder_output",
                                   "decoder_input", "logits",      "probabilities",  "choose_token"};
    const char* stack = decoder ? "steps.stack.decoder" : "steps.stack.encoder";
    const char* sub = nullptr;
    if (layer >= 0) {
        if (sublayer == Sublayer::SelfAttention) sub = decoder ? "steps.sublayer.masked_self_attention" : "steps.sublayer.self_attention";
        if (sublayer == Sublayer::CrossAttention) sub = "steps.sublayer.cross_attention";
        if (sublayer == Sublayer::FeedForward && stage == Stage::AddNorm) sub = "steps.sublayer.feed_forward";
    }
    std::string key = layer >= 0 ? (sub ? "steps.title.layer_sublayer" : "steps.title.layer")
                      : (stage == Stage::Embedding || stage == Stage::Positions) ? "steps.title.stack"
                                                                                : "steps.title.plain";
    if (t >= 0) key += "_at_step";
    Text x(key);
    if (key != "steps.title.plain" && key != "steps.title.plain_at_step") x.word("stack", stack);
    if (layer >= 0) x.count("layer", layer + 1);
    if (sub) x.word("sublayer", sub);
    x.word("stage", std::string("steps.stage.") + stages[int(stage)]);
    if (t >= 0) x.count("step", t + 1);
    return x;
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

int coarseCount(const std::vector<Step>& steps)
{
    return int(std::count_if(steps.begin(), steps.end(), [](const Step& s) { return s.coarse; }));
}

int coarseNumber(const std::vector<Step>& steps, int index)
{
    int k = 0;
    for (int i = 0; i <= index && i < int(steps.size()); ++i) k += steps[size_t(i)].coarse ? 1 : 0;
    return std::max(1, k);
}

int firstStepOf(const std::vector<Step>& steps, Block b, int layer, int t)
{
    // The layer asked for where the block has it; else (a decoder shallower than the
    // encoder, a step outside the stacks) the block's first layer. The same for t.
    auto find = [&](bool keepLayer, bool keepT) {
        for (int i = 0; i < int(steps.size()); ++i) {
            const Step& s = steps[size_t(i)];
            if (s.block != b) continue;
            if (keepLayer && layer >= 0 && s.layer >= 0 && s.layer != layer) continue;
            if (keepT && s.decoder && t >= 0 && s.t != t) continue;
            return i;
        }
        return -1;
    };
    for (const auto& [keepLayer, keepT] : {std::pair{true, true}, {false, true}, {true, false}, {false, false}})
        if (const int i = find(keepLayer, keepT); i >= 0) return i;
    return -1;
}

Text blockName(Block b)
{
    switch (b) {
    case Block::InputEmbedding: return Text("blocks.input_embedding");
    case Block::OutputEmbedding: return Text("blocks.output_embedding");
    case Block::EncoderPositions:
    case Block::DecoderPositions: return Text("blocks.positional_encoding");
    case Block::EncoderAttention: return Text("blocks.multi_head_attention");
    case Block::DecoderMaskedAttention: return Text("blocks.masked_multi_head_attention");
    case Block::DecoderCrossAttention: return Text("blocks.multi_head_attention");
    case Block::EncoderFeedForward:
    case Block::DecoderFeedForward: return Text("blocks.feed_forward");
    case Block::Linear: return Text("blocks.linear");
    case Block::Softmax: return Text("blocks.softmax");
    default: return Text("blocks.add_norm");
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
    // Keys of the table: "steps.<stage>.<part>".
    auto text = [](const char* stage, const char* part) { return Text(std::string("steps.") + stage + "." + part); };
    auto section = [](const char* id) { return Text(std::string("steps.section.") + id); };

    switch (s.stage) {
    case Stage::SourceTokens: {
        x.explanation = text("source_tokens", "explanation");
        x.formula = text("source_tokens", "formula");
        x.section = section("5_1");
        std::string first, second;
        for (size_t i = 0; i + 1 < tr.sourcePieces.size(); ++i)
            if (tr.sourcePieces[i + 1].rfind("\xE2\x96\x81", 0) != 0 && tr.sourcePieces[i + 1] != "</s>") {
                first = tr.sourcePieces[i], second = tr.sourcePieces[i + 1];
                break;
            }
        const long long n = (long long)tr.sourcePieces.size();
        x.notice = first.empty() ? text("source_tokens", "notice_whole").count("n", n)
                                 : text("source_tokens", "notice_split").count("n", n).str("first", first).str("second", second);
        break;
    }
    case Stage::Embedding: {
        x.explanation = text("embedding", "explanation");
        x.formula = c.scaleEmbedding ? text("embedding", "formula_scaled").count("d", d).number("sqrt_d", std::sqrt(double(d)))
                                     : text("embedding", "formula_unscaled");
        x.section = section("3_4");
        const Tensor e = tensor(trace_names::embed(s.decoder ? Stack::Decoder : Stack::Encoder)),
                     p = tensor(trace_names::positions(s.decoder ? Stack::Decoder : Stack::Encoder));
        if (e.numel() && p.numel()) {
            auto rms = [&](const Tensor& m, int r) {
                double acc = 0;
                for (int j = 0; j < d; ++j) acc += double(m.at(r, j)) * m.at(r, j);
                return std::sqrt(acc / d);
            };
            x.notice = text("embedding", "notice")
                           .str("token", queryLabel(row))
                           .number("rms", rms(e, row))
                           .number("pe_rms", rms(p, row));
        }
        break;
    }
    case Stage::Positions: {
        x.explanation = text("positions", "explanation");
        x.formula = c.positions == PositionLayout::Interleaved ? text("positions", "formula_interleaved")
                                                               : text("positions", "formula_halves");
        x.section = section("3_5");
        const int n = s.decoder ? s.t + 1 : int(tr.sourceIds.size());
        x.notice = text("positions", "notice")
                       .count("dim", d - 2)
                       .number("period", 2 * M_PI * std::pow(10000.0, double(d - 2) / d), 3)
                       .count("n", n);
        break;
    }
    case Stage::Projections:
        x.explanation = cross ? text("projections", "explanation_cross") : text("projections", "explanation");
        x.formula = text("projections", "formula");
        x.section = section("3_2_2");
        x.notice = text("projections", "notice").count("rows", s.decoder ? s.t + 1 : int(tr.sourceIds.size())).count("d", d);
        break;
    case Stage::Heads:
        x.explanation = text("heads", "explanation").count("d", d).count("heads", H).count("dk", dk);
        x.formula = text("heads", "formula").count("dk", dk);
        x.section = section("3_2_2");
        x.notice = text("heads", "notice")
                       .count("last_column", dk - 1)
                       .count("heads", H)
                       .count("first", d - dk)
                       .count("last", d - 1);
        break;
    case Stage::Scores: {
        // Decoding token by token, row i of the decoder's self-attention is computed at step
        // i, over keys 0..i only: nothing above the diagonal ever existed (under teacher
        // forcing the whole matrix is computed, then masked).
        x.explanation = s.decoder && !cross && tr.decoding != "forced" ? text("scores", "explanation_causal")
                                                                       : text("scores", "explanation");
        x.formula = text("scores", "formula").count("dk", dk);
        x.section = section("3_2_1");
        const Tensor sc = tensor(s.tensor());
        if (sc.numel()) {
            const int keys = s.decoder && !cross && !tr.decoderSawLaterKeys() ? s.t + 1 : int(sc.dim(2));
            int bh = 0, bj = 0;
            float best = -1e30f;
            for (int h = 0; h < int(sc.dim(0)); ++h)
                for (int j = 0; j < keys; ++j)
                    if (sc.at(h, row, j) > best) best = sc.at(h, row, j), bh = h, bj = j;
            x.notice = text("scores", "notice")
                           .str("query", queryLabel(row))
                           .number("score", best)
                           .count("head", bh + 1)
                           .str("key", keyLabel(bj));
        }
        break;
    }
    case Stage::Mask:
        x.section = section("3_2_3");
        if (tr.decoderCausal) {
            x.explanation = text("mask", "explanation");
            x.formula = text("mask", "formula");
            x.notice = text("mask", "notice")
                           .count("step", s.t + 1)
                           .str("token", inputLabel(tr, s.t))
                           .count("seen", s.t + 1)
                           .count("cells", s.t * (s.t + 1) / 2);
        } else {
            // No mask in this forward: the model has none, or the intervention removed it.
            x.explanation = text("mask", tr.interventions.noCausalMask ? "explanation_removed" : "explanation_untrained");
            x.formula = text("mask", "formula_off");
            x.notice = text("mask", "notice_off")
                           .count("step", s.t + 1)
                           .str("token", inputLabel(tr, s.t))
                           .count("seen", tr.decoderSawLaterKeys() ? int(tr.decoderInputIds.size()) : s.t + 1);
        }
        break;
    case Stage::Weights:
    case Stage::AllHeads: {
        x.explanation = s.stage == Stage::Weights ? text("weights", "explanation") : text("all_heads", "explanation");
        x.formula = text("weights", "formula");
        x.section = section("3_2_1_and_3_2_2");
        const Tensor w = tensor(s.attentionTensor("weights"));
        if (w.numel()) {
            int h = 0, j = 0;
            const float p = strongest(w, row, &h, &j);
            x.notice = text("weights", "notice")
                           .str("query", queryLabel(row))
                           .percent("weight", p)
                           .count("head", h + 1)
                           .str("key", keyLabel(j));
        }
        break;
    }
    case Stage::Context:
        x.explanation = text("context", "explanation");
        x.formula = text("context", "formula");
        x.section = section("3_2_1_eq_1");
        x.notice = text("context", "notice").count("dk", dk);
        break;
    case Stage::AttentionOutput:
        x.explanation = text("attention_output", "explanation");
        x.formula = text("attention_output", "formula");
        x.section = section("3_2_2");
        x.notice = text("attention_output", "notice").count("heads", H).count("dk", dk).count("d", d);
        break;
    case Stage::AddNorm:
        x.explanation = c.normalizeBefore ? text("add_norm", "explanation_pre_norm") : text("add_norm", "explanation");
        x.formula = c.normalizeBefore ? text("add_norm", "formula_pre_norm") : text("add_norm", "formula");
        x.section = section("3_1_and_5_4");
        x.notice = text("add_norm", "notice");
        break;
    case Stage::FfnHidden: {
        x.explanation = text("ffn_hidden", "explanation");
        x.formula = text("ffn_hidden", "formula")
                        .str("activation", activationName(c.activation))
                        .count("units", s.decoder ? c.decoderFfn : c.encoderFfn);
        x.section = section("3_3_eq_2");
        const Tensor h = tensor(s.tensor());
        if (h.numel()) {
            const int F = int(h.dim(1));
            int zeros = 0;
            for (int j = 0; j < F; ++j) zeros += h.at(row, j) == 0.0f;
            x.notice = text("ffn_hidden", c.activation == Activation::Relu ? "notice_relu" : "notice")
                           .str("token", queryLabel(row))
                           .count("zeros", zeros)
                           .count("units", F);
        }
        break;
    }
    case Stage::FfnOutput:
        x.explanation = text("ffn_output", "explanation");
        x.formula = text("ffn_output", "formula").str("activation", activationName(c.activation));
        x.section = section("3_3_eq_2_short");
        x.notice = text("ffn_output", "notice");
        break;
    case Stage::EncoderOutput:
        x.explanation = text("encoder_output", "explanation");
        x.formula = text("encoder_output", "formula");
        x.section = section("3_1");
        x.notice = text("encoder_output", "notice").count("vectors", (long long)tr.sourceIds.size()).count("d", d);
        break;
    case Stage::DecoderInput:
        x.explanation = text("decoder_input", "explanation");
        x.formula = text("decoder_input", "formula");
        x.section = section("3_1_shifted");
        x.notice = text("decoder_input", "notice").count("step", s.t + 1).str("token", inputLabel(tr, s.t)).count("position", s.t);
        break;
    case Stage::Logits:
        x.explanation = text("logits", "explanation");
        x.formula = c.vocabSize ? text("logits", "formula_vocab").count("vocab", c.vocabSize) : text("logits", "formula");
        x.section = section("3_4");
        x.notice = text("logits", "notice");
        break;
    case Stage::Probabilities:
    case Stage::ChooseToken: {
        const bool probs = s.stage == Stage::Probabilities;
        // The explanation names the strategy that actually chose the tokens.
        const std::string how = tr.decoding == "greedy" ? "" : "_" + tr.decoding;
        x.explanation = probs ? text("probabilities", "explanation")
                              : Text("steps.choose_token.explanation" + how)
                                    .number("temperature", tr.sampling.temperature);
        x.formula = probs ? text("probabilities", "formula") : Text("steps.choose_token.formula" + how);
        x.section = section("3_4_and_6_1");
        const Tensor p = tensor(trace_names::probs());
        if (p.numel() && s.t < int(tr.outputIds.size())) {
            const int chosen = tr.outputIds[size_t(s.t)];
            float second = 0;
            for (int j = 0; j < int(p.dim(1)); ++j)
                if (j != chosen) second = std::max(second, p.at(s.t, j));
            x.notice = text("probabilities", "notice")
                           .str("token", tr.outputPieces[size_t(s.t)])
                           .percent("p", p.at(s.t, chosen))
                           .percent("runner_up", second);
            const bool last = s.t + 1 == int(tr.outputIds.size());
            if (!probs && last && chosen == c.eosId)
                x.notice = text("choose_token", "notice_end")
                               .str("token", tr.outputPieces[size_t(s.t)])
                               .count("steps", int(tr.outputIds.size()));
        }
        break;
    }
    }
    return x;
}

// The residual connection of §3.1: LayerNorm(x + Sublayer(x)) (post-norm), or
// x + Sublayer(LayerNorm(x)) (pre-norm). Layer norm (Ba et al.) divides each row's
// deviation from its mean by sqrt(var + eps); mean and stddev are reported per row.
AddNormParts addNormParts(const Step& s, const Translation& t)
{
    AddNormParts parts;
    if (s.stage != Stage::AddNorm || s.layer < 0 || !t.trace) return parts;
    namespace tn = trace_names;
    const Stack st = s.decoder ? Stack::Decoder : Stack::Encoder;
    const std::vector<std::string> names = s.tensors();  // the result, the sublayer output
    std::string input;
    switch (s.sublayer) {
    case Sublayer::SelfAttention: input = s.layer == 0 ? tn::input(st) : tn::layerOutput(st, s.layer - 1); break;
    case Sublayer::CrossAttention: input = tn::attention(st, s.layer, AttentionKind::Self, "residual"); break;
    case Sublayer::FeedForward:
        input = tn::attention(st, s.layer, s.decoder ? AttentionKind::Cross : AttentionKind::Self, "residual");
        break;
    case Sublayer::None: return parts;
    }
    const Tensor x = t.trace->get(input), sub = t.trace->get(names[1]), out = t.trace->get(names[0]);
    if (x.shape.size() != 2 || x.shape != sub.shape || x.shape != out.shape) return parts;
    const int rows = s.decoder ? s.t + 1 : int(t.sourceIds.size());
    const int n = std::min<int>(rows, int(x.dim(0))), d = int(x.dim(1));
    parts.n = n, parts.d = d;
    parts.inputName = input, parts.sublayerName = names[1], parts.resultName = names[0];
    const size_t count = size_t(n) * size_t(d);
    parts.x.assign(x.data.begin(), x.data.begin() + long(count));
    parts.sublayer.assign(sub.data.begin(), sub.data.begin() + long(count));
    parts.result.assign(out.data.begin(), out.data.begin() + long(count));
    parts.sum.resize(count);
    for (size_t i = 0; i < count; ++i) parts.sum[i] = parts.x[i] + parts.sublayer[i];
    for (int r = 0; r < n; ++r) {
        double mean = 0, var = 0;
        for (int j = 0; j < d; ++j) mean += parts.sum[size_t(r) * size_t(d) + size_t(j)];
        mean /= d;
        for (int j = 0; j < d; ++j) {
            const double e = parts.sum[size_t(r) * size_t(d) + size_t(j)] - mean;
            var += e * e;
        }
        var /= d;
        parts.mean.push_back(float(mean));
        parts.stddev.push_back(float(std::sqrt(var)));
    }
    return parts;
}

}  // namespace sf
