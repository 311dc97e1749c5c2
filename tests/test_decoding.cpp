// Decoding strategies and interventions (DESIGN.md "Decoding and interventions"), on small
// random models: each check compares against a value derived independently (greedy, a
// hand-computed distribution, a recomputation without the intervened part).
#include "check.h"
#include "models.h"

#include "core/model/transformer.h"
#include "core/run/session.h"

#include <cmath>
#include <map>
#include <numeric>

using namespace sf;
using sf::test::checkTensor;
using sf::test::makeModel;
using sf::test::smallConfig;

namespace {

const std::vector<int> kSource{7, 12, 33, 5, 41, 9, 3};

Translation run(const std::shared_ptr<const Model>& m, DecodeOptions o, const std::vector<int>& src = kSource)
{
    Session s(m);
    REQUIRE(s.setSourceIds(src).ok());
    if (o.maxLength == 0) o.maxLength = 10;
    auto t = s.translate(o);
    INFO(t.message());
    REQUIRE(t.ok());
    return *t;
}

DecodeOptions with(Strategy s, Interventions iv = {})
{
    DecodeOptions o;
    o.strategy = std::move(s);
    o.interventions = std::move(iv);
    return o;
}

Interventions parsed(const std::vector<std::string>& specs, const Config& c)
{
    auto iv = parseInterventions(specs, c);
    INFO(iv.message());
    REQUIRE(iv.ok());
    return *iv;
}

}  // namespace

// ---- interventions -------------------------------------------------------------------

TEST_CASE("intervention specs: parsed, canonical, and refused with the reason", "[interventions]")
{
    const Config c = smallConfig();  // 2+2 layers, 4 heads
    const Interventions iv = parsed({"ablate:decoder.1.cross_attn.3", "no-scale", "ablate:encoder.0.self_attn.0",
                                     "ablate:decoder.1.cross_attn.3"},
                                    c);
    CHECK(iv.specs() ==
          std::vector<std::string>{"ablate:decoder.1.cross_attn.3", "ablate:encoder.0.self_attn.0", "no-scale"});
    CHECK(iv.isAblated(Stack::Decoder, 1, AttentionKind::Cross, 3));
    CHECK_FALSE(iv.isAblated(Stack::Decoder, 1, AttentionKind::Self, 3));
    const std::map<std::string, std::string> bad{
        {"ablate:encoder.2.self_attn.0", "layer 2 is out of range"},
        {"ablate:decoder.0.self_attn.4", "head 4 is out of range"},
        {"ablate:encoder.0.cross_attn.0", "the encoder has no cross-attention"},
        {"ablate:middle.0.self_attn.0", "is not encoder or decoder"},
        {"ablate:decoder.0.attn.0", "is not self_attn or cross_attn"},
        {"ablate:decoder.-1.self_attn.0", "out of range"},
        {"ablate:decoder.0.self_attn", "expected ablate:STACK.L.KIND.H"},
        {"drop-everything", "is not an intervention"}};
    for (const auto& [spec, why] : bad) {
        auto r = parseInterventions({spec}, c);
        INFO(spec);
        REQUIRE_FALSE(r.ok());
        CHECK_THAT(r.message(), Catch::Contains(why));
    }
}

TEST_CASE("ablating a head zeroes exactly its context and leaves the other heads' weights", "[interventions]")
{
    const Config c = smallConfig();
    auto m = makeModel(c, 31, true);
    const Translation base = run(m, with(Greedy{}));
    // Forcing the baseline's output keeps the decoder inputs equal, so rows compare.
    const Forced same{base.outputIds};
    const Translation plain = run(m, with(same));
    for (const std::string spec : {"ablate:encoder.1.self_attn.2", "ablate:decoder.0.self_attn.1",
                                   "ablate:decoder.1.cross_attn.0"}) {
        INFO(spec);
        const Interventions iv = parsed({spec}, c);
        const HeadRef h = iv.ablated[0];
        const std::string layer = std::string(h.stack == Stack::Encoder ? "encoder" : "decoder") + ".layers." +
                                  std::to_string(h.layer) + (h.kind == AttentionKind::Self ? ".self_attn" : ".cross_attn");
        const Translation t = run(m, with(same, iv));
        CHECK(t.interventions.specs() == std::vector<std::string>{spec});
        const Tensor ctx = t.trace->get(layer + ".context"), w = t.trace->get(layer + ".weights"),
                     w0 = plain.trace->get(layer + ".weights");
        const int64_t rows = ctx.dim(1), dk = ctx.dim(2);
        for (int64_t hh = 0; hh < ctx.dim(0); ++hh) {
            bool allZero = true;
            for (int64_t r = 0; r < rows; ++r)
                for (int64_t j = 0; j < dk; ++j) allZero = allZero && ctx.at(hh, r, j) == 0.0f;
            CHECK(allZero == (hh == h.head));
        }
        // Same inputs up to this layer: every head's weights are the unablated ones there
        // (the ablation only acts after the softmax). Up to one rounding: the vectorised
        // softmax sums in an order that depends on the buffer's alignment.
        checkTensor(layer + ".weights", w.data, w0.data, 1e-6);
        // output = W_O [ctx with zeros] + b, by hand for row 0.
        const Tensor out = t.trace->get(layer + ".output");
        const Weights& W = m->weights();
        const AttentionW& A = h.stack == Stack::Encoder ? W.encoder[size_t(h.layer)].self_attn
                              : h.kind == AttentionKind::Self ? W.decoder[size_t(h.layer)].self_attn
                                                              : W.decoder[size_t(h.layer)].encoder_attn;
        for (int o = 0; o < c.dModel; ++o) {
            double acc = A.out_proj.bias[o];
            for (int hh = 0; hh < c.decoderHeads; ++hh)
                for (int j = 0; j < dk; ++j) acc += double(A.out_proj.weight[o * c.dModel + hh * dk + j]) * ctx.at(hh, 0, j);
            REQUIRE(out.at(0, o) == Approx(acc).margin(1e-5));
        }
    }
}

TEST_CASE("no-positions: zeros recorded, and the encoder becomes permutation-equivariant", "[interventions]")
{
    const Config c = smallConfig();
    auto m = makeModel(c, 32);
    const Interventions iv = parsed({"no-positions"}, c);
    const std::vector<int> src{7, 12, 33, 5, 3}, perm{33, 7, 5, 12, 3};  // perm[i] = src[p[i]]
    const std::vector<int> p{2, 0, 3, 1, 4};
    const Translation a = run(m, with(Greedy{}, iv), src), b = run(m, with(Greedy{}, iv), perm);
    for (float x : a.trace->get("encoder.positions").data) REQUIRE(x == 0.0f);
    for (float x : a.trace->get("decoder.positions").data) REQUIRE(x == 0.0f);
    const Tensor ea = a.trace->get("encoder.output"), eb = b.trace->get("encoder.output");
    for (int i = 0; i < int(src.size()); ++i)
        for (int j = 0; j < c.dModel; ++j) REQUIRE(eb.at(i, j) == Approx(ea.at(p[size_t(i)], j)).margin(1e-5));
    // With positions the same reordering changes the encoder output.
    const Translation pa = run(m, with(Greedy{}), src), pb = run(m, with(Greedy{}), perm);
    double diff = 0;
    const Tensor qa = pa.trace->get("encoder.output"), qb = pb.trace->get("encoder.output");
    for (int i = 0; i < int(src.size()); ++i)
        for (int j = 0; j < c.dModel; ++j) diff = std::max(diff, double(std::fabs(qb.at(i, j) - qa.at(p[size_t(i)], j))));
    CHECK(diff > 1e-3);
}

TEST_CASE("no-scale: scores are q k^T, in every attention", "[interventions]")
{
    const Config c = smallConfig();
    auto m = makeModel(c, 33);
    const Translation base = run(m, with(Greedy{}));
    const Translation t = run(m, with(Forced{base.outputIds}, parsed({"no-scale"}, c)));
    for (const std::string a : {"encoder.layers.0.self_attn", "decoder.layers.1.self_attn", "decoder.layers.1.cross_attn"}) {
        INFO(a);
        const Tensor q = t.trace->get(a + ".q"), k = t.trace->get(a + ".k"), s = t.trace->get(a + ".scores");
        for (int64_t h = 0; h < q.dim(0); ++h)
            for (int64_t i = 0; i < q.dim(1); ++i)
                for (int64_t j = 0; j < k.dim(1); ++j) {
                    double dot = 0;
                    for (int64_t x = 0; x < q.dim(2); ++x) dot += double(q.at(h, i, x)) * k.at(h, j, x);
                    REQUIRE(s.at(h, i, j) == Approx(dot).margin(1e-4));
                }
    }
}

TEST_CASE("no-causal-mask: only with forcing, then later positions get weight", "[interventions]")
{
    const Config c = smallConfig();
    auto m = makeModel(c, 34);
    Session s(m);
    REQUIRE(s.setSourceIds(kSource).ok());
    auto refused = s.translate(with(Greedy{}, parsed({"no-causal-mask"}, c)));
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.message(), Catch::Contains("teacher forcing"));

    const std::vector<int> target{10, 11, 12, 13, 3};
    const Translation masked = run(m, with(Forced{target}));
    const Translation open = run(m, with(Forced{target}, parsed({"no-causal-mask"}, c)));
    const Tensor wm = masked.trace->get("decoder.layers.0.self_attn.weights");
    const Tensor wo = open.trace->get("decoder.layers.0.self_attn.weights");
    double above = 0;
    for (int64_t h = 0; h < wm.dim(0); ++h)
        for (int64_t i = 0; i < wm.dim(1); ++i)
            for (int64_t j = i + 1; j < wm.dim(2); ++j) {
                REQUIRE(wm.at(h, i, j) == 0.0f);  // causal: exactly zero above the diagonal
                above += wo.at(h, i, j);
            }
    CHECK(above > 0.1);
    // The last row sees every key either way: equal.
    const int64_t T = wm.dim(1);
    for (int64_t h = 0; h < wm.dim(0); ++h)
        for (int64_t j = 0; j < T; ++j) CHECK(wo.at(h, T - 1, j) == Approx(wm.at(h, T - 1, j)).margin(1e-6));
}

// ---- forced ----------------------------------------------------------------------------

TEST_CASE("forced: decoder inputs are the target shifted right, rows equal token-by-token decoding",
          "[decoding][forced]")
{
    const Config c = smallConfig();
    auto m = makeModel(c, 35);
    const Translation g = run(m, with(Greedy{}));
    const Translation f = run(m, with(Forced{g.outputIds}));
    CHECK(f.decoding == "forced");
    CHECK(f.forcedIds == g.outputIds);
    CHECK(f.decoderInputIds == g.decoderInputIds);
    // Forcing the model's own greedy output: the argmax at every position is that output.
    CHECK(f.outputIds == g.outputIds);
    checkTensor("decoder.logits parallel vs KV-cached", f.trace->get("decoder.logits").data,
                g.trace->get("decoder.logits").data, 1e-5);
    CHECK(f.logProb == Approx(g.logProb).epsilon(1e-5));
    // Forcing something else: inputs are that target shifted right.
    const std::vector<int> target{20, 21, 22, 3};
    const Translation o = run(m, with(Forced{target}));
    CHECK(o.decoderInputIds == std::vector<int>{c.decoderStartId, 20, 21, 22});
    CHECK(o.outputIds.size() == target.size());
    Session s(m);
    REQUIRE(s.setSourceIds(kSource).ok());
    CHECK_FALSE(s.translate(with(Forced{{5, 99}})).ok());  // outside the vocabulary
}

// ---- sampling ----------------------------------------------------------------------------

TEST_CASE("sampling: seeded, T -> 0 and top-k 1 are greedy, sample_probs recorded", "[decoding][sample]")
{
    const Config c = smallConfig();
    auto m = makeModel(c, 36);
    const Translation g = run(m, with(Greedy{}));
    Sampling s;
    s.seed = 42;
    const Translation a = run(m, with(s)), b = run(m, with(s));
    CHECK(a.decoding == "sample");
    CHECK(a.outputIds == b.outputIds);
    CHECK(a.sampling.seed == 42);
    bool anyDiffers = false;
    for (uint64_t seed = 1; seed <= 10 && !anyDiffers; ++seed) {
        s.seed = seed;
        anyDiffers = run(m, with(s)).outputIds != a.outputIds;
    }
    CHECK(anyDiffers);  // a random model is far from peaked: seeds matter

    // Temperature -> 0, top-k 1 and a tiny top-p leave only the argmax: greedy.
    for (const Sampling& peaked : {Sampling{1e-6, 0, 1.0, 7}, Sampling{1.0, 1, 1.0, 8}, Sampling{1.0, 0, 1e-9, 9}}) {
        INFO("T " << peaked.temperature << " top-k " << peaked.topK << " top-p " << peaked.topP);
        CHECK(run(m, with(peaked)).outputIds == g.outputIds);
    }

    // decoder.sample_probs row 0 = softmax(logits / T) restricted to the top k, by hand.
    Sampling shaped;
    shaped.temperature = 0.7;
    shaped.topK = 5;
    shaped.seed = 3;
    const Translation t = run(m, with(shaped));
    const Tensor sp = t.trace->get("decoder.sample_probs"), logits = t.trace->get("decoder.logits");
    REQUIRE(sp.dim(0) == int64_t(t.outputIds.size()));
    std::vector<int> order(size_t(c.vocabSize));
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int x, int y) { return logits.at(0, x) > logits.at(0, y); });
    double z = 0;
    for (int r = 0; r < 5; ++r) z += std::exp(logits.at(0, order[size_t(r)]) / 0.7);
    for (int r = 0; r < c.vocabSize; ++r) {
        const double want = r < 5 ? std::exp(logits.at(0, order[size_t(r)]) / 0.7) / z : 0.0;
        REQUIRE(sp.at(0, order[size_t(r)]) == Approx(want).margin(1e-6));
    }
    // decoder.probs stays softmax(logits).
    double sum = 0;
    for (int v = 0; v < c.vocabSize; ++v) sum += t.trace->get("decoder.probs").at(0, v);
    CHECK(sum == Approx(1.0).margin(1e-5));

    Session bad(m);
    REQUIRE(bad.setSourceIds(kSource).ok());
    Sampling zeroT;
    zeroT.temperature = 0;
    CHECK_FALSE(bad.translate(with(zeroT)).ok());
    Sampling badP;
    badP.topP = 1.5;
    CHECK_FALSE(bad.translate(with(badP)).ok());
}

TEST_CASE("sampling: the first token's frequency over 2000 seeds matches its probability", "[decoding][sample]")
{
    const Config c = smallConfig();
    auto m = makeModel(c, 37);
    Sampling s;
    s.temperature = 2.0;  // flatten, so several tokens have visible mass
    DecodeOptions o = with(s);
    o.maxLength = 1;
    const Translation first = run(m, o);
    const Tensor p = first.trace->get("decoder.sample_probs");
    std::vector<int> counts(size_t(c.vocabSize), 0);
    const int n = 2000;
    Session session(m);
    REQUIRE(session.setSourceIds(kSource).ok());
    o.capture = false;
    for (int i = 0; i < n; ++i) {
        std::get<Sampling>(o.strategy).seed = uint64_t(1000 + i);
        auto t = session.translate(o);
        REQUIRE(t.ok());
        ++counts[size_t(t->outputIds[0])];
    }
    int checked = 0;
    for (int v = 0; v < c.vocabSize; ++v) {
        const double pv = p.at(0, v);
        if (pv < 0.02) continue;
        const double se = std::sqrt(pv * (1 - pv) / n);
        INFO("token " << v << ": p " << pv << ", frequency " << counts[size_t(v)] / double(n));
        CHECK(std::fabs(counts[size_t(v)] / double(n) - pv) <= 3 * se);
        ++checked;
    }
    CHECK(checked >= 3);
}

// ---- beam ----------------------------------------------------------------------------------

TEST_CASE("beam: width 1 is greedy, the winner is the best finished, the tree leads to it", "[decoding][beam]")
{
    const Config c = smallConfig();
    for (uint64_t seed : {40u, 41u, 42u}) {
        Config cc = c;
        auto tensors = randomTensors(cc, seed, true);
        // A mild preference for </s> so that hypotheses finish at different lengths.
        tensors["final_logits_bias"].data[size_t(cc.eosId)] += 2.5f;
        auto m = makeModel(cc, tensors);
        const Translation g = run(m, with(Greedy{}));
        Beam one;
        one.width = 1;
        const Translation b1 = run(m, with(one));
        CHECK(b1.outputIds == g.outputIds);
        CHECK(b1.logProb == Approx(g.logProb).epsilon(1e-6));

        for (double lp : {1.0, 0.0, 2.0}) {
            Beam b;
            b.width = 4;
            b.lengthPenalty = lp;
            DecodeOptions o = with(b);
            o.maxLength = 12;
            const Translation t = run(m, o);
            INFO("seed " << seed << " length penalty " << lp);
            CHECK(t.decoding == "beam");
            REQUIRE(!t.beams.empty());
            // The winner appears in the tree, and following parents from it gives its prefixes.
            int step = -1, node = -1;
            for (int s = 0; s < int(t.beams.size()); ++s)
                for (int k = 0; k < int(t.beams[size_t(s)].size()); ++k)
                    if (t.beams[size_t(s)][size_t(k)].tokens == t.outputIds &&
                        t.beams[size_t(s)][size_t(k)].state != BeamNode::Pruned)
                        step = s, node = k;
            REQUIRE(step == int(t.outputIds.size()) - 1);
            for (int s = step; s >= 0; --s) {
                const BeamNode& n = t.beams[size_t(s)][size_t(node)];
                CHECK(n.tokens == std::vector<int>(t.outputIds.begin(), t.outputIds.begin() + s + 1));
                if (s > 0) CHECK(t.beams[size_t(s - 1)][size_t(n.parent)].state == BeamNode::Alive);
                node = n.parent;
            }
            // Among the finished nodes, none has a better normalised score than the winner
            // when the winner finished.
            if (t.outputIds.back() == cc.eosId) {
                const double mine = t.logProb / std::pow(double(t.outputIds.size()), lp);
                for (const auto& nodes : t.beams)
                    for (const BeamNode& n : nodes)
                        if (n.state == BeamNode::Finished) CHECK(n.score <= mine + 1e-9);
            }
            // The trace is the winner's path: its logits rows pick its tokens' log-probs.
            const Tensor logits = t.trace->get("decoder.logits");
            double lpSum = 0;
            for (size_t r = 0; r < t.outputIds.size(); ++r) {
                double mx = -1e30, z = 0;
                for (int v = 0; v < cc.vocabSize; ++v) mx = std::max(mx, double(logits.at(int64_t(r), v)));
                for (int v = 0; v < cc.vocabSize; ++v) z += std::exp(double(logits.at(int64_t(r), v)) - mx);
                lpSum += double(logits.at(int64_t(r), t.outputIds[r])) - mx - std::log(z);
            }
            CHECK(lpSum == Approx(t.logProb).epsilon(1e-4));
        }
    }
}

namespace {

// Hugging Face's BeamHypotheses with early_stopping = False, replayed independently over the
// candidates the engine recorded (each step's 2N best continuations in rank order; the
// engine's states and scores are not read): which step the search stops after, and the
// winner. A finished hypothesis's length counts the decoder start and the outputs before
// </s> (HF: the input_ids it is added from), that is its tokens with </s>; at max length
// each live beam's length is its tokens + the decoder start (HF <= 4.35).
struct HfBeamReplay {
    int steps = 0;                // steps HF runs
    std::vector<int> winner;
    bool continuedAfterN = false; // N were finished at some step, yet HF went on
};

HfBeamReplay hfReplay(const std::vector<std::vector<BeamNode>>& tree, int N, double lp, int eos, int maxLength)
{
    struct Hyp {
        double score;
        std::vector<int> tokens;
    };
    std::vector<Hyp> fin;
    auto add = [&](const std::vector<int>& tokens, double logProb, size_t length) {
        const double score = logProb / std::pow(double(length), lp);
        if (int(fin.size()) < N || score > fin.back().score) {
            fin.push_back({score, tokens});
            std::stable_sort(fin.begin(), fin.end(), [](const Hyp& a, const Hyp& b) { return a.score > b.score; });
            if (int(fin.size()) > N) fin.pop_back();
        }
    };
    HfBeamReplay r;
    std::vector<const BeamNode*> live;
    bool done = false;
    for (int step = 0; step < int(tree.size()) && !done; ++step) {
        live.clear();
        for (int rank = 0; rank < int(tree[size_t(step)].size()) && int(live.size()) < N; ++rank) {
            const BeamNode& n = tree[size_t(step)][size_t(rank)];
            if (n.tokens.back() == eos) {
                if (rank < N) add(n.tokens, n.logProb, n.tokens.size());
            } else {
                live.push_back(&n);
            }
        }
        r.steps = step + 1;
        const double best = tree[size_t(step)][0].logProb;  // rank order: the best candidate first
        if (int(fin.size()) >= N) {
            done = fin.back().score >= best / std::pow(double(step + 1), lp);
            if (!done) r.continuedAfterN = true;
        }
        if (live.empty()) done = true;
    }
    if (!done) {
        REQUIRE(r.steps == maxLength);  // otherwise the engine stopped before HF would have
        for (const BeamNode* n : live) add(n->tokens, n->logProb, n->tokens.size() + 1);
    }
    if (!fin.empty()) r.winner = fin[0].tokens;
    return r;
}

}  // namespace

TEST_CASE("beam: stops where Hugging Face's early_stopping=False scorer stops, with its winner",
          "[decoding][beam][hf]")
{
    const Config c = smallConfig();
    int continued = 0, unfinishedWinners = 0;
    for (uint64_t seed : {40u, 41u, 42u, 43u}) {
        for (float eosBias : {4.0f, 2.5f, 1.0f, -6.0f}) {
            Config cc = c;
            auto tensors = randomTensors(cc, seed, true);
            tensors["final_logits_bias"].data[size_t(cc.eosId)] += eosBias;
            auto m = makeModel(cc, tensors);
            for (double lp : {1.0, 0.0, 2.0, 0.6, 3.0}) {
                for (int maxLength : {12, 4}) {
                    Beam b;
                    b.width = 3;
                    b.lengthPenalty = lp;
                    DecodeOptions o = with(b);
                    o.maxLength = maxLength;
                    const Translation t = run(m, o);
                    INFO("seed " << seed << " eos bias " << eosBias << " length penalty " << lp << " max length "
                                 << maxLength);
                    const HfBeamReplay hf = hfReplay(t.beams, b.width, lp, cc.eosId, maxLength);
                    CHECK(int(t.beams.size()) == hf.steps);
                    CHECK(t.outputIds == hf.winner);
                    continued += hf.continuedAfterN ? 1 : 0;
                    unfinishedWinners += t.outputIds.back() != cc.eosId ? 1 : 0;
                }
            }
        }
    }
    // Both rules the replay checks were exercised: a search that went on with N finished
    // (early_stopping = True would have stopped there) and winners that never finished.
    CHECK(continued > 0);
    CHECK(unfinishedWinners > 0);
}

// ---- Hugging Face generation conventions -------------------------------------------------

TEST_CASE("HF conventions: bad_words_ids never generated, forced_eos at max length, all-banned is an error",
          "[decoding][hf]")
{
    Config c = smallConfig();
    auto tensors = randomTensors(c, 43, true);
    // The pad logit dominates: without the ban every token would be pad.
    tensors["final_logits_bias"].data[size_t(c.padId)] += 100.0f;
    {
        const Translation t = run(makeModel(c, tensors), with(Greedy{}));
        CHECK(t.outputIds.front() == c.padId);
    }
    c.badWordsIds = {{c.padId}};
    auto banned = makeModel(c, tensors);
    for (const Strategy& s : std::vector<Strategy>{Greedy{}, Beam{3, 1.0}, Sampling{1.0, 0, 1.0, 5}}) {
        const Translation t = run(banned, with(s));
        INFO(t.decoding);
        for (int id : t.outputIds) CHECK(id != c.padId);
    }
    // A two-token bad word bans its last token only after the first.
    tensors["final_logits_bias"].data[size_t(c.padId)] -= 100.0f;
    c.badWordsIds.clear();
    const Translation free = run(makeModel(c, tensors), with(Greedy{}));
    REQUIRE(free.outputIds.size() >= 2);
    c.badWordsIds = {{free.outputIds[0], free.outputIds[1]}};
    const Translation t2 = run(makeModel(c, tensors), with(Greedy{}));
    CHECK(t2.outputIds[0] == free.outputIds[0]);
    CHECK(t2.outputIds[1] != free.outputIds[1]);
    // [</s>] alone is not a bad word (Hugging Face drops it): the output still ends.
    {
        auto ends = tensors;
        ends["final_logits_bias"].data[size_t(c.eosId)] += 4.0f;
        c.badWordsIds.clear();
        const Translation e = run(makeModel(c, ends), with(Greedy{}));
        REQUIRE(e.outputIds.back() == c.eosId);
        c.badWordsIds = {{c.eosId}};
        CHECK(run(makeModel(c, ends), with(Greedy{})).outputIds == e.outputIds);
    }

    // forced_eos_token_id: the last allowed position is </s>.
    c.badWordsIds.clear();
    tensors["final_logits_bias"].data[size_t(c.eosId)] -= 100.0f;  // never chosen freely
    c.forcedEosId = c.eosId;
    for (const Strategy& s : std::vector<Strategy>{Greedy{}, Beam{3, 1.0}}) {
        DecodeOptions o = with(s);
        o.maxLength = 6;
        const Translation t = run(makeModel(c, tensors), o);
        REQUIRE(t.outputIds.size() == 6);
        CHECK(t.outputIds.back() == c.eosId);
    }

    // vocab_size 1 with --min-length: the only token is </s>, banned: an error, no read past.
    Config one = smallConfig();
    one.vocabSize = 1;
    one.padId = one.eosId = one.bosId = one.unkId = one.decoderStartId = 0;
    Session s(makeModel(one, 44));
    REQUIRE(s.setSourceIds({0}).ok());
    DecodeOptions o;
    o.minLength = 3;
    auto r = s.translate(o);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.message(), Catch::Contains("every token is banned"));
}
