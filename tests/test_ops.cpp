// Operations against values derived by hand (the numbers in comments were computed
// independently from the formulas, in double precision).
#include "check.h"

#include "core/model/kernels.h"
#include "core/model/ops.h"
#include "core/model/transformer.h"

#include <cmath>
#include <limits>
#include <vector>

using namespace sf;
using Catch::Detail::Approx;

TEST_CASE("softmax of a known vector", "[ops]")
{
    // softmax([1, 2, 3]) = e^x / (e + e^2 + e^3) = [0.09003057, 0.24472847, 0.66524096]
    std::vector<float> x{1, 2, 3};
    cpuKernels().softmaxRows(x.data(), 1, 3, 3);
    CHECK(x[0] == Approx(0.09003057).margin(1e-7));
    CHECK(x[1] == Approx(0.24472847).margin(1e-7));
    CHECK(x[2] == Approx(0.66524096).margin(1e-7));

    // Shifting every input by a constant changes nothing; large inputs do not overflow.
    std::vector<float> y{1001, 1002, 1003};
    cpuKernels().softmaxRows(y.data(), 1, 3, 3);
    CHECK(y[2] == Approx(0.66524096).margin(1e-6));

    // Masked entries (-inf) get exactly 0; the rest share the mass.
    const float ninf = -std::numeric_limits<float>::infinity();
    std::vector<float> m{0, ninf, 0, ninf};
    cpuKernels().softmaxRows(m.data(), 1, 4, 4);
    CHECK(m[0] == 0.5f);
    CHECK(m[1] == 0.0f);
    CHECK(m[2] == 0.5f);
    CHECK(m[3] == 0.0f);
}

TEST_CASE("layer norm of a known row", "[ops]")
{
    // x = [1, 2, 3, 4]: mean 2.5, biased variance 1.25, rstd = 1 / sqrt(1.25 + 1e-5)
    // (x - mean) * rstd = [-1.3416354, -0.4472118, 0.4472118, 1.3416354]
    const std::vector<float> x{1, 2, 3, 4};
    const std::vector<float> gamma{1, 2, 1, 1}, beta{0, 0, 1, 0};
    std::vector<float> y(4);
    cpuKernels().layerNormRows(y.data(), x.data(), gamma.data(), beta.data(), 1, 4, 1e-5f);
    CHECK(y[0] == Approx(-1.3416354).margin(1e-6));
    CHECK(y[1] == Approx(-0.4472118 * 2).margin(1e-6));  // gamma 2
    CHECK(y[2] == Approx(0.4472118 + 1).margin(1e-6));   // beta 1
    CHECK(y[3] == Approx(1.3416354).margin(1e-6));
}

TEST_CASE("attention on a two-token example", "[ops]")
{
    // d = 2, one head: q = k = I, v = [[1, 2], [3, 4]].
    // scores = q k^T / sqrt(2) = [[0.7071, 0], [0, 0.7071]]
    // weights row 0 = softmax([0.7071, 0]) = [0.66976155, 0.33023845]
    // context row 0 = 0.66976155 [1, 2] + 0.33023845 [3, 4] = [1.6604769, 2.6604769]
    const std::vector<float> q{1, 0, 0, 1}, k{1, 0, 0, 1}, v{1, 2, 3, 4};
    std::vector<float> ctx(4), scores(4), weights(4);
    multiHeadAttention(cpuKernels(), ctx.data(), scores.data(), weights.data(), q.data(), k.data(), v.data(), 2, 2, 1,
                       0, false, 2, 2);
    CHECK(scores[0] == Approx(0.70710678).margin(1e-7));
    CHECK(scores[1] == 0.0f);
    CHECK(weights[0] == Approx(0.66976155).margin(1e-7));
    CHECK(weights[1] == Approx(0.33023845).margin(1e-7));
    CHECK(weights[2] == Approx(0.33023845).margin(1e-7));
    CHECK(ctx[0] == Approx(1.6604769).margin(1e-6));
    CHECK(ctx[1] == Approx(2.6604769).margin(1e-6));
    CHECK(ctx[2] == Approx(0.33023845 * 1 + 0.66976155 * 3).margin(1e-6));
    CHECK(ctx[3] == Approx(0.33023845 * 2 + 0.66976155 * 4).margin(1e-6));

    SECTION("causal: the first token sees only itself")
    {
        multiHeadAttention(cpuKernels(), ctx.data(), scores.data(), weights.data(), q.data(), k.data(), v.data(), 2, 2,
                           1, 0, true, 2, 2);
        CHECK(weights[0] == 1.0f);
        CHECK(weights[1] == 0.0f);  // above the diagonal: exactly zero
        CHECK(scores[1] == 0.0f);   // scores are recorded before the mask
        CHECK(ctx[0] == 1.0f);
        CHECK(ctx[1] == 2.0f);
        CHECK(weights[2] == Approx(0.33023845).margin(1e-7));
    }
    SECTION("padding: a padded key gets weight 0 from every query")
    {
        multiHeadAttention(cpuKernels(), ctx.data(), scores.data(), weights.data(), q.data(), k.data(), v.data(), 2, 2,
                           1, 0, false, 1, 2);
        CHECK(weights[1] == 0.0f);
        CHECK(weights[3] == 0.0f);
        CHECK(weights[2] == 1.0f);
        CHECK(ctx[2] == 1.0f);
    }
}

TEST_CASE("two heads attend independently over their own columns", "[ops]")
{
    // d = 4, H = 2: head 0 uses columns 0-1, head 1 columns 2-3. Head 1's keys make
    // query 0 prefer key 1; head 0 has equal scores (uniform weights).
    const std::vector<float> q{1, 1, 1, 0,  //
                               1, 1, 0, 1};
    const std::vector<float> k{1, 1, 0, 0,  //
                               1, 1, 5, 0};
    const std::vector<float> v{1, 0, 10, 0,  //
                               3, 0, 20, 0};
    std::vector<float> ctx(8), scores(8), weights(8);
    multiHeadAttention(cpuKernels(), ctx.data(), scores.data(), weights.data(), q.data(), k.data(), v.data(), 2, 2, 2,
                       0, false, 2, 4);
    CHECK(weights[0] == Approx(0.5));  // head 0, query 0: equal scores
    CHECK(ctx[0] == Approx(2.0));      // mean of 1 and 3
    // head 1, query 0: scores [0, 5/sqrt 2] -> weight on key 1 = 1 / (1 + e^-3.5355)
    const double w1 = 1.0 / (1.0 + std::exp(-5.0 / std::sqrt(2.0)));
    CHECK(weights[4 + 1] == Approx(w1).epsilon(1e-6));
    CHECK(ctx[2] == Approx(10 * (1 - w1) + 20 * w1).epsilon(1e-6));
}

TEST_CASE("sinusoidal positions at chosen points, both layouts", "[ops]")
{
    // PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...).
    // d = 4, pos = 1: angles 1 and 1 / 10000^(2/4) = 0.01.
    std::vector<float> pe(2 * 4);
    positionalEncoding(pe.data(), 0, 2, 4, PositionLayout::Interleaved);
    CHECK(pe[0] == 0.0f);  // sin 0
    CHECK(pe[1] == 1.0f);  // cos 0
    CHECK(pe[4 + 0] == Approx(std::sin(1.0)).margin(1e-7));   // 0.84147098
    CHECK(pe[4 + 1] == Approx(std::cos(1.0)).margin(1e-7));   // 0.54030231
    CHECK(pe[4 + 2] == Approx(0.0099998333).margin(1e-8));    // sin 0.01
    CHECK(pe[4 + 3] == Approx(0.99995).margin(1e-7));         // cos 0.01
    positionalEncoding(pe.data(), 0, 2, 4, PositionLayout::Halves);
    // Halves (Marian): [sin 1, sin 0.01, cos 1, cos 0.01]
    CHECK(pe[4 + 0] == Approx(0.84147098).margin(1e-7));
    CHECK(pe[4 + 1] == Approx(0.0099998333).margin(1e-8));
    CHECK(pe[4 + 2] == Approx(0.54030231).margin(1e-7));
    CHECK(pe[4 + 3] == Approx(0.99995).margin(1e-7));

    // d = 512, pos = 7, i = 10: angle = 7 / 10000^(20/512) = 4.8848141;
    // sin = -0.98517158, cos = 0.17157200.
    std::vector<float> big(512);
    positionalEncoding(big.data(), 7, 1, 512, PositionLayout::Interleaved);
    CHECK(big[20] == Approx(-0.98517158).margin(1e-6));
    CHECK(big[21] == Approx(0.17157200).margin(1e-6));
    positionalEncoding(big.data(), 7, 1, 512, PositionLayout::Halves);
    CHECK(big[10] == Approx(-0.98517158).margin(1e-6));
    CHECK(big[256 + 10] == Approx(0.17157200).margin(1e-6));
}

TEST_CASE("activations and the embedding scale", "[ops]")
{
    std::vector<float> x{-1.0f, 1.0f, -0.5f};
    std::vector<float> r = x, g = x, s = x;
    activationForward<float>(r.data(), r.data(), 3, Activation::Relu);
    activationForward<float>(g.data(), g.data(), 3, Activation::Gelu);
    activationForward<float>(s.data(), s.data(), 3, Activation::Swish);
    CHECK(r == std::vector<float>{0.0f, 1.0f, 0.0f});
    CHECK(g[1] == Approx(0.84134475).margin(1e-6));   // 1 * Phi(1)
    CHECK(g[2] == Approx(-0.15426877).margin(1e-6));  // -0.5 * Phi(-0.5)
    CHECK(s[1] == Approx(0.73105858).margin(1e-6));   // 1 / (1 + e^-1)

    // Embeddings are multiplied by sqrt(d_model) (sec 3.4).
    const std::vector<float> table{1, 2, 3, 4, 5, 6, 7, 8};  // V = 2, d = 4
    std::vector<float> out(4);
    const int id = 1;
    cpuKernels().embed(out.data(), &id, 1, table.data(), 4, 2.0f);
    CHECK(out == std::vector<float>{10, 12, 14, 16});
}

TEST_CASE("linear is x W^T + b with W stored [out, in]", "[ops]")
{
    // W = [[1, 2, 3], [4, 5, 6]] (out 2, in 3), b = [0.5, -1], x = [1, 0, -1]
    // y = [1 - 3 + 0.5, 4 - 6 - 1] = [-1.5, -3]
    const std::vector<float> W{1, 2, 3, 4, 5, 6}, b{0.5f, -1.0f}, x{1, 0, -1, 2, 2, 2};
    std::vector<float> y(4);
    cpuKernels().linear(y.data(), x.data(), W.data(), b.data(), 1, 3, 2, nullptr);
    CHECK(y[0] == -1.5f);
    CHECK(y[1] == -3.0f);
    // Two rows at once (the GEMM path): row 1 = [12 + 0.5, 30 - 1]
    cpuKernels().linear(y.data(), x.data(), W.data(), b.data(), 2, 3, 2, nullptr);
    CHECK(y[2] == 12.5f);
    CHECK(y[3] == 29.0f);

    // A matrix big enough to be split across threads gives the same as a plain loop.
    const int in = 300, out = 700, n = 3;
    std::vector<float> Wb(static_cast<size_t>(in * out)), bb(static_cast<size_t>(out)), xb(static_cast<size_t>(n * in));
    std::vector<float> yb(static_cast<size_t>(n * out)), ref(static_cast<size_t>(n * out));
    for (size_t i = 0; i < Wb.size(); ++i) Wb[i] = float(std::sin(0.37 * double(i)));
    for (size_t i = 0; i < bb.size(); ++i) bb[i] = float(std::cos(0.11 * double(i)));
    for (size_t i = 0; i < xb.size(); ++i) xb[i] = float(std::sin(1.3 * double(i) + 0.2));
    for (int r = 0; r < n; ++r)
        for (int o = 0; o < out; ++o) {
            double acc = bb[size_t(o)];
            for (int j = 0; j < in; ++j) acc += double(xb[size_t(r * in + j)]) * Wb[size_t(o * in + j)];
            ref[size_t(r * out + o)] = float(acc);
        }
    for (int rows : {1, 3}) {
        cpuKernels().linear(yb.data(), xb.data(), Wb.data(), bb.data(), rows, in, out, nullptr);
        sf::test::checkTensor("linear " + std::to_string(rows) + " rows", yb.data(), ref.data(), size_t(rows) * out, 1e-5);
    }
}

TEST_CASE("the few-row layout holds W transposed in panels of 32 outputs, zeros past out", "[ops]")
{
    // W = [[1, 2, 3], [4, 5, 6]] (out 2, in 3): one panel [3, 32] whose row k is
    // [W[0][k], W[1][k], 0 x 30].
    const std::vector<float> W{1, 2, 3, 4, 5, 6};
    const size_t count = linearPanelFloats(2, 3);
#if defined(__AVX512F__)
    REQUIRE(count == size_t(3 * 32));
    std::vector<float> P(count, -1.0f);
    packLinearPanels(P.data(), W.data(), 2, 3);
    for (int k = 0; k < 3; ++k) {
        INFO("k = " << k);
        CHECK(P[size_t(k) * 32] == W[size_t(k)]);
        CHECK(P[size_t(k) * 32 + 1] == W[size_t(3 + k)]);
        for (int j = 2; j < 32; ++j) CHECK(P[size_t(k) * 32 + size_t(j)] == 0.0f);
    }
    // 33 outputs: two panels, the second holding output 32 and 31 columns of zeros.
    REQUIRE(linearPanelFloats(33, 3) == size_t(2 * 3 * 32));
    // Read through the seam: y = x W^T + b as above, from the panels.
    const std::vector<float> b{0.5f, -1.0f}, x{1, 0, -1, 2, 2, 2};
    std::vector<float> y(4);
    cpuKernels().linear(y.data(), x.data(), W.data(), b.data(), 2, 3, 2, P.data());
    CHECK(y == std::vector<float>{-1.5f, -3.0f, 12.5f, 29.0f});
#else
    CHECK(count == 0);  // 8-lane builds read W in place
#endif
}

TEST_CASE("the comparison helpers fail on NaN and one-sided infinities, and pass equal infinities", "[check]")
{
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    const std::vector<float> ref = {1.0f, -inf, 2.0f};
    CHECK(sf::test::relativeError(ref.data(), ref.data(), 3) == 0.0);  // -inf == -inf: a masked score
    for (const std::vector<float>& bad : {std::vector<float>{1.0f, -inf, nan}, std::vector<float>{1.0f, 0.0f, 2.0f},
                                          std::vector<float>{inf, -inf, 2.0f}}) {
        CHECK(sf::test::relativeError(bad.data(), ref.data(), 3) > 1e30);
        CHECK(sf::test::relativeError(ref.data(), bad.data(), 3) > 1e30);
    }
    CHECK(sf::test::worse(0.5, double(nan)) > 1e30);
    CHECK(sf::test::worse(0.5, 0.25) == 0.5);
}
