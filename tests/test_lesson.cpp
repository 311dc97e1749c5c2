// Lesson files (core/run/lesson.h) and the predict-then-reveal answers (core/run/predict.h):
// a round trip, each malformed case refused with a message naming the file and the problem,
// the shipped lessons valid on their bundled models, and answers read off the real Trace.
#include "core/run/lesson.h"
#include "core/run/predict.h"

#include "core/io/files.h"
#include "core/model/trace_names.h"
#include "tests/models.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

using namespace sf;

namespace {

const std::string kLessons = std::string(SF_SOURCE_DIR) + "/resources/lessons";

std::string valid()
{
    return R"({"format": "stepformer-lesson", "version": 1,
      "title": {"en": "A title", "zh_CN": "标题"}, "model": "en-fr", "sentence": "the cat",
      "decoding": {"strategy": "beam", "width": 3, "length_penalty": 0.5},
      "slides": [
        {"step": 0, "note": "Start here."},
        {"step": "decoder.0.cross_attn.weights@1", "granularity": "coarse", "head": 2,
         "interventions": ["ablate:decoder.0.cross_attn.1", "no-scale"],
         "note": {"en": "Look.", "zh_CN": "看。"}, "question": "cross_attention"},
        {"step": "decoder.probabilities@0", "note": "Next.", "question": "quiz:heads"}]})";
}

// The valid lesson with one edit: `path` (a JSON pointer) set to `value`, or removed.
std::string edited(const std::string& pointer, const nlohmann::json* value)
{
    nlohmann::json j = nlohmann::json::parse(valid());
    const nlohmann::json::json_pointer p(pointer);
    if (value) j[p] = *value;
    else j[p.parent_pointer()].erase(p.back());
    return j.dump();
}

std::vector<std::string> quizIds()
{
    Result<std::string> text = io::readFile(std::string(SF_SOURCE_DIR) + "/resources/texts/en/quiz.json");
    REQUIRE(text.ok());
    std::vector<std::string> ids;
    const nlohmann::json quiz = nlohmann::json::parse(*text);
    for (const auto& [key, value] : quiz.items()) {
        (void)value;
        const std::string suffix = ".question";
        if (key.size() > suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0)
            ids.push_back(key.substr(5, key.size() - 5 - suffix.size()));
    }
    return ids;
}

}  // namespace

TEST_CASE("a lesson survives a write and read round trip", "[lesson]")
{
    Result<Lesson> l = parseLesson(valid(), "a.json");
    INFO(l.message());
    REQUIRE(l.ok());
    CHECK(l->title.in("zh_CN") == "标题");
    CHECK(l->title.in("fr") == "A title");  // falls back to English
    REQUIRE(l->slides.size() == 3);
    CHECK(l->slides[0].stepIndex == 0);
    CHECK(l->slides[1].stepId == "decoder.0.cross_attn.weights@1");
    CHECK(l->slides[1].coarse);
    CHECK(l->slides[1].head == 2);
    CHECK(l->slides[1].interventions == std::vector<std::string>{"ablate:decoder.0.cross_attn.1", "no-scale"});
    CHECK(l->slides[1].question.kind == QuestionKind::CrossAttention);
    CHECK(l->slides[2].question.quizId == "heads");
    REQUIRE(std::holds_alternative<Beam>(l->decoding));
    CHECK(std::get<Beam>(l->decoding).width == 3);

    const std::string written = lessonToJson(*l);
    Result<Lesson> again = parseLesson(written, "b.json");
    INFO(again.message());
    REQUIRE(again.ok());
    CHECK(lessonToJson(*again) == written);
    CHECK(again->title == l->title);
    for (size_t i = 0; i < l->slides.size(); ++i) {
        CHECK(again->slides[i].note == l->slides[i].note);
        CHECK(again->slides[i].question == l->slides[i].question);
        CHECK(again->slides[i].stepId == l->slides[i].stepId);
        CHECK(again->slides[i].stepIndex == l->slides[i].stepIndex);
    }
}

TEST_CASE("malformed lessons are refused with a message naming the file and the problem", "[lesson]")
{
    using nlohmann::json;
    const json two = 2, text = "x", number = 5, empty = json::array(), badSpec = json::array({"ablate:decoder.x.self_attn.0"});
    const json causal = json::array({"no-causal-mask"}), strategy = json{{"strategy", "nucleus"}}, fraction = 1.5;
    const json notArray = json::object(), zh = json{{"zh_CN", "只有中文"}}, badStep = "decoder.0.attention.weights@1";
    const json badQuestion = "which_word", badQuiz = "quiz:Heads!", list = json::array({1});
    const json longSentence = std::string(kMaxLessonSentence + 1, 'a');
    struct Case {
        std::string text, message;
    };
    const std::vector<Case> cases = {
        {"{not json", "lesson.json: not valid JSON"},
        {"[1, 2]", "lesson.json: a lesson is a JSON object, not an array"},
        {edited("/format", &text), "not a lesson file"},
        {edited("/version", &two), "version 2 is not supported"},
        {edited("/version", nullptr), "missing 'version'"},
        {edited("/title", nullptr), "missing 'title'"},
        {edited("/title", &zh), "'title' needs an \"en\" text"},
        {edited("/model", nullptr), "missing 'model'"},
        {edited("/sentence", &number), "'sentence' must be a string, not a number"},
        {edited("/sentence", nullptr), "missing 'sentence'"},
        {edited("/decoding", &strategy), "'decoding.strategy' is 'nucleus'"},
        {edited("/slides", nullptr), "missing 'slides'"},
        {edited("/slides", &notArray), "'slides' must be an array, not an object"},
        {edited("/slides", &empty), "'slides' is empty"},
        {edited("/slides/0/step", nullptr), "slide 1: missing 'step'"},
        {edited("/slides/0/step", &fraction), "slide 1: 'step' must be a step index"},
        {edited("/slides/1/step", &badStep), "slide 2: 'step' \"decoder.0.attention.weights@1\" is not a step id"},
        {edited("/slides/0/note", nullptr), "slide 1: missing 'note'"},
        {edited("/slides/0/note", &list), "slide 1: 'note' must be a string or an object"},
        {edited("/slides/1/interventions", &badSpec), "slide 2: 'interventions': 'ablate:decoder.x.self_attn.0': layer x"},
        {edited("/slides/1/interventions", &causal), "slide 2: 'interventions': no-causal-mask needs teacher forcing"},
        {edited("/slides/1/question", &badQuestion), "slide 2: 'question': unknown question 'which_word'"},
        {edited("/slides/1/question", &badQuiz), "slide 2: 'question': 'quiz:Heads!': a quiz id"},
        {edited("/slides/1/colour", &text), "slide 2: unknown key 'colour'"},
        {edited("/extra", &text), "unknown key 'extra'"},
        {R"({"format": "stepformer-lesson", "version": 1, "format": "x"})", "duplicate key 'format'"},
        {std::string(kMaxLessonBytes + 1, ' '), "larger than 1048576 bytes"},
        {edited("/sentence", &longSentence), "'sentence' is longer than 1000 bytes"},
    };
    for (const Case& c : cases) {
        Result<Lesson> l = parseLesson(c.text, "lesson.json");
        INFO(c.message);
        REQUIRE_FALSE(l.ok());
        INFO(l.message());
        CHECK(l.message().rfind("lesson.json: ", 0) == 0);
        CHECK(l.message().find(c.message) != std::string::npos);
    }
    // Too many slides.
    json many = json::parse(valid());
    many["slides"] = json::array();
    for (size_t i = 0; i <= kMaxLessonSlides; ++i) many["slides"].push_back({{"step", 0}, {"note", "n"}});
    Result<Lesson> l = parseLesson(many.dump(), "lesson.json");
    REQUIRE_FALSE(l.ok());
    CHECK(l.message().find("'slides' has 501 slides (at most 500)") != std::string::npos);
    // A file that is not there names itself.
    Result<Lesson> missing = readLesson("/nonexistent/lesson.json");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.message().find("/nonexistent/lesson.json") != std::string::npos);
}

TEST_CASE("lessons are checked against the model and the walk", "[lesson]")
{
    const Config c = test::smallConfig();  // 2 + 2 layers, 4 heads
    Result<Lesson> l = parseLesson(valid(), "a.json");
    REQUIRE(l.ok());
    CHECK(checkLesson(*l, c, "a.json").ok());

    Lesson badHead = *l;
    badHead.slides[1].head = 4;
    Status st = checkLesson(badHead, c, "a.json");
    REQUIRE_FALSE(st.ok());
    CHECK(st.message() == "a.json: slide 2: 'head' 4 is out of range (4 heads, 0-based)");

    Lesson badSpec = *l;
    badSpec.slides[1].interventions = {"ablate:decoder.5.cross_attn.0"};
    st = checkLesson(badSpec, c, "a.json");
    REQUIRE_FALSE(st.ok());
    CHECK(st.message().find("a.json: slide 2: 'interventions': 'ablate:decoder.5.cross_attn.0': layer 5 is out of range") == 0);

    Lesson badLayer = *l;
    badLayer.slides[1].stepId = "decoder.7.cross_attn.weights@1";
    st = checkLesson(badLayer, c, "a.json");
    REQUIRE_FALSE(st.ok());
    CHECK(st.message().find("unknown step 'decoder.7.cross_attn.weights@1'") != std::string::npos);

    Status quiz = checkQuizQuestions(*l, {"bleu"}, "a.json");
    REQUIRE_FALSE(quiz.ok());
    CHECK(quiz.message() == "a.json: slide 3: unknown quiz question 'heads'");
    CHECK(checkQuizQuestions(*l, quizIds(), "a.json").ok());

    const std::vector<Step> steps = buildSteps(c, 3);
    Result<int> at = resolveSlideStep(l->slides[1], 1, steps, "a.json");
    INFO(at.message());
    REQUIRE(at.ok());
    CHECK(stepId(steps[size_t(*at)]) == "decoder.0.cross_attn.weights@1");
    CHECK(steps[size_t(*at)].stage == Stage::Weights);
    CHECK(steps[size_t(*at)].t == 1);

    LessonSlide late = l->slides[1];
    late.stepId = "decoder.0.cross_attn.weights@3";
    Result<int> none = resolveSlideStep(late, 1, steps, "a.json");
    REQUIRE_FALSE(none.ok());
    CHECK(none.message() ==
          "a.json: slide 2: unknown step 'decoder.0.cross_attn.weights@3' (this translation has 3 decoding steps, @0 to @2)");
    LessonSlide past = l->slides[0];
    past.stepIndex = int(steps.size());
    CHECK_FALSE(resolveSlideStep(past, 0, steps, "a.json").ok());
    LessonSlide misplaced = l->slides[1];
    misplaced.stepId = "encoder.0.self_attn.weights";
    Result<int> wrong = resolveSlideStep(misplaced, 1, steps, "a.json");
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.message() == "a.json: slide 2: the question 'cross_attention' cannot be asked at step 'encoder.0.self_attn.weights'");
}

TEST_CASE("every step has a unique id that finds it again", "[lesson]")
{
    const Config c = test::smallConfig();
    const std::vector<Step> steps = buildSteps(c, 4);
    std::set<std::string> ids;
    for (const Step& s : steps) {
        const std::string id = stepId(s);
        INFO(id);
        CHECK(isStepIdSyntax(id));
        CHECK(ids.insert(id).second);
    }
    CHECK(ids.size() == steps.size());
    CHECK(ids.count("encoder.source_tokens"));
    CHECK(ids.count("encoder.1.ffn.add_norm"));
    CHECK(ids.count("decoder.1.self_attn.mask@3"));
    CHECK(ids.count("decoder.choose_token@0"));
    for (const char* bad : {"", "decoder", "decoder.0.mask@1", "decoder.0.self_attn.mask@", "decoder.0.self_attn.mask@-1",
                            "middle.0.self_attn.mask", "decoder.a.self_attn.mask", "decoder.0.self_attn.masks"})
        CHECK_FALSE(isStepIdSyntax(bad));
}

TEST_CASE("predict answers are read off the real trace", "[lesson][predict]")
{
    const Config c = test::smallConfig();
    auto model = test::makeModel(c, 7);
    Session session(model);
    REQUIRE(session.setSourceIds({5, 9, 7, 3, c.eosId}).ok());
    DecodeOptions o;
    o.maxLength = 5;
    Result<Translation> t = session.translate(o);
    REQUIRE(t.ok());
    const int T = int(t->outputIds.size());
    REQUIRE(T >= 3);

    // Cross-attention: the argmax of the recorded row, checked against the tensor itself.
    const Tensor w = t->trace->get(trace_names::attention(Stack::Decoder, 1, AttentionKind::Cross, "weights"));
    Result<CrossAttentionAnswer> cross = crossAttentionAnswer(*t, 1, 2, 2);
    REQUIRE(cross.ok());
    REQUIRE(cross->weights.size() == 5);
    for (int j = 0; j < 5; ++j) CHECK(cross->weights[size_t(j)] == w.at(2, 2, j));
    for (int j = 0; j < 5; ++j) CHECK(w.at(2, 2, cross->argmax) >= w.at(2, 2, j));
    const std::vector<std::string> pieces = {"a", "b", "c", "d", "</s>"};
    Grade right = gradeCrossAttention(*cross, cross->argmax, 2, pieces);
    CHECK(right.right);
    CHECK(right.explanation.key == "predict.cross.right");
    const int other = (cross->argmax + 1) % 5;
    Grade wrong = gradeCrossAttention(*cross, other, other, pieces);
    CHECK_FALSE(wrong.right);
    CHECK(wrong.misconception == "same_position");
    CHECK(wrong.explanation.find("guess_weight")->value == Approx(w.at(2, 2, other)).margin(1e-6));
    CHECK_FALSE(crossAttentionAnswer(*t, 1, 4, 0).ok());  // head out of range

    // Mask at step 2: the 3 cells above the diagonal, whose recorded weights are exactly 0.
    Result<MaskAnswer> mask = maskAnswer(c, *t, 0, 2);
    INFO(mask.message());
    REQUIRE(mask.ok());
    CHECK(mask->n == 3);
    CHECK(std::count(mask->hidden.begin(), mask->hidden.end(), 1) == 3);
    CHECK(gradeMask(*mask, mask->hidden).right);
    std::vector<char> diagonal = mask->hidden;
    diagonal[0] = 1;
    CHECK(gradeMask(*mask, diagonal).misconception == "hides_itself");
    std::vector<char> past = mask->hidden;
    past[3] = 1;  // (1, 0): the past
    CHECK(gradeMask(*mask, past).misconception == "hides_past");
    std::vector<char> onlyNext(9, 0);
    onlyNext[1] = onlyNext[5] = 1;  // (0, 1) and (1, 2), not (0, 2)
    Grade missed = gradeMask(*mask, onlyNext);
    CHECK(missed.misconception == "only_next");
    CHECK(missed.explanation.find("missed")->value == 1);

    // Next token: the id the decoding chose, and the top-k of decoder.probs.
    const Tensor p = t->trace->get(trace_names::probs());
    Result<NextTokenAnswer> next = nextTokenAnswer(*t, 1, 5);
    REQUIRE(next.ok());
    CHECK(next->chosen == t->outputIds[1]);
    CHECK(next->ids.size() == 5);
    for (size_t i = 0; i < next->ids.size(); ++i) CHECK(next->probs[i] == p.at(1, next->ids[i]));
    CHECK(next->top == next->ids[0]);
    CHECK(next->chosen == next->top);  // greedy
    CHECK(gradeNextToken(*next, next->chosen, "x", "x", "greedy").right);
    Grade nextWrong = gradeNextToken(*next, next->ids[1], "y", "x", "greedy");
    CHECK_FALSE(nextWrong.right);
    CHECK(nextWrong.misconception == "word_by_word");

    // Ablation: a second real translation, compared with one run here.
    const HeadRef head{Stack::Decoder, 0, AttentionKind::Cross, 1};
    Result<AblationAnswer> ab = ablationAnswer(model, *t, o, head);
    REQUIRE(ab.ok());
    DecodeOptions off = o;
    REQUIRE(addIntervention(off.interventions, "ablate:decoder.0.cross_attn.1", c).ok());
    Session again(model);
    REQUIRE(again.setSourceIds({5, 9, 7, 3, c.eosId}).ok());
    Result<Translation> ablated = again.translate(off);
    REQUIRE(ablated.ok());
    CHECK(ab->after == ablated->outputIds);
    CHECK(ab->before == t->outputIds);
    CHECK(ab->changes == (ablated->outputIds != t->outputIds));
    CHECK(gradeAblation(*ab, ab->changes, head).right);
    CHECK(gradeAblation(*ab, !ab->changes, head).misconception == (ab->changes ? "heads_do_nothing" : "every_head_essential"));
}

TEST_CASE("the shipped lessons are valid on their bundled models", "[lesson]")
{
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(kLessons))
        if (e.path().extension() == ".json") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 2);
    std::set<std::string> titles;
    for (const std::string& file : files) {
        INFO(file);
        Result<Lesson> l = readLesson(file);
        INFO(l.message());
        REQUIRE(l.ok());
        titles.insert(l->title.in("en"));
        CHECK(l->title.byLanguage.count("zh_CN"));
        const std::string dir = std::string(SF_SOURCE_DIR) + "/resources/models/" + l->model;
        auto model = Model::load(dir);
        INFO(model.message());
        REQUIRE(model.ok());
        const Config& c = (*model)->config();
        Status st = checkLesson(*l, c, file);
        INFO(st.message());
        REQUIRE(st.ok());
        CHECK(checkQuizQuestions(*l, quizIds(), file).ok());
        int questions = 0;
        for (size_t i = 0; i < l->slides.size(); ++i) {
            const LessonSlide& slide = l->slides[i];
            CHECK(slide.note.byLanguage.count("zh_CN"));
            Result<DecodeOptions> o = slideOptions(*l, i, c);
            REQUIRE(o.ok());
            Session session(*model);
            REQUIRE(session.setSourceText(l->sentence).ok());
            Result<Translation> t = session.translate(*o);
            REQUIRE(t.ok());
            const std::vector<Step> steps = buildSteps(c, int(t->outputIds.size()));
            Result<int> at = resolveSlideStep(slide, i, steps, file);
            INFO(at.message());
            REQUIRE(at.ok());
            const Step& s = steps[size_t(*at)];
            const int head = slide.head >= 0 ? slide.head : 0;
            switch (slide.question.kind) {
            case QuestionKind::CrossAttention: CHECK(crossAttentionAnswer(*t, s.layer, head, s.t).ok()); break;
            case QuestionKind::Mask: CHECK(maskAnswer(c, *t, s.layer, s.t).ok()); break;
            case QuestionKind::NextToken: CHECK(nextTokenAnswer(*t, s.t).ok()); break;
            default: break;
            }
            questions += slide.question.kind != QuestionKind::None;
        }
        CHECK(questions >= 2);
    }
    CHECK(titles.count("Attention in one sentence"));
    CHECK(titles.count("Why the decoder is masked"));
}
