// safetensors: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
//  "__metadata__": {"k": "v"}}, then the byte buffer. Offsets are relative to the
// buffer, sorted, contiguous from 0, with no gap, overlap or trailing byte.
//
// The reader reads the file into memory (up to kMaxCopiedBytes; larger files are mapped
// with mmap) and validates every rule of the reference implementation before handing out
// a pointer; each refusal names the file and the rule. A copy cannot be pulled from under
// the app: truncating a mapped file kills the process with SIGBUS at the next read, so only
// files above the bound (never the bundled or typical Marian models) carry that risk.
#pragma once

#include "core/result.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sf::io {

// Every dtype the reference implementation knows, with its size in bytes. Only F32, F16
// and BF16 convert to float; the rest are accepted in a file but refused when read as floats.
enum class DType { BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64 };

const char* dtypeName(DType t);
std::size_t dtypeSize(DType t);
bool parseDType(const std::string& name, DType* out);

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    uint64_t begin = 0;  // byte offset into the data buffer
    uint64_t end = 0;    // one past the last byte
    int64_t numel() const;
};

// IEEE binary16 and bfloat16 <-> float. float -> half/bf16 rounds to nearest even;
// NaN stays NaN, overflow goes to infinity.
float halfToFloat(uint16_t h);
uint16_t floatToHalf(float f);
float bf16ToFloat(uint16_t b);
uint16_t floatToBf16(float f);

constexpr uint64_t kMaxCopiedBytes = uint64_t(256) << 20;  // 256 MiB

class SafetensorsFile {
public:
    // Reads (or, above kMaxCopiedBytes, maps) and validates `path`. Errors read
    // "<path>: <rule broken>".
    static Result<std::shared_ptr<SafetensorsFile>> open(const std::string& path);
    // Validates an in-memory copy (used by fuzzers and tests); `label` names it in errors.
    static Result<std::shared_ptr<SafetensorsFile>> fromBytes(std::vector<uint8_t> bytes,
                                                             const std::string& label);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::string& path() const { return mPath; }
    const std::vector<TensorInfo>& tensors() const { return mTensors; }  // in file order
    const TensorInfo* find(const std::string& name) const;                // nullptr if absent
    const std::map<std::string, std::string>& metadata() const { return mMetadata; }

    // Raw bytes of a tensor (little-endian, as stored).
    const uint8_t* bytes(const TensorInfo& t) const { return mBuffer + t.begin; }
    // Zero-copy float view: non-null only for F32 data aligned to 4 bytes.
    const float* f32(const TensorInfo& t) const;
    // F32 / F16 / BF16 converted to float (copies). Other dtypes: an error naming the tensor.
    Result<std::vector<float>> toFloat(const TensorInfo& t) const;

private:
    SafetensorsFile() = default;
    Status parse();

    std::string mPath;
    std::vector<uint8_t> mOwned;      // fromBytes
    void* mMap = nullptr;             // open: the mmap'ed file
    std::size_t mMapSize = 0;
    const uint8_t* mFile = nullptr;   // whole file
    std::size_t mFileSize = 0;
    const uint8_t* mBuffer = nullptr; // the data buffer after the header
    std::vector<TensorInfo> mTensors;
    std::map<std::string, std::size_t> mIndex;
    std::map<std::string, std::string> mMetadata;
};

struct TensorToWrite {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    std::vector<uint8_t> bytes;  // little-endian, numel * dtypeSize bytes
};

// Encodes float data as F32, F16 or BF16 bytes.
TensorToWrite tensorFromFloats(const std::string& name, const std::vector<int64_t>& shape,
                               const float* data, DType dtype = DType::F32);

// Writes tensors in the given order with offsets from 0, header padded with spaces to a
// multiple of 8. Atomic: writes "<path>.tmp" then renames it over `path`.
Status writeSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                        const std::map<std::string, std::string>& metadata = {});

}  // namespace sf::io
