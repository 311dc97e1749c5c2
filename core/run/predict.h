// Predict, then reveal: the questions the window asks a student before it shows a step,
// the true answers read off the recorded Trace (or, for an ablation, a second real forward
// pass), and the grading of a guess. The grade names the misconception behind a wrong
// guess as a text key (resources/texts/<lang>/predict.json); core holds no prose.
//
// S = source length (with </s>), T = decoder length, H = heads, V = vocabulary.
#pragma once

#include "core/model/interventions.h"
#include "core/model/model.h"
#include "core/run/session.h"
#include "core/run/steps.h"
#include "core/result.h"
#include "core/text/text.h"

#include <memory>
#include <string>
#include <vector>

namespace sf {

enum class QuestionKind {
    None,
    CrossAttention,  // which source token will this cross-attention row weigh most?
    Mask,            // which cells will the causal mask hide?
    NextToken,       // which token comes next?
    Ablation,        // will switching this head off change the output?
    Quiz             // a conceptual question of quiz.json, by id
};

struct Question {
    QuestionKind kind = QuestionKind::None;
    std::string quizId;  // Quiz only
    bool operator==(const Question& o) const { return kind == o.kind && quizId == o.quizId; }
};

// "cross_attention" | "mask" | "next_token" | "ablation" | "quiz:ID" (ID: [a-z0-9_]+).
Result<Question> parseQuestion(const std::string& name);
std::string questionName(const Question& q);

// Whether a question of this kind can be asked at step s: cross_attention at a decoder
// cross-attention step; mask at a decoder masked self-attention step; next_token at any
// decoder step; ablation at an attention step; a quiz anywhere.
bool questionFits(QuestionKind k, const Step& s);
// The question predict mode asks by itself at a step when no lesson chooses: the mask in
// decoder layer 0, the cross-attention weights of the last decoder layer, the next token
// at the probabilities; None elsewhere.
QuestionKind defaultQuestion(const Step& s, const Config& c);

// Cross-attention row t of head h in decoder layer L: weights[S] from the Trace and the
// source position that gets the most.
struct CrossAttentionAnswer {
    std::vector<float> weights;  // [S]
    int argmax = -1;
};
Result<CrossAttentionAnswer> crossAttentionAnswer(const Translation& t, int layer, int head, int row);

// The causal mask at decoding step t: cells (i, j) of rows and columns 0..t that the mask
// hides, hidden[i * n + j], n = t + 1. From the model's and the translation's facts (the
// config's causal mask and the no-causal-mask intervention); the Trace's weights of those
// cells are exactly 0 (checked: an error when the recorded weights disagree).
struct MaskAnswer {
    int n = 0;
    std::vector<char> hidden;  // [n, n]
};
Result<MaskAnswer> maskAnswer(const Config& c, const Translation& t, int layer, int step);

// The k most probable next tokens at decoding step t (from decoder.probs row t), the token
// the decoding chose (outputIds[t]) always among them.
struct NextTokenAnswer {
    std::vector<int> ids;       // most probable first (the chosen one may be put last)
    std::vector<float> probs;   // of ids
    int chosen = -1;            // the id chosen at this step
    int top = -1;               // the most probable id
};
Result<NextTokenAnswer> nextTokenAnswer(const Translation& t, int step, int k = 10);

// Translates the same source again with the same decoding plus `head` ablated (a real
// forward pass, no trace): whether the output ids change. Slow for big models: run it off
// the GUI thread.
struct AblationAnswer {
    bool changes = false;
    std::vector<int> before, after;  // output ids
};
Result<AblationAnswer> ablationAnswer(std::shared_ptr<const Model> model, const Translation& t,
                                      const DecodeOptions& options, const HeadRef& head);

// A graded guess: right or not, and the explanation to show (a predict.json key with the
// facts as arguments); `misconception` names the usual wrong idea the explanation answers
// ("" when right).
struct Grade {
    bool right = false;
    std::string misconception;
    Text explanation;
};
// `pieces` label the source positions (cross-attention) or vocabulary ids (next token).
Grade gradeCrossAttention(const CrossAttentionAnswer& a, int guess, int row, const std::vector<std::string>& sourcePieces);
Grade gradeMask(const MaskAnswer& a, const std::vector<char>& guessHidden);
Grade gradeNextToken(const NextTokenAnswer& a, int guessId, const std::string& guessPiece,
                     const std::string& chosenPiece, const std::string& decoding);
Grade gradeAblation(const AblationAnswer& a, bool guessChanges, const HeadRef& head);
// Adds the arguments the ablation texts name: head and layer (1-based, as the window shows
// them), stack and attention (text keys).
Text& addHeadArgs(Text& t, const HeadRef& h);

// Right answers over questions asked.
struct Score {
    int right = 0, asked = 0;
    void add(bool correct) { ++asked, right += correct ? 1 : 0; }
};

}  // namespace sf
