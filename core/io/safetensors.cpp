// safetensors reader and writer. Every rule below is one the reference implementation
// (huggingface/safetensors, `SafeTensors::deserialize` / `validate`) enforces; each
// refusal is an Error "<path>: <rule broken>". Nothing here throws or exits.
#include "core/io/safetensors.h"

#include "core/quote.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <new>
#include <set>
#include <sstream>
#include <unordered_set>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sf::io {

namespace {

using Json = nlohmann::ordered_json;  // keeps header order: tensors() is in file order

constexpr uint64_t kMaxHeaderSize = 100'000'000;  // the reference's MAX_HEADER_SIZE
constexpr std::size_t kMaxJsonDepth = 16;          // a valid header nests 3 deep
const char* const kMetadataKey = "__metadata__";

struct DTypeEntry {
    DType type;
    const char* name;
    std::size_t size;
};

// Names and sizes exactly as the reference's `Dtype` enum.
constexpr DTypeEntry kDTypes[] = {
    {DType::BOOL, "BOOL", 1},       {DType::U8, "U8", 1},   {DType::I8, "I8", 1},
    {DType::F8_E5M2, "F8_E5M2", 1}, {DType::F8_E4M3, "F8_E4M3", 1},
    {DType::I16, "I16", 2},         {DType::U16, "U16", 2}, {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2},       {DType::I32, "I32", 4}, {DType::U32, "U32", 4},
    {DType::F32, "F32", 4},         {DType::F64, "F64", 8}, {DType::I64, "I64", 8},
    {DType::U64, "U64", 8},
};

const DTypeEntry* dtypeEntry(DType t) {
    for (const DTypeEntry& e : kDTypes)
        if (e.type == t) return &e;
    return nullptr;
}

uint32_t floatBits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

float bitsFloat(uint32_t u) {
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

uint64_t readU64LE(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

// a * b, false on uint64 overflow.
bool checkedMul(uint64_t a, uint64_t b, uint64_t* out) {
    if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) return false;
    *out = a * b;
    return true;
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates (U+D800..DFFF), nothing
// above U+10FFFF. Returns the offset of the first bad byte, or n if all is well.
std::size_t firstInvalidUtf8(const uint8_t* s, std::size_t n) {
    std::size_t i = 0;
    while (i < n) {
        const uint8_t c = s[i];
        std::size_t more;  // continuation bytes after the lead
        uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the first continuation byte
        if (c < 0x80) { ++i; continue; }
        if (c >= 0xC2 && c <= 0xDF) more = 1;
        else if (c == 0xE0) { more = 2; lo = 0xA0; }            // no overlong 3-byte forms
        else if (c == 0xED) { more = 2; hi = 0x9F; }            // no surrogates
        else if (c >= 0xE1 && c <= 0xEF) more = 2;
        else if (c == 0xF0) { more = 3; lo = 0x90; }            // no overlong 4-byte forms
        else if (c >= 0xF1 && c <= 0xF3) more = 3;
        else if (c == 0xF4) { more = 3; hi = 0x8F; }            // nothing above U+10FFFF
        else return i;                                          // 80..C1, F5..FF
        if (n - i <= more) return i;
        if (s[i + 1] < lo || s[i + 1] > hi) return i;
        for (std::size_t k = 2; k <= more; ++k)
            if ((s[i + k] & 0xC0) != 0x80) return i;
        i += more + 1;
    }
    return n;
}

std::string shapeString(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

// Builds the header as an ordered_json while refusing what nlohmann's DOM parser would
// let through: a key repeated in one object (the DOM parser keeps the last silently).
class HeaderSax : public nlohmann::json_sax<Json> {
public:
    Json root;
    std::string error;  // the first problem found; empty while all is well

    bool null() override { return add(Json(nullptr)); }
    bool boolean(bool v) override { return add(Json(v)); }
    bool number_integer(number_integer_t v) override { return add(Json(v)); }
    bool number_unsigned(number_unsigned_t v) override { return add(Json(v)); }
    bool number_float(number_float_t v, const string_t&) override { return add(Json(v)); }
    bool string(string_t& v) override { return add(Json(std::move(v))); }
    bool binary(binary_t&) override { return fail("header holds a binary value"); }

    bool start_object(std::size_t) override {
        if (!open(Json::object())) return false;
        mKeys.emplace_back();
        return true;
    }
    bool key(string_t& k) override {
        if (!mKeys.back().insert(k).second) {
            return fail(mStack.size() == 1 ? "duplicate tensor name " + quoteText(k) + " in header"
                                           : "duplicate key " + quoteText(k) + " in header");
        }
        mKey = k;
        return true;
    }
    bool end_object() override {
        mKeys.pop_back();
        mStack.pop_back();
        return true;
    }
    bool start_array(std::size_t) override { return open(Json::array()); }
    bool end_array() override {
        mStack.pop_back();
        return true;
    }
    bool parse_error(std::size_t, const std::string&,
                     const nlohmann::detail::exception& ex) override {
        // nlohmann's text reads "[json.exception.parse_error.101] parse error at ...".
        std::string what = ex.what();
        const std::size_t close = what.find("] ");
        if (close != std::string::npos) what.erase(0, close + 2);
        return fail("header is not valid JSON: " + clipped(what, 2 * kMaxQuoted));
    }

private:
    std::vector<Json*> mStack;  // open containers; only the top one ever grows
    std::vector<std::unordered_set<std::string>> mKeys;  // keys seen per open object
    std::string mKey;

    bool fail(std::string message) {
        if (error.empty()) error = std::move(message);
        return false;
    }
    Json* place(Json v) {
        if (mStack.empty()) {
            root = std::move(v);
            return &root;
        }
        Json& top = *mStack.back();
        if (top.is_array()) {
            top.push_back(std::move(v));
            return &top.back();
        }
        // Appended, not looked up: key() has already refused a repeat, and ordered_json's
        // operator[] searches the object linearly (quadratic over a header's keys).
        Json::object_t& object = top.get_ref<Json::object_t&>();
        object.Container::emplace_back(mKey, std::move(v));
        return &object.back().second;
    }
    bool add(Json v) {
        place(std::move(v));
        return true;
    }
    bool open(Json container) {
        if (mStack.size() >= kMaxJsonDepth)
            return fail("header JSON nests deeper than " + std::to_string(kMaxJsonDepth) +
                        " levels");
        mStack.push_back(place(std::move(container)));
        return true;
    }
};

// A JSON integer >= 0 as uint64; false for negatives, floats and non-numbers.
bool nonNegativeInteger(const Json& v, uint64_t* out) {
    if (v.is_number_unsigned()) {
        *out = v.get<uint64_t>();
        return true;
    }
    if (v.is_number_integer() && v.get<int64_t>() >= 0) {
        *out = static_cast<uint64_t>(v.get<int64_t>());
        return true;
    }
    return false;
}

// One header entry -> TensorInfo: exactly the keys dtype, shape, data_offsets; the byte
// span must equal numel * dtype size, all in checked uint64 arithmetic.
std::string parseEntry(const std::string& name, const Json& entry, TensorInfo* t) {
    const std::string who = "tensor " + quoteText(name) + ": ";
    if (!entry.is_object()) return "entry " + quoteText(name) + " is not an object";
    for (const auto& kv : entry.items()) {
        const std::string& k = kv.key();
        if (k != "dtype" && k != "shape" && k != "data_offsets")
            return who + "unknown key " + quoteText(k) + " (allowed: dtype, shape, data_offsets)";
    }
    for (const char* k : {"dtype", "shape", "data_offsets"})
        if (!entry.contains(k)) return who + "missing key '" + k + "'";

    t->name = name;
    const Json& dtype = entry["dtype"];
    if (!dtype.is_string()) return who + "dtype is not a string";
    if (!parseDType(dtype.get<std::string>(), &t->dtype))
        return who + "unknown dtype " + quoteText(dtype.get<std::string>());

    const Json& shape = entry["shape"];
    if (!shape.is_array()) return who + "shape is not an array";
    uint64_t numel = 1;
    for (const Json& d : shape) {
        if (d.is_number_integer() && !d.is_number_unsigned() && d.get<int64_t>() < 0)
            return who + "shape has a negative dimension " + std::to_string(d.get<int64_t>());
        uint64_t dim = 0;
        if (!nonNegativeInteger(d, &dim)) return who + "shape entry is not an integer";
        if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            return who + "shape dimension " + std::to_string(dim) + " exceeds int64";
        // Checked left to right, as the reference's try_fold(checked_mul).
        if (!checkedMul(numel, dim, &numel)) return who + "shape product overflows 64 bits";
        t->shape.push_back(static_cast<int64_t>(dim));
    }

    const Json& offsets = entry["data_offsets"];
    if (!offsets.is_array()) return who + "data_offsets is not an array";
    if (offsets.size() != 2)
        return who + "data_offsets must hold exactly 2 entries, found " +
               std::to_string(offsets.size());
    if (!nonNegativeInteger(offsets[0], &t->begin) || !nonNegativeInteger(offsets[1], &t->end))
        return who + "data_offsets entry is not a non-negative integer";
    if (t->begin > t->end)
        return who + "data_offsets begin " + std::to_string(t->begin) +
               " is greater than end " + std::to_string(t->end);

    uint64_t bytes = 0;
    if (!checkedMul(numel, dtypeSize(t->dtype), &bytes))
        return who + "byte size (numel x dtype size) overflows 64 bits";
    if (bytes != t->end - t->begin)
        return who + "size mismatch: shape " + shapeString(t->shape) + " of " +
               dtypeName(t->dtype) + " needs " + std::to_string(bytes) +
               " bytes but data_offsets span " + std::to_string(t->end - t->begin);
    return {};
}

template <class T>
Result<T> fail(const std::string& label, const std::string& what) {
    return error(label + ": " + what, Text("errors.unreadable_weights").str("file", label));
}

}  // namespace

const char* dtypeName(DType t) {
    const DTypeEntry* e = dtypeEntry(t);
    return e ? e->name : "?";
}

std::size_t dtypeSize(DType t) {
    const DTypeEntry* e = dtypeEntry(t);
    return e ? e->size : 0;
}

bool parseDType(const std::string& name, DType* out) {
    for (const DTypeEntry& e : kDTypes) {
        if (name == e.name) {
            *out = e.type;
            return true;
        }
    }
    return false;
}

int64_t TensorInfo::numel() const {
    uint64_t n = 1;  // unsigned: wraps instead of UB for shapes that were never validated
    for (int64_t d : shape) n *= static_cast<uint64_t>(d);
    return static_cast<int64_t>(n);
}

// binary16: 1 sign, 5 exponent (bias 15), 10 mantissa bits.
float halfToFloat(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
    const uint32_t exp = (h >> 10) & 0x1F;
    uint32_t mant = h & 0x3FF;
    if (exp == 0x1F)  // inf, or NaN with its payload kept
        return bitsFloat(sign | 0x7F800000 | (mant << 13));
    if (exp == 0) {
        if (mant == 0) return bitsFloat(sign);  // +-0
        // Subnormal: mant * 2^-24; shift the leading 1 up to the implicit bit.
        int e = -14;
        while ((mant & 0x400) == 0) {
            mant <<= 1;
            --e;
        }
        return bitsFloat(sign | static_cast<uint32_t>(e + 127) << 23 | (mant & 0x3FF) << 13);
    }
    return bitsFloat(sign | (exp - 15 + 127) << 23 | mant << 13);
}

uint16_t floatToHalf(float f) {
    const uint32_t x = floatBits(f);
    const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
    const uint32_t ax = x & 0x7FFFFFFF;
    if (ax > 0x7F800000)  // NaN: keep the top payload bits, force quiet so it stays NaN
        return static_cast<uint16_t>(sign | 0x7E00 | ((ax >> 13) & 0x3FF));
    if (ax >= 0x477FF000) return sign | 0x7C00;  // >= 65520 (halfway past 65504) -> inf
    if (ax < 0x38800000) {                       // below 2^-14: half subnormal or zero
        if (ax <= 0x33000000) return sign;       // <= 2^-25: rounds to 0 (tie -> even 0)
        // value = m * 2^(e-150); in units of 2^-24 that is m >> (126 - e), e in [102, 112].
        const uint32_t e = ax >> 23;
        const uint32_t m = (ax & 0x7FFFFF) | 0x800000;
        const uint32_t shift = 126 - e;
        uint32_t q = m >> shift;
        const uint32_t rem = m & ((1u << shift) - 1), halfway = 1u << (shift - 1);
        if (rem > halfway || (rem == halfway && (q & 1))) ++q;  // may carry into 0x400
        return static_cast<uint16_t>(sign | q);
    }
    // Normal: rebias the exponent, keep 10 mantissa bits, round the 13 dropped ones to
    // nearest even; a carry into the exponent is the correct next binade.
    uint32_t h = ((ax >> 23) - 127 + 15) << 10 | ((ax & 0x7FFFFF) >> 13);
    const uint32_t rem = ax & 0x1FFF;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) ++h;
    return static_cast<uint16_t>(sign | h);
}

// bfloat16 is the top half of a float32.
float bf16ToFloat(uint16_t b) { return bitsFloat(static_cast<uint32_t>(b) << 16); }

uint16_t floatToBf16(float f) {
    const uint32_t x = floatBits(f);
    if ((x & 0x7FFFFFFF) > 0x7F800000)  // NaN: truncating could give inf; set the quiet bit
        return static_cast<uint16_t>((x >> 16) | 0x0040);
    // Round to nearest even on the 16 dropped bits; overflow carries into inf.
    return static_cast<uint16_t>((x + 0x7FFF + ((x >> 16) & 1)) >> 16);
}

// ---- reader ----

Result<std::shared_ptr<SafetensorsFile>> SafetensorsFile::open(const std::string& path) {
    using R = std::shared_ptr<SafetensorsFile>;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return fail<R>(path, std::string("cannot open file: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return fail<R>(path, std::string("cannot stat file: ") + std::strerror(err));
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        return fail<R>(path, "is a directory, not a safetensors file");
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return fail<R>(path, "is not a regular file");
    }
    const auto size = static_cast<uint64_t>(st.st_size);
    if (size < 8) {  // also spares mmap a 0-byte length, which it refuses
        ::close(fd);
        return fail<R>(path, "file shorter than 8 bytes (" + std::to_string(size) +
                                 " bytes): no room for the header length");
    }
    if (size > std::numeric_limits<std::size_t>::max()) {
        ::close(fd);
        return fail<R>(path, "file too large to map");
    }
    // Up to kMaxCopiedBytes the file is read into memory: a mapping of a file that someone
    // truncates later would kill the process with SIGBUS at the next read of a weight.
    if (size <= kMaxCopiedBytes) {
        std::vector<uint8_t> bytes;
        try {
            bytes.resize(static_cast<std::size_t>(size));
        } catch (const std::bad_alloc&) {
            ::close(fd);
            return fail<R>(path, "out of memory reading " + std::to_string(size) + " bytes");
        }
        std::size_t have = 0;
        while (have < bytes.size()) {
            const ssize_t n = ::read(fd, bytes.data() + have, bytes.size() - have);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                const int err = errno;
                ::close(fd);
                return fail<R>(path, std::string("read error: ") + std::strerror(err));
            }
            if (n == 0) break;
            have += static_cast<std::size_t>(n);
        }
        ::close(fd);
        if (have != bytes.size())
            return fail<R>(path, "the file shrank while it was read (" + std::to_string(have) + " of " +
                                     std::to_string(size) + " bytes)");
        return fromBytes(std::move(bytes), path);
    }
    void* map = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_PRIVATE, fd, 0);
    const int mapErr = errno;
    ::close(fd);  // the mapping keeps the file alive
    if (map == MAP_FAILED)
        return fail<R>(path, std::string("cannot map file: ") + std::strerror(mapErr));

    std::shared_ptr<SafetensorsFile> file;
    try {
        file.reset(new SafetensorsFile());
    } catch (...) {
        ::munmap(map, static_cast<std::size_t>(size));
        return fail<R>(path, "out of memory");
    }
    file->mPath = path;
    file->mMap = map;
    file->mMapSize = static_cast<std::size_t>(size);
    file->mFile = static_cast<const uint8_t*>(map);
    file->mFileSize = file->mMapSize;
    Status s = file->parse();
    if (!s) return error(s.message());
    return file;
}

Result<std::shared_ptr<SafetensorsFile>> SafetensorsFile::fromBytes(std::vector<uint8_t> bytes,
                                                                  const std::string& label) {
    std::shared_ptr<SafetensorsFile> file;
    try {
        file.reset(new SafetensorsFile());
        file->mPath = label;
    } catch (...) {
        return fail<std::shared_ptr<SafetensorsFile>>(label, "out of memory");
    }
    file->mOwned = std::move(bytes);
    file->mFile = file->mOwned.data();
    file->mFileSize = file->mOwned.size();
    Status s = file->parse();
    if (!s) return error(s.message());
    return file;
}

SafetensorsFile::~SafetensorsFile() {
    if (mMap) ::munmap(mMap, mMapSize);
}

// The one validation path shared by open() and fromBytes(): mFile/mFileSize in, tensors,
// index, metadata and mBuffer out, or "<path>: <rule>".
Status SafetensorsFile::parse() {
    auto bad = [this](const std::string& what) { return Status(error(mPath + ": " + what)); };
    try {
        // 1. An 8-byte little-endian u64 header length N, N <= 100 MB, 8 + N <= file size.
        if (mFileSize < 8)
            return bad("file shorter than 8 bytes (" + std::to_string(mFileSize) +
                       " bytes): no room for the header length");
        const uint64_t n = readU64LE(mFile);
        if (n > kMaxHeaderSize)
            return bad("header length " + std::to_string(n) + " exceeds the " +
                       std::to_string(kMaxHeaderSize) + "-byte limit");
        if (n > mFileSize - 8)
            return bad("header length " + std::to_string(n) +
                       " runs past the end of the file (" + std::to_string(mFileSize) +
                       " bytes)");
        const uint8_t* header = mFile + 8;
        const std::size_t headerSize = static_cast<std::size_t>(n);
        mBuffer = header + headerSize;
        const uint64_t bufferSize = mFileSize - 8 - n;

        // 2. The header is strict UTF-8, then JSON whose top level is an object, written
        //    starting with '{' (trailing JSON whitespace, i.e. the writers' space padding,
        //    is allowed). Keys never repeat within an object.
        const std::size_t badByte = firstInvalidUtf8(header, headerSize);
        if (badByte != headerSize)
            return bad("header is not valid UTF-8 (byte " + std::to_string(badByte) +
                       " of the header)");
        HeaderSax sax;
        const char* text = reinterpret_cast<const char*>(header);
        if (!Json::sax_parse(text, text + headerSize, &sax) || !sax.error.empty())
            return bad(sax.error.empty() ? "header is not valid JSON" : sax.error);
        if (!sax.root.is_object()) return bad("header top level is not a JSON object");
        if (header[0] != '{') return bad("header does not start with '{'");

        // 3. Entries: "__metadata__" is string -> string; every other key is a tensor.
        mTensors.clear();
        mIndex.clear();
        mMetadata.clear();
        for (const auto& kv : sax.root.items()) {
            if (kv.key() == kMetadataKey) {
                if (!kv.value().is_object()) return bad("__metadata__ is not an object");
                for (const auto& m : kv.value().items()) {
                    if (!m.value().is_string())
                        return bad("__metadata__ value for " + quoteText(m.key()) + " is not a string");
                    mMetadata[m.key()] = m.value().get<std::string>();
                }
                continue;
            }
            TensorInfo t;
            const std::string problem = parseEntry(kv.key(), kv.value(), &t);
            if (!problem.empty()) return bad(problem);
            mIndex[t.name] = mTensors.size();
            mTensors.push_back(std::move(t));
        }

        // 4. Sorted by offsets, the tensors tile the buffer exactly: the first begins at
        //    0, each begins where the previous ended, the last ends at the buffer's end.
        std::vector<const TensorInfo*> order;
        order.reserve(mTensors.size());
        for (const TensorInfo& t : mTensors) order.push_back(&t);
        std::sort(order.begin(), order.end(), [](const TensorInfo* a, const TensorInfo* b) {
            return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
        });
        uint64_t done = 0;
        for (const TensorInfo* t : order) {
            const std::string who = "tensor " + quoteText(t->name);
            if (t->begin != done) {
                if (t == order.front())
                    return bad("first " + who + " does not start at offset 0 (begins at " +
                               std::to_string(t->begin) + ")");
                if (t->begin > done)
                    return bad("gap between tensors: " + who + " begins at " +
                               std::to_string(t->begin) + " but the previous one ends at " +
                               std::to_string(done));
                return bad(who + " overlaps the previous one: begins at " +
                           std::to_string(t->begin) + ", before its end at " +
                           std::to_string(done));
            }
            if (t->end > bufferSize)
                return bad(who + " ends at " + std::to_string(t->end) +
                           ", past the end of the data buffer (" + std::to_string(bufferSize) +
                           " bytes)");
            done = t->end;
        }
        if (mTensors.empty() && bufferSize != 0)
            return bad("header lists no tensors but the data buffer holds " +
                       std::to_string(bufferSize) + " bytes");
        if (done != bufferSize)
            return bad("data buffer has " + std::to_string(bufferSize - done) +
                       " trailing bytes after the last tensor");
        return Status::success();
    } catch (const std::bad_alloc&) {
        return bad("out of memory while reading the header");
    } catch (const std::exception& e) {
        return bad(std::string("cannot read header: ") + clipped(e.what(), 2 * kMaxQuoted));
    }
}

const TensorInfo* SafetensorsFile::find(const std::string& name) const {
    auto it = mIndex.find(name);
    return it == mIndex.end() ? nullptr : &mTensors[it->second];
}

const float* SafetensorsFile::f32(const TensorInfo& t) const {
    if (t.dtype != DType::F32) return nullptr;
    const uint8_t* p = mBuffer + t.begin;
    if (reinterpret_cast<std::uintptr_t>(p) % alignof(float) != 0) return nullptr;
    return reinterpret_cast<const float*>(p);
}

Result<std::vector<float>> SafetensorsFile::toFloat(const TensorInfo& t) const {
    using R = std::vector<float>;
    const std::string who = "tensor " + quoteText(t.name);
    if (t.dtype != DType::F32 && t.dtype != DType::F16 && t.dtype != DType::BF16)
        return fail<R>(mPath, who + " has dtype " + dtypeName(t.dtype) +
                                  ", which does not convert to float (only F32, F16, BF16)");
    const uint64_t bufferSize = mFileSize - static_cast<uint64_t>(mBuffer - mFile);
    if (t.begin > t.end || t.end > bufferSize)
        return fail<R>(mPath, who + " lies outside this file's data buffer");
    const std::size_t size = dtypeSize(t.dtype);
    const std::size_t count = static_cast<std::size_t>((t.end - t.begin) / size);
    const uint8_t* p = mBuffer + t.begin;
    try {
        std::vector<float> out(count);
        for (std::size_t i = 0; i < count; ++i, p += size) {  // little-endian on disk
            if (t.dtype == DType::F32) {
                out[i] = bitsFloat(uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
                                   uint32_t(p[3]) << 24);
            } else {
                const auto v = static_cast<uint16_t>(p[0] | p[1] << 8);
                out[i] = t.dtype == DType::F16 ? halfToFloat(v) : bf16ToFloat(v);
            }
        }
        return out;
    } catch (const std::bad_alloc&) {
        return fail<R>(mPath, who + ": out of memory converting to float");
    }
}

// ---- writer ----

TensorToWrite tensorFromFloats(const std::string& name, const std::vector<int64_t>& shape,
                               const float* data, DType dtype) {
    TensorToWrite t;
    t.name = name;
    t.dtype = dtype;
    t.shape = shape;
    // A negative or overflowing shape, a null pointer or a dtype other than F32/F16/BF16
    // leaves `bytes` empty; writeSafetensors then refuses the tensor by name.
    uint64_t numel = 1;
    for (int64_t d : shape)
        if (d < 0 || !checkedMul(numel, static_cast<uint64_t>(d), &numel)) return t;
    if (numel == 0 || !data) return t;
    if (dtype != DType::F32 && dtype != DType::F16 && dtype != DType::BF16) return t;
    uint64_t bytes = 0;
    if (!checkedMul(numel, dtypeSize(dtype), &bytes)) return t;
    try {
        t.bytes.resize(static_cast<std::size_t>(bytes));
    } catch (...) {
        t.bytes.clear();
        return t;
    }
    uint8_t* p = t.bytes.data();
    for (uint64_t i = 0; i < numel; ++i) {
        if (dtype == DType::F32) {
            const uint32_t u = floatBits(data[i]);
            for (int b = 0; b < 4; ++b) *p++ = static_cast<uint8_t>(u >> (8 * b));
        } else {
            const uint16_t u = dtype == DType::F16 ? floatToHalf(data[i]) : floatToBf16(data[i]);
            *p++ = static_cast<uint8_t>(u);
            *p++ = static_cast<uint8_t>(u >> 8);
        }
    }
    return t;
}

Status writeSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                        const std::map<std::string, std::string>& metadata) {
    auto bad = [&path](const std::string& what) { return Status(error(path + ": " + what)); };
    auto validUtf8 = [](const std::string& s) {
        return firstInvalidUtf8(reinterpret_cast<const uint8_t*>(s.data()), s.size()) == s.size();
    };
    std::string header;
    try {
        // Header: "__metadata__" first (only if there is any), then tensors in the given
        // order, offsets contiguous from 0.
        Json h = Json::object();
        if (!metadata.empty()) {
            Json meta = Json::object();
            for (const auto& [k, v] : metadata) {
                if (!validUtf8(k) || !validUtf8(v))
                    return bad("metadata key " + quoteText(k) + " or its value is not valid UTF-8");
                meta[k] = v;
            }
            h[kMetadataKey] = std::move(meta);
        }
        std::set<std::string> names;
        uint64_t offset = 0;
        for (const TensorToWrite& t : tensors) {
            const std::string who = "tensor " + quoteText(t.name);
            if (t.name == kMetadataKey) return bad("tensor name '__metadata__' is reserved");
            if (!validUtf8(t.name)) return bad(who + ": name is not valid UTF-8");
            if (!names.insert(t.name).second) return bad("duplicate tensor name " + quoteText(t.name));
            if (!dtypeEntry(t.dtype)) return bad(who + ": unknown dtype");
            uint64_t numel = 1;
            for (int64_t d : t.shape) {
                if (d < 0) return bad(who + ": shape " + shapeString(t.shape) +
                                      " has a negative dimension");
                if (!checkedMul(numel, static_cast<uint64_t>(d), &numel))
                    return bad(who + ": shape product overflows 64 bits");
            }
            uint64_t bytes = 0;
            if (!checkedMul(numel, dtypeSize(t.dtype), &bytes) || bytes != t.bytes.size())
                return bad(who + " holds " + std::to_string(t.bytes.size()) +
                           " bytes but shape " + shapeString(t.shape) + " of " +
                           dtypeName(t.dtype) + " needs " + std::to_string(numel) + " x " +
                           std::to_string(dtypeSize(t.dtype)));
            h[t.name] = Json{{"dtype", dtypeName(t.dtype)},
                             {"shape", t.shape},
                             {"data_offsets", {offset, offset + bytes}}};
            offset += bytes;
        }
        header = h.dump();  // compact
        header.append((8 - header.size() % 8) % 8, ' ');  // the buffer starts 8-aligned
    } catch (const std::exception& e) {
        return bad(std::string("cannot build header: ") + e.what());
    }

    // Atomic: write "<path>.tmp", flush and sync it, then rename it over `path`.
    const std::string tmp = path + ".tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) return bad("cannot create " + tmp + ": " + std::strerror(errno));
    auto abandon = [&](const std::string& what) {
        const std::string reason = std::strerror(errno);
        if (f) std::fclose(f);
        std::remove(tmp.c_str());
        return bad(what + " " + tmp + ": " + reason);
    };
    uint8_t len[8];
    for (int b = 0; b < 8; ++b) len[b] = static_cast<uint8_t>(uint64_t(header.size()) >> (8 * b));
    if (std::fwrite(len, 1, 8, f) != 8) return abandon("cannot write");
    if (std::fwrite(header.data(), 1, header.size(), f) != header.size())
        return abandon("cannot write");
    for (const TensorToWrite& t : tensors)
        if (!t.bytes.empty() && std::fwrite(t.bytes.data(), 1, t.bytes.size(), f) != t.bytes.size())
            return abandon("cannot write");
    if (std::fflush(f) != 0) return abandon("cannot flush");
    if (::fsync(::fileno(f)) != 0) return abandon("cannot sync");
    const int closed = std::fclose(f);
    f = nullptr;
    if (closed != 0) return abandon("cannot close");
    if (std::rename(tmp.c_str(), path.c_str()) != 0) return abandon("cannot rename");
    return Status::success();
}

}  // namespace sf::io
