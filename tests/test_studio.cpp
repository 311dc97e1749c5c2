// The training studio's switches (issue 14): each reaches the model, in training and in
// inference, and the experiments' expected effects hold on small fixed seeds.
#include "models.h"

#include "core/model/config.h"
#include "core/run/session.h"
#include "core/train/studio.h"
#include "core/train/trainer.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

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
        for (int v = 0; v < V; ++v) diff = std::max(diff, double(std::fabs(la.data[size_t(v)] - lb.data[size_t(v)])));
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
    CHECK(baseline.exactMatch >= 0.4);     // the same budget goes a long way with positions (0.49 when written)
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
