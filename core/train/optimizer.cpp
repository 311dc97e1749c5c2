#include "core/train/optimizer.h"

#include "core/model/parallel.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <vector>

namespace sf::train {

double learningRate(int step, int dModel, int warmup, double scale)
{
    const double s = std::max(1, step);
    const double w = std::max(1, warmup);
    return scale * std::pow(double(dModel), -0.5) * std::min(std::pow(s, -0.5), s * std::pow(w, -1.5));
}

void adamStep(float* theta, float* m, float* v, const float* g, size_t n, double lr, int t, const AdamOptions& o)
{
    const float b1 = float(o.beta1), b2 = float(o.beta2), eps = float(o.eps);
    const float c1 = float(1.0 / (1.0 - std::pow(o.beta1, t)));  // bias corrections
    const float c2 = float(1.0 / (1.0 - std::pow(o.beta2, t)));
    const float step = float(lr);
    // Blocks of 64K elements; elementwise, so any split gives the same numbers.
    constexpr size_t kBlock = 1 << 16;
    parallelFor(int((n + kBlock - 1) / kBlock), [&](int b) {
        const size_t begin = size_t(b) * kBlock, len = std::min(n, begin + kBlock) - begin;
        Eigen::Map<Eigen::ArrayXf> th(theta + begin, long(len)), mb(m + begin, long(len)), vb(v + begin, long(len));
        Eigen::Map<const Eigen::ArrayXf> gb(g + begin, long(len));
        mb = b1 * mb + (1.0f - b1) * gb;
        vb = b2 * vb + (1.0f - b2) * gb.square();
        th -= step * (mb * c1) / ((vb * c2).sqrt() + eps);
    }, double(n) * 8);
}

double globalNorm(const float* g, size_t n)
{
    // Fixed-size chunks summed in order: the same result on any thread count.
    constexpr size_t kChunk = 1 << 14;
    const int chunks = int((n + kChunk - 1) / kChunk);
    std::vector<double> part(static_cast<size_t>(chunks), 0.0);
    parallelFor(chunks, [&](int c) {
        const size_t begin = size_t(c) * kChunk, len = std::min(n, begin + kChunk) - begin;
        part[size_t(c)] = Eigen::Map<const Eigen::ArrayXf>(g + begin, long(len)).cast<double>().square().sum();
    }, double(n) * 2);
    double total = 0.0;
    for (double s : part) total += s;
    return std::sqrt(total);
}

double clipGlobalNorm(float* g, size_t n, double maxNorm)
{
    const double norm = globalNorm(g, n);
    if (maxNorm > 0.0 && norm > maxNorm) {
        const float s = float(maxNorm / (norm + 1e-6));
        for (size_t i = 0; i < n; ++i) g[i] *= s;
    }
    return norm;
}

}  // namespace sf::train
