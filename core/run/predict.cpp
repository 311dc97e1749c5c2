#include "core/run/predict.h"

#include "core/model/trace_names.h"

#include <algorithm>
#include <numeric>

namespace sf {

namespace {

bool isQuizId(const std::string& id)
{
    return !id.empty() && id.size() <= 64 &&
           std::all_of(id.begin(), id.end(), [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'; });
}

const std::string& pieceAt(const std::vector<std::string>& pieces, int i)
{
    static const std::string unknown = "?";
    return i >= 0 && i < int(pieces.size()) ? pieces[size_t(i)] : unknown;
}

}  // namespace

Result<Question> parseQuestion(const std::string& name)
{
    if (name == "cross_attention") return Question{QuestionKind::CrossAttention, {}};
    if (name == "mask") return Question{QuestionKind::Mask, {}};
    if (name == "next_token") return Question{QuestionKind::NextToken, {}};
    if (name == "ablation") return Question{QuestionKind::Ablation, {}};
    if (name.rfind("quiz:", 0) == 0) {
        const std::string id = name.substr(5);
        if (!isQuizId(id)) return error("'" + name + "': a quiz id is lower-case letters, digits and '_'");
        return Question{QuestionKind::Quiz, id};
    }
    return error("unknown question '" + name + "' (cross_attention, mask, next_token, ablation or quiz:ID)");
}

std::string questionName(const Question& q)
{
    switch (q.kind) {
    case QuestionKind::None: return "";
    case QuestionKind::CrossAttention: return "cross_attention";
    case QuestionKind::Mask: return "mask";
    case QuestionKind::NextToken: return "next_token";
    case QuestionKind::Ablation: return "ablation";
    case QuestionKind::Quiz: return "quiz:" + q.quizId;
    }
    return "";
}

bool questionFits(QuestionKind k, const Step& s)
{
    const bool attentionStage = s.layer >= 0 && (s.sublayer == Sublayer::SelfAttention || s.sublayer == Sublayer::CrossAttention) &&
                                s.stage != Stage::AddNorm;
    switch (k) {
    case QuestionKind::None:
    case QuestionKind::Quiz: return true;
    case QuestionKind::CrossAttention: return s.decoder && attentionStage && s.sublayer == Sublayer::CrossAttention;
    case QuestionKind::Mask: return s.decoder && attentionStage && s.sublayer == Sublayer::SelfAttention;
    case QuestionKind::NextToken: return s.decoder && s.t >= 0;
    case QuestionKind::Ablation: return attentionStage;
    }
    return false;
}

QuestionKind defaultQuestion(const Step& s, const Config& c)
{
    if (!s.decoder || s.t < 0) return QuestionKind::None;
    if (s.stage == Stage::Mask && s.layer == 0) return QuestionKind::Mask;
    if (s.stage == Stage::Weights && s.sublayer == Sublayer::CrossAttention && s.layer == c.decoderLayers - 1)
        return QuestionKind::CrossAttention;
    if (s.stage == Stage::Probabilities) return QuestionKind::NextToken;
    return QuestionKind::None;
}

Result<CrossAttentionAnswer> crossAttentionAnswer(const Translation& t, int layer, int head, int row)
{
    if (!t.trace) return error("cross-attention: the translation has no trace");
    const std::string name = trace_names::attention(Stack::Decoder, layer, AttentionKind::Cross, "weights");
    const Tensor w = t.trace->get(name);
    if (w.shape.size() != 3) return error("cross-attention: the trace has no " + name);
    if (head < 0 || head >= w.dim(0) || row < 0 || row >= w.dim(1))
        return error(name + ": head " + std::to_string(head) + ", row " + std::to_string(row) + " outside " + shapeString(w.shape));
    CrossAttentionAnswer a;
    const int S = int(w.dim(2));
    a.weights.resize(size_t(S));
    for (int j = 0; j < S; ++j) a.weights[size_t(j)] = w.at(head, row, j);
    a.argmax = int(std::max_element(a.weights.begin(), a.weights.end()) - a.weights.begin());
    return a;
}

Result<MaskAnswer> maskAnswer(const Config& c, const Translation& t, int layer, int step)
{
    if (!t.trace) return error("mask: the translation has no trace");
    const std::string name = trace_names::attention(Stack::Decoder, layer, AttentionKind::Self, "weights");
    const Tensor w = t.trace->get(name);
    if (w.shape.size() != 3 || step < 0 || step >= w.dim(1)) return error("mask: the trace has no row " + std::to_string(step) + " of " + name);
    const bool causal = t.decoderCausal;
    MaskAnswer a;
    a.n = step + 1;
    a.hidden.assign(size_t(a.n) * size_t(a.n), 0);
    for (int i = 0; i < a.n; ++i)
        for (int j = 0; j < a.n; ++j) {
            const bool hidden = causal && j > i;
            a.hidden[size_t(i * a.n + j)] = hidden ? 1 : 0;
            if (!hidden) continue;
            for (int h = 0; h < int(w.dim(0)); ++h)
                if (w.at(h, i, j) != 0.0f)
                    return error(name + ": head " + std::to_string(h) + " gives the hidden cell (" + std::to_string(i) + ", " +
                                 std::to_string(j) + ") a weight " + std::to_string(w.at(h, i, j)));
        }
    return a;
}

Result<NextTokenAnswer> nextTokenAnswer(const Translation& t, int step, int k)
{
    if (!t.trace) return error("next token: the translation has no trace");
    const Tensor p = t.trace->get(trace_names::probs());
    if (p.shape.size() != 2 || step < 0 || step >= p.dim(0) || step >= int(t.outputIds.size()))
        return error("next token: the trace has no row " + std::to_string(step) + " of decoder.probs");
    const int V = int(p.dim(1));
    std::vector<int> order(static_cast<size_t>(V));
    std::iota(order.begin(), order.end(), 0);
    k = std::clamp(k, 1, V);
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](int a, int b) { return p.at(step, a) > p.at(step, b) || (p.at(step, a) == p.at(step, b) && a < b); });
    NextTokenAnswer a;
    a.chosen = t.outputIds[size_t(step)];
    a.top = order[0];
    a.ids.assign(order.begin(), order.begin() + k);
    if (std::find(a.ids.begin(), a.ids.end(), a.chosen) == a.ids.end()) a.ids.back() = a.chosen;
    for (int id : a.ids) a.probs.push_back(p.at(step, id));
    return a;
}

Result<AblationAnswer> ablationAnswer(std::shared_ptr<const Model> model, const Translation& t,
                                      const DecodeOptions& options, const HeadRef& head)
{
    if (!model) return error("ablation: no model");
    Session session(model);
    if (Status st = session.setSourceIds(t.sourceIds); !st) return st.error();
    DecodeOptions o = options;
    o.capture = false;
    Status st = addIntervention(o.interventions, "ablate:" + headSpec(head), model->config());
    if (!st) return st.error();
    Result<Translation> after = session.translate(o);
    if (!after) return after.error();
    AblationAnswer a;
    a.before = t.outputIds;
    a.after = after->outputIds;
    a.changes = a.before != a.after;
    return a;
}

Grade gradeCrossAttention(const CrossAttentionAnswer& a, int guess, int row, const std::vector<std::string>& sourcePieces)
{
    Grade g;
    g.right = guess == a.argmax;
    const float guessWeight = guess >= 0 && guess < int(a.weights.size()) ? a.weights[size_t(guess)] : 0.0f;
    const int S = int(a.weights.size());
    if (g.right) g.explanation = Text("predict.cross.right");
    else if (guess == std::min(row, S - 1)) g.misconception = "same_position", g.explanation = Text("predict.cross.same_position");
    else g.misconception = "nearest_word", g.explanation = Text("predict.cross.wrong");
    g.explanation.str("answer", pieceAt(sourcePieces, a.argmax))
        .percent("weight", a.argmax >= 0 ? a.weights[size_t(a.argmax)] : 0.0)
        .str("guess", pieceAt(sourcePieces, guess))
        .percent("guess_weight", guessWeight);
    return g;
}

Grade gradeMask(const MaskAnswer& a, const std::vector<char>& guess)
{
    Grade g;
    int hidden = 0, missed = 0, extra = 0, extraDiagonal = 0;
    for (int i = 0; i < a.n; ++i)
        for (int j = 0; j < a.n; ++j) {
            const size_t c = size_t(i * a.n + j);
            const bool truth = a.hidden[c] != 0, guessed = c < guess.size() && guess[c] != 0;
            hidden += truth;
            if (truth && !guessed) ++missed;
            if (!truth && guessed) ++extra, extraDiagonal += i == j;
        }
    g.right = missed == 0 && extra == 0;
    if (g.right) g.explanation = Text("predict.mask.right");
    else if (extraDiagonal > 0) g.misconception = "hides_itself", g.explanation = Text("predict.mask.hides_itself");
    else if (extra > 0) g.misconception = "hides_past", g.explanation = Text("predict.mask.hides_past");
    else g.misconception = "only_next", g.explanation = Text("predict.mask.missed_future");
    g.explanation.count("hidden", hidden).count("missed", missed).count("extra", extra).count("n", a.n);
    return g;
}

Grade gradeNextToken(const NextTokenAnswer& a, int guessId, const std::string& guessPiece, const std::string& chosenPiece,
                     const std::string& decoding)
{
    Grade g;
    g.right = guessId == a.chosen;
    auto probOf = [&](int id) {
        for (size_t i = 0; i < a.ids.size(); ++i)
            if (a.ids[i] == id) return double(a.probs[i]);
        return 0.0;
    };
    if (g.right) g.explanation = Text("predict.next.right");
    else if (guessId == a.top) g.misconception = "always_top", g.explanation = Text("predict.next.not_top");
    else g.misconception = "word_by_word", g.explanation = Text("predict.next.wrong");
    g.explanation.str("token", chosenPiece)
        .percent("p", probOf(a.chosen))
        .str("guess", guessPiece)
        .percent("guess_p", probOf(guessId))
        .word("decoding", "predict.decoding." + decoding);
    return g;
}

Text& addHeadArgs(Text& t, const HeadRef& h)
{
    const bool masked = h.stack == Stack::Decoder && h.kind == AttentionKind::Self;
    return t.count("head", h.head + 1)
        .count("layer", h.layer + 1)
        .word("stack", h.stack == Stack::Decoder ? "steps.stack.decoder" : "steps.stack.encoder")
        .word("attention", h.kind == AttentionKind::Cross ? "steps.sublayer.cross_attention"
                           : masked                       ? "steps.sublayer.masked_self_attention"
                                                          : "steps.sublayer.self_attention");
}

Grade gradeAblation(const AblationAnswer& a, bool guessChanges, const HeadRef& head)
{
    Grade g;
    g.right = guessChanges == a.changes;
    if (g.right) g.explanation = Text(a.changes ? "predict.ablation.right_changes" : "predict.ablation.right_same");
    else if (guessChanges) g.misconception = "every_head_essential", g.explanation = Text("predict.ablation.redundant");
    else g.misconception = "heads_do_nothing", g.explanation = Text("predict.ablation.matters");
    addHeadArgs(g.explanation, head);
    return g;
}

}  // namespace sf
