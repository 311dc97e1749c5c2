#include "core/io/trace.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <sstream>

namespace sf {

int64_t Tensor::numel() const
{
    int64_t n = 1;
    for (int64_t s : shape) n *= s;
    return n;
}

std::string shapeString(const std::vector<int64_t>& shape)
{
    std::ostringstream s;
    s << "[";
    for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
    s << "]";
    return s.str();
}

TraceTensor::TraceTensor(std::string name, std::vector<int64_t> shape)
    : mName(std::move(name)), mShape(shape), mCap(std::move(shape))
{
    assert(!mShape.empty() && mShape.size() <= 3);
    int64_t n = 1;
    for (int64_t c : mCap) n *= c;
    mData.assign(static_cast<size_t>(n), 0.0f);
}

void TraceTensor::grow(const std::vector<int64_t>& shape)
{
    assert(shape.size() == mShape.size());
    bool fits = true;
    for (size_t a = 0; a < shape.size(); ++a) {
        assert(shape[a] >= mShape[a]);
        fits = fits && shape[a] <= mCap[a];
    }
    if (fits) {
        mShape = shape;
        return;
    }
    // Double the capacity of every axis that overflows, then move the old cells over.
    std::vector<int64_t> cap = mCap;
    for (size_t a = 0; a < shape.size(); ++a)
        if (shape[a] > cap[a]) cap[a] = std::max<int64_t>(shape[a], std::max<int64_t>(2 * cap[a], 16));
    int64_t n = 1;
    for (int64_t c : cap) n *= c;
    std::vector<float> data(static_cast<size_t>(n), 0.0f);
    const int r = rank();
    const int64_t d0 = r >= 2 ? mShape[0] : 1;
    const int64_t d1 = r == 3 ? mShape[1] : 1;
    const int64_t last = mShape.back();
    for (int64_t i = 0; i < d0; ++i)
        for (int64_t j = 0; j < d1; ++j) {
            const int64_t src = r == 3 ? (i * mCap[1] + j) * mCap[2] : (r == 2 ? i * mCap[1] : 0);
            const int64_t dst = r == 3 ? (i * cap[1] + j) * cap[2] : (r == 2 ? i * cap[1] : 0);
            std::memcpy(&data[static_cast<size_t>(dst)], &mData[static_cast<size_t>(src)],
                        static_cast<size_t>(last) * sizeof(float));
        }
    mData.swap(data);
    mCap = cap;
    mShape = shape;
}

float* TraceTensor::row(int64_t i0, int64_t i1)
{
    return const_cast<float*>(static_cast<const TraceTensor*>(this)->row(i0, i1));
}

const float* TraceTensor::row(int64_t i0, int64_t i1) const
{
    switch (rank()) {
    case 1: return mData.data();
    case 2: assert(i0 < mShape[0]); return mData.data() + i0 * mCap[1];
    default:
        assert(i0 < mShape[0] && i1 < mShape[1]);
        return mData.data() + (i0 * mCap[1] + i1) * mCap[2];
    }
}

Tensor TraceTensor::compact() const
{
    Tensor t;
    t.shape = mShape;
    t.data.resize(static_cast<size_t>(t.numel()));
    const int r = rank();
    const int64_t d0 = r >= 2 ? mShape[0] : 1;
    const int64_t d1 = r == 3 ? mShape[1] : 1;
    const int64_t last = mShape.back();
    float* out = t.data.data();
    for (int64_t i = 0; i < d0; ++i)
        for (int64_t j = 0; j < d1; ++j, out += last)
            std::memcpy(out, row(i, j), static_cast<size_t>(last) * sizeof(float));
    return t;
}

TraceTensor* Trace::put(const std::string& name, const std::vector<int64_t>& shape)
{
    auto it = mIndex.find(name);
    if (it != mIndex.end()) {
        for (auto& p : mOrder)
            if (p.get() == it->second) {
                p = std::make_unique<TraceTensor>(name, shape);
                it->second = p.get();
                return p.get();
            }
    }
    mOrder.push_back(std::make_unique<TraceTensor>(name, shape));
    mIndex[name] = mOrder.back().get();
    return mOrder.back().get();
}

TraceTensor* Trace::find(const std::string& name)
{
    auto it = mIndex.find(name);
    return it == mIndex.end() ? nullptr : it->second;
}

const TraceTensor* Trace::find(const std::string& name) const
{
    auto it = mIndex.find(name);
    return it == mIndex.end() ? nullptr : it->second;
}

Tensor Trace::get(const std::string& name) const
{
    const TraceTensor* t = find(name);
    return t ? t->compact() : Tensor{};
}

std::vector<std::string> Trace::names() const
{
    std::vector<std::string> n;
    n.reserve(mOrder.size());
    for (const auto& p : mOrder) n.push_back(p->name());
    return n;
}

void Trace::clear()
{
    mOrder.clear();
    mIndex.clear();
}

}  // namespace sf
