// The parts of sentencepiece_model.proto read here (proto2):
//   ModelProto     { repeated SentencePiece pieces = 1; TrainerSpec trainer_spec = 2;
//                    NormalizerSpec normalizer_spec = 3; SelfTestData self_test_data = 4;
//                    NormalizerSpec denormalizer_spec = 5; }
//   SentencePiece  { string piece = 1; float score = 2; Type type = 3; }  USER_DEFINED = 4
//   NormalizerSpec { string name = 1; bytes precompiled_charsmap = 2; ... }
// Wire format: each field is a varint key (number << 3 | wire type), then a varint (0),
// 8 bytes (1), a varint length and that many bytes (2) or 4 bytes (5). As protobuf does,
// a repeated embedded message is merged (the last precompiled_charsmap wins) and the last
// value of a scalar wins; unknown fields are skipped once their framing is checked.
//
// precompiled_charsmap: uint32 little-endian trie size in bytes, the darts-clone double
// array (32-bit units), then the normalized strings, each ended by '\0'. A unit holds
//   has_leaf = bit 8, label = unit & (bit 31 | 0xFF), value = unit & 0x7FFFFFFF (value units
//   have bit 31 set, so their label never equals a byte), offset = (unit >> 10) << ((unit &
//   bit 9) >> 6). A lookup starts at node 0 with base = 0 ^ offset(unit[0]); for each input
//   byte c it reads unit[base ^ c], stops unless its label is c, then base ^= offset; when
//   has_leaf, unit[base].value() is a match: an index into the normalized strings.
#include "core/text/spm_check.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>
#include <vector>

namespace sf::text {

namespace {

enum WireType { Varint = 0, Fixed64 = 1, Bytes = 2, StartGroup = 3, EndGroup = 4, Fixed32 = 5 };

struct Field {
    uint32_t number = 0;
    int type = 0;
    uint64_t value = 0;        // Varint, Fixed64, Fixed32
    std::string_view bytes;    // Bytes
};

// Reads one message's fields in order; the first framing error stops it.
class WireReader {
public:
    explicit WireReader(std::string_view data) : mData(data) {}

    // true with the next field; false at the end or on an error (then error() is set).
    bool next(Field* f)
    {
        if (mAt == mData.size() || !mError.empty()) return false;
        uint64_t key = 0;
        if (!varint(&key)) return fail("truncated or overlong field key");
        f->number = uint32_t(key >> 3);
        f->type = int(key & 7);
        if ((key >> 3) == 0 || (key >> 3) > 0x1FFFFFFF) return fail("field number out of range");
        switch (f->type) {
        case Varint:
            if (!varint(&f->value)) return fail("truncated or overlong varint");
            return true;
        case Fixed64:
            return fixed(8, f);
        case Fixed32:
            return fixed(4, f);
        case Bytes: {
            uint64_t n = 0;
            if (!varint(&n)) return fail("truncated length");
            if (n > mData.size() - mAt) return fail("a length-delimited field runs past the end of its message");
            f->bytes = mData.substr(mAt, size_t(n));
            mAt += size_t(n);
            return true;
        }
        case StartGroup:
        case EndGroup:
            return fail("groups (wire types 3, 4) are not used by SentencePiece models");
        default:
            return fail("invalid wire type " + std::to_string(f->type));
        }
    }
    const std::string& error() const { return mError; }

private:
    std::string_view mData;
    size_t mAt = 0;
    std::string mError;

    bool fail(std::string m)
    {
        mError = std::move(m) + " (byte " + std::to_string(mAt) + ")";
        return false;
    }
    bool varint(uint64_t* out)
    {
        uint64_t v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (mAt == mData.size()) return false;
            const uint8_t b = uint8_t(mData[mAt++]);
            if (shift == 63 && b > 1) return false;  // more than 64 bits
            v |= uint64_t(b & 0x7F) << shift;
            if (!(b & 0x80)) {
                *out = v;
                return true;
            }
        }
        return false;
    }
    bool fixed(size_t n, Field* f)
    {
        if (mData.size() - mAt < n) return fail("truncated fixed-width field");
        f->value = 0;
        for (size_t i = 0; i < n; ++i) f->value |= uint64_t(uint8_t(mData[mAt + i])) << (8 * i);
        mAt += n;
        return true;
    }
};

// Walks a message whose fields are not read, only to check its framing.
std::string checkFraming(std::string_view message)
{
    WireReader r(message);
    Field f;
    while (r.next(&f)) {}
    return r.error();
}

struct Piece {
    std::string_view text;
    int type = 1;  // NORMAL
};

constexpr uint32_t kLeafBit = 1u << 8;

uint32_t unitLabel(uint32_t u) { return u & ((1u << 31) | 0xFF); }
uint32_t unitOffset(uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); }
uint32_t unitValue(uint32_t u) { return u & ((1u << 31) - 1); }

// The deepest chain of pieces each a prefix of the next (sorted order puts a piece's
// extensions right after it, so a stack of open prefixes finds every chain).
int prefixChainDepth(std::vector<std::string_view> pieces)
{
    std::sort(pieces.begin(), pieces.end());
    std::vector<std::string_view> open;
    int deepest = 0;
    for (std::string_view p : pieces) {
        while (!open.empty() && p.substr(0, open.back().size()) != open.back()) open.pop_back();
        open.push_back(p);
        deepest = std::max(deepest, int(open.size()));
    }
    return deepest;
}

}  // namespace

std::string checkPrecompiledCharsmap(const std::string& blob)
{
    if (blob.size() < 4) return "shorter than its 4-byte trie size";
    const uint32_t trieBytes = uint32_t(uint8_t(blob[0])) | uint32_t(uint8_t(blob[1])) << 8 |
                               uint32_t(uint8_t(blob[2])) << 16 | uint32_t(uint8_t(blob[3])) << 24;
    if (trieBytes == 0) return "the trie is empty";
    if (trieBytes % 4 != 0) return "trie size " + std::to_string(trieBytes) + " is not a multiple of 4";
    if (trieBytes > blob.size() - 4)
        return "trie size " + std::to_string(trieBytes) + " runs past the end of the charsmap (" +
               std::to_string(blob.size()) + " bytes)";
    const size_t n = trieBytes / 4;
    std::vector<uint32_t> units(n);
    for (size_t i = 0; i < n; ++i) {
        const char* p = blob.data() + 4 + 4 * i;
        units[i] = uint32_t(uint8_t(p[0])) | uint32_t(uint8_t(p[1])) << 8 | uint32_t(uint8_t(p[2])) << 16 |
                   uint32_t(uint8_t(p[3])) << 24;
    }
    const std::string_view strings(blob.data() + 4 + trieBytes, blob.size() - 4 - trieBytes);
    const size_t lastNul = strings.rfind('\0');

    // Depth-first over the nodes a lookup can reach. A node's children share one base,
    // and a lookup reads unit[base ^ c] for any byte c, so the whole 256-unit block of the
    // base must lie inside the trie. darts-clone merges equal subtrees (a DAWG), so a base
    // may be reached from several nodes; a base reached again while it is still open is
    // a cycle (a lookup could then pass unboundedly many matches). deepest[base] = the most
    // matches (leaves) on one path below it; from the root it must stay within what one
    // prefix search can return.
    enum : uint8_t { Unseen, Open, Done };
    std::vector<uint8_t> state(n, Unseen);
    std::vector<uint8_t> deepest(n, 0);  // saturates above kMaxPrefixChain
    struct Frame {
        uint32_t base;
        uint32_t c = 0;          // next byte to try
        int best = 0;            // most matches below this base so far
        int childLeaf = 0;       // whether the edge to the open child is a match
    };
    auto enter = [&](uint32_t base, std::vector<Frame>* stack) -> std::string {
        if ((uint64_t(base) | 0xFF) >= n)
            return "the trie points outside itself (base " + std::to_string(base) + ", " + std::to_string(n) +
                   " units)";
        state[base] = Open;
        stack->push_back(Frame{base});
        return {};
    };
    std::vector<Frame> stack;
    const uint32_t root = unitOffset(units[0]);
    std::string problem = enter(root, &stack);
    if (!problem.empty()) return problem;
    while (!stack.empty()) {
        Frame& f = stack.back();
        if (f.c == 256) {
            state[f.base] = Done;
            deepest[f.base] = uint8_t(std::min(f.best, kMaxPrefixChain + 1));
            const int below = deepest[f.base];
            stack.pop_back();
            if (!stack.empty()) stack.back().best = std::max(stack.back().best, stack.back().childLeaf + below);
            continue;
        }
        const uint32_t c = f.c++;
        const uint32_t at = f.base ^ c;
        const uint32_t u = units[at];
        if (unitLabel(u) != c) continue;
        const uint32_t child = at ^ unitOffset(u);
        const int leaf = (u & kLeafBit) ? 1 : 0;
        if (leaf) {
            if (child >= n)
                return "a match's value unit " + std::to_string(child) + " lies outside the trie (" +
                       std::to_string(n) + " units)";
            const uint32_t value = unitValue(units[child]);
            if (lastNul == std::string_view::npos || value > lastNul)
                return "a normalized string at " + std::to_string(value) + " lies outside the string blob (" +
                       std::to_string(strings.size()) + " bytes, or no terminating NUL)";
        }
        if (child < n && state[child] == Open) return "the trie has a cycle (base " + std::to_string(child) + ")";
        if (child < n && state[child] == Done) {
            f.best = std::max(f.best, leaf + int(deepest[child]));
            continue;
        }
        f.childLeaf = leaf;
        problem = enter(child, &stack);  // invalidates f
        if (!problem.empty()) return problem;
    }
    if (deepest[root] > kMaxPrefixChain)
        return "more than " + std::to_string(kMaxPrefixChain) + " rules are prefixes of one input";
    return {};
}

Result<SpmSummary> checkSentencePieceModel(const std::string& bytes, const std::string& label, int maxPieces)
{
    auto bad = [&label](const std::string& why) { return error(label + ": " + why); };
    if (bytes.empty()) return bad("empty file, not a SentencePiece model");
    try {
        SpmSummary summary;
        std::vector<Piece> pieces;
        std::string_view charsmap[2];  // normalizer_spec, denormalizer_spec
        bool hasCharsmap[2] = {false, false};

        WireReader model(bytes);
        Field f;
        while (model.next(&f)) {
            if (f.number == 1 || f.number == 2 || f.number == 3 || f.number == 4 || f.number == 5) {
                if (f.type != Bytes)
                    return bad("not a SentencePiece model (ModelProto field " + std::to_string(f.number) +
                               " is not a message)");
            }
            if (f.number == 1) {
                if (int(pieces.size()) >= kMaxSpmPieces)
                    return bad("more than " + std::to_string(kMaxSpmPieces) + " pieces");
                Piece p;
                WireReader r(f.bytes);
                Field g;
                while (r.next(&g)) {
                    if (g.number == 1 && g.type == Bytes) p.text = g.bytes;
                    else if (g.number == 3 && g.type == Varint) p.type = g.value <= 6 ? int(g.value) : 1;
                }
                if (!r.error().empty())
                    return bad("piece " + std::to_string(pieces.size()) + " is malformed: " + r.error());
                if (p.text.size() > kMaxPieceBytes)
                    return bad("piece " + std::to_string(pieces.size()) + " is " + std::to_string(p.text.size()) +
                               " bytes long (at most " + std::to_string(kMaxPieceBytes) + ")");
                pieces.push_back(p);
            } else if (f.number == 3 || f.number == 5) {
                const int which = f.number == 3 ? 0 : 1;
                WireReader r(f.bytes);
                Field g;
                while (r.next(&g)) {
                    if (g.number != 2) continue;
                    if (g.type != Bytes)
                        return bad(std::string(which ? "denormalizer" : "normalizer") +
                                   "_spec.precompiled_charsmap is not a byte string");
                    charsmap[which] = g.bytes;
                    hasCharsmap[which] = true;
                }
                if (!r.error().empty())
                    return bad(std::string(which ? "denormalizer" : "normalizer") + "_spec is malformed: " + r.error());
            } else if (f.number == 2 || f.number == 4) {
                const std::string e = checkFraming(f.bytes);
                if (!e.empty())
                    return bad(std::string(f.number == 2 ? "trainer_spec" : "self_test_data") + " is malformed: " + e);
            }
        }
        if (!model.error().empty()) return bad("not a SentencePiece model (malformed protobuf: " + model.error() + ")");
        if (pieces.empty()) return bad("not a SentencePiece model (no pieces)");
        if (maxPieces > 0 && int(pieces.size()) > maxPieces)
            return bad("the tokenizer has " + std::to_string(pieces.size()) +
                       " pieces but the model's vocab_size is " + std::to_string(maxPieces));

        std::vector<std::string_view> userDefined;
        for (const Piece& p : pieces)
            if (p.type == 4) userDefined.push_back(p.text);
        const int chain = prefixChainDepth(userDefined);
        if (chain > kMaxPrefixChain)
            return bad(std::to_string(chain) + " user-defined pieces are prefixes of one another (at most " +
                       std::to_string(kMaxPrefixChain) + ")");

        for (int which = 0; which < 2; ++which) {
            if (!hasCharsmap[which] || charsmap[which].empty()) continue;  // empty: no normalization
            const char* name = which ? "denormalizer_spec" : "normalizer_spec";
            if (charsmap[which].size() > kMaxCharsmapBytes)
                return bad(std::string(name) + ".precompiled_charsmap is larger than " +
                           std::to_string(kMaxCharsmapBytes) + " bytes");
            const std::string e = checkPrecompiledCharsmap(std::string(charsmap[which]));
            if (!e.empty()) return bad(std::string(name) + ".precompiled_charsmap is invalid: " + e);
        }
        summary.pieces = int(pieces.size());
        summary.userDefined = int(userDefined.size());
        summary.normalizerCharsmapBytes = charsmap[0].size();
        summary.denormalizerCharsmapBytes = charsmap[1].size();
        return summary;
    } catch (const std::bad_alloc&) {
        return bad("out of memory while checking the model");
    }
}

}  // namespace sf::text
