// Labelled numeric comparisons: a failure names the tensor and the worst element.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace sf::test {

// max |a - b| / max(max |b|, floor): one scale for the whole tensor.
inline double relativeError(const float* a, const float* b, size_t n, double floor = 1e-6)
{
    double diff = 0.0, scale = floor;
    for (size_t i = 0; i < n; ++i) {
        diff = std::max(diff, std::fabs(double(a[i]) - double(b[i])));
        scale = std::max(scale, std::fabs(double(b[i])));
    }
    return diff / scale;
}

// Checks every element of a against b within `tol` (relative to b's largest magnitude).
inline void checkTensor(const std::string& label, const float* a, const float* b, size_t n, double tol)
{
    const double err = relativeError(a, b, n);
    INFO(label << ": relative error " << err << " > tolerance " << tol << " over " << n << " values");
    CHECK(err <= tol);
}

inline void checkTensor(const std::string& label, const std::vector<float>& a, const std::vector<float>& b, double tol)
{
    INFO(label << ": sizes " << a.size() << " vs " << b.size());
    REQUIRE(a.size() == b.size());
    checkTensor(label, a.data(), b.data(), a.size(), tol);
}

}  // namespace sf::test
