// Session files (docs/session-files.md): every field survives a write and a read, the
// options they give a model are the ones written, and malformed files are refused with a
// message that names the file and the problem. The fuzz corpus's seeds are read here too.
#include "models.h"

#include "core/run/session_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace sf;
using sf::test::smallConfig;

namespace {

const std::string kName = "lesson-3.stepformer-session.json";

std::string withField(const std::string& field)
{
    return R"({"format": "stepformer-session", "version": 1, "model": "en-fr", "sentence": "the cat", )" + field + "}";
}

std::string refusal(const std::string& text)
{
    auto s = parseSessionFile(text, kName);
    REQUIRE_FALSE(s.ok());
    CHECK(s.message().rfind(kName + ": ", 0) == 0);
    return s.message();
}

}  // namespace

TEST_CASE("session file: every field survives a round trip", "[session-file]")
{
    SessionFile s;
    s.model = "/home/teacher/models/en-fr";
    s.sentence = "the little black cat sleeps · 小猫";
    Sampling sampling;
    sampling.temperature = 0.7;
    sampling.topK = 12;
    sampling.topP = 0.85;
    sampling.seed = 18446744073709551615ull;  // the largest seed: a JSON unsigned
    s.decoding = sampling;
    s.maxLength = 30;
    s.interventions = {"ablate:decoder.1.cross_attn.2", "ablate:encoder.0.self_attn.3", "no-scale"};
    s.step = 117;
    s.coarse = true;
    s.view = SessionView::LabScaling;
    s.difference = true;
    s.forcingNoMaskModel = true;
    const std::string text = sessionFileToJson(s);
    CHECK(text.find("\"format\": \"stepformer-session\"") != std::string::npos);
    CHECK(text.find("\"version\": 1") != std::string::npos);
    auto back = parseSessionFile(text, kName);
    INFO(back.message());
    REQUIRE(back.ok());
    CHECK(back->model == s.model);
    CHECK(back->sentence == s.sentence);
    REQUIRE(std::holds_alternative<Sampling>(back->decoding));
    const Sampling& b = std::get<Sampling>(back->decoding);
    CHECK(b.temperature == sampling.temperature);
    CHECK(b.topK == 12);
    CHECK(b.topP == sampling.topP);
    CHECK(b.seed == sampling.seed);
    CHECK(back->maxLength == 30);
    CHECK(back->minLength == 0);
    CHECK(back->interventions == s.interventions);
    CHECK(back->step == 117);
    CHECK(back->coarse);
    CHECK(back->view == SessionView::LabScaling);
    CHECK(back->difference);
    CHECK(back->forcingNoMaskModel);
    CHECK(sessionFileToJson(*back) == text);

    // Against a model: the interventions as values, checked against its shape.
    auto o = sessionOptions(*back, smallConfig(), kName);
    INFO(o.message());
    REQUIRE(o.ok());
    CHECK(o->interventions.specs() == s.interventions);
    CHECK(o->interventions.isAblated(Stack::Decoder, 1, AttentionKind::Cross, 2));
    CHECK(o->interventions.noScale);
    CHECK(o->maxLength == 30);
}

TEST_CASE("session file: beam and forced decoding round trip", "[session-file]")
{
    SessionFile s;
    s.model = "en-fr";
    s.sentence = "x";
    s.decoding = Beam{5, 0.6};
    auto back = parseSessionFile(sessionFileToJson(s), kName);
    REQUIRE(back.ok());
    REQUIRE(std::holds_alternative<Beam>(back->decoding));
    CHECK(std::get<Beam>(back->decoding).width == 5);
    CHECK(std::get<Beam>(back->decoding).lengthPenalty == 0.6);
    CHECK(back->view == SessionView::Decoding);
    CHECK_FALSE(back->coarse);

    s.decoding = Forced{{7, 9, 3}};
    s.interventions = {"no-causal-mask"};
    back = parseSessionFile(sessionFileToJson(s), kName);
    INFO(back.message());
    REQUIRE(back.ok());
    CHECK(std::get<Forced>(back->decoding).targetIds == std::vector<int>{7, 9, 3});
    auto o = sessionOptions(*back, smallConfig(), kName);
    REQUIRE(o.ok());
    CHECK(o->interventions.noCausalMask);
}

TEST_CASE("session file: the defaults of the optional keys", "[session-file]")
{
    auto s = parseSessionFile(withField(R"("step": 3)"), kName);
    INFO(s.message());
    REQUIRE(s.ok());
    CHECK(std::holds_alternative<Greedy>(s->decoding));
    CHECK(s->interventions.empty());
    CHECK(s->step == 3);
    CHECK_FALSE(s->coarse);
    CHECK(s->view == SessionView::Decoding);
    // Specs are stored canonically: a repeated head once, the switches after the heads.
    s = parseSessionFile(withField(R"("interventions": ["no-positions", "ablate:encoder.1.self_attn.0", "ablate:encoder.1.self_attn.0"])"), kName);
    REQUIRE(s.ok());
    CHECK(s->interventions == std::vector<std::string>{"ablate:encoder.1.self_attn.0", "no-positions"});
}

TEST_CASE("session file: malformed files are refused naming the problem", "[session-file]")
{
    CHECK(refusal("").find("not valid JSON") != std::string::npos);
    CHECK(refusal("[1, 2]").find("JSON object") != std::string::npos);
    CHECK(refusal(R"({"format": "stepformer-lesson", "version": 1, "model": "en-fr", "sentence": "x"})").find("\"format\"") != std::string::npos);
    CHECK(refusal(R"({"format": "stepformer-session", "model": "en-fr", "sentence": "x"})").find("\"version\" is missing") != std::string::npos);
    CHECK(refusal(R"({"format": "stepformer-session", "version": 9, "model": "en-fr", "sentence": "x"})").find("newer") != std::string::npos);
    CHECK(refusal(R"({"format": "stepformer-session", "version": 1, "sentence": "x"})").find("\"model\" is missing") != std::string::npos);
    CHECK(refusal(R"({"format": "stepformer-session", "version": 1, "model": "en-fr"})").find("\"sentence\" is missing") != std::string::npos);
    CHECK(refusal(withField(R"("stpe": 3)")).find("unknown key 'stpe'") != std::string::npos);
    CHECK(refusal(withField(R"("step": -1)")).find("\"step\" must be in") != std::string::npos);
    CHECK(refusal(withField(R"("step": 2.5)")).find("\"step\" must be an integer") != std::string::npos);
    CHECK(refusal(withField(R"("step": "4")")).find("\"step\" must be an integer") != std::string::npos);
    CHECK(refusal(withField(R"("granularity": "medium")")).find("\"granularity\"") != std::string::npos);
    CHECK(refusal(withField(R"("view": "lab.nowhere")")).find("lab.positions") != std::string::npos);
    CHECK(refusal(withField(R"("difference": 1)")).find("true or false") != std::string::npos);
    CHECK(refusal(withField(R"("forcing_no_mask_model": "yes")")).find("true or false") != std::string::npos);
    CHECK(refusal(withField(R"("decoding": "greedy")")).find("decoding: must be an object") != std::string::npos);
    CHECK(refusal(withField(R"("decoding": {"strategy": "topological"})")).find("not greedy, beam, sample or forced") != std::string::npos);
    CHECK(refusal(withField(R"("decoding": {"strategy": "beam", "width": 0})")).find("\"width\" must be in [1, 64]") != std::string::npos);
    CHECK(refusal(withField(R"("decoding": {"strategy": "greedy", "width": 4})")).find("unknown key 'width'") != std::string::npos);
    CHECK(refusal(withField(R"("decoding": {"strategy": "sample", "temperature": 0, "seed": 1})")).find("above 0") != std::string::npos);
    CHECK(refusal(withField(R"("decoding": {"strategy": "sample", "top_p": 1.5, "seed": 1})")).find("(0, 1]") != std::string::npos);
    CHECK(refusal(withField(R"("decoding": {"strategy": "sample"})")).find("\"seed\" is missing") != std::string::npos);
    CHECK(refusal(withField(R"("decoding": {"strategy": "sample", "seed": -4})")).find("non-negative") != std::string::npos);
    CHECK(refusal(withField(R"("decoding": {"strategy": "forced", "target_ids": []})")).find("target_ids") != std::string::npos);
    CHECK(refusal(withField(R"("decoding": {"strategy": "forced", "target_ids": [3, -1]})")).find("not a token id") != std::string::npos);
    CHECK(refusal(withField(R"("interventions": "no-scale")")).find("must be an array") != std::string::npos);
    CHECK(refusal(withField(R"("interventions": [7])")).find("not a string") != std::string::npos);
    CHECK(refusal(withField(R"("interventions": ["ablate:encoder.0.cross_attn.0"])")).find("no cross-attention") != std::string::npos);
    CHECK(refusal(withField(R"("interventions": ["ablate:decoder.x.self_attn.0"])")).find("out of range") != std::string::npos);
    CHECK(refusal(withField(R"("interventions": ["dropout"])")).find("'dropout' is not an intervention") != std::string::npos);
    CHECK(refusal(withField(R"("interventions": ["no-causal-mask"])")).find("needs \"decoding\"") != std::string::npos);
    CHECK(refusal(R"({"format": "stepformer-session", "version": 1, "model": "en-fr", "model": "fr-en", "sentence": "x"})").find("duplicate key") != std::string::npos);
}

TEST_CASE("session file: options refused when the model cannot run them", "[session-file]")
{
    const Config c = smallConfig();  // 2 + 2 layers of 4 heads, 50 tokens
    auto s = parseSessionFile(withField(R"("interventions": ["ablate:decoder.2.cross_attn.0"])"), kName);
    REQUIRE(s.ok());
    auto o = sessionOptions(*s, c, kName);
    REQUIRE_FALSE(o.ok());
    CHECK(o.message().rfind(kName + ": interventions: ", 0) == 0);
    CHECK(o.message().find("layer 2 is out of range") != std::string::npos);
    s = parseSessionFile(withField(R"("interventions": ["ablate:encoder.0.self_attn.4"])"), kName);
    REQUIRE(s.ok());
    o = sessionOptions(*s, c, kName);
    REQUIRE_FALSE(o.ok());
    CHECK(o.message().find("head 4 is out of range") != std::string::npos);
    s = parseSessionFile(withField(R"("decoding": {"strategy": "forced", "target_ids": [5, 50]})"), kName);
    REQUIRE(s.ok());
    o = sessionOptions(*s, c, kName);
    REQUIRE_FALSE(o.ok());
    CHECK(o.message().find("target id 50 is outside") != std::string::npos);
}

TEST_CASE("session file: the fuzz seeds parse or are refused as their names say", "[session-file]")
{
    namespace fs = std::filesystem;
    int files = 0;
    for (const auto& e : fs::directory_iterator(fs::path(SF_SOURCE_DIR) / "tests/fuzz/corpus/session")) {
        std::ifstream f(e.path());
        std::stringstream ss;
        ss << f.rdbuf();
        const std::string name = e.path().filename().string();
        auto s = parseSessionFile(ss.str(), name);
        bool usable = s.ok();
        if (usable) {
            Config c = smallConfig();
            c.encoderLayers = c.decoderLayers = 3;
            c.vocabSize = 1000;
            usable = sessionOptions(*s, c, name).ok();
        }
        INFO(name << ": " << s.message());
        CHECK(usable == (name.rfind("valid_", 0) == 0));
        ++files;
    }
    CHECK(files >= 10);
}
