#include "core/model/config.h"

#include "core/io/files.h"
#include "core/io/json.h"
#include "core/quote.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

namespace sf {

using json = nlohmann::json;

const char* activationName(Activation a)
{
    switch (a) {
    case Activation::Relu: return "relu";
    case Activation::Gelu: return "gelu";
    case Activation::Swish: return "swish";
    }
    return "?";
}

const char* positionLayoutName(PositionLayout p)
{
    switch (p) {
    case PositionLayout::Interleaved: return "sinusoidal_interleaved";
    case PositionLayout::Halves: return "sinusoidal_halves";
    case PositionLayout::None: return "none";
    }
    return "?";
}

std::string Config::describe() const
{
    std::ostringstream s;
    s << (normalizeBefore ? "pre-norm" : "post-norm") << ", "
      << (positions == PositionLayout::Interleaved ? "interleaved sinusoids"
          : positions == PositionLayout::Halves    ? "halves sinusoids"
                                                   : "no positions")
      << ", " << (attentionScale ? "" : "unscaled attention, ") << (decoderCausalMask ? "" : "unmasked decoder, ")
      << activationName(activation) << ", " << encoderLayers << "+" << decoderLayers << " layers, d "
      << dModel << ", " << encoderHeads << " heads, ffn " << encoderFfn << ", vocab " << vocabSize;
    return s.str();
}

namespace {

// Reads one key with a type check and a sane range; collects the first error.
struct Reader {
    const json& j;
    std::string label;
    std::string err;

    bool has(const char* key) const { return j.contains(key) && !j.at(key).is_null(); }

    void fail(const std::string& m)
    {
        if (err.empty()) err = label + ": " + m;
    }

    void integer(const char* key, int* out, long long lo, long long hi, bool required)
    {
        if (!has(key)) {
            if (required) fail(std::string("missing key \"") + key + "\"");
            return;
        }
        const json& v = j.at(key);
        if (!v.is_number_integer()) {
            fail(std::string("\"") + key + "\" must be an integer");
            return;
        }
        long long x = v.get<long long>();
        if (x < lo || x > hi) {
            fail(std::string("\"") + key + "\" = " + std::to_string(x) + " is out of range [" +
                 std::to_string(lo) + ", " + std::to_string(hi) + "]");
            return;
        }
        *out = static_cast<int>(x);
    }

    void boolean(const char* key, bool* out)
    {
        if (!has(key)) return;
        if (!j.at(key).is_boolean()) fail(std::string("\"") + key + "\" must be true or false");
        else *out = j.at(key).get<bool>();
    }

    void string(const char* key, std::string* out)
    {
        if (!has(key)) return;
        if (!j.at(key).is_string()) fail(std::string("\"") + key + "\" must be a string");
        else *out = j.at(key).get<std::string>();
    }
};

}  // namespace

Result<Config> parseConfig(const std::string& text, const std::string& label)
{
    json j;
    const std::string problem = io::parseJsonStrict(text, &j);
    if (!problem.empty()) return error(label + ": " + problem, Text("errors.malformed_json").str("file", label));
    if (!j.is_object()) return error(label + ": the top level must be a JSON object");

    Config c;
    Reader r{j, label, {}};
    r.string("model_type", &c.modelType);
    const bool marian = c.modelType == "marian";

    // Sizes: positive and small enough that nothing absurd is ever allocated.
    r.integer("d_model", &c.dModel, 1, 16384, true);
    r.integer("encoder_layers", &c.encoderLayers, 1, 128, true);
    r.integer("decoder_layers", &c.decoderLayers, 1, 128, true);
    r.integer("encoder_attention_heads", &c.encoderHeads, 1, 1024, true);
    r.integer("decoder_attention_heads", &c.decoderHeads, 1, 1024, true);
    r.integer("encoder_ffn_dim", &c.encoderFfn, 1, 262144, true);
    r.integer("decoder_ffn_dim", &c.decoderFfn, 1, 262144, true);
    r.integer("vocab_size", &c.vocabSize, 1, 4000000, true);
    r.integer("max_position_embeddings", &c.maxPositions, 1, 1 << 20, true);
    r.boolean("scale_embedding", &c.scaleEmbedding);
    r.boolean("normalize_before", &c.normalizeBefore);
    const int maxId = std::numeric_limits<int>::max();
    r.integer("pad_token_id", &c.padId, 0, maxId, false);
    r.integer("eos_token_id", &c.eosId, 0, maxId, false);
    r.integer("bos_token_id", &c.bosId, 0, maxId, false);
    r.integer("unk_token_id", &c.unkId, 0, maxId, false);
    // Marian starts decoding from the pad id; others from bos unless told.
    c.decoderStartId = marian ? c.padId : c.bosId;
    r.integer("decoder_start_token_id", &c.decoderStartId, 0, maxId, false);

    if (r.has("forced_eos_token_id") && !j.at("forced_eos_token_id").is_null())
        r.integer("forced_eos_token_id", &c.forcedEosId, 0, maxId, false);
    if (r.has("bad_words_ids") && !j.at("bad_words_ids").is_null()) {
        const json& b = j.at("bad_words_ids");
        bool ok = b.is_array() && b.size() <= 100000;
        for (size_t i = 0; ok && i < b.size(); ++i) {
            ok = b[i].is_array() && !b[i].empty() && b[i].size() <= 64;
            std::vector<int> seq;
            for (size_t k = 0; ok && k < b[i].size(); ++k) {
                ok = b[i][k].is_number_integer() && b[i][k].get<long long>() >= 0 &&
                     b[i][k].get<long long>() < maxId;
                if (ok) seq.push_back(int(b[i][k].get<long long>()));
            }
            if (ok) c.badWordsIds.push_back(std::move(seq));
        }
        if (!ok) r.fail("\"bad_words_ids\" must be a list of non-empty lists of token ids");
    }

    if (r.has("layer_norm_eps")) {
        const json& v = j.at("layer_norm_eps");
        const double eps = v.is_number() ? v.get<double>() : 0.0;
        // Also checked as the float the layer norm uses: 1e-50 is > 0 but rounds to 0.0f
        // (the range test comes first: a double beyond float's range must not be cast).
        if (!(eps > 0.0) || eps > 1.0 || !(static_cast<float>(eps) > 0.0f))
            r.fail("\"layer_norm_eps\" must be a number in (0, 1] (and above 0 as a float32)");
        else c.layerNormEps = static_cast<float>(eps);
    }

    std::string act = "relu";
    r.string("activation_function", &act);
    if (act == "relu") c.activation = Activation::Relu;
    else if (act == "gelu") c.activation = Activation::Gelu;
    else if (act == "swish" || act == "silu") c.activation = Activation::Swish;
    else r.fail("\"activation_function\" = \"" + clipped(act) + "\" is not one of relu, gelu, swish");

    std::string pe = marian ? "sinusoidal_halves" : "sinusoidal_interleaved";
    r.string("position_encoding", &pe);
    if (pe == "sinusoidal_interleaved") c.positions = PositionLayout::Interleaved;
    else if (pe == "sinusoidal_halves") c.positions = PositionLayout::Halves;
    else if (pe == "none") c.positions = PositionLayout::None;
    else r.fail("\"position_encoding\" = \"" + clipped(pe) + "\" is not sinusoidal_interleaved, sinusoidal_halves or none");
    r.boolean("attention_scale", &c.attentionScale);
    r.boolean("decoder_causal_mask", &c.decoderCausalMask);

    if (r.has("tokenizer")) {
        const json& t = j.at("tokenizer");
        if (!t.is_object()) {
            r.fail("\"tokenizer\" must be an object {\"source\", \"target\", \"vocab\"}");
        } else {
            Reader tr{t, label + ": tokenizer", {}};
            tr.string("source", &c.tokenizer.source);
            tr.string("target", &c.tokenizer.target);
            tr.string("vocab", &c.tokenizer.vocab);
            if (c.tokenizer.target.empty()) c.tokenizer.target = c.tokenizer.source;
            if (c.tokenizer.source.empty()) tr.fail("\"source\" is missing");
            for (const std::string* f : {&c.tokenizer.source, &c.tokenizer.target, &c.tokenizer.vocab})
                if (f->find('/') != std::string::npos || *f == "..")
                    tr.fail("\"" + clipped(*f) + "\" must be a file name inside the model directory");
            if (!tr.err.empty()) r.fail(tr.err.substr(label.size() + 2));
            c.tokenizerKey = true;
        }
    }
    if (!r.err.empty()) return error(r.err, Text("errors.bad_config").str("file", label));

    // Cross-key rules.
    if (c.dModel % c.encoderHeads != 0)
        return error(label + ": encoder_attention_heads (" + std::to_string(c.encoderHeads) +
                     ") does not divide d_model (" + std::to_string(c.dModel) + ")");
    if (c.dModel % c.decoderHeads != 0)
        return error(label + ": decoder_attention_heads (" + std::to_string(c.decoderHeads) +
                     ") does not divide d_model (" + std::to_string(c.dModel) + ")");
    if (c.dModel % 2 != 0) return error(label + ": d_model must be even for sinusoidal positions");
    struct Id { const char* key; int v; };
    for (Id id : {Id{"pad_token_id", c.padId}, Id{"eos_token_id", c.eosId}, Id{"bos_token_id", c.bosId},
                  Id{"unk_token_id", c.unkId}, Id{"decoder_start_token_id", c.decoderStartId},
                  Id{"forced_eos_token_id", std::max(c.forcedEosId, 0)}})
        if (id.v >= c.vocabSize)
            return error(label + ": " + id.key + " (" + std::to_string(id.v) + ") is not below vocab_size (" +
                         std::to_string(c.vocabSize) + ")");
    return c;
}

// S = T = n; per layer: encoder q, k, v, context, attention output, output [n, d], hidden
// [n, F], scores and weights [H, n, n]; decoder the same for self-attention plus cross
// q, output [n, d], k, v [n, d], scores and weights [H, n, n]; then logits and probs [n, V].
double traceFloats(const Config& c, int n)
{
    const double N = n, d = c.dModel;
    const double encoderLayer = N * (6 * d + c.encoderFfn) + 2.0 * c.encoderHeads * N * N;
    const double decoderLayer = N * (10 * d + c.decoderFfn) + 4.0 * c.decoderHeads * N * N;
    return c.encoderLayers * encoderLayer + c.decoderLayers * decoderLayer + N * (4 * d + 2.0 * c.vocabSize);
}

int maxPositionsForMemory(const Config& c)
{
    int lo = 1, hi = std::max(1, c.maxPositions);  // traceFloats grows with n: bisect
    if (traceFloats(c, hi) <= kMaxTraceFloats) return hi;
    while (lo < hi) {
        const int mid = lo + (hi - lo + 1) / 2;
        if (traceFloats(c, mid) <= kMaxTraceFloats) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

Result<Config> loadConfig(const std::string& path)
{
    Result<std::string> text = io::readFile(path, 16u << 20);
    if (!text) return text.error();
    return parseConfig(*text, path);
}

std::string configToJson(const Config& c)
{
    json j;
    j["model_type"] = c.modelType;
    j["d_model"] = c.dModel;
    j["encoder_layers"] = c.encoderLayers;
    j["decoder_layers"] = c.decoderLayers;
    j["encoder_attention_heads"] = c.encoderHeads;
    j["decoder_attention_heads"] = c.decoderHeads;
    j["encoder_ffn_dim"] = c.encoderFfn;
    j["decoder_ffn_dim"] = c.decoderFfn;
    j["activation_function"] = activationName(c.activation);
    j["vocab_size"] = c.vocabSize;
    if (c.forcedEosId >= 0) j["forced_eos_token_id"] = c.forcedEosId;
    if (!c.badWordsIds.empty()) j["bad_words_ids"] = c.badWordsIds;
    j["max_position_embeddings"] = c.maxPositions;
    j["scale_embedding"] = c.scaleEmbedding;
    j["normalize_before"] = c.normalizeBefore;
    // Six significant digits: 1e-05, not the float's binary expansion 9.99999974737875e-06.
    char eps[32];
    std::snprintf(eps, sizeof eps, "%g", double(c.layerNormEps));
    j["layer_norm_eps"] = std::stod(eps);
    j["pad_token_id"] = c.padId;
    j["eos_token_id"] = c.eosId;
    j["bos_token_id"] = c.bosId;
    j["unk_token_id"] = c.unkId;
    j["decoder_start_token_id"] = c.decoderStartId;
    j["position_encoding"] = positionLayoutName(c.positions);
    if (!c.attentionScale) j["attention_scale"] = false;
    if (!c.decoderCausalMask) j["decoder_causal_mask"] = false;
    if (c.tokenizerKey) {
        json t{{"source", c.tokenizer.source}, {"target", c.tokenizer.target}};
        if (!c.tokenizer.vocab.empty()) t["vocab"] = c.tokenizer.vocab;
        j["tokenizer"] = t;
    }
    return j.dump(2) + "\n";
}

}  // namespace sf
