// Tokenizer tests: trains small SentencePiece models on a generated English/French
// corpus (under <build>/test_tokenizer_tmp/<pid>), then checks pieces, ids, offsets, decoding,
// separate source/target models, Marian vocab.json ids, load errors and determinism.
#include "core/text/tokenizer.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace sf::text;

namespace {

const std::string kSpace = "\xE2\x96\x81";  // "▁"

// One directory per process (ctest -j runs cases in parallel), removed at exit.
struct TempDir {
    fs::path path = fs::path(SF_BUILD_DIR) / "test_tokenizer_tmp" / std::to_string(::getpid());
    TempDir() { fs::create_directories(path); }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};
std::string tempDir() {
    static const TempDir dir;
    return dir.path.string();
}

std::string readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeBytes(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

// Deterministic sentences "subject verb complement" from small word lists.
std::vector<std::string> corpus(bool english, bool french, int count) {
    static const std::vector<std::string> enSubj = {
        "the cat", "the dog", "a bird", "my friend", "the teacher", "her brother", "the children",
        "our neighbour", "the old man", "a young woman", "the farmer", "his sister"};
    static const std::vector<std::string> enVerb = {
        "sleeps", "eats", "runs", "sings", "reads", "writes", "walks", "works", "plays", "waits"};
    static const std::vector<std::string> enRest = {
        "today", "quickly", "at home", "in the garden", "every morning", "near the river",
        "with a smile", "after dinner", "in the kitchen", "all night", "under the table"};
    static const std::vector<std::string> frSubj = {
        "le chat", "le chien", "un oiseau", "mon ami", "le professeur", "son frère", "les enfants",
        "notre voisin", "le vieil homme", "une jeune femme", "le fermier", "sa sœur"};
    static const std::vector<std::string> frVerb = {
        "dort", "mange", "court", "chante", "lit", "écrit", "marche", "travaille", "joue", "attend"};
    static const std::vector<std::string> frRest = {
        "aujourd'hui", "vite", "à la maison", "dans le jardin", "chaque matin", "près de la rivière",
        "avec un sourire", "après le dîner", "dans la cuisine", "toute la nuit", "sous la table"};
    std::vector<std::string> out;
    unsigned state = 12345;
    auto next = [&](size_t n) {
        state = state * 1103515245u + 12345u;
        return size_t((state >> 16) % n);
    };
    for (int i = 0; i < count; ++i) {
        if (english)
            out.push_back(enSubj[next(enSubj.size())] + " " + enVerb[next(enVerb.size())] + " " +
                          enRest[next(enRest.size())]);
        if (french)
            out.push_back(frSubj[next(frSubj.size())] + " " + frVerb[next(frVerb.size())] + " " +
                          frRest[next(frRest.size())]);
    }
    return out;
}

std::string train(const std::string& name, const std::vector<std::string>& sentences, int vocab) {
    const std::string prefix = tempDir() + "/" + name;
    SpmTrainOptions options;
    options.vocabSize = vocab;
    const auto status = trainSentencePiece(sentences, prefix, options);
    INFO(status.message());
    REQUIRE(status.ok());
    REQUIRE(fs::exists(prefix + ".model"));
    REQUIRE(fs::exists(prefix + ".vocab"));
    return prefix + ".model";
}

// Models trained once per run: shared En+Fr, English only, French only.
struct Models {
    std::string shared, en, fr;
};
const Models& models() {
    static const Models m = [] {
        Models r;
        r.shared = train("shared", corpus(true, true, 300), 150);
        r.en = train("en", corpus(true, false, 300), 80);
        r.fr = train("fr", corpus(false, true, 300), 90);
        return r;
    }();
    return m;
}

std::shared_ptr<Tokenizer> load(const TokenizerFiles& files, SpecialIds ids = {}) {
    auto tok = Tokenizer::load(files, ids);
    INFO(tok.message());
    REQUIRE(tok.ok());
    return *tok;
}

bool validUtf8(const std::string& s) {
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
        i += n;
    }
    return true;
}

// Shape checks every encoding must pass, whatever the text.
void checkWellFormed(const Encoded& e, const std::string& text, int eos) {
    REQUIRE(!e.pieces.empty());
    REQUIRE(e.pieces.size() == e.ids.size());
    REQUIRE(e.pieces.size() == e.offsets.size());
    CHECK(e.pieces.back() == "</s>");
    CHECK(e.ids.back() == eos);
    CHECK(e.offsets.back() == std::make_pair(int(text.size()), int(text.size())));
    int previousEnd = 0;
    for (size_t i = 0; i < e.offsets.size(); ++i) {
        INFO("piece " << i << " '" << e.pieces[i] << "'");
        CHECK(e.offsets[i].first >= previousEnd);
        CHECK(e.offsets[i].first <= e.offsets[i].second);
        CHECK(e.offsets[i].second <= int(text.size()));
        CHECK(validUtf8(e.pieces[i]));
        previousEnd = e.offsets[i].second;
    }
}

// The offset contract: consecutive pieces touch, and each range is the piece's surface,
// "▁" standing for the space before it; the first piece's "▁" has no source byte.
void checkOffsetsCoverText(const Encoded& e, const std::string& text) {
    const size_t n = e.pieces.size() - 1;  // without </s>
    REQUIRE(n > 0);
    CHECK(e.offsets[0].first == 0);
    CHECK(e.offsets[n - 1].second == int(text.size()));
    for (size_t i = 0; i < n; ++i) {
        INFO("piece " << i << " '" << e.pieces[i] << "'");
        if (i > 0) CHECK(e.offsets[i].first == e.offsets[i - 1].second);
        std::string expected = e.pieces[i];
        for (size_t at; (at = expected.find(kSpace)) != std::string::npos;)
            expected.replace(at, kSpace.size(), " ");
        if (i == 0 && !expected.empty() && expected[0] == ' ') expected.erase(0, 1);
        const auto [begin, end] = e.offsets[i];
        CHECK(text.substr(size_t(begin), size_t(end - begin)) == expected);
    }
}

}  // namespace

TEST_CASE("encode gives pieces, ids, offsets, and decodes back", "[tokenizer]") {
    const auto tok = load({models().shared, models().shared, ""});
    const SpecialIds ids;
    const std::string text = "the cat sleeps";
    const Encoded e = tok->encodeSource(text);
    checkWellFormed(e, text, ids.eos);
    checkOffsetsCoverText(e, text);
    CHECK(e.pieces.size() >= 3);  // at least one piece per word, then </s>
    CHECK(e.pieces.front().rfind(kSpace, 0) == 0);  // the first piece starts a word
    for (size_t i = 0; i + 1 < e.ids.size(); ++i) {
        INFO("piece " << i << " '" << e.pieces[i] << "'");
        CHECK(e.ids[i] != ids.unk);
        CHECK(e.ids[i] > ids.eos);  // a real piece, not a special
        CHECK(tok->sourcePiece(e.ids[i]) == e.pieces[i]);
        CHECK(tok->targetPiece(e.ids[i]) == e.pieces[i]);
    }

    // Shared model: both sides encode alike.
    const Encoded t = tok->encodeTarget(text);
    CHECK(t.ids == e.ids);
    CHECK(t.offsets == e.offsets);

    // Round trip; pad and bos are dropped; decoding stops at the first eos.
    CHECK(tok->decodeTarget(e.ids) == text);
    std::vector<int> padded = {ids.bos, ids.pad};
    padded.insert(padded.end(), e.ids.begin(), e.ids.end());
    padded.push_back(e.ids[0]);  // after eos: ignored
    CHECK(tok->decodeTarget(padded) == text);
    CHECK(tok->decodeTarget({}) == "");
    CHECK(tok->decodeTarget({ids.eos, e.ids[0]}) == "");

    // Whitespace: collapsed runs go to the next piece; leading/trailing belong to no piece.
    const std::string spaced = "  the   cat sleeps  ";
    const Encoded s = tok->encodeSource(spaced);
    checkWellFormed(s, spaced, ids.eos);
    CHECK(s.pieces == e.pieces);
    CHECK(s.offsets.front().first == 2);
    CHECK(s.offsets[s.offsets.size() - 2].second == int(spaced.size()) - 2);
    CHECK(tok->decodeTarget(s.ids) == text);

    // Every corpus sentence round-trips.
    for (const auto& sentence : corpus(true, true, 50)) {
        INFO(sentence);
        const Encoded c = tok->encodeTarget(sentence);
        checkWellFormed(c, sentence, ids.eos);
        checkOffsetsCoverText(c, sentence);
        CHECK(tok->decodeTarget(c.ids) == sentence);
    }
}

TEST_CASE("special pieces, out-of-range ids and vocabulary size", "[tokenizer]") {
    const auto tok = load({models().shared, models().shared, ""});
    CHECK(tok->sourceVocabSize() == 150);
    CHECK(tok->targetVocabSize() == 150);
    CHECK(tok->sourcePiece(0) == "<pad>");
    CHECK(tok->sourcePiece(1) == "<unk>");
    CHECK(tok->sourcePiece(2) == "<s>");
    CHECK(tok->targetPiece(3) == "</s>");
    CHECK(tok->sourcePiece(150) == "<id 150>");
    CHECK(tok->targetPiece(-7) == "<id -7>");
    CHECK(tok->specialIds().eos == 3);

    // Unknown and out-of-range ids decode as SentencePiece's unk surface, never crash.
    const Encoded e = tok->encodeSource("the cat");
    std::vector<int> ids = e.ids;
    ids.insert(ids.end() - 1, {150, -5, 1});  // before </s>
    const std::string decoded = tok->decodeTarget(ids);
    CHECK(decoded.find("\xE2\x81\x87") != std::string::npos);  // "⁇"
    CHECK(decoded.rfind("the", 0) == 0);
    CHECK(decoded.find("cat") != std::string::npos);
}

TEST_CASE("unknown characters, empty text and invalid UTF-8", "[tokenizer]") {
    const auto tok = load({models().shared, models().shared, ""});
    const SpecialIds ids;

    SECTION("characters outside the vocabulary map to unk") {
        const std::string text = "the \xE7\x8C\xAB cat \xF0\x9F\x98\x80";  // "the 猫 cat 😀"
        const Encoded e = tok->encodeSource(text);
        checkWellFormed(e, text, ids.eos);
        checkOffsetsCoverText(e, text);
        std::vector<std::string> unknownSurfaces;
        for (size_t i = 0; i + 1 < e.ids.size(); ++i)
            if (e.ids[i] == ids.unk)
                unknownSurfaces.push_back(
                    text.substr(size_t(e.offsets[i].first), size_t(e.offsets[i].second - e.offsets[i].first)));
        CHECK(unknownSurfaces == std::vector<std::string>{"\xE7\x8C\xAB", "\xF0\x9F\x98\x80"});
        const std::string decoded = tok->decodeTarget(e.ids);
        CHECK(decoded.find("cat") != std::string::npos);
        CHECK(decoded.find("\xE2\x81\x87") != std::string::npos);
    }

    SECTION("empty text gives only </s>") {
        const Encoded e = tok->encodeSource("");
        CHECK(e.pieces == std::vector<std::string>{"</s>"});
        CHECK(e.ids == std::vector<int>{ids.eos});
        CHECK(e.offsets == std::vector<std::pair<int, int>>{{0, 0}});
        const Encoded blank = tok->encodeTarget("   ");
        CHECK(blank.ids == std::vector<int>{ids.eos});
        CHECK(blank.offsets.back() == std::make_pair(3, 3));
    }

    SECTION("invalid UTF-8 and NUL bytes do not crash") {
        for (const std::string& text :
             {std::string("ab\xFF\xFE cat\xC3"), std::string("\x80\x80\x80"),
              std::string("the\0cat", 7), std::string("\xED\xA0\x80 \xF4\x90\x80\x80 cat")}) {
            const Encoded e = tok->encodeSource(text);
            checkWellFormed(e, text, ids.eos);
            CHECK(std::find(e.ids.begin(), e.ids.end(), ids.unk) != e.ids.end());
            CHECK(validUtf8(tok->decodeTarget(e.ids)));
        }
    }
}

TEST_CASE("separate source and target models", "[tokenizer]") {
    const auto both = load({models().en, models().fr, ""});
    const auto en = load({models().en, models().en, ""});
    const auto fr = load({models().fr, "", ""});  // empty target: same as source

    CHECK(both->sourceVocabSize() == 80);
    CHECK(both->targetVocabSize() == 90);
    CHECK(fr->targetVocabSize() == 90);
    int differing = 0;
    for (int id = 4; id < 80; ++id)
        if (both->sourcePiece(id) != both->targetPiece(id)) ++differing;
    CHECK(differing > 40);
    CHECK(both->targetPiece(85) == fr->sourcePiece(85));
    CHECK(both->sourcePiece(85) == "<id 85>");

    const std::string english = "the dog reads in the garden";
    const std::string french = "le chien lit dans le jardin";
    CHECK(both->encodeSource(english).ids == en->encodeSource(english).ids);
    CHECK(both->encodeTarget(french).ids == fr->encodeSource(french).ids);
    CHECK(both->encodeSource(french).pieces != both->encodeTarget(french).pieces);
    CHECK(both->decodeTarget(both->encodeTarget(french).ids) == french);
    // Each model fits its own language better.
    CHECK(both->encodeTarget(french).ids.size() < both->encodeSource(french).ids.size());
    CHECK(both->encodeSource(english).ids.size() < both->encodeTarget(english).ids.size());
}

TEST_CASE("Marian vocab.json maps pieces to model ids", "[tokenizer]") {
    const auto plain = load({models().shared, models().shared, ""});
    const int n = plain->sourceVocabSize();
    const std::string text = "the cat sleeps";
    const Encoded reference = plain->encodeSource(text);
    REQUIRE(reference.pieces.size() >= 3);
    const std::string omitted = reference.pieces[1];  // left out of vocab.json

    // Reversed ids: spm id i -> model id n-1-i, specials included.
    auto mapped = [n](int spmId) { return n - 1 - spmId; };
    nlohmann::json vocab = nlohmann::json::object();
    for (int id = 0; id < n; ++id) {
        std::string piece = plain->sourcePiece(id);
        if (piece != omitted) vocab[piece] = mapped(id);
    }
    const std::string vocabPath = tempDir() + "/vocab.json";
    writeBytes(vocabPath, vocab.dump());
    SpecialIds ids;
    ids.pad = mapped(0);
    ids.unk = mapped(1);
    ids.bos = mapped(2);
    ids.eos = mapped(3);
    const auto tok = load({models().shared, models().shared, vocabPath}, ids);

    CHECK(tok->sourceVocabSize() == n);
    CHECK(tok->targetVocabSize() == n);
    const Encoded e = tok->encodeSource(text);
    checkWellFormed(e, text, ids.eos);
    CHECK(e.pieces == reference.pieces);
    CHECK(e.offsets == reference.offsets);
    for (size_t i = 0; i + 1 < e.ids.size(); ++i) {
        INFO("piece " << i << " '" << e.pieces[i] << "'");
        if (e.pieces[i] == omitted) {
            CHECK(e.ids[i] == ids.unk);
        } else {
            CHECK(e.ids[i] == mapped(reference.ids[i]));
            CHECK(tok->targetPiece(e.ids[i]) == e.pieces[i]);
        }
    }
    CHECK(tok->sourcePiece(ids.pad) == "<pad>");
    CHECK(tok->sourcePiece(ids.eos) == "</s>");
    CHECK(tok->sourcePiece(mapped(reference.ids[1])) == "<id " + std::to_string(mapped(reference.ids[1])) + ">");

    // Decoding inverts the map; the omitted piece comes back as unk.
    const std::string decoded = tok->decodeTarget(e.ids);
    CHECK(decoded.find("\xE2\x81\x87") != std::string::npos);
    CHECK(decoded != text);
    int roundTrips = 0;
    for (const auto& sentence : corpus(true, true, 40)) {
        const Encoded c = tok->encodeTarget(sentence);
        if (std::find(c.pieces.begin(), c.pieces.end(), omitted) != c.pieces.end()) continue;
        INFO(sentence);
        CHECK(tok->decodeTarget(c.ids) == sentence);
        ++roundTrips;
    }
    CHECK(roundTrips > 5);

    SECTION("vocab.json pieces unknown to SentencePiece decode verbatim") {
        nlohmann::json extra = vocab;
        extra[kSpace + "zebra"] = n + 5;
        const std::string extraPath = tempDir() + "/vocab_extra.json";
        writeBytes(extraPath, extra.dump());
        const auto withExtra = load({models().shared, models().shared, extraPath}, ids);
        CHECK(withExtra->targetVocabSize() == n + 6);
        const auto sentences = corpus(true, false, 40);
        const auto clean = std::find_if(sentences.begin(), sentences.end(), [&](const std::string& x) {
            const auto pieces = withExtra->encodeTarget(x).pieces;
            return std::find(pieces.begin(), pieces.end(), omitted) == pieces.end();
        });
        REQUIRE(clean != sentences.end());
        const Encoded c = withExtra->encodeTarget(*clean);
        std::vector<int> out(c.ids.begin(), c.ids.end() - 1);
        out.push_back(n + 5);
        CHECK(withExtra->decodeTarget(out) == *clean + " zebra");
        CHECK(withExtra->decodeTarget({n + 5}) == "zebra");
    }
}

TEST_CASE("load errors name the file", "[tokenizer]") {
    const std::string dir = tempDir();
    const std::string missing = dir + "/no_such.model";
    const std::string garbage = dir + "/garbage.model";
    const std::string empty = dir + "/empty.model";
    writeBytes(garbage, "this is not a sentencepiece model \x01\x02\xFF\xFF\xFF garbage");
    writeBytes(empty, "");

    auto expectError = [](const TokenizerFiles& files, const std::string& name) {
        const auto tok = Tokenizer::load(files, SpecialIds{});
        CHECK_FALSE(tok.ok());
        INFO(tok.message());
        CHECK(tok.message().find(name) != std::string::npos);
        return tok.message();
    };
    CHECK(expectError({missing, missing, ""}, missing).find("no such file") != std::string::npos);
    CHECK(expectError({garbage, garbage, ""}, garbage).find("not a SentencePiece model") != std::string::npos);
    expectError({empty, empty, ""}, empty);
    expectError({dir, dir, ""}, dir);
    expectError({models().shared, garbage, ""}, garbage);
    expectError({models().shared, models().shared, missing + ".json"}, missing + ".json");

    const std::string badJson = dir + "/bad.json";
    for (const char* content : {"[1, 2]", "{\"a\": \"x\"}", "{\"a\": -1}", "{\"a\": 1.5}",
                                      "{\"a\": 1, \"b\": 1}", "{}", "{not json", "\xFF"}) {
        INFO(content);
        writeBytes(badJson, content);
        expectError({models().shared, models().shared, badJson}, badJson);
    }
}

TEST_CASE("training is deterministic and reports errors", "[tokenizer]") {
    const auto sentences = corpus(true, true, 200);
    const std::string prefix = tempDir() + "/determinism";
    SpmTrainOptions options;
    options.vocabSize = 120;

    for (const char* type : {"unigram", "bpe"}) {
        INFO(type);
        options.modelType = type;
        REQUIRE(trainSentencePiece(sentences, prefix, options).ok());
        const std::string first = readBytes(prefix + ".model");
        const std::string firstVocab = readBytes(prefix + ".vocab");
        REQUIRE(first.size() > 100);
        REQUIRE(trainSentencePiece(sentences, prefix, options).ok());
        CHECK(readBytes(prefix + ".model") == first);
        CHECK(readBytes(prefix + ".vocab") == firstVocab);
        const auto tok = load({prefix + ".model", prefix + ".model", ""});
        CHECK(tok->sourceVocabSize() == 120);
        CHECK(tok->decodeTarget(tok->encodeSource("the cat sleeps").ids) == "the cat sleeps");
    }

    // Special ids are written into the model.
    options.modelType = "unigram";
    options.ids = SpecialIds{3, 2, 1, 0};
    REQUIRE(trainSentencePiece(sentences, prefix + "_ids", options).ok());
    const auto tok = load({prefix + "_ids.model", "", ""}, options.ids);
    CHECK(tok->encodeSource("the").ids.back() == 0);
    CHECK(tok->sourcePiece(3) == "<pad>");
    const auto unknown = tok->encodeSource("\xE7\x8C\xAB").ids;  // "▁", "猫", </s>
    REQUIRE(unknown.size() >= 2);
    CHECK(unknown[unknown.size() - 2] == 2);

    // Errors name the prefix.
    options = SpmTrainOptions{};
    options.vocabSize = 100000;
    auto status = trainSentencePiece(sentences, prefix + "_huge", options);
    CHECK_FALSE(status.ok());
    CHECK(status.message().find(prefix + "_huge") != std::string::npos);
    status = trainSentencePiece({}, prefix + "_none", SpmTrainOptions{});
    CHECK_FALSE(status.ok());
    CHECK(status.message().find(prefix + "_none") != std::string::npos);
    options = SpmTrainOptions{};
    options.modelType = "nonsense";
    status = trainSentencePiece(sentences, prefix + "_type", options);
    CHECK_FALSE(status.ok());
    CHECK(status.message().find(prefix + "_type") != std::string::npos);
}
