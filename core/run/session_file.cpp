#include "core/run/session_file.h"

#include "core/io/json.h"
#include "core/model/interventions.h"
#include "core/quote.h"

#include <nlohmann/json.hpp>

#include <climits>
#include <cmath>
#include <set>

namespace sf {

using json = nlohmann::json;

namespace {

constexpr SessionView kViews[] = {SessionView::Decoding,    SessionView::Comparison,   SessionView::LabDecoding,
                                  SessionView::LabForcing,  SessionView::LabPositions, SessionView::LabScaling,
                                  SessionView::LabAtlas};
constexpr size_t kMaxSentenceBytes = 1 << 16;
constexpr size_t kMaxModelBytes = 4096;
constexpr size_t kMaxInterventions = 4096;
constexpr size_t kMaxForcedIds = 1 << 16;
constexpr int kMaxStep = 1 << 24;

// A config as large as any: spec syntax is checked without a model.
Config anyModel()
{
    Config c;
    c.encoderLayers = c.decoderLayers = INT_MAX;
    c.encoderHeads = c.decoderHeads = INT_MAX;
    return c;
}

struct Reader {
    const json& object;
    std::string where;  // "file.json: decoding"
    std::string problem;

    bool fail(const std::string& why)
    {
        if (problem.empty()) problem = where + ": " + why;
        return false;
    }
    // Keys outside `known` are refused: a misspelt key must not be silently ignored.
    bool onlyKeys(std::initializer_list<const char*> known)
    {
        for (auto it = object.begin(); it != object.end(); ++it) {
            bool ok = false;
            for (const char* k : known) ok = ok || it.key() == k;
            if (!ok) return fail("unknown key " + quoteText(it.key()));
        }
        return true;
    }
    const json* find(const char* key) const
    {
        const auto it = object.find(key);
        return it == object.end() ? nullptr : &*it;
    }
    bool string(const char* key, std::string* out, size_t maxBytes, bool required)
    {
        const json* v = find(key);
        if (!v) return required ? fail(std::string("the key \"") + key + "\" is missing") : true;
        if (!v->is_string()) return fail(std::string("\"") + key + "\" must be a string");
        const std::string& s = v->get_ref<const std::string&>();
        if (s.size() > maxBytes) return fail(std::string("\"") + key + "\" is longer than " + std::to_string(maxBytes) + " bytes");
        *out = s;
        return true;
    }
    bool integer(const char* key, int64_t lo, int64_t hi, int64_t* out, bool required)
    {
        const json* v = find(key);
        if (!v) return required ? fail(std::string("the key \"") + key + "\" is missing") : true;
        if (!v->is_number_integer())
            return fail(std::string("\"") + key + "\" must be an integer");
        // nlohmann keeps a non-negative literal as unsigned: compare it as one.
        const bool inRange = v->is_number_unsigned()
                                 ? v->get<uint64_t>() <= uint64_t(hi) && int64_t(v->get<uint64_t>()) >= lo
                                 : v->get<int64_t>() >= lo && v->get<int64_t>() <= hi;
        if (!inRange)
            return fail(std::string("\"") + key + "\" must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
        *out = v->is_number_unsigned() ? int64_t(v->get<uint64_t>()) : v->get<int64_t>();
        return true;
    }
    bool number(const char* key, double* out)
    {
        const json* v = find(key);
        if (!v) return true;
        if (!v->is_number()) return fail(std::string("\"") + key + "\" must be a number");
        const double d = v->get<double>();
        if (!std::isfinite(d)) return fail(std::string("\"") + key + "\" must be finite");
        *out = d;
        return true;
    }
    bool boolean(const char* key, bool* out)
    {
        const json* v = find(key);
        if (!v) return true;
        if (!v->is_boolean()) return fail(std::string("\"") + key + "\" must be true or false");
        *out = v->get<bool>();
        return true;
    }
};

bool readDecoding(const json& j, const std::string& name, Strategy* out, std::string* problem)
{
    Reader r{j, name + ": decoding", {}};
    if (!j.is_object()) return *problem = r.where + ": must be an object such as {\"strategy\": \"greedy\"}", false;
    std::string strategy;
    if (!r.string("strategy", &strategy, 16, true)) return *problem = r.problem, false;
    if (strategy == "greedy") {
        if (!r.onlyKeys({"strategy"})) return *problem = r.problem, false;
        *out = Greedy{};
    } else if (strategy == "beam") {
        Beam b;
        int64_t width = b.width;
        if (!r.onlyKeys({"strategy", "width", "length_penalty"}) || !r.integer("width", 1, kMaxBeamWidth, &width, true) ||
            !r.number("length_penalty", &b.lengthPenalty))
            return *problem = r.problem, false;
        b.width = int(width);
        *out = b;
    } else if (strategy == "sample") {
        Sampling s;
        int64_t topK = 0;
        const json* seed = r.find("seed");
        if (!r.onlyKeys({"strategy", "temperature", "top_k", "top_p", "seed"}) ||
            !r.number("temperature", &s.temperature) || !r.number("top_p", &s.topP) ||
            !r.integer("top_k", 0, 1 << 30, &topK, false))
            return *problem = r.problem, false;
        if (!seed) return *problem = r.where + ": the key \"seed\" is missing (a sampled session needs it to repeat)", false;
        if (!seed->is_number_unsigned() && !(seed->is_number_integer() && seed->get<int64_t>() >= 0))
            return *problem = r.where + ": \"seed\" must be a non-negative integer", false;
        s.seed = seed->get<uint64_t>();
        s.topK = int(topK);
        if (!(s.temperature > 0.0)) return *problem = r.where + ": \"temperature\" must be above 0", false;
        if (!(s.topP > 0.0 && s.topP <= 1.0)) return *problem = r.where + ": \"top_p\" must be in (0, 1]", false;
        *out = s;
    } else if (strategy == "forced") {
        if (!r.onlyKeys({"strategy", "target_ids"})) return *problem = r.problem, false;
        const json* ids = r.find("target_ids");
        if (!ids || !ids->is_array() || ids->empty() || ids->size() > kMaxForcedIds)
            return *problem = r.where + ": \"target_ids\" must be a non-empty array of token ids", false;
        Forced f;
        for (const json& id : *ids) {
            if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT_MAX ||
                (id.is_number_unsigned() && id.get<uint64_t>() > uint64_t(INT_MAX)))
                return *problem = r.where + ": \"target_ids\" holds something that is not a token id", false;
            f.targetIds.push_back(int(id.get<int64_t>()));
        }
        *out = f;
    } else {
        return *problem = r.where + ": \"strategy\" is " + quoteText(strategy) + ", not greedy, beam, sample or forced", false;
    }
    return true;
}

json decodingJson(const Strategy& s)
{
    json j;
    j["strategy"] = strategyName(s);
    if (const auto* b = std::get_if<Beam>(&s)) {
        j["width"] = b->width;
        j["length_penalty"] = b->lengthPenalty;
    } else if (const auto* p = std::get_if<Sampling>(&s)) {
        j["temperature"] = p->temperature;
        j["top_k"] = p->topK;
        j["top_p"] = p->topP;
        j["seed"] = p->seed;
    } else if (const auto* f = std::get_if<Forced>(&s)) {
        j["target_ids"] = f->targetIds;
    }
    return j;
}

}  // namespace

const char* sessionViewName(SessionView v)
{
    switch (v) {
    case SessionView::Decoding: return "decoding";
    case SessionView::Comparison: return "comparison";
    case SessionView::LabDecoding: return "lab.decoding";
    case SessionView::LabForcing: return "lab.forcing";
    case SessionView::LabPositions: return "lab.positions";
    case SessionView::LabScaling: return "lab.scaling";
    case SessionView::LabAtlas: return "lab.atlas";
    }
    return "decoding";
}

Result<SessionFile> parseSessionFile(const std::string& text, const std::string& name)
{
    json j;
    if (std::string why = io::parseJsonStrict(text, &j); !why.empty()) return error(name + ": " + why);
    if (!j.is_object()) return error(name + ": a session file is a JSON object");
    Reader r{j, name, {}};
    std::string format;
    if (!r.string("format", &format, 64, true)) return error(r.problem);
    if (format != kSessionFormat)
        return error(name + ": \"format\" is " + quoteText(format) + ", not \"" + kSessionFormat + "\" (is this a session file?)");
    int64_t version = 0;
    if (!r.integer("version", 1, INT_MAX, &version, true)) return error(r.problem);
    if (version > kSessionVersion)
        return error(name + ": version " + std::to_string(version) + " is newer than this Stepformer reads (" +
                     std::to_string(kSessionVersion) + ")");
    if (!r.onlyKeys({"format", "version", "model", "sentence", "decoding", "min_length", "max_length", "interventions",
                     "step", "granularity", "view", "difference", "forcing_no_mask_model"}))
        return error(r.problem);

    SessionFile s;
    s.version = int(version);
    int64_t step = 0, minLength = 0, maxLength = 0;
    std::string granularity = "fine", view = sessionViewName(SessionView::Decoding);
    if (!r.string("model", &s.model, kMaxModelBytes, true) || !r.string("sentence", &s.sentence, kMaxSentenceBytes, true) ||
        !r.integer("step", 0, kMaxStep, &step, false) || !r.integer("min_length", 0, 1 << 20, &minLength, false) ||
        !r.integer("max_length", 0, 1 << 20, &maxLength, false) || !r.string("granularity", &granularity, 16, false) ||
        !r.string("view", &view, 32, false) || !r.boolean("difference", &s.difference) ||
        !r.boolean("forcing_no_mask_model", &s.forcingNoMaskModel))
        return error(r.problem);
    if (s.model.empty()) return error(name + ": \"model\" is empty (a bundled model's name or a directory)");
    s.step = int(step);
    s.minLength = int(minLength);
    s.maxLength = int(maxLength);
    if (granularity != "fine" && granularity != "coarse")
        return error(name + ": \"granularity\" is " + quoteText(granularity) + ", not \"fine\" or \"coarse\"");
    s.coarse = granularity == "coarse";
    bool known = false;
    for (SessionView v : kViews)
        if (view == sessionViewName(v)) s.view = v, known = true;
    if (!known) {
        std::string names;
        for (SessionView v : kViews) names += std::string(names.empty() ? "" : ", ") + sessionViewName(v);
        return error(name + ": \"view\" is " + quoteText(view) + ", not one of " + names);
    }

    if (const json* d = r.find("decoding")) {
        std::string problem;
        if (!readDecoding(*d, name, &s.decoding, &problem)) return error(problem);
    }
    if (const json* iv = r.find("interventions")) {
        if (!iv->is_array() || iv->size() > kMaxInterventions)
            return error(name + ": \"interventions\" must be an array of --intervene specs");
        Interventions parsed;
        const Config any = anyModel();
        for (const json& spec : *iv) {
            if (!spec.is_string()) return error(name + ": \"interventions\" holds something that is not a string");
            if (Status st = addIntervention(parsed, spec.get<std::string>(), any); !st)
                return error(name + ": interventions: " + st.message());
        }
        s.interventions = parsed.specs();  // canonical: ablations in order, then the switches
        if (parsed.noCausalMask && !std::holds_alternative<Forced>(s.decoding))
            return error(name + ": the intervention no-causal-mask needs \"decoding\": {\"strategy\": \"forced\", ...}");
    }
    return s;
}

std::string sessionFileToJson(const SessionFile& s)
{
    // ordered_json: the keys in the order a person reads them.
    nlohmann::ordered_json j;
    j["format"] = kSessionFormat;
    j["version"] = kSessionVersion;
    j["model"] = s.model;
    j["sentence"] = s.sentence;
    j["decoding"] = decodingJson(s.decoding);
    if (s.minLength) j["min_length"] = s.minLength;
    if (s.maxLength) j["max_length"] = s.maxLength;
    j["interventions"] = s.interventions;
    j["step"] = s.step;
    j["granularity"] = s.coarse ? "coarse" : "fine";
    j["view"] = sessionViewName(s.view);
    j["difference"] = s.difference;
    if (s.forcingNoMaskModel) j["forcing_no_mask_model"] = true;  // written only when on
    return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<DecodeOptions> sessionOptions(const SessionFile& s, const Config& c, const std::string& name)
{
    DecodeOptions o;
    o.strategy = s.decoding;
    o.minLength = s.minLength;
    o.maxLength = s.maxLength;
    auto iv = parseInterventions(s.interventions, c);
    if (!iv) return error(name + ": interventions: " + iv.message());
    o.interventions = *iv;
    if (const auto* f = std::get_if<Forced>(&s.decoding))
        for (int id : f->targetIds)
            if (id >= c.vocabSize)
                return error(name + ": decoding: target id " + std::to_string(id) + " is outside the model's vocabulary (" +
                             std::to_string(c.vocabSize) + " tokens)");
    return o;
}

}  // namespace sf
