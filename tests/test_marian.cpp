// A Hugging Face Marian directory loads as it is: Marian config keys (halves positions,
// swish, start from pad), model.safetensors with lm_head tied (absent) and
// final_logits_bias, Marian's extra tensors (reported unused), source.spm / target.spm
// with vocab.json mapping pieces to ids (missing pieces -> unk).
#include "check.h"

#include "core/io/safetensors.h"
#include "core/model/model.h"
#include "core/model/random_model.h"
#include "core/run/session.h"
#include "core/text/tokenizer.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <unistd.h>

using namespace sf;
namespace fs = std::filesystem;

namespace {

struct MarianDir {
    std::string dir;
    std::string missing;   // the piece left out of vocab.json: the first piece of "cat"
    nlohmann::json vocab;  // piece -> id
    int V = 0, pad = 0;
};

// Builds the directory once per process: two SentencePiece models trained here, a
// vocab.json over both (Marian order: </s> 0, <unk> 1, pieces, <pad> last), random
// weights under Marian's names.
const MarianDir& marian()
{
    static const MarianDir m = [] {
        MarianDir r;
        r.dir = std::string(SF_BUILD_DIR) + "/test_marian/" + std::to_string(::getpid());
        fs::create_directories(r.dir);
        std::ifstream corpus(std::string(SF_SOURCE_DIR) + "/resources/texts/demo_corpus.txt");
        std::vector<std::string> en, fr;
        int i = 0;
        for (std::string line; std::getline(corpus, line); ++i) (i % 2 ? fr : en).push_back(line);
        text::SpmTrainOptions o;
        o.vocabSize = 40;
        o.hardVocabLimit = false;
        REQUIRE(text::trainSentencePiece(en, r.dir + "/source", o).ok());
        REQUIRE(text::trainSentencePiece(fr, r.dir + "/target", o).ok());
        fs::rename(r.dir + "/source.model", r.dir + "/source.spm");
        fs::rename(r.dir + "/target.model", r.dir + "/target.spm");

        // vocab.json: the pieces of both models (from their .vocab listings), except the
        // first piece of "cat", which stays out to exercise the unk path.
        auto plain = text::Tokenizer::load({r.dir + "/source.spm", r.dir + "/source.spm", ""}, text::SpecialIds{});
        REQUIRE(plain.ok());
        r.missing = (*plain)->encodeSource("cat").pieces.front();
        r.vocab["</s>"] = 0;
        r.vocab["<unk>"] = 1;
        int next = 2;
        for (const char* f : {"/source.vocab", "/target.vocab"}) {
            std::ifstream v(r.dir + f);
            for (std::string line; std::getline(v, line);) {
                const std::string piece = line.substr(0, line.find('\t'));
                if (piece.empty() || piece[0] == '<' || piece == r.missing || r.vocab.contains(piece)) continue;
                r.vocab[piece] = next++;
            }
        }
        r.vocab[">>fra<<"] = next++;  // a multilingual opus-mt target-language token
        r.pad = next;
        r.vocab["<pad>"] = r.pad;
        r.V = r.pad + 1;
        std::ofstream(r.dir + "/vocab.json") << r.vocab.dump();

        // Marian's config.json: no position_encoding, no decoder_start_token_id.
        nlohmann::json c = {{"model_type", "marian"},        {"d_model", 16},
                            {"encoder_layers", 1},           {"decoder_layers", 1},
                            {"encoder_attention_heads", 2},  {"decoder_attention_heads", 2},
                            {"encoder_ffn_dim", 32},         {"decoder_ffn_dim", 32},
                            {"activation_function", "swish"}, {"vocab_size", r.V},
                            {"max_position_embeddings", 64}, {"scale_embedding", true},
                            {"normalize_before", false},     {"pad_token_id", r.pad},
                            {"eos_token_id", 0},             {"bos_token_id", 0},
                            {"unk_token_id", 1},             {"static_position_embeddings", true},
                            {"share_encoder_decoder_embeddings", true}};
        std::ofstream(r.dir + "/config.json") << c.dump(2);
        auto cfg = parseConfig(c.dump(), "config.json");
        REQUIRE(cfg.ok());
        std::map<std::string, Tensor> t = randomTensors(*cfg, 5, true, false);
        // Marian checkpoints also carry copies of the embeddings and the static positions.
        t["model.encoder.embed_tokens.weight"] = t.at("model.shared.weight");
        t["model.decoder.embed_tokens.weight"] = t.at("model.shared.weight");
        t["model.encoder.embed_positions.weight"] = Tensor{{64, 16}, std::vector<float>(64 * 16, 0.0f)};
        std::vector<io::TensorToWrite> w;
        for (const auto& [name, tensor] : t) w.push_back(io::tensorFromFloats(name, tensor.shape, tensor.data.data()));
        REQUIRE(io::writeSafetensors(r.dir + "/model.safetensors", w, {{"format", "pt"}}).ok());
        return r;
    }();
    return m;
}

}  // namespace

TEST_CASE("a Marian directory takes every Marian-specific path", "[marian]")
{
    const MarianDir& m = marian();
    auto loaded = Model::load(m.dir);
    INFO(loaded.message());
    REQUIRE(loaded.ok());
    const Model& model = **loaded;
    const Config& c = model.config();
    CHECK(c.positions == PositionLayout::Halves);  // Marian's default layout
    CHECK(c.activation == Activation::Swish);
    CHECK(c.decoderStartId == m.pad);  // decoding starts from the pad id
    CHECK(model.weights().tied);       // no lm_head.weight: the output projection is shared
    CHECK(model.weights().final_logits_bias != nullptr);
    const std::set<std::string> unused(model.unusedTensors().begin(), model.unusedTensors().end());
    CHECK(unused == std::set<std::string>{"model.decoder.embed_tokens.weight", "model.encoder.embed_positions.weight",
                                          "model.encoder.embed_tokens.weight"});

    // Encoding goes spm pieces -> vocab.json ids; a piece missing there -> unk; then </s>.
    const text::Tokenizer* tok = model.tokenizer();
    REQUIRE(tok);
    const text::Encoded e = tok->encodeSource("the dog sleeps .");
    REQUIRE(e.ids.size() == e.pieces.size());
    for (size_t i = 0; i + 1 < e.ids.size(); ++i) {
        INFO(e.pieces[i]);
        CHECK(e.ids[i] == m.vocab.at(e.pieces[i]).get<int>());
    }
    CHECK(e.ids.back() == 0);  // </s> is id 0 in Marian's vocabulary
    const text::Encoded cat = tok->encodeSource("the cat sleeps");
    bool sawUnk = false;
    for (size_t i = 0; i < cat.pieces.size(); ++i)
        if (cat.pieces[i] == m.missing) sawUnk = cat.ids[i] == 1;
    CHECK(sawUnk);
    // The target side decodes vocab.json ids with the target model.
    const int chat = m.vocab.contains("\xE2\x96\x81" "chat") ? m.vocab.at("\xE2\x96\x81" "chat").get<int>() : -1;
    if (chat >= 0) CHECK(tok->decodeTarget({chat, 0}) == "chat");

    // Translating: the decoder's first input is the pad id; positions use the halves layout.
    Session s(*loaded);
    REQUIRE(s.setSourceText("the dog sleeps .").ok());
    DecodeOptions o;
    o.maxLength = 3;
    auto t = s.translate(o);
    REQUIRE(t.ok());
    CHECK(t->decoderInputIds.front() == m.pad);
    const Tensor pe = t->trace->get("encoder.positions");
    CHECK(pe.at(1, 0) == Approx(std::sin(1.0)).margin(1e-6));  // sin in the first half
    CHECK(pe.at(1, 8) == Approx(std::cos(1.0)).margin(1e-6));  // cos in the second half
    // final_logits_bias is added: logits minus the bias equal decoder.output x E^T.
    const Tensor out = t->trace->get("decoder.output"), logits = t->trace->get("decoder.logits");
    const float* E = model.weights().shared;
    const float* bias = model.weights().final_logits_bias;
    for (int v = 0; v < m.V; v += 7) {
        double acc = bias[v];
        for (int j = 0; j < 16; ++j) acc += double(out.at(0, j)) * E[v * 16 + j];
        CHECK(logits.at(0, v) == Approx(acc).margin(1e-4));
    }
}

TEST_CASE("Marian conventions: >>xx<< is one vocab.json id, <unk> comes from vocab.json", "[marian][hf]")
{
    const MarianDir& m = marian();
    const std::string dir = m.dir;
    // SpecialIds say unk = 7, but vocab.json names <unk> = 1: vocab.json wins.
    text::SpecialIds ids;
    ids.unk = 7, ids.eos = 0, ids.pad = m.pad, ids.bos = 0;
    auto tok = text::Tokenizer::load({dir + "/source.spm", dir + "/target.spm", dir + "/vocab.json"}, ids);
    INFO(tok.message());
    REQUIRE(tok.ok());
    CHECK((*tok)->specialIds().unk == 1);
    const text::Encoded cat = (*tok)->encodeSource("the cat sleeps");
    for (size_t i = 0; i < cat.pieces.size(); ++i)
        if (cat.pieces[i] == m.missing) CHECK(cat.ids[i] == 1);

    const text::Encoded plain = (*tok)->encodeSource("the dog sleeps .");
    const text::Encoded lang = (*tok)->encodeSource(">>fra<< the dog sleeps .");
    REQUIRE(lang.ids.size() == plain.ids.size() + 1);
    CHECK(lang.pieces[0] == ">>fra<<");
    CHECK(lang.ids[0] == m.vocab.at(">>fra<<").get<int>());
    CHECK(lang.offsets[0] == std::make_pair(0, 7));
    CHECK(std::vector<int>(lang.ids.begin() + 1, lang.ids.end()) == plain.ids);
    // Offsets of the rest point into the original text.
    const std::string text = ">>fra<< the dog sleeps .";
    for (size_t i = 1; i + 1 < lang.offsets.size(); ++i) {
        INFO(i << ": " << lang.offsets[i].first << ".." << lang.offsets[i].second);
        CHECK(lang.offsets[i].first == plain.offsets[i - 1].first + 8);  // ">>fra<< " is 8 bytes
        CHECK(lang.offsets[i].second == plain.offsets[i - 1].second + 8);
    }
    // A token vocab.json does not list is left to SentencePiece.
    CHECK((*tok)->encodeSource(">>xyz<< the dog").pieces[0] != ">>xyz<<");
}

TEST_CASE("pickle checkpoints are refused, with how to convert", "[marian][errors]")
{
    const std::string dir = std::string(SF_BUILD_DIR) + "/test_marian/pickle-" + std::to_string(::getpid());
    fs::create_directories(dir);
    std::ofstream(dir + "/pytorch_model.bin") << "PK\x03\x04 not really a zip";
    std::ofstream(dir + "/config.json") << "{}";
    auto r = Model::load(dir);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.message(), Catch::Contains("pytorch_model.bin"));
    CHECK_THAT(r.message(), Catch::Contains("unpickling can run code"));
    CHECK_THAT(r.message(), Catch::Contains("tools/convert_to_safetensors.py"));
    auto direct = Model::load(dir + "/pytorch_model.bin");
    REQUIRE_FALSE(direct.ok());
    CHECK_THAT(direct.message(), Catch::Contains("pickle checkpoints are refused"));
}
