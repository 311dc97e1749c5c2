// libFuzzer target: the safetensors reader on arbitrary bytes.
//
// SafetensorsFile::fromBytes runs the same validation as open() on a mapped file. A
// refusal is the expected outcome for almost every input; what must never happen is a
// crash, an out-of-bounds read, undefined behaviour, a leak or an absurd allocation
// (ASan, UBSan and libFuzzer's -rss_limit_mb / -malloc_limit_mb catch those). When the
// file is accepted, every tensor is read back through the public accessors.
#include "core/io/safetensors.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

// An accepted file must keep the promises the header comment makes.
void check(bool ok)
{
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace sf::io;
    auto file = SafetensorsFile::fromBytes(std::vector<uint8_t>(data, data + size), "fuzz");
    if (!file) {
        check(file.message().rfind("fuzz: ", 0) == 0);  // every refusal names the input
        return 0;
    }
    const SafetensorsFile& f = **file;
    for (const TensorInfo& t : f.tensors()) {
        // Validated: the span lies inside the input and equals numel x dtype size.
        check(t.begin <= t.end && t.end <= size);
        check(static_cast<uint64_t>(t.numel()) * dtypeSize(t.dtype) == t.end - t.begin);
        check(f.find(t.name) == &t);

        const bool floats = t.dtype == DType::F32 || t.dtype == DType::F16 || t.dtype == DType::BF16;
        auto values = f.toFloat(t);
        check(values.ok() == floats);
        if (values.ok()) check(values->size() == static_cast<size_t>(t.numel()));

        // The zero-copy view, when there is one, holds the same bits as the copy.
        const float* view = f.f32(t);
        if (view && t.numel() > 0) {
            check(values.ok());
            check(std::memcmp(view, values->data(), values->size() * sizeof(float)) == 0);
        }
        // Raw bytes: touch the first and last so ASan sees any bad span.
        if (t.end > t.begin) {
            volatile uint8_t b = f.bytes(t)[0];
            b = f.bytes(t)[t.end - t.begin - 1];
            (void)b;
        }
    }
    return 0;
}
