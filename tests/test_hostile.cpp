// Hostile model directories (issue 9): only regular files are read, and never without a
// size cap; spm.model is validated before SentencePiece sees it. Every fixture is made
// here, under <build>/test_hostile_tmp/<pid>.
#include "core/io/files.h"
#include "core/model/config.h"
#include "core/model/model.h"
#include "core/quote.h"
#include "core/text/spm_check.h"
#include "core/text/tokenizer.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace sf;

namespace {

struct TempDir {
    fs::path path = fs::path(SF_BUILD_DIR) / "test_hostile_tmp" / std::to_string(::getpid());
    TempDir() { fs::create_directories(path); }
    ~TempDir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};
std::string tempDir()
{
    static const TempDir dir;
    return dir.path.string();
}

std::string readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeBytes(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

const std::string kBundled = std::string(SF_SOURCE_DIR) + "/resources/models/en-fr";

// A copy of the bundled model directory to spoil one file of.
std::string copyBundled(const std::string& name)
{
    const std::string dir = tempDir() + "/" + name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (const char* f : {"config.json", "model.safetensors", "spm.model"})
        fs::copy_file(kBundled + "/" + f, dir + "/" + f);
    return dir;
}

// Runs `call` while a watchdog waits: should the call block (in open() on a FIFO), the
// watchdog opens the FIFO's other end after 10 s, which lets it through, and reports it.
template <class F>
bool blocksOnFifo(const std::string& fifo, F call)
{
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    std::atomic<bool> rescued{false};
    std::thread watchdog([&] {
        std::unique_lock<std::mutex> lock(mu);
        if (!cv.wait_for(lock, std::chrono::seconds(10), [&] { return done; })) {
            rescued = true;
            const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
            if (fd >= 0) ::close(fd);
        }
    });
    call();
    {
        std::lock_guard<std::mutex> lock(mu);
        done = true;
    }
    cv.notify_one();
    watchdog.join();
    return rescued;
}

// ---- protobuf wire encoding, for hostile ModelProto bytes ----

std::string varint(uint64_t v)
{
    std::string s;
    while (v >= 0x80) {
        s += char(uint8_t(v) | 0x80);
        v >>= 7;
    }
    return s + char(uint8_t(v));
}
std::string bytesField(int number, const std::string& payload)
{
    return varint(uint64_t(number) << 3 | 2) + varint(payload.size()) + payload;
}
std::string varintField(int number, uint64_t v) { return varint(uint64_t(number) << 3) + varint(v); }
// ModelProto.pieces entry: SentencePiece{piece = 1, score = 2 (float 0), type = 3}.
std::string pieceField(const std::string& piece, int type = 1)
{
    return bytesField(1, bytesField(1, piece) + std::string("\x15\0\0\0\0", 5) + varintField(3, uint64_t(type)));
}
// ModelProto.normalizer_spec (3) or denormalizer_spec (5) holding just a charsmap; protobuf
// merges it into the spec already in the file, so this charsmap replaces the real one.
std::string charsmapField(int spec, const std::string& charsmap) { return bytesField(spec, bytesField(2, charsmap)); }

std::string u32(uint32_t v) { return std::string{char(v), char(v >> 8), char(v >> 16), char(v >> 24)}; }

// darts-clone units (see spm_check.cpp for the layout).
uint32_t node(uint32_t label, uint32_t offset, bool leaf)
{
    return label | (leaf ? 1u << 8 : 0u) | (offset < (1u << 21) ? offset << 10 : (offset << 2) | (1u << 9));
}
uint32_t valueUnit(uint32_t v) { return v | (1u << 31); }

// A well-formed one-rule charsmap "a" -> "b" in one 256-unit block: the root's children
// live at base 1, the node for 'a' at 1 ^ 'a', its leaf (value 0, the string "b") at base 2.
// Unused units get labels that match no byte from any used base (label = i ^ 3).
std::vector<uint32_t> oneRuleTrie()
{
    std::vector<uint32_t> u(256);
    for (uint32_t i = 0; i < 256; ++i) u[i] = (i ^ 3u) & 0xFF;
    u[0] = node(0, 1, false);
    const uint32_t a = 1 ^ 'a';
    u[a] = node('a', a ^ 2, true);
    u[2] = valueUnit(0);
    return u;
}
std::string charsmap(const std::vector<uint32_t>& units, const std::string& strings)
{
    std::string s = u32(uint32_t(units.size() * 4));
    for (uint32_t x : units) s += u32(x);
    return s + strings;
}

Result<std::shared_ptr<text::Tokenizer>> loadSpm(const std::string& path)
{
    return text::Tokenizer::load({path, path, ""}, text::SpecialIds{});
}

}  // namespace

TEST_CASE("only regular files are read: FIFOs and devices are refused at once", "[hostile][files]")
{
    const std::string dir = tempDir();
    const std::string fifo = dir + "/fifo";
    ::unlink(fifo.c_str());
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);

    Result<std::string> read = error("not run");
    CHECK_FALSE(blocksOnFifo(fifo, [&] { read = io::readFile(fifo); }));
    REQUIRE_FALSE(read.ok());
    CHECK(read.message() == fifo + ": is not a regular file (a FIFO)");

    // config.json as a FIFO: Model::load refuses it promptly, naming the file.
    const std::string fifoConfig = copyBundled("fifo-config");
    fs::remove(fifoConfig + "/config.json");
    REQUIRE(::mkfifo((fifoConfig + "/config.json").c_str(), 0600) == 0);
    Result<std::shared_ptr<const Model>> model = error("not run");
    CHECK_FALSE(blocksOnFifo(fifoConfig + "/config.json", [&] { model = Model::load(fifoConfig); }));
    REQUIRE_FALSE(model.ok());
    CHECK_THAT(model.message(), Catch::Contains("config.json: is not a regular file (a FIFO)"));

    // spm.model as a FIFO.
    const std::string fifoSpm = copyBundled("fifo-spm");
    fs::remove(fifoSpm + "/spm.model");
    REQUIRE(::mkfifo((fifoSpm + "/spm.model").c_str(), 0600) == 0);
    CHECK_FALSE(blocksOnFifo(fifoSpm + "/spm.model", [&] { model = Model::load(fifoSpm); }));
    REQUIRE_FALSE(model.ok());
    CHECK_THAT(model.message(), Catch::Contains("spm.model: is not a regular file (a FIFO)"));

    // vocab.json as a FIFO.
    const std::string vocab = dir + "/vocab.json";
    ::unlink(vocab.c_str());
    REQUIRE(::mkfifo(vocab.c_str(), 0600) == 0);
    const std::string spm = kBundled + "/spm.model";
    Result<std::shared_ptr<text::Tokenizer>> tok = error("not run");
    CHECK_FALSE(blocksOnFifo(vocab, [&] { tok = text::Tokenizer::load({spm, spm, vocab}, text::SpecialIds{}); }));
    REQUIRE_FALSE(tok.ok());
    CHECK_THAT(tok.message(), Catch::Contains("vocab.json: is not a regular file (a FIFO)"));

    // /dev/zero as config.json (a symlink): a device, refused before a byte is read.
    const std::string zero = copyBundled("dev-zero");
    fs::remove(zero + "/config.json");
    fs::create_symlink("/dev/zero", zero + "/config.json");
    model = Model::load(zero);
    REQUIRE_FALSE(model.ok());
    CHECK_THAT(model.message(), Catch::Contains("config.json: is not a regular file (a character device)"));
    CHECK_THAT(loadSpm("/dev/urandom").message(), Catch::Contains("/dev/urandom: is not a regular file"));

    // A directory, a missing file, and the size cap.
    CHECK(io::readFile(dir).message() == dir + ": is a directory, not a file");
    CHECK(io::readFile(dir + "/absent").message() == dir + "/absent: no such file");
    writeBytes(dir + "/big", std::string(1000, 'x'));
    CHECK(io::readFile(dir + "/big", 999).message() == dir + "/big: larger than 999 bytes");
    CHECK(io::readFile(dir + "/big", 1000).value().size() == 1000);
}

TEST_CASE("spm.model: the bundled model passes the check and still loads", "[hostile][spm]")
{
    const std::string bytes = readBytes(kBundled + "/spm.model");
    auto summary = text::checkSentencePieceModel(bytes, "spm.model");
    INFO(summary.message());
    REQUIRE(summary.ok());
    CHECK(summary->pieces == 1000);
    CHECK(summary->normalizerCharsmapBytes > 1000);
    CHECK(loadSpm(kBundled + "/spm.model").ok());
    // Bounded by the model's vocabulary when the caller says so.
    auto bounded = text::checkSentencePieceModel(bytes, "spm.model", 600);
    CHECK(bounded.message() == "spm.model: the tokenizer has 1000 pieces but the model's vocab_size is 600");
}

TEST_CASE("spm.model: hostile ModelProtos are refused with the reason", "[hostile][spm]")
{
    const std::string dir = tempDir();
    const std::string base = readBytes(kBundled + "/spm.model");
    auto refused = [&](const std::string& name, const std::string& bytes) {
        const std::string path = dir + "/" + name + ".model";
        writeBytes(path, bytes);
        auto tok = loadSpm(path);
        CHECK_FALSE(tok.ok());
        CHECK_THAT(tok.message(), Catch::StartsWith(path + ": "));
        return tok.message();
    };

    SECTION("malformed wire data")
    {
        CHECK_THAT(refused("truncated", base.substr(0, base.size() / 2)), Catch::Contains("malformed protobuf"));
        CHECK_THAT(refused("overlong-varint", base + std::string(11, '\xFF')), Catch::Contains("malformed protobuf"));
        CHECK_THAT(refused("group", base + "\x0B"), Catch::Contains("groups"));
        CHECK_THAT(refused("bad-piece", base + bytesField(1, "\x0A\xFF\x01")), Catch::Contains("piece 1000 is malformed"));
        CHECK_THAT(refused("empty", ""), Catch::Contains("empty file"));
        CHECK_THAT(refused("no-pieces", bytesField(2, "")), Catch::Contains("no pieces"));
    }
    SECTION("a huge piece")
    {
        const std::string m = refused("huge-piece", base + pieceField(std::string(300000, 'x')));
        CHECK_THAT(m, Catch::EndsWith(": piece 1000 is 300000 bytes long (at most 4096)"));
        // 4096 bytes is still allowed (SentencePiece itself takes it).
        CHECK(text::checkSentencePieceModel(base + pieceField(std::string(4096, 'x')), "m").ok());
    }
    SECTION("user-defined pieces that are prefixes of each other")
    {
        const std::string star = "\xE2\x98\x86";  // ☆, not in the bundled vocabulary
        std::string deep = base, shallow = base;
        std::string piece;
        for (int i = 0; i < 40; ++i) {
            piece += star;
            deep += pieceField(piece, 4);
            if (i < 8) shallow += pieceField(piece, 4);
        }
        CHECK_THAT(refused("deep-user-defined", deep),
                   Catch::EndsWith(": 40 user-defined pieces are prefixes of one another (at most 32)"));
        // The same pieces as NORMAL are fine for the check; a shallow chain loads.
        CHECK(text::checkSentencePieceModel(base + pieceField(star, 4) + pieceField("x" + star, 4), "m").ok());
        const std::string path = dir + "/shallow.model";
        writeBytes(path, shallow);
        auto tok = loadSpm(path);
        INFO(tok.message());
        REQUIRE(tok.ok());
        const auto pieces = (*tok)->encodeSource(star + star + star).pieces;
        CHECK(std::find(pieces.begin(), pieces.end(), star + star + star) != pieces.end());
    }
    SECTION("a precompiled_charsmap that points outside itself")
    {
        // The hand-made trie is valid and SentencePiece uses it: "a" normalizes to "b".
        const std::string good = charsmap(oneRuleTrie(), std::string("b\0", 2));
        CHECK(text::checkPrecompiledCharsmap(good).empty());
        const std::string path = dir + "/one-rule.model";
        writeBytes(path, base + charsmapField(3, good));
        auto tok = loadSpm(path);
        INFO(tok.message());
        REQUIRE(tok.ok());
        CHECK((*tok)->encodeSource("a").pieces == (*loadSpm(kBundled + "/spm.model"))->encodeSource("b").pieces);

        // The root's children block lies past the end of the trie.
        std::vector<uint32_t> t = oneRuleTrie();
        t[0] = node(0, 4096, false);
        CHECK_THAT(refused("root-out", base + charsmapField(3, charsmap(t, std::string("b\0", 2)))),
                   Catch::EndsWith(": normalizer_spec.precompiled_charsmap is invalid: the trie points outside "
                                   "itself (base 4096, 256 units)"));
        // The same in the denormalizer spec.
        CHECK_THAT(refused("denorm-out", base + charsmapField(5, charsmap(t, std::string("b\0", 2)))),
                   Catch::Contains(": denormalizer_spec.precompiled_charsmap is invalid: the trie points outside"));
        // A match whose value lies past the string blob.
        t = oneRuleTrie();
        t[2] = valueUnit(1000);
        CHECK_THAT(refused("value-out", base + charsmapField(3, charsmap(t, std::string("b\0", 2)))),
                   Catch::Contains("a normalized string at 1000 lies outside the string blob"));
        // No terminating NUL.
        CHECK_THAT(refused("no-nul", base + charsmapField(3, charsmap(oneRuleTrie(), "b"))),
                   Catch::Contains("lies outside the string blob"));
        // A cycle: the child of 'a' is the root's block again.
        t = oneRuleTrie();
        const uint32_t a = 1 ^ 'a';
        t[a] = node('a', a ^ 1, false);
        CHECK_THAT(refused("cycle", base + charsmapField(3, charsmap(t, std::string("b\0", 2)))),
                   Catch::Contains("the trie has a cycle"));
        // Sizes: not a multiple of 4, past the blob, empty.
        CHECK_THAT(refused("size-odd", base + charsmapField(3, u32(6) + std::string(8, '\0'))),
                   Catch::Contains("trie size 6 is not a multiple of 4"));
        CHECK_THAT(refused("size-past", base + charsmapField(3, u32(4096) + std::string(8, '\0'))),
                   Catch::Contains("trie size 4096 runs past the end of the charsmap (12 bytes)"));
        CHECK_THAT(refused("size-short", base + charsmapField(3, "ab")), Catch::Contains("shorter than its 4-byte"));
        // Too many rules that are prefixes of one input: a chain "a", "aa", ... of 40 matches.
        std::vector<uint32_t> chain(256 * 41);
        for (uint32_t i = 0; i < chain.size(); ++i) chain[i] = (i ^ 3u) & 0xFF;
        chain[0] = node(0, 256, false);  // root children at base 256
        for (uint32_t k = 1; k <= 40; ++k) {
            const uint32_t at = 256 * k ^ 'a';             // node k: 'a' at depth k
            const uint32_t next = k < 40 ? 256 * (k + 1) : 2;  // its children's base
            chain[at] = node('a', at ^ next, true);
            chain[next] = valueUnit(0);
        }
        CHECK_THAT(refused("deep-rules", base + charsmapField(3, charsmap(chain, std::string("b\0", 2)))),
                   Catch::Contains("more than 32 rules are prefixes of one input"));
    }
}

TEST_CASE("spm.model: more pieces than vocab_size is refused before loading", "[hostile][spm]")
{
    const std::string dir = copyBundled("small-vocab");
    std::string cfg = readBytes(dir + "/config.json");
    REQUIRE(cfg.find("\"vocab_size\": 1000") != std::string::npos);
    auto model = Model::load(dir);
    REQUIRE(model.ok());
    const text::TokenizerFiles files = tokenizerFilesFor((*model)->config(), dir);
    CHECK(files.maxPieces == 1000);
    auto tok = text::Tokenizer::load({files.sourceModel, files.targetModel, "", 600}, text::SpecialIds{});
    CHECK(tok.message() == dir + "/spm.model: the tokenizer has 1000 pieces but the model's vocab_size is 600");
}

TEST_CASE("quoteText and clipped: escapes, UTF-8 kept, cut at a character", "[hostile][quote]")
{
    CHECK(quoteText("plain") == "'plain'");
    CHECK(clipped("a\nb\r\tc\x1b[31m\x7f") == "a\\nb\\r\\tc\\x1b[31m\\x7f");
    CHECK(clipped("caf\xC3\xA9 \xE7\x8C\xAB") == "caf\xC3\xA9 \xE7\x8C\xAB");  // valid UTF-8 passes
    CHECK(clipped("\xC2\x9B" "2J") == "\\xc2\\x9b2J");                      // C1 CSI escaped
    CHECK(clipped("\xFF\xC3") == "\\xff\\xc3");                              // not UTF-8
    CHECK(clipped(std::string(300, 'x')) == std::string(200, 'x') + "...");
    // Never cuts inside a multi-byte character.
    std::string cats;
    for (int i = 0; i < 100; ++i) cats += "\xE7\x8C\xAB";
    const std::string c = clipped(cats);
    CHECK(c.size() == 201 + 3);
    CHECK(c.substr(0, 201) == cats.substr(0, 201));
}

TEST_CASE("config.json and vocab.json: duplicate keys and deep nesting are refused", "[hostile][json]")
{
    const std::string cfg = readBytes(kBundled + "/config.json");
    REQUIRE(parseConfig(cfg, "c").ok());
    std::string dup = cfg;
    dup.insert(dup.find('{') + 1, "\"d_model\": 64,");
    CHECK(parseConfig(dup, "c").message() == "c: duplicate key 'd_model'");
    std::string nested = cfg;
    nested.replace(nested.find("\"source\": \"spm.model\""), 21, "\"source\": \"spm.model\", \"source\": \"x\"");
    CHECK(parseConfig(nested, "c").message() == "c: duplicate key 'source'");
    CHECK(parseConfig(std::string(100, '[') + std::string(100, ']'), "c").message() ==
          "c: nested deeper than 64 levels");
    CHECK_THAT(parseConfig("{\"d_model\": 1,", "c").message(), Catch::StartsWith("c: not valid JSON ("));

    const std::string dir = tempDir();
    const std::string spm = kBundled + "/spm.model";
    const std::string vocab = dir + "/dup-vocab.json";
    writeBytes(vocab, R"({"<pad>": 0, "</s>": 3, "<pad>": 5})");
    auto tok = text::Tokenizer::load({spm, spm, vocab}, text::SpecialIds{});
    CHECK(tok.message() == vocab + ": duplicate key '<pad>'");
    writeBytes(vocab, "{\"a\\u001b[2Jb\": \"x\"}");
    tok = text::Tokenizer::load({spm, spm, vocab}, text::SpecialIds{});
    CHECK(tok.message() == vocab + ": the id of 'a\\x1b[2Jb' is not an integer");
}

TEST_CASE("SentencePiece's own refusals say why", "[hostile][spm]")
{
    // Passes the wire-level check, but SentencePiece refuses an empty piece.
    const std::string path = tempDir() + "/empty-piece.model";
    writeBytes(path, readBytes(kBundled + "/spm.model") + pieceField(""));
    auto tok = loadSpm(path);
    REQUIRE_FALSE(tok.ok());
    CHECK_THAT(tok.message(), Catch::StartsWith(path + ": not a SentencePiece model ("));
    CHECK(tok.message().size() > path.size() + 40);
}
