// safetensors reader/writer: bit-exact round trips, half/bf16 conversions checked against
// hand-derived values and exhaustively, and one refusal per broken format rule.
#include "core/io/safetensors.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace sf::io;
using Catch::Contains;

namespace {

fs::path tempDir() {
    fs::path dir = fs::path(SF_BUILD_DIR) / "test_safetensors_tmp";
    fs::create_directories(dir);
    return dir;
}

void writeFile(const fs::path& p, const std::vector<uint8_t>& bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
}

std::vector<uint8_t> readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::vector<uint8_t> u64le(uint64_t v) {
    std::vector<uint8_t> b(8);
    for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
    return b;
}

// 8-byte little-endian length, the header (space-padded to 8 unless pad is false), then
// dataSize zero bytes.
std::vector<uint8_t> st(std::string header, std::size_t dataSize = 0, bool pad = true) {
    if (pad) header.append((8 - header.size() % 8) % 8, ' ');
    std::vector<uint8_t> b = u64le(header.size());
    b.insert(b.end(), header.begin(), header.end());
    b.insert(b.end(), dataSize, 0);
    return b;
}

uint32_t bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

float fromBits(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

// Random values with the awkward ones mixed in: +-0, +-inf, float and half subnormals,
// values that overflow half, and the range ends.
std::vector<float> testValues(std::size_t n, bool withNaN) {
    std::mt19937 rng(1234);
    std::uniform_real_distribution<float> wide(-70000.f, 70000.f);
    std::uniform_real_distribution<float> unit(-1.f, 1.f);
    std::vector<float> v = {0.f, -0.f, std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::denorm_min(), -1e-40f, 6e-8f, -3e-6f,
                            1e-5f, 65504.f, 65519.f, 65520.f, -1e6f, 1.f, -2.f,
                            std::numeric_limits<float>::max(), std::numeric_limits<float>::min()};
    if (withNaN) v.push_back(fromBits(0x7FC01234));
    while (v.size() < n) {
        const float x = (v.size() % 3 == 0) ? wide(rng) : unit(rng) * std::pow(2.f, -float(v.size() % 30));
        v.push_back(x);
    }
    return v;
}

std::vector<uint8_t> bytesOf(const SafetensorsFile& f, const TensorInfo& t) {
    return std::vector<uint8_t>(f.bytes(t), f.bytes(t) + (t.end - t.begin));
}

}  // namespace

TEST_CASE("dtype names and sizes match the reference", "[safetensors]") {
    const std::vector<std::pair<const char*, std::size_t>> expected = {
        {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1},
        {"I16", 2},  {"U16", 2}, {"F16", 2}, {"BF16", 2},    {"I32", 4},
        {"U32", 4},  {"F32", 4}, {"F64", 8}, {"I64", 8},     {"U64", 8}};
    for (const auto& [name, size] : expected) {
        DType t;
        REQUIRE(parseDType(name, &t));
        CHECK(std::string(dtypeName(t)) == name);
        CHECK(dtypeSize(t) == size);
    }
    DType t;
    CHECK_FALSE(parseDType("f32", &t));
    CHECK_FALSE(parseDType("F128", &t));
}

TEST_CASE("half <-> float: hand-derived values", "[safetensors]") {
    CHECK(halfToFloat(0x3C00) == 1.0f);
    CHECK(halfToFloat(0xC000) == -2.0f);
    CHECK(halfToFloat(0x7BFF) == 65504.0f);
    CHECK(halfToFloat(0x0001) == std::ldexp(1.0f, -24));  // smallest subnormal
    CHECK(halfToFloat(0x03FF) == std::ldexp(1023.0f, -24));  // largest subnormal
    CHECK(halfToFloat(0x0400) == std::ldexp(1.0f, -14));  // smallest normal
    CHECK(bits(halfToFloat(0x8000)) == 0x80000000u);  // -0
    CHECK(halfToFloat(0x7C00) == std::numeric_limits<float>::infinity());
    CHECK(halfToFloat(0xFC00) == -std::numeric_limits<float>::infinity());
    CHECK(std::isnan(halfToFloat(0x7E00)));
    CHECK(std::isnan(halfToFloat(0x7C01)));  // signalling NaN stays NaN

    CHECK(floatToHalf(1.0f) == 0x3C00);
    CHECK(floatToHalf(-2.0f) == 0xC000);
    CHECK(floatToHalf(65504.0f) == 0x7BFF);
    CHECK(floatToHalf(-0.0f) == 0x8000);
    // Ties go to the even mantissa: 1 + 2^-11 lies halfway between 0x3C00 and 0x3C01.
    CHECK(floatToHalf(1.0f + std::ldexp(1.0f, -11)) == 0x3C00);
    CHECK(floatToHalf(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3C02);
    CHECK(floatToHalf(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)) == 0x3C01);
    // Overflow: 65520 is halfway past 65504 and goes to inf; just below stays finite.
    CHECK(floatToHalf(70000.0f) == 0x7C00);
    CHECK(floatToHalf(65520.0f) == 0x7C00);
    CHECK(floatToHalf(65519.0f) == 0x7BFF);
    CHECK(floatToHalf(-1e30f) == 0xFC00);
    // Subnormals: 2^-24 is 0x0001; 2^-25 is a tie between 0 and 1 and goes to 0;
    // 1.5 * 2^-24 is a tie between 1 and 2 and goes to 2.
    CHECK(floatToHalf(std::ldexp(1.0f, -24)) == 0x0001);
    CHECK(floatToHalf(std::ldexp(1.0f, -25)) == 0x0000);
    CHECK(floatToHalf(std::ldexp(1.0f, -25) * 1.0001f) == 0x0001);
    CHECK(floatToHalf(std::ldexp(3.0f, -25)) == 0x0002);
    CHECK(floatToHalf(-std::ldexp(1.0f, -30)) == 0x8000);
    CHECK(floatToHalf(std::ldexp(1023.5f, -24)) == 0x0400);  // rounds up into the normals
    CHECK(floatToHalf(std::numeric_limits<float>::infinity()) == 0x7C00);
    const uint16_t nan = floatToHalf(std::numeric_limits<float>::quiet_NaN());
    CHECK((nan & 0x7C00) == 0x7C00);
    CHECK((nan & 0x03FF) != 0);
    const uint16_t snan = floatToHalf(fromBits(0x7F800001));  // payload only in low bits
    CHECK((snan & 0x7C00) == 0x7C00);
    CHECK((snan & 0x03FF) != 0);
}

TEST_CASE("half <-> float: exhaustive decode and round-to-nearest-even encode", "[safetensors]") {
    for (uint32_t h = 0; h < 0x10000; ++h) {
        const uint32_t exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
        const float f = halfToFloat(static_cast<uint16_t>(h));
        if (exp == 0x1F) {
            REQUIRE((mant == 0 ? std::isinf(f) : std::isnan(f)));
            if (mant) REQUIRE(std::isnan(halfToFloat(floatToHalf(f))));
            continue;
        }
        // The definition: (-1)^s * (exp ? 1 + mant/1024 : mant/1024) * 2^(max(exp,1) - 15).
        const double expect = (h & 0x8000 ? -1.0 : 1.0) *
                              std::ldexp(exp ? 1024.0 + mant : double(mant), int(exp ? exp : 1) - 25);
        REQUIRE(double(f) == expect);
        REQUIRE(floatToHalf(f) == h);  // every half survives the round trip
        if (h & 0x8000 || h == 0x7BFF) continue;
        // Midpoint to the next half goes to the even one; a hair either side goes to the
        // nearer one.
        const float next = halfToFloat(static_cast<uint16_t>(h + 1));
        const float mid = float((double(f) + double(next)) / 2);
        REQUIRE(double(mid) == (double(f) + double(next)) / 2);  // exact in float
        REQUIRE(floatToHalf(mid) == ((h & 1) ? h + 1 : h));
        REQUIRE(floatToHalf(std::nextafter(mid, 0.0f)) == h);
        REQUIRE(floatToHalf(std::nextafter(mid, std::numeric_limits<float>::infinity())) == h + 1);
    }
}

TEST_CASE("bf16 <-> float: hand-derived values and exhaustive rounding", "[safetensors]") {
    CHECK(floatToBf16(1.0f) == 0x3F80);
    CHECK(bf16ToFloat(0x3F80) == 1.0f);
    CHECK(bf16ToFloat(0xC000) == -2.0f);
    CHECK(floatToBf16(-0.0f) == 0x8000);
    // Ties to even: 1 + 2^-8 is halfway between 0x3F80 and 0x3F81.
    CHECK(floatToBf16(1.0f + std::ldexp(1.0f, -8)) == 0x3F80);
    CHECK(floatToBf16(1.0f + 3 * std::ldexp(1.0f, -8)) == 0x3F82);
    CHECK(floatToBf16(1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20)) == 0x3F81);
    CHECK(floatToBf16(std::numeric_limits<float>::max()) == 0x7F80);  // rounds up to inf
    CHECK(floatToBf16(std::numeric_limits<float>::infinity()) == 0x7F80);
    CHECK(bf16ToFloat(0x7F80) == std::numeric_limits<float>::infinity());
    CHECK(std::isnan(bf16ToFloat(0x7FC1)));
    // A NaN whose payload sits only in the low 16 bits must not truncate to inf.
    CHECK(std::isnan(bf16ToFloat(floatToBf16(fromBits(0x7F800001)))));
    CHECK(std::isnan(bf16ToFloat(floatToBf16(fromBits(0xFF800001)))));

    for (uint32_t b = 0; b < 0x10000; ++b) {
        const float f = bf16ToFloat(static_cast<uint16_t>(b));
        REQUIRE(bits(f) == b << 16);
        if (std::isnan(f)) {
            REQUIRE(std::isnan(bf16ToFloat(floatToBf16(f))));
            continue;
        }
        REQUIRE(floatToBf16(f) == b);
        if (b & 0x8000 || b >= 0x7F7F) continue;
        const float next = bf16ToFloat(static_cast<uint16_t>(b + 1));
        const float mid = float((double(f) + double(next)) / 2);
        REQUIRE(double(mid) == (double(f) + double(next)) / 2);
        REQUIRE(floatToBf16(mid) == ((b & 1) ? b + 1 : b));
        REQUIRE(floatToBf16(std::nextafter(mid, 0.0f)) == b);
        REQUIRE(floatToBf16(std::nextafter(mid, std::numeric_limits<float>::infinity())) == b + 1);
    }
}

TEST_CASE("write then read is bit-exact for F32, F16 and BF16", "[safetensors]") {
    const std::vector<float> v32 = testValues(3 * 50, true);
    const std::vector<float> v16 = testValues(7 * 11, false);
    const std::vector<float> vbf = testValues(64, true);
    const float scalar = -1.25f;
    std::vector<TensorToWrite> out = {
        tensorFromFloats("model.shared.weight", {3, 50}, v32.data(), DType::F32),
        tensorFromFloats("half", {7, 11}, v16.data(), DType::F16),
        tensorFromFloats("brain", {2, 4, 8}, vbf.data(), DType::BF16),
        tensorFromFloats("scalar", {}, &scalar, DType::F32),
        tensorFromFloats("empty", {0, 5}, nullptr, DType::F16),
    };
    REQUIRE(out[0].bytes.size() == 150 * 4);
    REQUIRE(out[1].bytes.size() == 77 * 2);
    REQUIRE(out[2].bytes.size() == 64 * 2);
    REQUIRE(out[4].bytes.empty());
    const std::map<std::string, std::string> meta = {{"format", "pt"}, {"note", "caf\xc3\xa9 \"q\""}};

    const fs::path path = tempDir() / "roundtrip.safetensors";
    fs::remove(path);
    const sf::Status s = writeSafetensors(path.string(), out, meta);
    REQUIRE(s.ok());
    CHECK_FALSE(fs::exists(path.string() + ".tmp"));

    // Layout: header length multiple of 8, buffer = the tensors back to back.
    const std::vector<uint8_t> raw = readFile(path);
    REQUIRE(raw.size() >= 8);
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | raw[i];
    CHECK(n % 8 == 0);
    CHECK(raw.size() == 8 + n + 600 + 154 + 128 + 4);
    CHECK(raw[8] == '{');

    auto r = SafetensorsFile::open(path.string());
    REQUIRE(r.ok());
    const SafetensorsFile& f = **r;
    CHECK(f.path() == path.string());
    CHECK(f.metadata() == meta);
    REQUIRE(f.tensors().size() == out.size());
    for (std::size_t i = 0; i < out.size(); ++i) {  // file order = written order
        const TensorInfo& t = f.tensors()[i];
        INFO(out[i].name);
        CHECK(t.name == out[i].name);
        CHECK(t.dtype == out[i].dtype);
        CHECK(t.shape == out[i].shape);
        CHECK(bytesOf(f, t) == out[i].bytes);
        CHECK(f.find(t.name) == &t);
    }
    CHECK(f.find("missing") == nullptr);
    CHECK(f.tensors()[3].numel() == 1);
    CHECK(f.tensors()[4].numel() == 0);

    // F32: zero-copy pointer, and every bit (NaN payload, -0) survives.
    const TensorInfo& t32 = f.tensors()[0];
    const float* p = f.f32(t32);
    REQUIRE(p != nullptr);
    auto c32 = f.toFloat(t32);
    REQUIRE(c32.ok());
    REQUIRE(c32->size() == v32.size());
    for (std::size_t i = 0; i < v32.size(); ++i) {
        REQUIRE(bits(p[i]) == bits(v32[i]));
        REQUIRE(bits((*c32)[i]) == bits(v32[i]));
    }
    CHECK(f.f32(f.tensors()[1]) == nullptr);  // F16 has no zero-copy float view

    auto c16 = f.toFloat(f.tensors()[1]);
    REQUIRE(c16.ok());
    REQUIRE(c16->size() == v16.size());
    for (std::size_t i = 0; i < v16.size(); ++i)
        REQUIRE(bits((*c16)[i]) == bits(halfToFloat(floatToHalf(v16[i]))));
    auto cbf = f.toFloat(f.tensors()[2]);
    REQUIRE(cbf.ok());
    REQUIRE(cbf->size() == vbf.size());
    for (std::size_t i = 0; i < vbf.size(); ++i)
        REQUIRE(bits((*cbf)[i]) == bits(bf16ToFloat(floatToBf16(vbf[i]))));
    auto cs = f.toFloat(f.tensors()[3]);
    REQUIRE(cs.ok());
    CHECK(*cs == std::vector<float>{-1.25f});
    auto ce = f.toFloat(f.tensors()[4]);
    REQUIRE(ce.ok());
    CHECK(ce->empty());

    // The same bytes through fromBytes give the same tensors; rewriting gives the same file.
    auto m = SafetensorsFile::fromBytes(raw, "in-memory");
    REQUIRE(m.ok());
    CHECK((*m)->path() == "in-memory");
    REQUIRE((*m)->tensors().size() == out.size());
    CHECK(bytesOf(**m, (*m)->tensors()[2]) == out[2].bytes);
    const fs::path again = tempDir() / "roundtrip2.safetensors";
    REQUIRE(writeSafetensors(again.string(), out, meta).ok());
    CHECK(readFile(again) == raw);
}

TEST_CASE("no metadata key without metadata, and an empty file is valid", "[safetensors]") {
    const fs::path path = tempDir() / "nometa.safetensors";
    const float one = 1.0f;
    REQUIRE(writeSafetensors(path.string(), {tensorFromFloats("a", {1}, &one)}).ok());
    const std::vector<uint8_t> raw = readFile(path);
    const std::string header(raw.begin() + 8, raw.end() - 4);
    CHECK(header.find("__metadata__") == std::string::npos);
    CHECK(header.find(": ") == std::string::npos);  // compact

    const fs::path empty = tempDir() / "nothing.safetensors";
    REQUIRE(writeSafetensors(empty.string(), {}).ok());
    CHECK(readFile(empty) == st("{}"));
    auto r = SafetensorsFile::open(empty.string());
    REQUIRE(r.ok());
    CHECK((*r)->tensors().empty());
    CHECK((*r)->metadata().empty());
}

TEST_CASE("misaligned F32 data: no zero-copy pointer, toFloat still works", "[safetensors]") {
    // An unpadded 61-byte header puts the buffer at offset 69: not 4-aligned.
    std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    header.append(61 - header.size(), ' ');
    std::vector<uint8_t> b = st(header, 0, false);
    for (float x : {3.5f, -0.0f})
        for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(bits(x) >> (8 * i)));
    auto r = SafetensorsFile::fromBytes(b, "misaligned");
    REQUIRE(r.ok());
    const TensorInfo* t = (*r)->find("a");
    REQUIRE(t != nullptr);
    CHECK((*r)->f32(*t) == nullptr);
    auto v = (*r)->toFloat(*t);
    REQUIRE(v.ok());
    REQUIRE(v->size() == 2);
    CHECK((*v)[0] == 3.5f);
    CHECK(bits((*v)[1]) == 0x80000000u);
}

TEST_CASE("toFloat refuses integer dtypes, naming the tensor and dtype", "[safetensors]") {
    auto r = SafetensorsFile::fromBytes(
        st(R"({"ids":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}})", 8), "ints.safetensors");
    REQUIRE(r.ok());
    CHECK((*r)->f32((*r)->tensors()[0]) == nullptr);
    auto v = (*r)->toFloat((*r)->tensors()[0]);
    REQUIRE_FALSE(v.ok());
    REQUIRE_THAT(v.message(), Contains("ints.safetensors: tensor 'ids' has dtype I32"));
    REQUIRE_THAT(v.message(), Contains("does not convert to float"));
}

TEST_CASE("the writer refuses inconsistent tensors, naming the path", "[safetensors]") {
    const fs::path path = tempDir() / "refused_write.safetensors";
    const std::string p = path.string();
    const float v[2] = {1, 2};

    TensorToWrite shortT{"w", DType::F32, {2}, {0, 0, 0}};
    sf::Status s = writeSafetensors(p, {shortT});
    REQUIRE_FALSE(s.ok());
    REQUIRE_THAT(s.message(), Contains(p + ": tensor 'w' holds 3 bytes but shape [2] of F32 needs"));

    s = writeSafetensors(p, {tensorFromFloats("x", {2}, v), tensorFromFloats("x", {2}, v)});
    REQUIRE_FALSE(s.ok());
    REQUIRE_THAT(s.message(), Contains(p + ": duplicate tensor name 'x'"));

    s = writeSafetensors(p, {tensorFromFloats("n", {-2}, v)});
    REQUIRE_FALSE(s.ok());
    REQUIRE_THAT(s.message(), Contains("negative dimension"));

    // tensorFromFloats only encodes float dtypes; anything else fails at write time.
    s = writeSafetensors(p, {tensorFromFloats("i", {2}, v, DType::I32)});
    REQUIRE_FALSE(s.ok());
    REQUIRE_THAT(s.message(), Contains("tensor 'i' holds 0 bytes"));

    s = writeSafetensors(p, {tensorFromFloats("__metadata__", {2}, v)});
    REQUIRE_FALSE(s.ok());
    REQUIRE_THAT(s.message(), Contains("reserved"));
    CHECK_FALSE(fs::exists(path));

    const std::string noDir = (tempDir() / "no_such_dir" / "x.safetensors").string();
    s = writeSafetensors(noDir, {tensorFromFloats("a", {2}, v)});
    REQUIRE_FALSE(s.ok());
    REQUIRE_THAT(s.message(), Contains(noDir + ": cannot create"));
}

TEST_CASE("the writer replaces an existing file atomically", "[safetensors]") {
    const fs::path path = tempDir() / "replace.safetensors";
    const float a = 1, b = 2;
    REQUIRE(writeSafetensors(path.string(), {tensorFromFloats("a", {1}, &a)}).ok());
    REQUIRE(writeSafetensors(path.string(), {tensorFromFloats("b", {1}, &b)}).ok());
    auto r = SafetensorsFile::open(path.string());
    REQUIRE(r.ok());
    REQUIRE((*r)->tensors().size() == 1);
    CHECK((*r)->tensors()[0].name == "b");
    CHECK_FALSE(fs::exists(path.string() + ".tmp"));
}

namespace {

struct Malformed {
    const char* file;
    std::vector<uint8_t> bytes;
    const char* phrase;  // specific to the rule this file breaks
};

std::string entry(const std::string& dtype, const std::string& shape, const std::string& offsets) {
    return R"({"dtype":")" + dtype + R"(","shape":)" + shape + R"(,"data_offsets":)" + offsets + "}";
}

std::vector<Malformed> malformedCases() {
    const std::string f1 = entry("F32", "[1]", "[0,4]");
    std::vector<uint8_t> tooLarge = u64le(100'000'001);
    tooLarge.push_back('{');
    std::vector<uint8_t> pastEnd = u64le(64);
    for (char c : std::string("{}      ")) pastEnd.push_back(static_cast<uint8_t>(c));
    return {
        {"short.safetensors", {1, 0, 0}, "file shorter than 8 bytes (3 bytes)"},
        {"header_too_large.safetensors", tooLarge, "header length 100000001 exceeds the 100000000-byte limit"},
        {"header_past_end.safetensors", pastEnd, "header length 64 runs past the end of the file (16 bytes)"},
        {"bad_utf8.safetensors", st("{\"\xc0\xaf\":{}}"), "header is not valid UTF-8 (byte 2"},
        {"not_json.safetensors", st(R"({"a": })"), "header is not valid JSON"},
        {"array.safetensors", st("[1,2]"), "header top level is not a JSON object"},
        {"leading_space.safetensors", st(" {}", 0, false), "header does not start with '{'"},
        {"unknown_dtype.safetensors", st(R"({"a":)" + entry("F33", "[1]", "[0,4]") + "}", 4),
         "tensor 'a': unknown dtype 'F33'"},
        {"shape_negative.safetensors", st(R"({"a":)" + entry("F32", "[2,-1]", "[0,4]") + "}", 4),
         "tensor 'a': shape has a negative dimension -1"},
        {"shape_not_array.safetensors", st(R"({"a":)" + entry("F32", "\"2x2\"", "[0,4]") + "}", 4),
         "tensor 'a': shape is not an array"},
        {"offsets_arity.safetensors", st(R"({"a":)" + entry("F32", "[1]", "[4]") + "}", 4),
         "tensor 'a': data_offsets must hold exactly 2 entries, found 1"},
        {"begin_after_end.safetensors", st(R"({"a":)" + entry("F32", "[0]", "[8,4]") + "}", 8),
         "tensor 'a': data_offsets begin 8 is greater than end 4"},
        {"size_mismatch.safetensors", st(R"({"a":)" + entry("F16", "[2,3]", "[0,8]") + "}", 8),
         "tensor 'a': size mismatch: shape [2, 3] of F16 needs 12 bytes but data_offsets span 8"},
        {"shape_overflow.safetensors",
         st(R"({"a":)" + entry("F32", "[4294967296,4294967296,0]", "[0,0]") + "}"),
         "tensor 'a': shape product overflows 64 bits"},
        {"bytes_overflow.safetensors", st(R"({"a":)" + entry("F64", "[2305843009213693952]", "[0,0]") + "}"),
         "tensor 'a': byte size (numel x dtype size) overflows 64 bits"},
        {"gap.safetensors", st(R"({"a":)" + f1 + R"(,"b":)" + entry("F32", "[1]", "[8,12]") + "}", 12),
         "gap between tensors: tensor 'b' begins at 8 but the previous one ends at 4"},
        {"overlap.safetensors",
         st(R"({"a":)" + entry("F32", "[2]", "[0,8]") + R"(,"b":)" + entry("F32", "[2]", "[4,12]") + "}", 12),
         "tensor 'b' overlaps the previous one"},
        {"not_at_zero.safetensors", st(R"({"a":)" + entry("F32", "[1]", "[4,8]") + "}", 8),
         "first tensor 'a' does not start at offset 0"},
        {"past_buffer.safetensors", st(R"({"a":)" + entry("F32", "[2]", "[0,8]") + "}", 4),
         "tensor 'a' ends at 8, past the end of the data buffer (4 bytes)"},
        {"trailing.safetensors", st(R"({"a":)" + f1 + "}", 7), "data buffer has 3 trailing bytes after the last tensor"},
        {"no_tensors_data.safetensors", st("{}", 2), "header lists no tensors but the data buffer holds 2 bytes"},
        {"duplicate.safetensors", st(R"({"a":)" + f1 + R"(,"a":)" + f1 + "}", 4),
         "duplicate tensor name 'a' in header"},
        {"duplicate_key.safetensors",
         st(R"({"a":{"dtype":"F32","shape":[1],"shape":[1],"data_offsets":[0,4]}})", 4),
         "duplicate key 'shape' in header"},
        {"metadata_value.safetensors", st(R"({"__metadata__":{"epochs":3}})"),
         "__metadata__ value for 'epochs' is not a string"},
        {"metadata_array.safetensors", st(R"({"__metadata__":["x"]})"), "__metadata__ is not an object"},
        {"unknown_key.safetensors",
         st(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"strides":[1]}})", 4),
         "tensor 'a': unknown key 'strides'"},
        {"missing_key.safetensors", st(R"({"a":{"dtype":"F32","shape":[1]}})", 4),
         "tensor 'a': missing key 'data_offsets'"},
        {"entry_not_object.safetensors", st(R"({"a":[1]})"), "entry 'a' is not an object"},
        {"dtype_number.safetensors", st(R"({"a":)" + entry("4", "[1]", "[0,4]").replace(9, 3, "4") + "}", 4),
         "tensor 'a': dtype is not a string"},
        {"shape_float.safetensors", st(R"({"a":)" + entry("F32", "[1.0]", "[0,4]") + "}", 4),
         "tensor 'a': shape entry is not an integer"},
        {"offsets_float.safetensors", st(R"({"a":)" + entry("F32", "[1]", "[0,4.0]") + "}", 4),
         "tensor 'a': data_offsets entry is not a non-negative integer"},
        {"offsets_not_array.safetensors", st(R"({"a":)" + entry("F32", "[1]", "4") + "}", 4),
         "tensor 'a': data_offsets is not an array"},
        {"deep.safetensors", st(R"({"a":)" + std::string(40, '[') + std::string(40, ']') + "}"),
         "header JSON nests deeper than 16 levels"},
    };
}

}  // namespace

TEST_CASE("each malformed file is refused with its own message naming the file", "[safetensors]") {
    const std::vector<Malformed> cases = malformedCases();
    REQUIRE(cases.size() >= 30);
    std::set<std::string> phrases, messages;
    for (const Malformed& c : cases) {
        INFO(c.file);
        const fs::path path = tempDir() / c.file;
        writeFile(path, c.bytes);
        auto r = SafetensorsFile::open(path.string());
        REQUIRE_FALSE(r.ok());
        REQUIRE_THAT(r.message(), Contains(path.string() + ": "));
        REQUIRE_THAT(r.message(), Contains(c.phrase));
        // The in-memory path applies the same rule with the same words.
        auto m = SafetensorsFile::fromBytes(c.bytes, c.file);
        REQUIRE_FALSE(m.ok());
        REQUIRE(m.message() == std::string(c.file) + r.message().substr(path.string().size()));
        phrases.insert(c.phrase);
        messages.insert(m.message().substr(std::strlen(c.file)));  // the rule, label removed
    }
    CHECK(phrases.size() == cases.size());  // one distinct rule per file
    CHECK(messages.size() == cases.size());
}

TEST_CASE("missing files, directories and an empty file are refused by path", "[safetensors]") {
    const fs::path missing = tempDir() / "does_not_exist.safetensors";
    fs::remove(missing);
    auto r = SafetensorsFile::open(missing.string());
    REQUIRE_FALSE(r.ok());
    REQUIRE_THAT(r.message(), Contains(missing.string() + ": cannot open file"));

    const fs::path dir = tempDir() / "a_directory.safetensors";
    fs::create_directories(dir);
    r = SafetensorsFile::open(dir.string());
    REQUIRE_FALSE(r.ok());
    REQUIRE_THAT(r.message(), Contains(dir.string() + ": is a directory"));

    const fs::path empty = tempDir() / "zero_bytes.safetensors";
    writeFile(empty, {});
    r = SafetensorsFile::open(empty.string());
    REQUIRE_FALSE(r.ok());
    REQUIRE_THAT(r.message(), Contains(empty.string() + ": file shorter than 8 bytes (0 bytes)"));

    auto m = SafetensorsFile::fromBytes({}, "nothing");
    REQUIRE_FALSE(m.ok());
    REQUIRE_THAT(m.message(), Contains("nothing: file shorter than 8 bytes"));
}

TEST_CASE("valid edge cases are accepted", "[safetensors]") {
    // Trailing spaces (and other JSON whitespace) after the object; zero-size tensors sharing
    // an offset; a scalar; every dtype name; non-float dtypes open fine.
    auto r = SafetensorsFile::fromBytes(
        st(R"({"z1":)" + entry("F32", "[0]", "[0,0]") + R"(,"s":)" + entry("U8", "[]", "[0,1]") +
               R"(,"z2":)" + entry("BF16", "[3,0]", "[0,0]") + R"(,"b":)" + entry("BOOL", "[2]", "[1,3]") +
               R"(,"e":)" + entry("F8_E4M3", "[1]", "[3,4]") + "}\n   ",
           4),
        "edge");
    REQUIRE(r.ok());
    REQUIRE((*r)->tensors().size() == 5);
    CHECK((*r)->tensors()[0].name == "z1");  // header order, not offset order
    CHECK((*r)->tensors()[1].shape.empty());
    CHECK((*r)->tensors()[1].numel() == 1);
    CHECK((*r)->find("e")->dtype == DType::F8_E4M3);
    // A valid multi-byte UTF-8 name (4-byte form included).
    auto u = SafetensorsFile::fromBytes(st("{\"caf\xc3\xa9\xf0\x9f\x98\x80\":" + entry("U8", "[1]", "[0,1]") + "}", 1),
                                        "utf8");
    REQUIRE(u.ok());
    CHECK((*u)->find("caf\xc3\xa9\xf0\x9f\x98\x80") != nullptr);
}

TEST_CASE("committed fixtures are refused with their listed phrases", "[safetensors]") {
    const fs::path dir = fs::path(SF_SOURCE_DIR) / "tests" / "fixtures" / "safetensors";
    std::ifstream in(dir / "expected.json");
    REQUIRE(in.good());
    nlohmann::json listing = nlohmann::json::parse(in, nullptr, false);
    REQUIRE(listing.is_object());
    REQUIRE(listing["refused"].size() >= 15);
    for (const auto& [file, phrase] : listing["refused"].items()) {
        INFO(file);
        const std::string path = (dir / file).string();
        REQUIRE(fs::exists(path));
        auto r = SafetensorsFile::open(path);
        REQUIRE_FALSE(r.ok());
        REQUIRE_THAT(r.message(), Contains(path + ": "));
        REQUIRE_THAT(r.message(), Contains(phrase.get<std::string>()));
    }
    REQUIRE(listing["accepted"].size() >= 1);
    for (const auto& file : listing["accepted"]) {
        INFO(file.get<std::string>());
        auto r = SafetensorsFile::open((dir / file.get<std::string>()).string());
        REQUIRE(r.ok());
    }
}

TEST_CASE("a header with 200k keys parses in linear time, and a late duplicate is still refused",
          "[safetensors][hostile]") {
    // ordered_json's operator[] made this quadratic (minutes); appended keys make it linear.
    std::string meta = "\"__metadata__\":{";
    for (int i = 0; i < 200000; ++i) meta += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":\"v\"";
    std::string tensors;
    for (int i = 0; i < 50000; ++i) tensors += ",\"t" + std::to_string(i) + "\":" + entry("F32", "[0]", "[0,0]");
    auto r = SafetensorsFile::fromBytes(st("{" + meta + "}" + tensors + "}"), "many");
    INFO(r.message());
    REQUIRE(r.ok());
    CHECK((*r)->metadata().size() == 200000);
    REQUIRE((*r)->tensors().size() == 50000);
    CHECK((*r)->tensors().back().name == "t49999");  // header order kept
    CHECK((*r)->find("t123") != nullptr);
    auto dup = SafetensorsFile::fromBytes(st("{" + meta + ",\"k5\":\"w\"}" + tensors + "}"), "dup");
    CHECK(dup.message() == "dup: duplicate key 'k5' in header");
    auto dupTensor = SafetensorsFile::fromBytes(st("{" + meta + "}" + tensors + ",\"t7\":" +
                                                   entry("F32", "[0]", "[0,0]") + "}"), "dupt");
    CHECK(dupTensor.message() == "dupt: duplicate tensor name 't7' in header");
}

TEST_CASE("names quoted from a file are clipped and escaped: one short line", "[safetensors][hostile]") {
    const std::string huge(50000, 'n');
    auto r = SafetensorsFile::fromBytes(st("{\"" + huge + "\":" + entry("Q9", "[1]", "[0,1]") + "}", 1), "big");
    REQUIRE_FALSE(r.ok());
    CHECK(r.message().size() < 400);
    CHECK(r.message() == "big: tensor '" + std::string(200, 'n') + "...': unknown dtype 'Q9'");
    // "\n\x1b[31m" in a key (JSON escapes in the file) is written as escapes, not raw bytes.
    r = SafetensorsFile::fromBytes(st(R"({"a\n\u001b[31m":)" + entry("Q9", "[1]", "[0,1]") + "}", 1), "esc");
    REQUIRE_FALSE(r.ok());
    CHECK(r.message() == "esc: tensor 'a\\n\\x1b[31m': unknown dtype 'Q9'");
    CHECK(r.message().find('\n') == std::string::npos);
    CHECK(r.message().find('\x1b') == std::string::npos);
}

TEST_CASE("a file truncated after opening does not crash the reader (no SIGBUS)", "[safetensors][hostile]") {
    // Files up to kMaxCopiedBytes are read into memory: with a mapping, reading a weight of
    // this truncated file would kill the process with SIGBUS.
    const fs::path path = tempDir() / ("truncated_" + std::to_string(::getpid()) + ".safetensors");
    const std::vector<float> values = testValues(50000, false);
    REQUIRE(writeSafetensors(path.string(), {tensorFromFloats("w", {50000}, values.data())}).ok());
    auto f = SafetensorsFile::open(path.string());
    REQUIRE(f.ok());
    fs::resize_file(path, 8);
    const TensorInfo* w = (*f)->find("w");
    REQUIRE(w);
    auto back = (*f)->toFloat(*w);
    REQUIRE(back.ok());
    CHECK(std::memcmp(back->data(), values.data(), values.size() * 4) == 0);
    REQUIRE((*f)->f32(*w));
    CHECK(std::memcmp((*f)->f32(*w), values.data(), values.size() * 4) == 0);
    fs::remove(path);
}
