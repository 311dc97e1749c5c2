// The why-lab's numbers (issue 10): what the lab views show beyond one Trace, computed here
// so that no view does model math. Two kinds of functions:
//  - measures over recorded tensors: PE similarity, attention entropy and peak, row-by-row
//    agreement of two decoder passes, encoder outputs equal up to a permutation, the
//    agreement of cross-attention heads with a gold word alignment;
//  - experiments that run the Session several times and keep every Trace: teacher forcing
//    vs free running (and the unmasked "cheat"), reordered sentences with and without
//    positions, attention with and without 1/sqrt(dk).
//
// Sizes: S = source length (with </s>), T = decoder length, H = heads, V = vocab, d = d_model.
#pragma once

#include "core/io/trace.h"
#include "core/model/model.h"
#include "core/run/session.h"
#include "core/text/corpus.h"
#include "core/text/tokenizer.h"

#include <functional>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sf {

// ---- measures -------------------------------------------------------------------------

// The sinusoidal table PE(0 .. n-1) of the model's layout (sec 3.5).  -> [n, d]
Tensor positionTable(const Config& c, int n);

// sim[i][j] = PE(i) . PE(j) for the rows of `positions` [n, d].  -> [n, n]
// For sinusoids, PE(i) . PE(i + k) = sum_m cos(k w_m): it depends on the distance k only.
Tensor positionSimilarity(const Tensor& positions);

// H(row) = -sum_j w_j log2 w_j, in bits (0 log 0 = 0), for every row of attention
// weights [H, R, C] (the first `cols` keys; 0 = all).  -> [H, R]
// A row spread evenly over n keys has log2 n bits; a row on one key has 0.
Tensor attentionEntropy(const Tensor& weights, int cols = 0);
// max_j w_j for every row of [H, R, C] (the first `cols` keys; 0 = all).  -> [H, R]
Tensor attentionPeak(const Tensor& weights, int cols = 0);

// Row t of two decoder passes over the same source: `samePrefix` when both read the same
// inputs at positions 0..t (then the causal mask makes row t the same function of the same
// numbers), and the largest |a[t][j] - b[t][j]|. Rows up to the shorter pass.
struct RowAgreement {
    bool samePrefix = false;
    double maxAbsDiff = 0.0;
};
std::vector<RowAgreement> compareDecoderRows(const Tensor& a, const std::vector<int>& inputsA, const Tensor& b,
                                             const std::vector<int>& inputsB);  // a, b: [T, V] (or [T, d])

// perm with b[perm[i]] == a[i] for every i (equal ids matched in order), or empty when b
// is not a reordering of a.
std::vector<int> tokenPermutation(const std::vector<int>& a, const std::vector<int>& b);
// max_i,j |a[i][j] - b[perm[i]][j]| for a, b: [S, d].
double maxPermutedDifference(const Tensor& a, const Tensor& b, const std::vector<int>& perm);

// The space-separated word each piece of `text` belongs to (its byte offset counts the
// spaces before it; a piece that starts on the space belongs to the next word); -1 for </s>.
std::vector<int> wordOfPieces(const std::string& text, const text::Encoded& e);

// Cross-attention heads against a gold word alignment, teacher-forced on the gold target.
// For the first piece of every target word: the head's highest-weight source piece
// belongs to a source word gold-aligned with that target word = a hit.
struct AlignmentHits {
    std::vector<long> hits;  // [decoder layers * heads], layer-major
    long words = 0;          // target words scored
};
// `forced`: a teacher-forced translation of `source` on `target` (with its Trace);
// alignment: (target word, source word) pairs. Adds into `into` (sized here when empty).
void addAlignmentHits(AlignmentHits& into, const Translation& forced, const Config& c, const text::Encoded& source,
                      const std::vector<int>& sourceWord, const std::vector<int>& targetWord,
                      const std::vector<std::pair<int, int>>& alignment);

// ---- experiments ----------------------------------------------------------------------

// Teacher forcing vs free running on one source and one target (ids with </s>).
struct ForcingLab {
    Translation free;    // greedy, token by token with the KV cache (as in use)
    Translation forced;  // teacher forced: the target shifted right, one masked pass (as in training)
    Translation cheat;   // the same pass without the causal mask
    std::vector<int> target;
    // Forced row t vs free row t, on decoder.logits.
    std::vector<RowAgreement> rows;
    // First position where the model's own (free) choice differs from the target; -1 if none
    // within the shorter of the two.
    int divergence = -1;
    // p(target[t]) at row t: masked, unmasked; the unmasked argmax; [T] each.
    std::vector<double> pTarget, pTargetCheat;
    // Positions where the unmasked pass's argmax is the next target token (it "copies").
    int cheatCopies = 0;
};
Result<ForcingLab> runForcingLab(std::shared_ptr<const Model> model, const std::string& source,
                                 const std::vector<int>& target, const Interventions& iv = {});

// Two reorderings of the same words ("the dog sees the cat" / "the cat sees the dog"),
// encoded and translated with positions and without (no-positions).
struct ReorderLab {
    Translation a, b, aNoPositions, bNoPositions;  // greedy, with Traces
    std::vector<int> perm;                          // source ids: b[perm[i]] == a[i]
    double differenceWithPositions = 0.0;    // maxPermutedDifference of encoder.output
    double differenceWithoutPositions = 0.0;
};
// Fails when the sources are not reorderings of each other (naming both).
Result<ReorderLab> runReorderLab(std::shared_ptr<const Model> model, const std::string& a, const std::string& b);

// Attention with and without 1/sqrt(dk) on the same decoder inputs: `scaled` is greedy,
// `unscaled` is teacher-forced on scaled's output with no-scale (so that its rows read the
// same tokens), `unscaledFree` is greedy with no-scale (what the model then says).
struct ScalingLab {
    Translation scaled, unscaled, unscaledFree;
};
Result<ScalingLab> runScalingLab(std::shared_ptr<const Model> model, const std::string& source);

// The head atlas: every decoder cross-attention head scored against the gold alignment of
// `pairs` (each teacher-forced on its target, as `stepformer eval` does), split over the
// cores (counts: the same whatever the threads). `progress(done, total)` on the calling
// thread as pairs finish (done increases, ends at total); returning false stops with the
// error "cancelled".
Result<AlignmentHits> alignmentAgreement(std::shared_ptr<const Model> model,
                                         const std::vector<text::SentencePair>& pairs,
                                         const std::function<bool(int, int)>& progress = {});
// Per decoder cross-attention head (layer-major): how many output positions of the greedy
// translation of `source` change when that head alone is switched off (positions past the
// shorter output count as changed).
Result<std::vector<int>> ablationEffect(std::shared_ptr<const Model> model, const std::string& source);

// What switching off each decoder cross-attention head does to the output, over a batch of
// sources. For a source x, y = its greedy output without interventions (ids, </s> included);
// with head h alone ablated (its context rows are zero, DESIGN.md "Interventions"):
//   changed_h(x) = 1 when greedy decoding then gives any output other than y, else 0;
//   tokens_h(x)  = the output positions that differ (positions past the shorter count);
//   drop_h(x)    = (log p(y | x) - log p_h(y | x)) / |y|: the log-probability of the
//                  unablated output lost per output token, in nats, both teacher-forced on y
//                  (one parallel pass each). 0 when the head changes nothing; it may be
//                  negative (the ablated model is surer of y).
// Cost per source: one encoder pass and 2 + 2 (L * H) decoder passes (greedy and forced,
// with and without; cross-attention heads do not reach the encoder, Session::translate).
struct AblationImpact {
    int sentences = 0;
    std::vector<int> changed;   // [L * H] layer-major: sources with changed_h = 1
    std::vector<long> tokens;   // [L * H] sum of tokens_h
    std::vector<double> drop;   // [L * H] sum of drop_h
    double changedShare(int head) const { return sentences > 0 ? double(changed[size_t(head)]) / sentences : 0.0; }
    double meanDrop(int head) const { return sentences > 0 ? drop[size_t(head)] / sentences : 0.0; }
};
// The sources are split over the cores (parallelTasks); the numbers are those of a serial
// loop, whatever the threads. `progress(done, total)` on the calling thread, as sources
// finish (done increases, ends at total; a call may cover several sources); returning
// false stops with "cancelled".
Result<AblationImpact> ablationImpact(std::shared_ptr<const Model> model, const std::vector<std::string>& sources,
                                      const std::function<bool(int, int)>& progress = {});

// The gold alignment as cells of a cross-attention map [T, S]: row t is the decoder row that
// predicts target piece t, column j is source piece j. Cell (t, j) is 1 when the target word
// of piece t is gold-aligned with the source word of piece j (</s> on either side: never).
// Only the rows whose pieces follow the reference (rowIds[0..t] == the reference's) are
// filled: after the first piece where the output leaves the reference, the rows read
// another prefix and the reference's words no longer name them.
struct GoldCells {
    int rows = 0, cols = 0;      // T, S
    std::vector<uint8_t> cells;  // [T, S], 1 = gold-aligned
    int alignedRows = 0;         // rows 0 .. alignedRows-1 follow the reference
    std::string target;          // the reference translation used
    bool at(int t, int j) const { return cells[size_t(t) * size_t(cols) + size_t(j)] != 0; }
};
// `rowIds`: the pieces the rows predict (the output ids, or a forced target), `pair` the
// grammar's source and reference with their alignment.
GoldCells goldCells(const text::Tokenizer& tok, const text::SentencePair& pair, const std::vector<int>& rowIds);
// For a translation: its source's readings in `grammar` (an error naming the reason when
// the grammar cannot produce the sentence), the one whose target follows the rows (the
// forced target under teacher forcing, else the output) the longest. An error when none
// agrees on the first piece, or the source ids differ from the tokenizer's.
Result<GoldCells> goldAlignment(const Translation& t, const text::Tokenizer& tok,
                                const std::vector<text::SentencePair>& readings);

}  // namespace sf
