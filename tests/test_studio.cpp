// The training studio's switches (issue 14): each reaches the model, in training and in
// inference, and the experiments' expected effects hold on small fixed seeds.
#include "check.h"
#include "models.h"

#include "core/model/config.h"
#include "core/run/session.h"
#include "core/text/grammar.h"
#include "core/model/ops.h"
#include "core/train/studio.h"
#include "core/train/text_data.h"
#include "core/train/trainer.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

using namespace sf;
using namespace sf::train;

namespace {

Translation run(const std::shared_ptr<const Model>& m, const std::vector<int>& src, const Strategy& strategy)
{
    Session s(m);
    REQUIRE(s.setSourceIds(src).ok());
    DecodeOptions o;
    o.strategy = strategy;
    auto t = s.translate(o);
    INFO(t.message());
    REQUIRE(t.ok());
    return *t;
}

// A run on an algorithmic task: trains `steps` steps from `seed`, scores 200 held-out
// sequences free-running, and returns the score with the last reported loss.
struct Outcome {
    double exactMatch = 0.0, finalLoss = 0.0;
};
Outcome trainAndScore(const std::string& task, Architecture arch, int steps, uint64_t seed)
{
    Result<Preset> p = preset("studio");
    REQUIRE(p.ok());
    TrainOptions o = p->options;
    o.steps = steps, o.seed = seed, o.logEvery = 50, o.batchSize = 64;  // the budget the thresholds were set on
    auto trainer = Trainer::create(architectureConfig(arch, p->vocab), o);
    REQUIRE(trainer.ok());
    REQUIRE(trainer->setData(algorithmicExamples(task, size_t(p->trainSize), p->vocab, seed)).ok());
    Outcome out;
    REQUIRE(trainer->run([&](const TrainProgress& pr) {
                       out.finalLoss = pr.loss;
                       return true;
                   })
                .ok());
    auto model = trainer->model();
    REQUIRE(model.ok());
    auto score = scoreFreeRunning(*model, heldOutExamples(task, 200, p->vocab, seed));
    REQUIRE(score.ok());
    out.exactMatch = score->exactMatch;
    return out;
}

}  // namespace

TEST_CASE("the switches are config.json keys and round-trip", "[studio][config]")
{
    Architecture a;
    a.positions = false, a.causalMask = false, a.scale = false, a.preNorm = true;
    const Config c = architectureConfig(a, 20);
    const std::string json = configToJson(c);
    CHECK(json.find("\"position_encoding\": \"none\"") != std::string::npos);
    CHECK(json.find("\"attention_scale\": false") != std::string::npos);
    CHECK(json.find("\"decoder_causal_mask\": false") != std::string::npos);
    auto back = parseConfig(json, "config.json");
    REQUIRE(back.ok());
    CHECK(back->positions == PositionLayout::None);
    CHECK_FALSE(back->attentionScale);
    CHECK_FALSE(back->decoderCausalMask);
    CHECK(back->normalizeBefore);
    // The paper's model writes none of the new keys.
    const std::string paper = configToJson(architectureConfig(Architecture{}, 20));
    CHECK(paper.find("attention_scale") == std::string::npos);
    CHECK(paper.find("decoder_causal_mask") == std::string::npos);
    auto bad = parseConfig(R"({"d_model": 8, "encoder_layers": 1, "decoder_layers": 1, "encoder_attention_heads": 2,
        "decoder_attention_heads": 2, "encoder_ffn_dim": 8, "decoder_ffn_dim": 8, "vocab_size": 10,
        "max_position_embeddings": 8, "position_encoding": "learned"})",
                           "x/config.json");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.message().find("sinusoidal_interleaved, sinusoidal_halves or none") != std::string::npos);
}

TEST_CASE("without positions the encoder is permutation-equivariant, with them it is not", "[studio][positions]")
{
    Config c = test::smallConfig();
    const std::vector<int> src{7, 12, 33, 5, 41, 3}, perm{4, 0, 3, 1, 2, 5};  // perm[i]: source of row i
    std::vector<int> shuffled(src.size());
    for (size_t i = 0; i < src.size(); ++i) shuffled[i] = src[size_t(perm[i])];
    for (bool positions : {false, true}) {
        INFO((positions ? "with" : "without") << " positions");
        c.positions = positions ? PositionLayout::Interleaved : PositionLayout::None;
        const auto m = test::makeModel(c, 4);
        const Tensor a = run(m, src, Greedy{}).trace->get("encoder.output");
        const Tensor b = run(m, shuffled, Greedy{}).trace->get("encoder.output");
        const int d = c.dModel;
        double worst = 0.0;
        for (size_t i = 0; i < src.size(); ++i)
            for (int k = 0; k < d; ++k)
                worst = std::max(worst, double(std::fabs(b.data[i * size_t(d) + size_t(k)] -
                                                         a.data[size_t(perm[i]) * size_t(d) + size_t(k)])));
        if (positions) CHECK(worst > 1e-2);  // the order changes the rows
        else CHECK(worst <= 1e-5);           // float32 rounding of a reordered sum
        if (!positions) {
            const Tensor pe = run(m, src, Greedy{}).trace->get("encoder.positions");
            CHECK(std::all_of(pe.data.begin(), pe.data.end(), [](float v) { return v == 0.0f; }));
        }
    }
}

TEST_CASE("without the causal mask the decoder sees later positions under teacher forcing", "[studio][mask]")
{
    Config c = test::smallConfig();
    const std::vector<int> src{7, 12, 33, 3}, target{8, 22, 14, 3}, changed{8, 22, 40, 3};
    for (bool masked : {true, false}) {
        INFO((masked ? "masked" : "unmasked") << " decoder");
        c.decoderCausalMask = masked;
        const auto m = test::makeModel(c, 5);
        const Translation a = run(m, src, Forced{target}), b = run(m, src, Forced{changed});
        // Row 0 predicts the first token. It must not depend on a later input token when
        // masked (exactly equal); unmasked, it reads position 3's input, which changed.
        const Tensor la = a.trace->get("decoder.logits"), lb = b.trace->get("decoder.logits");
        const int V = c.vocabSize;
        double diff = 0.0;
        for (int v = 0; v < V; ++v) diff = test::worse(diff, double(std::fabs(la.data[size_t(v)] - lb.data[size_t(v)])));
        if (masked) CHECK(diff == 0.0);
        else CHECK(diff > 1e-4);
        const TraceTensor* w = a.trace->find("decoder.layers.0.self_attn.weights");
        REQUIRE(w);
        const float aboveDiagonal = w->row(0, 0)[3];  // head 0, query 0, key 3
        if (masked) CHECK(aboveDiagonal == 0.0f);
        else CHECK(aboveDiagonal > 0.0f);
    }
}

TEST_CASE("without the scale the scores are q k^T", "[studio][scale]")
{
    Config c = test::smallConfig();
    c.attentionScale = false;
    const auto m = test::makeModel(c, 6);
    const Translation t = run(m, {7, 12, 33, 3}, Greedy{});
    const Tensor q = t.trace->get("encoder.layers.1.self_attn.q"), k = t.trace->get("encoder.layers.1.self_attn.k");
    const Tensor s = t.trace->get("encoder.layers.1.self_attn.scores");
    const int dk = c.dModel / c.encoderHeads, S = 4;
    for (int h = 0; h < c.encoderHeads; ++h)
        for (int i = 0; i < S; ++i)
            for (int j = 0; j < S; ++j) {
                double dot = 0.0;
                for (int x = 0; x < dk; ++x)
                    dot += double(q.data[size_t((h * S + i) * dk + x)]) * double(k.data[size_t((h * S + j) * dk + x)]);
                CHECK(s.data[size_t((h * S + i) * S + j)] == Approx(dot).margin(1e-4));  // not / sqrt(8)
            }
}

TEST_CASE("the studio preset exists and names its task", "[studio]")
{
    auto p = preset("studio");
    REQUIRE(p.ok());
    CHECK(p->task == "reverse");
    CHECK_FALSE(preset("nonsense").ok());
    CHECK(isAlgorithmicTask("reverse"));
    CHECK_FALSE(isAlgorithmicTask("en-fr"));
    // Held-out draws are not the training draw.
    const auto a = algorithmicExamples("reverse", 50, 16, 1), b = heldOutExamples("reverse", 50, 16, 1);
    int same = 0;
    for (size_t i = 0; i < a.size(); ++i) same += a[i].src == b[i].src;
    CHECK(same < 5);
}

// The experiments' expected effects (issue 14), on the studio's small model and a fixed seed.
// The experiments' expected effects share one baseline run (the paper's architecture on
// the same budget), so they are one case: ctest runs each case in its own process.
TEST_CASE("experiments: without positions reverse fails, without the mask the loss falls and free running fails",
          "[studio][experiment]")
{
    const int steps = 600;
    Architecture arch = preset("studio")->arch;
    const Outcome baseline = trainAndScore("reverse", arch, steps, 3);

    arch.positions = false;
    const Outcome noPositions = trainAndScore("reverse", arch, steps, 3);
    WARN("reverse after " << steps << " steps: with PE " << baseline.exactMatch << ", without "
                          << noPositions.exactMatch);
    // The same budget goes a long way with positions. How far is chaotic: the exact match
    // after 600 steps swings with the last bits of the arithmetic (0.49 when written; 0.36
    // after the inference and training operations were unified, which moved the loss at
    // step 60 in the fourth digit; the CLI's same seed gave 0.69 and 0.32 on 100 held-out
    // examples). The claim is the gap, with a floor.
    CHECK(baseline.exactMatch >= 0.25);
    CHECK(baseline.exactMatch >= noPositions.exactMatch + 0.2);
    CHECK(noPositions.exactMatch <= 0.3);  // a bag of tokens has no order to reverse

    arch.positions = true, arch.causalMask = false;
    const Outcome unmasked = trainAndScore("reverse", arch, steps, 3);
    WARN("masked loss " << baseline.finalLoss << ", unmasked loss " << unmasked.finalLoss << ", unmasked exact "
                        << unmasked.exactMatch);
    CHECK(unmasked.finalLoss < baseline.finalLoss);  // it copies the next input token
    CHECK(unmasked.exactMatch <= 0.3);               // on its own there is no next token to copy
}

TEST_CASE("gradient norms per layer add up to the global norm", "[studio]")
{
    Architecture a;
    a.layers = 2, a.dModel = 16, a.heads = 2, a.ffn = 32, a.preNorm = true;
    TrainOptions o;
    o.steps = 1, o.batchSize = 8, o.warmup = 10;
    auto t = Trainer::create(architectureConfig(a, 16), o);
    REQUIRE(t.ok());
    REQUIRE(t->setData(algorithmicExamples("copy", 64, 16, 2)).ok());
    const StepStats st = t->step();
    const auto norms = layerGradientNorms(t->layout(), t->gradients().data());
    std::vector<std::string> names;
    double sq = 0.0;
    for (const NamedNorm& n : norms) names.push_back(n.name), sq += n.norm * n.norm;
    CHECK(names == std::vector<std::string>{"embeddings", "encoder 1", "encoder 2", "decoder 1", "decoder 2",
                                            "final norms"});
    CHECK(std::sqrt(sq) == Approx(st.gradNorm).epsilon(1e-5));  // the norm before clipping
}

TEST_CASE("token accuracy counts the rows whose argmax is the target", "[studio][ops]")
{
    // 4 rows over 3 ids; row 2 is padding (ignored); row 3 ties ids 0 and 2 (argmax: 0).
    const std::vector<float> logits = {0.1f, 2.0f, 0.3f,   // argmax 1, target 1: right
                                       1.0f, 0.0f, 0.5f,   // argmax 0, target 2: wrong
                                       9.0f, 0.0f, 0.0f,   // padding
                                       0.7f, 0.1f, 0.7f};  // argmax 0 (first of the tie), target 0: right
    const std::vector<int> targets = {1, 2, -1, 0};
    CHECK(countCorrect(logits.data(), targets.data(), 4, 3) == 2);
    CHECK(countTargets(targets.data(), 4) == 3);
}

TEST_CASE("a text task's data: one SentencePiece model, encoded pairs, held-out texts, examples.json", "[studio][text]")
{
    const std::string dir = std::string(SF_BUILD_DIR) + "/test_text_task";
    std::filesystem::remove_all(dir);
    for (const char* task : {"en-fr", "chat"}) {
        INFO(task);
        TextTaskRequest r;
        r.task = task;
        r.lexiconPath = std::string(SF_SOURCE_DIR) + "/resources/" + textTaskLexicon(task);
        r.outDir = dir + "/" + task;
        r.trainSize = task == std::string("chat") ? 500 : 2000;
        r.heldOutSize = 20, r.vocab = 300, r.anchorCopies = 3;
        Config c = architectureConfig(Architecture{}, 16);
        auto d = prepareTextTask(r, c);
        INFO(d.message());
        REQUIRE(d.ok());
        CHECK(c.vocabSize == d->tokenizer->sourceVocabSize());
        CHECK(c.vocabSize <= 300);
        CHECK(c.tokenizerKey);
        CHECK(std::filesystem::exists(r.outDir + "/spm.model"));
        CHECK(d->heldOut.size() == 20);
        REQUIRE(d->heldOutText.size() == 20);
        // The encoded held-out pairs are the texts' pieces, with </s>.
        CHECK(d->heldOut[0].src == d->tokenizer->encodeSource(d->heldOutText[0].source).ids);
        CHECK(d->heldOut[0].tgt.back() == c.eosId);
        // No held-out source is trained on (en-fr: every character is in the 300 pieces; in
        // chat, Chinese characters outside them become <unk>, so two prompts can share ids).
        std::set<std::vector<int>> trained;
        for (const Example& e : d->train) trained.insert(e.src);
        if (task == std::string("en-fr"))
            for (const Example& e : d->heldOut) CHECK(trained.count(e.src) == 0);
        auto ex = text::readModelExamples(r.outDir);
        REQUIRE(ex.ok());
        CHECK(ex->task == task);
        CHECK_FALSE(ex->sentences.empty());
        if (task == std::string("en-fr")) {
            CHECK(d->anchorPairs == 3 * ex->sentences.size());
            CHECK(d->train.size() == 2000 + d->anchorPairs);
        }
        // Resuming keeps the SentencePiece model: the same ids for the same text.
        const auto before = std::filesystem::last_write_time(r.outDir + "/spm.model");
        r.resume = true;
        auto again = prepareTextTask(r, c);
        REQUIRE(again.ok());
        CHECK(std::filesystem::last_write_time(r.outDir + "/spm.model") == before);
        CHECK(again->train[5].src == d->train[5].src);
    }
    TextTaskRequest bad;
    bad.task = "en-fr", bad.lexiconPath = dir + "/missing.json", bad.outDir = dir + "/bad";
    Config c;
    auto d = prepareTextTask(bad, c);
    REQUIRE_FALSE(d.ok());
    CHECK(d.message().find("missing.json") != std::string::npos);
    TextTaskRequest notText;
    notText.task = "reverse";
    CHECK_FALSE(prepareTextTask(notText, c).ok());
}
