#include "core/run/lab.h"

#include "core/model/parallel.h"
#include "core/model/transformer.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <optional>
#include <thread>

namespace sf {

Tensor positionTable(const Config& c, int n)
{
    Tensor t;
    t.shape = {n, c.dModel};
    t.data.assign(size_t(n) * size_t(c.dModel), 0.0f);
    positionalEncoding(t.data.data(), 0, n, c.dModel, c.positions);
    return t;
}

// sim = P P^T   P: [n, d]
Tensor positionSimilarity(const Tensor& positions)
{
    const int64_t n = positions.dim(0), d = positions.dim(1);
    Tensor sim;
    sim.shape = {n, n};
    sim.data.assign(size_t(n * n), 0.0f);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j) {
            double dot = 0.0;
            for (int64_t m = 0; m < d; ++m) dot += double(positions.at(i, m)) * double(positions.at(j, m));
            sim.data[size_t(i * n + j)] = float(dot);
        }
    return sim;
}

namespace {

// f(row, C) over every row of [H, R, C] -> [H, R].
template <class F>
Tensor perRow(const Tensor& w, int cols, F f)
{
    const int64_t H = w.dim(0), R = w.dim(1), C = w.dim(2);
    const int64_t n = cols > 0 ? std::min<int64_t>(cols, C) : C;
    Tensor out;
    out.shape = {H, R};
    out.data.resize(size_t(H * R));
    for (int64_t h = 0; h < H; ++h)
        for (int64_t r = 0; r < R; ++r) out.data[size_t(h * R + r)] = float(f(w.data.data() + (h * R + r) * C, n));
    return out;
}

}  // namespace

// H = -sum_j w_j log2 w_j
Tensor attentionEntropy(const Tensor& weights, int cols)
{
    return perRow(weights, cols, [](const float* w, int64_t n) {
        double h = 0.0;
        for (int64_t j = 0; j < n; ++j)
            if (w[j] > 0.0f) h -= double(w[j]) * std::log2(double(w[j]));
        return h;
    });
}

Tensor attentionPeak(const Tensor& weights, int cols)
{
    return perRow(weights, cols, [](const float* w, int64_t n) { return double(*std::max_element(w, w + n)); });
}

std::vector<RowAgreement> compareDecoderRows(const Tensor& a, const std::vector<int>& inputsA, const Tensor& b,
                                             const std::vector<int>& inputsB)
{
    const int64_t rows = std::min({a.dim(0), b.dim(0), int64_t(inputsA.size()), int64_t(inputsB.size())});
    const int64_t cols = std::min(a.dim(1), b.dim(1));
    std::vector<RowAgreement> out(static_cast<size_t>(rows));
    bool same = true;
    for (int64_t t = 0; t < rows; ++t) {
        same = same && inputsA[size_t(t)] == inputsB[size_t(t)];
        out[size_t(t)].samePrefix = same;
        double m = 0.0;
        for (int64_t j = 0; j < cols; ++j) m = std::max(m, std::abs(double(a.at(t, j)) - double(b.at(t, j))));
        out[size_t(t)].maxAbsDiff = m;
    }
    return out;
}

std::vector<int> tokenPermutation(const std::vector<int>& a, const std::vector<int>& b)
{
    if (a.size() != b.size()) return {};
    std::vector<int> perm(a.size(), -1);
    std::vector<bool> used(b.size(), false);
    for (size_t i = 0; i < a.size(); ++i) {
        for (size_t j = 0; j < b.size(); ++j)
            if (!used[j] && b[j] == a[i]) {
                perm[i] = int(j);
                used[j] = true;
                break;
            }
        if (perm[i] < 0) return {};
    }
    return perm;
}

double maxPermutedDifference(const Tensor& a, const Tensor& b, const std::vector<int>& perm)
{
    double m = 0.0;
    for (int64_t i = 0; i < a.dim(0); ++i)
        for (int64_t j = 0; j < a.dim(1); ++j)
            m = std::max(m, std::abs(double(a.at(i, j)) - double(b.at(perm[size_t(i)], j))));
    return m;
}

std::vector<int> wordOfPieces(const std::string& text, const text::Encoded& e)
{
    std::vector<int> w;
    for (size_t i = 0; i < e.ids.size(); ++i) {
        const int begin = e.offsets[i].first;
        if (i + 1 == e.ids.size() || begin >= int(text.size())) {
            w.push_back(-1);  // </s>
            continue;
        }
        int k = 0;
        for (int j = 0; j < begin; ++j) k += text[size_t(j)] == ' ';
        if (text[size_t(begin)] == ' ') ++k;  // a piece starting on the space belongs to its word
        w.push_back(k);
    }
    return w;
}

void addAlignmentHits(AlignmentHits& into, const Translation& forced, const Config& c, const text::Encoded& source,
                      const std::vector<int>& sourceWord, const std::vector<int>& targetWord,
                      const std::vector<std::pair<int, int>>& alignment)
{
    if (into.hits.empty()) into.hits.assign(size_t(c.decoderLayers * c.decoderHeads), 0);
    std::map<std::pair<int, int>, bool> gold;
    for (const auto& a : alignment) gold[a] = true;
    int lastWord = -1;
    const int S = int(source.ids.size());
    for (size_t tpos = 0; tpos < targetWord.size(); ++tpos) {
        const int fw = targetWord[tpos];
        if (fw < 0 || fw == lastWord) continue;  // the first piece of each target word only
        lastWord = fw;
        ++into.words;
        for (int l = 0; l < c.decoderLayers; ++l) {
            const TraceTensor* w =
                forced.trace->find(trace_names::attention(Stack::Decoder, l, AttentionKind::Cross, "weights"));
            for (int h = 0; h < c.decoderHeads; ++h) {
                const float* row = w->row(h, int64_t(tpos));  // [S]
                const int best = int(std::max_element(row, row + S) - row);
                const int ew = sourceWord[size_t(best)];
                if (ew >= 0 && gold.count({fw, ew})) ++into.hits[size_t(l * c.decoderHeads + h)];
            }
        }
    }
}

namespace {

Result<Translation> runOne(const std::shared_ptr<const Model>& model, const std::string& source, const Strategy& s,
                           const Interventions& iv)
{
    Session session(model);
    if (Status st = session.setSourceText(source); !st) return st.error();
    DecodeOptions o;
    o.strategy = s;
    o.interventions = iv;
    return session.translate(o);
}

// p(ids[t]) at row t of decoder.probs [T, V].
std::vector<double> probabilitiesOf(const Translation& t, const std::vector<int>& ids)
{
    const Tensor p = t.trace->get(trace_names::probs());
    std::vector<double> out;
    for (int64_t r = 0; r < p.dim(0) && r < int64_t(ids.size()); ++r) out.push_back(p.at(r, ids[size_t(r)]));
    return out;
}

}  // namespace

Result<ForcingLab> runForcingLab(std::shared_ptr<const Model> model, const std::string& source,
                                 const std::vector<int>& target, const Interventions& iv)
{
    Interventions masked = iv;
    masked.noCausalMask = false;
    ForcingLab lab;
    lab.target = target;
    auto free = runOne(model, source, Greedy{}, masked);
    if (!free) return free.error();
    auto forced = runOne(model, source, Forced{target}, masked);
    if (!forced) return forced.error();
    Interventions unmasked = masked;
    unmasked.noCausalMask = true;
    auto cheat = runOne(model, source, Forced{target}, unmasked);
    if (!cheat) return cheat.error();
    lab.free = std::move(*free);
    lab.forced = std::move(*forced);
    lab.cheat = std::move(*cheat);
    lab.rows = compareDecoderRows(lab.forced.trace->get(trace_names::logits()), lab.forced.decoderInputIds,
                                  lab.free.trace->get(trace_names::logits()), lab.free.decoderInputIds);
    for (size_t t = 0; t < target.size() && t < lab.free.outputIds.size(); ++t)
        if (lab.free.outputIds[t] != target[t]) {
            lab.divergence = int(t);
            break;
        }
    lab.pTarget = probabilitiesOf(lab.forced, target);
    lab.pTargetCheat = probabilitiesOf(lab.cheat, target);
    for (size_t t = 0; t < target.size() && t < lab.cheat.outputIds.size(); ++t)
        lab.cheatCopies += lab.cheat.outputIds[t] == target[t];
    return lab;
}

Result<ReorderLab> runReorderLab(std::shared_ptr<const Model> model, const std::string& a, const std::string& b)
{
    ReorderLab lab;
    Interventions none, noPe;
    noPe.noPositions = true;
    Result<Translation>* slots[4] = {};
    auto ra = runOne(model, a, Greedy{}, none), rb = runOne(model, b, Greedy{}, none);
    auto ra0 = runOne(model, a, Greedy{}, noPe), rb0 = runOne(model, b, Greedy{}, noPe);
    slots[0] = &ra, slots[1] = &rb, slots[2] = &ra0, slots[3] = &rb0;
    for (Result<Translation>* r : slots)
        if (!*r) return r->error();
    lab.a = std::move(*ra), lab.b = std::move(*rb), lab.aNoPositions = std::move(*ra0), lab.bNoPositions = std::move(*rb0);
    lab.perm = tokenPermutation(lab.a.sourceIds, lab.b.sourceIds);
    if (lab.perm.empty())
        return error("\"" + a + "\" and \"" + b + "\" are not reorderings of the same tokens");
    const std::string out = trace_names::output(Stack::Encoder);
    lab.differenceWithPositions = maxPermutedDifference(lab.a.trace->get(out), lab.b.trace->get(out), lab.perm);
    lab.differenceWithoutPositions =
        maxPermutedDifference(lab.aNoPositions.trace->get(out), lab.bNoPositions.trace->get(out), lab.perm);
    return lab;
}

Result<ScalingLab> runScalingLab(std::shared_ptr<const Model> model, const std::string& source)
{
    Interventions noScale;
    noScale.noScale = true;
    auto scaled = runOne(model, source, Greedy{}, {});
    if (!scaled) return scaled.error();
    auto unscaled = runOne(model, source, Forced{scaled->outputIds}, noScale);
    if (!unscaled) return unscaled.error();
    auto unscaledFree = runOne(model, source, Greedy{}, noScale);
    if (!unscaledFree) return unscaledFree.error();
    return ScalingLab{std::move(*scaled), std::move(*unscaled), std::move(*unscaledFree)};
}

namespace {

// Runs item(i, stop) for every i in [0, total), split over the cores (parallelTasks), and
// returns the results in item order, so whatever adds them up does not depend on the
// threads. Progress goes to the calling thread only: after each item it ran itself, for
// every item finished by then. The first error, or progress returning false, stops the
// batch (items check `stop`); a cancel is the error "cancelled".
template <class T, class Item>
Result<std::vector<T>> runBatch(int total, const std::function<bool(int, int)>& progress, Item&& item)
{
    std::vector<std::optional<Result<T>>> parts(size_t(std::max(0, total)));
    std::atomic<bool> stop{false};
    std::atomic<int> finished{0};
    int reported = 0;
    const std::thread::id caller = std::this_thread::get_id();
    auto report = [&] {
        const int done = finished.load();
        if (done == reported) return;
        reported = done;
        if (progress && !progress(done, total)) stop = true;
    };
    parallelTasks(total, [&](int i) {
        if (stop) return;
        parts[size_t(i)] = item(i, stop);
        if (!*parts[size_t(i)]) stop = true;  // the first error ends the batch
        ++finished;
        if (std::this_thread::get_id() == caller) report();
    });
    if (!stop) report();
    if (stop) {
        for (const auto& part : parts)
            if (part && !*part && part->message() != "cancelled") return part->error();
        return error("cancelled");
    }
    std::vector<T> out;
    out.reserve(parts.size());
    for (auto& part : parts) out.push_back(std::move(**part));
    return out;
}

}  // namespace

Result<AlignmentHits> alignmentAgreement(std::shared_ptr<const Model> model,
                                         const std::vector<text::SentencePair>& pairs,
                                         const std::function<bool(int, int)>& progress)
{
    const text::Tokenizer* tok = model->tokenizer();
    if (!tok) return error(model->directory() + ": this model has no tokenizer; the alignment needs one");
    const int heads = model->config().decoderLayers * model->config().decoderHeads, total = int(pairs.size());
    // The pairs are independent: split over the cores, counted per pair, added in order.
    auto parts = runBatch<AlignmentHits>(total, progress, [&](int i, const std::atomic<bool>&) -> Result<AlignmentHits> {
        const text::SentencePair& pair = pairs[size_t(i)];
        const text::Encoded src = tok->encodeSource(pair.source), tgt = tok->encodeTarget(pair.target);
        Session s(model);
        if (Status st = s.setSourceText(pair.source); !st) return st.error();
        DecodeOptions o;
        o.strategy = Forced{tgt.ids};
        auto forced = s.translate(o);
        if (!forced) return forced.error();
        AlignmentHits one;
        one.hits.assign(size_t(heads), 0);
        addAlignmentHits(one, *forced, model->config(), src, wordOfPieces(pair.source, src),
                         wordOfPieces(pair.target, tgt), pair.alignment);
        return one;
    });
    if (!parts) return parts.error();
    AlignmentHits hits;
    hits.hits.assign(size_t(heads), 0);
    for (const AlignmentHits& part : *parts) {
        for (size_t k = 0; k < size_t(heads); ++k) hits.hits[k] += part.hits[k];
        hits.words += part.words;
    }
    return hits;
}

Result<std::vector<int>> ablationEffect(std::shared_ptr<const Model> model, const std::string& source)
{
    const Config& c = model->config();
    auto run = [&](const Interventions& iv) -> Result<Translation> {
        Session s(model);
        if (Status st = s.setSourceText(source); !st) return st.error();
        DecodeOptions o;
        o.interventions = iv;
        o.capture = false;
        return s.translate(o);
    };
    auto plain = run({});
    if (!plain) return plain.error();
    std::vector<int> changed;
    for (int l = 0; l < c.decoderLayers; ++l)
        for (int h = 0; h < c.decoderHeads; ++h) {
            Interventions iv;
            iv.ablated.push_back(HeadRef{Stack::Decoder, l, AttentionKind::Cross, h});
            auto t = run(iv);
            if (!t) return t.error();
            const std::vector<int>&a = plain->outputIds, &b = t->outputIds;
            int n = int(std::max(a.size(), b.size()) - std::min(a.size(), b.size()));
            for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) n += a[i] != b[i];
            changed.push_back(n);
        }
    return changed;
}

namespace {

// One source's part of AblationImpact: per head (layer-major) tokens_h and drop_h. One
// Session: the encoder runs once and every decode below reuses its output (Session::
// translate), as none of these interventions reaches the encoder.
struct SourceImpact {
    std::vector<long> tokens;
    std::vector<double> drop;
};
Result<SourceImpact> sourceImpact(const std::shared_ptr<const Model>& model, const std::string& source,
                                  const std::atomic<bool>& stop)
{
    const Config& c = model->config();
    Session s(model);
    if (Status st = s.setSourceText(source); !st) return st.error();
    auto run = [&](const Strategy& strategy, const Interventions& iv) -> Result<Translation> {
        DecodeOptions o;
        o.strategy = strategy;
        o.interventions = iv;
        o.capture = false;
        return s.translate(o);
    };
    auto plain = run(Greedy{}, {});
    if (!plain) return plain.error();
    const std::vector<int> y = plain->outputIds;
    auto forced = run(Forced{y}, {});
    if (!forced) return forced.error();
    SourceImpact r;
    for (int l = 0; l < c.decoderLayers; ++l)
        for (int h = 0; h < c.decoderHeads; ++h) {
            if (stop) return error("cancelled");
            Interventions iv;
            iv.ablated.push_back(HeadRef{Stack::Decoder, l, AttentionKind::Cross, h});
            auto greedy = run(Greedy{}, iv);
            if (!greedy) return greedy.error();
            auto forcedOff = run(Forced{y}, iv);
            if (!forcedOff) return forcedOff.error();
            const std::vector<int>& b = greedy->outputIds;
            long n = long(std::max(y.size(), b.size()) - std::min(y.size(), b.size()));
            for (size_t j = 0; j < std::min(y.size(), b.size()); ++j) n += y[j] != b[j];
            r.tokens.push_back(n);
            r.drop.push_back((forced->logProb - forcedOff->logProb) / double(y.size()));
        }
    return r;
}

}  // namespace

// The sources are independent: they are split over the cores (parallelTasks), each one
// computed as a serial loop would, and summed afterwards in source order, so the numbers
// do not depend on the threads.
Result<AblationImpact> ablationImpact(std::shared_ptr<const Model> model, const std::vector<std::string>& sources,
                                      const std::function<bool(int, int)>& progress)
{
    const Config& c = model->config();
    const int heads = c.decoderLayers * c.decoderHeads, total = int(sources.size());
    auto parts = runBatch<SourceImpact>(total, progress, [&](int i, const std::atomic<bool>& stop) {
        return sourceImpact(model, sources[size_t(i)], stop);
    });
    if (!parts) return parts.error();
    AblationImpact impact;
    impact.changed.assign(size_t(heads), 0);
    impact.tokens.assign(size_t(heads), 0);
    impact.drop.assign(size_t(heads), 0.0);
    for (const SourceImpact& r : *parts) {
        for (size_t k = 0; k < size_t(heads); ++k) {
            impact.changed[k] += r.tokens[k] > 0;
            impact.tokens[k] += r.tokens[k];
            impact.drop[k] += r.drop[k];
        }
        ++impact.sentences;
    }
    return impact;
}

GoldCells goldCells(const text::Tokenizer& tok, const text::SentencePair& pair, const std::vector<int>& rowIds)
{
    const text::Encoded src = tok.encodeSource(pair.source), tgt = tok.encodeTarget(pair.target);
    const std::vector<int> sourceWord = wordOfPieces(pair.source, src), targetWord = wordOfPieces(pair.target, tgt);
    GoldCells g;
    g.rows = int(rowIds.size());
    g.cols = int(src.ids.size());
    g.cells.assign(size_t(g.rows) * size_t(g.cols), 0);
    g.target = pair.target;
    while (g.alignedRows < g.rows && size_t(g.alignedRows) < tgt.ids.size() &&
           rowIds[size_t(g.alignedRows)] == tgt.ids[size_t(g.alignedRows)])
        ++g.alignedRows;
    for (int t = 0; t < g.alignedRows; ++t) {
        const int fw = targetWord[size_t(t)];
        if (fw < 0) continue;
        for (int j = 0; j < g.cols; ++j) {
            const int ew = sourceWord[size_t(j)];
            if (ew < 0) continue;
            if (std::binary_search(pair.alignment.begin(), pair.alignment.end(), std::make_pair(fw, ew)))
                g.cells[size_t(t) * size_t(g.cols) + size_t(j)] = 1;
        }
    }
    return g;
}

Result<GoldCells> goldAlignment(const Translation& t, const text::Tokenizer& tok,
                                const std::vector<text::SentencePair>& readings)
{
    const std::vector<int>& rows = t.decoding == "forced" && !t.forcedIds.empty() ? t.forcedIds : t.outputIds;
    if (readings.empty()) return error("\"" + t.sourceText + "\": the grammar gives no reference translation");
    if (tok.encodeSource(readings.front().source).ids != t.sourceIds)
        return error("\"" + t.sourceText + "\": the source pieces differ from the tokenizer's (truncated?)");
    GoldCells best;
    for (const text::SentencePair& pair : readings) {
        GoldCells g = goldCells(tok, pair, rows);
        if (g.alignedRows > best.alignedRows || best.target.empty()) best = std::move(g);
    }
    if (best.alignedRows == 0)
        return error("\"" + t.outputText + "\" leaves the reference \"" + best.target + "\" at its first piece");
    return best;
}

}  // namespace sf
