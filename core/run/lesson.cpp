#include "core/run/lesson.h"

#include "core/io/files.h"
#include "core/io/json.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace sf {

using nlohmann::json;

namespace {

const char* const kStages[] = {"source_tokens", "embedding",   "positions",     "projections", "heads",
                               "scores",        "mask",        "weights",       "context",     "attention_output",
                               "all_heads",     "add_norm",    "ffn_hidden",    "ffn_output",  "encoder_output",
                               "decoder_input", "logits",      "probabilities", "choose_token"};

const char* sublayerName(Sublayer s)
{
    switch (s) {
    case Sublayer::SelfAttention: return "self_attn";
    case Sublayer::CrossAttention: return "cross_attn";
    case Sublayer::FeedForward: return "ffn";
    case Sublayer::None: break;
    }
    return "";
}

bool isDigits(const std::string& s, size_t maxLen = 6)
{
    return !s.empty() && s.size() <= maxLen && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A text field: a string (English) or {"en": ..., "zh_CN": ...} with "en" required.
std::string readText(const json& j, const std::string& where, LessonText* out)
{
    auto checkString = [&](const json& v, const std::string& w) -> std::string {
        if (!v.is_string()) return w + " must be a string";
        if (v.get_ref<const std::string&>().size() > kMaxLessonText)
            return w + " is longer than " + std::to_string(kMaxLessonText) + " bytes";
        return "";
    };
    out->byLanguage.clear();
    if (j.is_string()) {
        if (std::string e = checkString(j, where); !e.empty()) return e;
        out->byLanguage["en"] = j.get<std::string>();
        return "";
    }
    if (!j.is_object()) return where + " must be a string or an object of languages ({\"en\": ..., \"zh_CN\": ...})";
    if (j.size() > 8) return where + " has more than 8 languages";
    for (const auto& [language, value] : j.items()) {
        if (language != "en" && language != "zh_CN")
            return where + ": unknown language '" + language.substr(0, 20) + "' (en or zh_CN)";
        if (std::string e = checkString(value, where + "." + language); !e.empty()) return e;
        out->byLanguage[language] = value.get<std::string>();
    }
    if (!out->byLanguage.count("en")) return where + " needs an \"en\" text";
    return "";
}

json textToJson(const LessonText& t)
{
    if (t.byLanguage.size() == 1 && t.byLanguage.count("en")) return t.byLanguage.at("en");
    json j = json::object();
    for (const auto& [language, text] : t.byLanguage) j[language] = text;
    return j;
}

std::string typeName(const json& j)
{
    if (j.is_string()) return "a string";
    if (j.is_boolean()) return "a boolean";
    if (j.is_number()) return "a number";
    if (j.is_array()) return "an array";
    if (j.is_object()) return "an object";
    return "null";
}

// A non-negative integer that fits an int (1 and 1.0 both count; 1.5 does not).
bool readIndex(const json& j, int maxValue, int* out)
{
    if (j.is_number_unsigned() || j.is_number_integer()) {
        const long long v = j.get<long long>();
        if (v < 0 || v > maxValue) return false;
        *out = int(v);
        return true;
    }
    if (j.is_number_float()) {
        const double v = j.get<double>();
        if (!(v >= 0 && v <= maxValue) || std::floor(v) != v) return false;
        *out = int(v);
        return true;
    }
    return false;
}

std::string readDecoding(const json& j, Strategy* out)
{
    if (!j.is_object()) return "'decoding' must be an object, e.g. {\"strategy\": \"greedy\"}, not " + typeName(j);
    for (const auto& [key, value] : j.items()) {
        (void)value;
        static const char* known[] = {"strategy", "width", "length_penalty", "temperature", "top_k", "top_p", "seed"};
        if (std::find(std::begin(known), std::end(known), key) == std::end(known))
            return "'decoding': unknown key '" + key.substr(0, 40) + "'";
    }
    if (!j.contains("strategy") || !j["strategy"].is_string()) return "'decoding' needs a \"strategy\" string";
    const std::string s = j["strategy"];
    auto number = [&](const char* key, double lo, double hi, double fallback, double* v) -> std::string {
        *v = fallback;
        if (!j.contains(key)) return "";
        if (!j[key].is_number()) return std::string("'decoding.") + key + "' must be a number";
        *v = j[key].get<double>();
        if (!(*v >= lo && *v <= hi))
            return std::string("'decoding.") + key + "' is out of range (" + std::to_string(lo) + " to " + std::to_string(hi) + ")";
        return "";
    };
    auto onlyKeys = [&](std::initializer_list<const char*> allowed) -> std::string {
        for (const auto& item : j.items()) {
            const std::string key = item.key();  // C++17: a lambda cannot capture a structured binding
            if (key != "strategy" && std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; }))
                return "'decoding': '" + key + "' does not apply to " + s;
        }
        return "";
    };
    if (s == "greedy") {
        if (std::string e = onlyKeys({}); !e.empty()) return e;
        *out = Greedy{};
        return "";
    }
    if (s == "beam") {
        if (std::string e = onlyKeys({"width", "length_penalty"}); !e.empty()) return e;
        Beam b;
        double width = 0;
        if (std::string e = number("width", 1, 16, 4, &width); !e.empty()) return e;
        if (std::floor(width) != width) return "'decoding.width' must be a whole number";
        b.width = int(width);
        if (std::string e = number("length_penalty", -10, 10, 1.0, &b.lengthPenalty); !e.empty()) return e;
        *out = b;
        return "";
    }
    if (s == "sample") {
        if (std::string e = onlyKeys({"temperature", "top_k", "top_p", "seed"}); !e.empty()) return e;
        Sampling p;
        double topK = 0, seed = 0;
        if (std::string e = number("temperature", 1e-3, 100, 1.0, &p.temperature); !e.empty()) return e;
        if (std::string e = number("top_k", 0, 1e6, 0, &topK); !e.empty()) return e;
        if (std::string e = number("top_p", 1e-6, 1, 1.0, &p.topP); !e.empty()) return e;
        if (std::string e = number("seed", 0, 9007199254740992.0, 0, &seed); !e.empty()) return e;
        if (std::floor(topK) != topK || std::floor(seed) != seed) return "'decoding': top_k and seed must be whole numbers";
        p.topK = int(topK);
        p.seed = uint64_t(seed);
        *out = p;
        return "";
    }
    return "'decoding.strategy' is '" + s.substr(0, 40) + "', not greedy, beam or sample";
}

json decodingToJson(const Strategy& s)
{
    if (const Beam* b = std::get_if<Beam>(&s)) return {{"strategy", "beam"}, {"width", b->width}, {"length_penalty", b->lengthPenalty}};
    if (const Sampling* p = std::get_if<Sampling>(&s))
        return {{"strategy", "sample"}, {"temperature", p->temperature}, {"top_k", p->topK}, {"top_p", p->topP}, {"seed", p->seed}};
    return {{"strategy", "greedy"}};
}

std::string readSlide(const json& j, LessonSlide* out)
{
    if (!j.is_object()) return "must be an object, not " + typeName(j);
    for (const auto& [key, value] : j.items()) {
        (void)value;
        static const char* known[] = {"step", "granularity", "interventions", "head", "note", "question"};
        if (std::find(std::begin(known), std::end(known), key) == std::end(known))
            return "unknown key '" + key.substr(0, 40) + "'";
    }
    if (!j.contains("step")) return "missing 'step' (a fine step index or a step id such as \"decoder.0.cross_attn.weights@1\")";
    const json& step = j["step"];
    if (step.is_string()) {
        out->stepId = step.get<std::string>();
        if (!isStepIdSyntax(out->stepId))
            return "'step' \"" + out->stepId.substr(0, 80) + "\" is not a step id (STACK[.L.SUB].STAGE[@T], e.g. "
                   "\"decoder.0.cross_attn.weights@1\")";
    } else if (!readIndex(step, 1 << 24, &out->stepIndex)) {
        return "'step' must be a step index (0 or more) or a step id string, not " + typeName(step);
    }
    if (j.contains("granularity")) {
        const json& g = j["granularity"];
        if (!g.is_string() || (g != "fine" && g != "coarse")) return "'granularity' must be \"fine\" or \"coarse\"";
        out->coarse = g == "coarse";
    }
    if (j.contains("interventions")) {
        const json& iv = j["interventions"];
        if (!iv.is_array()) return "'interventions' must be an array of strings, not " + typeName(iv);
        if (iv.size() > kMaxSlideInterventions)
            return "'interventions' has " + std::to_string(iv.size()) + " entries (at most " +
                   std::to_string(kMaxSlideInterventions) + ")";
        for (const json& spec : iv) {
            if (!spec.is_string()) return "'interventions' must hold strings, not " + typeName(spec);
            const std::string s = spec;
            if (s.size() > 100) return "'interventions': a spec is longer than 100 characters";
            // The syntax is checked here, the ranges against the model in checkLesson.
            Interventions scratch;
            Config wide;
            wide.encoderLayers = wide.decoderLayers = 1 << 20;
            wide.encoderHeads = wide.decoderHeads = 1 << 20;
            if (Status st = addIntervention(scratch, s, wide); !st) return "'interventions': " + st.message();
            if (s == "no-causal-mask")
                return "'interventions': no-causal-mask needs teacher forcing, and lessons decode token by token";
            out->interventions.push_back(s);
        }
    }
    if (j.contains("head") && !readIndex(j["head"], 4096, &out->head))
        return "'head' must be a head index (0-based), not " + typeName(j["head"]);
    if (!j.contains("note")) return "missing 'note' (the teacher's note)";
    if (std::string e = readText(j["note"], "'note'", &out->note); !e.empty()) return e;
    if (j.contains("question")) {
        const json& q = j["question"];
        if (!q.is_string()) return "'question' must be a string, not " + typeName(q);
        Result<Question> parsed = parseQuestion(q.get<std::string>().substr(0, 200));
        if (!parsed) return "'question': " + parsed.message();
        out->question = *parsed;
    }
    return "";
}

}  // namespace

const std::string& LessonText::in(const std::string& language) const
{
    static const std::string empty;
    if (auto it = byLanguage.find(language); it != byLanguage.end()) return it->second;
    if (auto it = byLanguage.find("en"); it != byLanguage.end()) return it->second;
    return empty;
}

Result<Lesson> parseLesson(const std::string& text, const std::string& name)
{
    auto fail = [&](const std::string& m) { return error(name + ": " + m); };
    if (text.size() > kMaxLessonBytes) return fail("larger than " + std::to_string(kMaxLessonBytes) + " bytes");
    json j;
    if (std::string e = io::parseJsonStrict(text, &j); !e.empty()) return fail(e);
    if (!j.is_object()) return fail("a lesson is a JSON object, not " + typeName(j));
    if (!j.contains("format") || j["format"] != "stepformer-lesson")
        return fail("not a lesson file (\"format\" must be \"stepformer-lesson\")");
    if (!j.contains("version") || !j["version"].is_number_integer())
        return fail("missing 'version' (an integer; this is version " + std::to_string(kLessonVersion) + ")");
    if (j["version"] != kLessonVersion)
        return fail("version " + j["version"].dump() + " is not supported (this program reads version " +
                    std::to_string(kLessonVersion) + ")");
    for (const auto& [key, value] : j.items()) {
        (void)value;
        static const char* known[] = {"format", "version", "title", "model", "sentence", "decoding", "slides"};
        if (std::find(std::begin(known), std::end(known), key) == std::end(known))
            return fail("unknown key '" + key.substr(0, 40) + "'");
    }
    Lesson l;
    if (!j.contains("title")) return fail("missing 'title'");
    if (std::string e = readText(j["title"], "'title'", &l.title); !e.empty()) return fail(e);
    for (const char* key : {"model", "sentence"}) {
        if (!j.contains(key)) return fail(std::string("missing '") + key + "'");
        if (!j[key].is_string()) return fail(std::string("'") + key + "' must be a string, not " + typeName(j[key]));
    }
    l.model = j["model"];
    l.sentence = j["sentence"];
    if (l.model.empty() || l.model.size() > 4096) return fail("'model' must name a bundled model or a directory");
    if (l.sentence.size() > kMaxLessonSentence)
        return fail("'sentence' is longer than " + std::to_string(kMaxLessonSentence) + " bytes");
    if (l.sentence.find_first_not_of(" \t\r\n") == std::string::npos) return fail("'sentence' is empty");
    if (j.contains("decoding"))
        if (std::string e = readDecoding(j["decoding"], &l.decoding); !e.empty()) return fail(e);
    if (!j.contains("slides")) return fail("missing 'slides'");
    const json& slides = j["slides"];
    if (!slides.is_array()) return fail("'slides' must be an array, not " + typeName(slides));
    if (slides.empty()) return fail("'slides' is empty");
    if (slides.size() > kMaxLessonSlides)
        return fail("'slides' has " + std::to_string(slides.size()) + " slides (at most " + std::to_string(kMaxLessonSlides) + ")");
    for (size_t i = 0; i < slides.size(); ++i) {
        LessonSlide s;
        if (std::string e = readSlide(slides[i], &s); !e.empty()) return fail("slide " + std::to_string(i + 1) + ": " + e);
        l.slides.push_back(std::move(s));
    }
    return l;
}

Result<Lesson> readLesson(const std::string& path)
{
    Result<std::string> text = io::readFile(path, kMaxLessonBytes);
    if (!text) return text.error();
    return parseLesson(*text, path);
}

std::string lessonToJson(const Lesson& l)
{
    json j = {{"format", "stepformer-lesson"}, {"version", kLessonVersion}};
    j["title"] = textToJson(l.title);
    j["model"] = l.model;
    j["sentence"] = l.sentence;
    j["decoding"] = decodingToJson(l.decoding);
    json slides = json::array();
    for (const LessonSlide& s : l.slides) {
        json o;
        if (s.stepIndex >= 0) o["step"] = s.stepIndex;
        else o["step"] = s.stepId;
        o["granularity"] = s.coarse ? "coarse" : "fine";
        o["interventions"] = s.interventions;
        if (s.head >= 0) o["head"] = s.head;
        o["note"] = textToJson(s.note);
        if (s.question.kind != QuestionKind::None) o["question"] = questionName(s.question);
        slides.push_back(o);
    }
    j["slides"] = slides;
    return j.dump(2) + "\n";
}

Status checkLesson(const Lesson& l, const Config& c, const std::string& name)
{
    for (size_t i = 0; i < l.slides.size(); ++i) {
        const LessonSlide& s = l.slides[i];
        const std::string where = name + ": slide " + std::to_string(i + 1) + ": ";
        Interventions iv;
        for (const std::string& spec : s.interventions)
            if (Status st = addIntervention(iv, spec, c); !st) return error(where + "'interventions': " + st.message());
        if (s.head >= 0) {
            const bool encoder = s.stepId.rfind("encoder.", 0) == 0;
            const int heads = encoder ? c.encoderHeads : c.decoderHeads;
            if (s.head >= heads)
                return error(where + "'head' " + std::to_string(s.head) + " is out of range (" + std::to_string(heads) +
                             " heads, 0-based)");
        }
        if (!s.stepId.empty()) {
            // The layer of a step id must exist in this model.
            const bool encoder = s.stepId.rfind("encoder.", 0) == 0;
            const size_t dot = s.stepId.find('.');
            const size_t dot2 = s.stepId.find('.', dot + 1);
            const std::string layer = dot2 == std::string::npos ? "" : s.stepId.substr(dot + 1, dot2 - dot - 1);
            if (isDigits(layer) && std::stoi(layer) >= (encoder ? c.encoderLayers : c.decoderLayers))
                return error(where + "unknown step '" + s.stepId + "': the " + (encoder ? "encoder" : "decoder") + " has " +
                             std::to_string(encoder ? c.encoderLayers : c.decoderLayers) + " layers (0-based)");
        }
    }
    return {};
}

Status checkQuizQuestions(const Lesson& l, const std::vector<std::string>& knownIds, const std::string& name)
{
    for (size_t i = 0; i < l.slides.size(); ++i) {
        const Question& q = l.slides[i].question;
        if (q.kind == QuestionKind::Quiz && std::find(knownIds.begin(), knownIds.end(), q.quizId) == knownIds.end())
            return error(name + ": slide " + std::to_string(i + 1) + ": unknown quiz question '" + q.quizId + "'");
    }
    return {};
}

Result<DecodeOptions> slideOptions(const Lesson& l, size_t slide, const Config& c)
{
    DecodeOptions o;
    o.strategy = l.decoding;
    if (slide >= l.slides.size()) return error("slide " + std::to_string(slide + 1) + " does not exist");
    for (const std::string& spec : l.slides[slide].interventions)
        if (Status st = addIntervention(o.interventions, spec, c); !st) return st.error();
    return o;
}

std::string stepId(const Step& s)
{
    std::string id = s.decoder ? "decoder" : "encoder";
    if (s.layer >= 0) {
        // An Add & Norm step belongs to the sublayer it closes; the walk names the sublayer.
        id += "." + std::to_string(s.layer) + "." + sublayerName(s.sublayer);
    }
    id += std::string(".") + kStages[int(s.stage)];
    if (s.t >= 0) id += "@" + std::to_string(s.t);
    return id;
}

bool isStepIdSyntax(const std::string& id)
{
    if (id.size() > 100) return false;
    std::string body = id;
    if (const size_t at = id.find('@'); at != std::string::npos) {
        if (!isDigits(id.substr(at + 1))) return false;
        body = id.substr(0, at);
    }
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t dot; (dot = body.find('.', start)) != std::string::npos; start = dot + 1) parts.push_back(body.substr(start, dot - start));
    parts.push_back(body.substr(start));
    if (parts.size() != 2 && parts.size() != 4) return false;
    if (parts[0] != "encoder" && parts[0] != "decoder") return false;
    if (std::find(std::begin(kStages), std::end(kStages), parts.back()) == std::end(kStages)) return false;
    if (parts.size() == 4) {
        if (!isDigits(parts[1])) return false;
        if (parts[2] != "self_attn" && parts[2] != "cross_attn" && parts[2] != "ffn") return false;
    }
    return true;
}

Result<int> resolveSlideStep(const LessonSlide& slide, size_t index, const std::vector<Step>& steps, const std::string& name)
{
    const std::string where = name + ": slide " + std::to_string(index + 1) + ": ";
    int found = -1;
    if (slide.stepIndex >= 0) {
        if (slide.stepIndex >= int(steps.size()))
            return error(where + "unknown step " + std::to_string(slide.stepIndex) + " (this translation has " +
                         std::to_string(steps.size()) + " steps, 0 to " + std::to_string(int(steps.size()) - 1) + ")");
        found = slide.stepIndex;
    } else {
        for (int i = 0; i < int(steps.size()) && found < 0; ++i)
            if (stepId(steps[size_t(i)]) == slide.stepId) found = i;
        if (found < 0) {
            int decodingSteps = 0;
            for (const Step& s : steps) decodingSteps = std::max(decodingSteps, s.t + 1);
            return error(where + "unknown step '" + slide.stepId + "' (this translation has " + std::to_string(decodingSteps) +
                         " decoding steps, @0 to @" + std::to_string(decodingSteps - 1) + ")");
        }
    }
    const Step& s = steps[size_t(found)];
    if (!questionFits(slide.question.kind, s))
        return error(where + "the question '" + questionName(slide.question) + "' cannot be asked at step '" + stepId(s) + "'");
    return found;
}

}  // namespace sf
