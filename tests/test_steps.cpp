// The teaching walk: count and order for a given model and sentence; every step names a
// tensor the Trace holds; every step has an explanation and a notice.
#include "models.h"

#include "core/run/steps.h"
#include "ui/texttable.h"

#include <algorithm>

using namespace sf;

namespace {
std::string english(const Text& t) { return ui::TextTable::english().renderUtf8(t); }
}  // namespace

TEST_CASE("step count and order", "[steps]")
{
    Config c = sf::test::smallConfig();  // 2 + 2 layers
    Session s(sf::test::makeModel(c, 2));
    REQUIRE(s.setSourceIds({7, 12, 33, 5, 3}).ok());
    DecodeOptions o;
    o.minLength = o.maxLength = 3;
    auto t = s.translate(o);
    REQUIRE(t.ok());
    const std::vector<Step> steps = buildSteps(c, 3);
    // 4 + 11 L_e + T (6 + 20 L_d) = 4 + 22 + 3 * 46
    REQUIRE(steps.size() == 164u);

    CHECK(steps[0].stage == Stage::SourceTokens);
    CHECK(steps[1].stage == Stage::Embedding);
    CHECK(steps[2].stage == Stage::Positions);
    const std::vector<Stage> layer = {Stage::Projections, Stage::Heads,   Stage::Scores,    Stage::Weights,
                                      Stage::Context,     Stage::AttentionOutput, Stage::AllHeads, Stage::AddNorm,
                                      Stage::FfnHidden,   Stage::FfnOutput, Stage::AddNorm};
    for (size_t i = 0; i < layer.size(); ++i) {
        CHECK(steps[3 + i].stage == layer[i]);
        CHECK(steps[3 + i].layer == 0);
        CHECK(steps[14 + i].layer == 1);
    }
    CHECK(steps[25].stage == Stage::EncoderOutput);
    CHECK(steps[26].stage == Stage::DecoderInput);
    CHECK(steps[26].t == 0);
    // The decoder's masked self-attention has the mask step, cross-attention has none.
    CHECK(steps[29 + 3].stage == Stage::Mask);
    CHECK(steps[29 + 3].sublayer == Sublayer::SelfAttention);
    int masks = 0, chosen = 0, coarse = 0;
    for (const Step& st : steps) {
        masks += st.stage == Stage::Mask;
        chosen += st.stage == Stage::ChooseToken;
        coarse += st.coarse;
        if (st.stage == Stage::Mask) CHECK(st.decoder);
    }
    CHECK(masks == 3 * 2);
    CHECK(chosen == 3);
    // Coarse: 3 + 4 per encoder layer + 1, then per token 1 + 6 per decoder layer + 1.
    CHECK(coarse == 3 + 8 + 1 + 3 * (1 + 12 + 1));
    CHECK(steps.back().stage == Stage::ChooseToken);
    CHECK(steps.back().t == 2);

    // Navigation.
    CHECK(nextCoarse(steps, 3) == 9);  // Projections -> AllHeads of encoder layer 1
    CHECK(previousCoarse(steps, 9) == 2);
    CHECK(firstStepOf(steps, Block::DecoderCrossAttention, 1, 2) > firstStepOf(steps, Block::DecoderCrossAttention, 0, 2));
    CHECK(steps[size_t(firstStepOf(steps, Block::Linear, -1, 1))].stage == Stage::Logits);

    // Every tensor a step shows is in the trace and has a row for its decoding step.
    for (const Step& st : steps) {
        REQUIRE(!st.tensors().empty());
        CHECK(st.tensor() == st.tensors().front());
        for (const std::string& name : st.tensors()) {
            INFO(english(st.title()) << " -> " << name);
            const TraceTensor* tt = t->trace->find(name);
            REQUIRE(tt);
            if (st.decoder && tt->shape().size() == 2 && name.rfind("encoder.", 0) != 0) CHECK(tt->shape()[0] > st.t);
        }
        const StepText x = explain(st, c, *t);
        CHECK(!x.explanation.empty());
        CHECK(!x.formula.empty());
        CHECK(!x.section.empty());
        CHECK(!x.notice.empty());
    }
    CHECK(english(steps[3 + 2].title()) == "Encoder layer 1 · self-attention · Scores");
    CHECK(english(steps[29 + 3].title()) == "Decoder layer 1 · masked self-attention · Causal mask (step 1)");
}

TEST_CASE("notices read this sentence's numbers", "[steps]")
{
    Config c = sf::test::smallConfig();
    Session s(sf::test::makeModel(c, 2));
    REQUIRE(s.setSourceIds({7, 12, 33, 5, 3}).ok());
    DecodeOptions o;
    o.minLength = o.maxLength = 2;
    auto t = s.translate(o);
    REQUIRE(t.ok());
    const std::vector<Step> steps = buildSteps(c, 2);
    const Step& choose = steps.back();
    const StepText x = explain(choose, c, *t);
    // The chosen token's probability, read off decoder.probs, appears in the notice.
    const Tensor p = t->trace->get("decoder.probs");
    const int id = t->outputIds[1];
    char expect[32];
    std::snprintf(expect, sizeof expect, "%.0f%%", 100.0 * p.at(1, id));
    CHECK_THAT(english(x.notice), Catch::Contains("'" + t->outputPieces[1] + "' gets " + expect));
    Step mask = steps[29 + 3];
    mask.t = 1;
    CHECK_THAT(english(explain(mask, c, *t).notice), Catch::Contains("sees 2 tokens; 1 cell above the diagonal is masked"));
}

TEST_CASE("the choose-token step names the strategy that chose, and says why decoding stops", "[steps]")
{
    Config c = sf::test::smallConfig();
    auto tensors = randomTensors(c, 5, true);
    tensors["final_logits_bias"].data[size_t(c.eosId)] += 4.0f;  // finishes within a few tokens
    auto m = sf::test::makeModel(c, tensors);
    const std::vector<Strategy> strategies{Greedy{}, Beam{3, 1.0}, Sampling{0.5, 0, 1.0, 9}, Forced{{10, 11, 3}}};
    const std::vector<std::string> keys{"", "_beam", "_sample", "_forced"};
    for (size_t k = 0; k < strategies.size(); ++k) {
        Session s(m);
        REQUIRE(s.setSourceIds({7, 12, 33, 5, 3}).ok());
        DecodeOptions o;
        o.strategy = strategies[k];
        o.maxLength = 12;
        auto t = s.translate(o);
        REQUIRE(t.ok());
        const std::vector<Step> steps = buildSteps(c, int(t->outputIds.size()));
        const Step& last = steps.back();
        REQUIRE(last.stage == Stage::ChooseToken);
        const StepText x = explain(last, c, *t);
        INFO(t->decoding);
        CHECK(x.explanation.key == "steps.choose_token.explanation" + keys[k]);
        const std::string text = english(x.explanation);
        if (k == 0) CHECK(text.find("Greedy") != std::string::npos);
        else CHECK(text.find("Greedy") == std::string::npos);
        if (t->outputIds.back() == c.eosId) {
            CHECK(x.notice.key == "steps.choose_token.notice_end");
            CHECK_THAT(english(x.notice), Catch::Contains("decoding stops here"));
        }
    }
}

TEST_CASE("the mask step says what this forward did: masked, mask removed, or a model trained without it",
          "[steps]")
{
    Config c = sf::test::smallConfig();
    auto m = sf::test::makeModel(c, 2);
    Config unmaskedConfig = c;
    unmaskedConfig.decoderCausalMask = false;
    auto unmasked = sf::test::makeModel(unmaskedConfig, 2);
    struct Case {
        std::shared_ptr<const Model> model;
        bool noCausalMask;
        bool causal;
        const char* key;
        const char* notice;
    };
    // Teacher forcing on a 4-token target; the Mask step of decoding step 2 (0-based 1).
    for (const Case& k : {Case{m, false, true, "steps.mask.explanation", "sees 2 tokens; 1 cell above the diagonal is masked"},
                          Case{m, true, false, "steps.mask.explanation_removed", "sees 4 tokens; no cell is masked"},
                          Case{unmasked, false, false, "steps.mask.explanation_untrained", "sees 4 tokens; no cell is masked"}}) {
        Session s(k.model);
        REQUIRE(s.setSourceIds({7, 12, 33, 5, 3}).ok());
        DecodeOptions o;
        o.strategy = Forced{{10, 11, 12, 3}};
        o.interventions.noCausalMask = k.noCausalMask;
        auto t = s.translate(o);
        REQUIRE(t.ok());
        INFO(k.key);
        CHECK(t->decoderCausal == k.causal);
        // What the forward did, in the weights: row 1 puts weight on key 2 exactly when unmasked.
        const Tensor w = t->trace->get("decoder.layers.0.self_attn.weights");  // [H, T, T]
        CHECK((w.at(0, 1, 2) == 0.0f) == k.causal);
        const std::vector<Step> steps = buildSteps(k.model->config(), 4);
        auto mask = std::find_if(steps.begin(), steps.end(), [](const Step& x) { return x.stage == Stage::Mask && x.t == 1; });
        REQUIRE(mask != steps.end());
        const StepText x = explain(*mask, k.model->config(), *t);
        CHECK(x.explanation.key == k.key);
        CHECK_THAT(english(x.notice), Catch::Contains(k.notice));
    }
    // Token by token, a model without the mask still has only the keys that exist.
    Session s(unmasked);
    REQUIRE(s.setSourceIds({7, 12, 33, 5, 3}).ok());
    DecodeOptions o;
    o.minLength = o.maxLength = 3;
    auto t = s.translate(o);
    REQUIRE(t.ok());
    CHECK_FALSE(t->decoderCausal);
    const std::vector<Step> steps = buildSteps(unmaskedConfig, 3);
    auto mask = std::find_if(steps.begin(), steps.end(), [](const Step& x) { return x.stage == Stage::Mask && x.t == 1; });
    REQUIRE(mask != steps.end());
    CHECK_THAT(english(explain(*mask, unmaskedConfig, *t).notice), Catch::Contains("sees 2 tokens; no cell is masked"));
}
