// Adam, the paper's learning-rate schedule, and gradient clipping by global norm.
// Buffers are the flat parameter layout (params.h): n = layout.total().
#pragma once

#include <cstddef>

namespace sf::train {

// lrate = d_model^-0.5 * min(step^-0.5, step * warmup_steps^-1.5)   (sec 5.3, eq. 3)
// times `scale`; step counts from 1 (step 0 is treated as step 1).
double learningRate(int step, int dModel, int warmup, double scale = 1.0);

struct AdamOptions {
    double beta1 = 0.9, beta2 = 0.98, eps = 1e-9;  // sec 5.3
};

// One Adam step (Kingma & Ba, with bias correction, as torch.optim.Adam):
//   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2,
//   theta -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// theta, m, v, g: [n]; t = the step number (>= 1).
void adamStep(float* theta, float* m, float* v, const float* g, size_t n, double lr, int t, const AdamOptions& o);

// The global L2 norm of g [n] (accumulated in double, in a fixed order).
double globalNorm(const float* g, size_t n);

// Scales g so that its global norm is at most maxNorm (no-op when maxNorm <= 0).
// Returns the norm before clipping.
double clipGlobalNorm(float* g, size_t n, double maxNorm);

}  // namespace sf::train
