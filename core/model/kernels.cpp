// BackendBuffer: memory of any backend, through its allocate / copy / release.
#include "core/model/kernels.h"

#include <algorithm>
#include <utility>

namespace sf {

BackendBuffer::BackendBuffer(const BackendBuffer& o) : mKernels(o.mKernels)
{
    if (!o.mData) return;
    mData = mKernels->allocate(o.mSize);
    mSize = mCapacity = o.mSize;
    mKernels->copy(mData, int(mSize), o.mData, int(mSize), 1, int(mSize));
}

BackendBuffer& BackendBuffer::operator=(const BackendBuffer& o)
{
    if (this != &o) {
        BackendBuffer tmp(o);
        *this = std::move(tmp);
    }
    return *this;
}

BackendBuffer::BackendBuffer(BackendBuffer&& o) noexcept
    : mKernels(o.mKernels), mData(std::exchange(o.mData, nullptr)), mSize(std::exchange(o.mSize, 0)),
      mCapacity(std::exchange(o.mCapacity, 0))
{
}

BackendBuffer& BackendBuffer::operator=(BackendBuffer&& o) noexcept
{
    if (this != &o) {
        if (mData) mKernels->release(mData);
        mKernels = o.mKernels;
        mData = std::exchange(o.mData, nullptr);
        mSize = std::exchange(o.mSize, 0);
        mCapacity = std::exchange(o.mCapacity, 0);
    }
    return *this;
}

BackendBuffer::~BackendBuffer()
{
    if (mData) mKernels->release(mData);
}

void BackendBuffer::resize(const Kernels& K, size_t count, bool keep)
{
    if (mData && mKernels != &K) {
        // Moved to another backend: start over there.
        mKernels->release(mData);
        mData = nullptr;
        mSize = mCapacity = 0;
        keep = false;
    }
    mKernels = &K;
    if (count > mCapacity) {
        const size_t cap = std::max(count, 2 * mCapacity);
        float* p = K.allocate(cap);
        if (mData) {
            if (keep && mSize > 0) K.copy(p, int(mSize), mData, int(mSize), 1, int(mSize));
            K.release(mData);
        }
        mData = p;
        mCapacity = cap;
    }
    mSize = count;
}

}  // namespace sf
