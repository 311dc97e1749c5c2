// Labelled numeric comparisons: a failure names the tensor and the worst element.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace sf::test {

// max |a - b| / max(max |b|, floor): one scale for the whole tensor (b's finite values).
// Equal values agree, infinities included (a masked score is -inf in both); a NaN, or an
// infinity on one side only, is an infinite error, so no tolerance passes it (std::max
// alone would skip a NaN: max(d, NaN) is d).
inline double relativeError(const float* a, const float* b, size_t n, double floor = 1e-6)
{
    double diff = 0.0, scale = floor;
    for (size_t i = 0; i < n; ++i) {
        if (std::isfinite(b[i])) scale = std::max(scale, std::fabs(double(b[i])));
        if (a[i] == b[i]) continue;
        if (!std::isfinite(a[i]) || !std::isfinite(b[i])) return std::numeric_limits<double>::infinity();
        diff = std::max(diff, std::fabs(double(a[i]) - double(b[i])));
    }
    return diff / scale;
}

// The running maximum of |differences| with d added; a NaN d (a NaN on either side, or
// inf - inf) makes it infinite: std::max(worst, NaN) would keep `worst` and pass.
inline double worse(double worst, double d)
{
    return std::isnan(d) ? std::numeric_limits<double>::infinity() : std::max(worst, d);
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
