// The Trace: every intermediate of a translation, by name (DESIGN.md "Trace"), float32
// row-major. Encoder tensors are written once; decoder tensors grow one time step per
// decoding step. Growth keeps spare capacity on every axis, so appending a step
// rewrites nothing already recorded (amortised O(1) per row).
#pragma once

#include "core/result.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sf {

// A compact tensor: shape and data, row-major.
struct Tensor {
    std::vector<int64_t> shape;
    std::vector<float> data;

    int64_t numel() const;
    int64_t dim(int i) const { return shape.at(static_cast<size_t>(i)); }
    float at(int64_t i) const { return data[static_cast<size_t>(i)]; }
    float at(int64_t i, int64_t j) const { return data[static_cast<size_t>(i * shape[1] + j)]; }
    float at(int64_t i, int64_t j, int64_t k) const
    {
        return data[static_cast<size_t>((i * shape[1] + j) * shape[2] + k)];
    }
};

std::string shapeString(const std::vector<int64_t>& shape);  // "[4, 7, 32]"

// One named tensor of rank 1..3 with spare capacity along every axis.
class TraceTensor {
public:
    TraceTensor(std::string name, std::vector<int64_t> shape);
    const std::string& name() const { return mName; }
    const std::vector<int64_t>& shape() const { return mShape; }
    int rank() const { return static_cast<int>(mShape.size()); }
    // Elements between consecutive rows of the last axis (its capacity).
    int64_t rowStride() const { return mCap.back(); }

    // Grows to `shape` (same rank, no axis shrinks); cells already written keep their
    // values, new cells are 0.
    void grow(const std::vector<int64_t>& shape);
    // The contiguous last-axis run at [i0, :] (rank 2) or [i0, i1, :] (rank 3); for rank 1, [:].
    float* row(int64_t i0 = 0, int64_t i1 = 0);
    const float* row(int64_t i0 = 0, int64_t i1 = 0) const;
    Tensor compact() const;

private:
    std::string mName;
    std::vector<int64_t> mShape;
    std::vector<int64_t> mCap;
    std::vector<float> mData;
};

class Trace {
public:
    // Adds (or replaces) a zero-filled tensor; the returned pointer stays valid for the
    // Trace's lifetime (until clear()).
    TraceTensor* put(const std::string& name, const std::vector<int64_t>& shape);
    TraceTensor* find(const std::string& name);
    const TraceTensor* find(const std::string& name) const;
    bool has(const std::string& name) const { return find(name) != nullptr; }
    // A compact copy; an empty Tensor if absent.
    Tensor get(const std::string& name) const;
    std::vector<std::string> names() const;  // in the order first put
    void clear();
    size_t size() const { return mOrder.size(); }

private:
    std::vector<std::unique_ptr<TraceTensor>> mOrder;
    std::map<std::string, TraceTensor*> mIndex;
};

}  // namespace sf
