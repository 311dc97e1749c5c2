// Float buffers aligned to 64 bytes (one cache line, one AVX-512 register). Vectorised
// reductions peel a different head for a different alignment and so round differently;
// with every buffer on the same boundary a training run is bit-reproducible, across a
// resume too, whatever addresses the allocator hands out.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

namespace sf::train {

template <class T>
struct AlignedAllocator {
    using value_type = T;
    static constexpr std::size_t kAlignment = 64;

    AlignedAllocator() = default;
    template <class U>
    AlignedAllocator(const AlignedAllocator<U>&) noexcept
    {
    }

    T* allocate(std::size_t n)
    {
        const std::size_t bytes = (n * sizeof(T) + kAlignment - 1) / kAlignment * kAlignment;
        void* p = std::aligned_alloc(kAlignment, bytes == 0 ? kAlignment : bytes);
        if (!p) throw std::bad_alloc();
        return static_cast<T*>(p);
    }
    void deallocate(T* p, std::size_t) noexcept { std::free(p); }

    template <class U>
    bool operator==(const AlignedAllocator<U>&) const noexcept
    {
        return true;
    }
    template <class U>
    bool operator!=(const AlignedAllocator<U>&) const noexcept
    {
        return false;
    }
};

// A std::vector whose data() is 64-byte aligned.
template <class T>
using Buffer = std::vector<T, AlignedAllocator<T>>;

}  // namespace sf::train
