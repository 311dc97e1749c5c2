// The model summary: tensor statistics against values derived by hand, NaN / Inf flagged
// with the file and the tensor named, parameters per block against hand counts, head
// slices against the rows / columns they must be, histogram and mean-pooling.
#include "models.h"

#include "core/model/summary.h"
#include "ui/texttable.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>
#include <unistd.h>

using namespace sf;
using sf::test::makeModel;
using sf::test::smallConfig;

namespace {

std::string english(const Text& t) { return ui::TextTable::english().renderUtf8(t); }

// The summary's texts as the English table renders them (what `inspect` prints).
std::vector<std::string> english(const std::vector<Text>& texts)
{
    std::vector<std::string> out;
    for (const Text& t : texts) out.push_back(english(t));
    return out;
}

std::vector<std::pair<std::string, int64_t>> english(const std::vector<std::pair<Text, int64_t>>& blocks)
{
    std::vector<std::pair<std::string, int64_t>> out;
    for (const auto& [t, n] : blocks) out.emplace_back(english(t), n);
    return out;
}

std::string variant(const ModelSummary& s)
{
    std::string v;
    for (const std::string& part : english(s.variant)) v += (v.empty() ? "" : "; ") + part;
    return v;
}

std::string scratchDir(const std::string& name)
{
    const std::string dir =
        std::string(SF_BUILD_DIR) + "/test_summary/" + std::to_string(::getpid()) + "/" + name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

}  // namespace

TEST_CASE("tensor statistics of [1, 2, 3, 4] are the hand-derived ones", "[summary]")
{
    const float x[] = {1, 2, 3, 4};
    const TensorStats s = tensorStats(x, 4);
    CHECK(s.count == 4);
    CHECK(s.min == 1.0);
    CHECK(s.max == 4.0);
    CHECK(s.mean == Approx(2.5).margin(1e-12));
    // population std: sqrt(((1.5)^2 + (0.5)^2 + (0.5)^2 + (1.5)^2) / 4) = sqrt(1.25)
    CHECK(s.std == Approx(1.118034).margin(1e-6));
    CHECK(s.nan == 0);
    CHECK(s.inf == 0);
}

TEST_CASE("statistics skip NaN and Inf and count them", "[summary]")
{
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    const float x[] = {nan, 1, inf, 2, -inf, 3, 4, nan, nan};
    const TensorStats s = tensorStats(x, 9);
    CHECK(s.count == 9);
    CHECK(s.nan == 3);
    CHECK(s.inf == 2);
    CHECK(s.min == 1.0);
    CHECK(s.max == 4.0);
    CHECK(s.mean == Approx(2.5).margin(1e-12));
    CHECK(s.std == Approx(1.118034).margin(1e-6));

    const float none[] = {nan, inf};
    const TensorStats e = tensorStats(none, 2);
    CHECK(std::isnan(e.mean));
    CHECK(e.nan == 1);
    CHECK(e.inf == 1);
}

TEST_CASE("large tensors (the parallel path) give the same statistics as the formula", "[summary]")
{
    // x_i = i mod 1000 over 1,000,000 values: mean 499.5, population variance (1000^2 - 1) / 12.
    const int64_t n = 1000000;
    std::vector<float> x(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) x[size_t(i)] = float(i % 1000) + 1e4f;  // offset: tests the stable update
    const TensorStats s = tensorStats(x.data(), n);
    CHECK(s.min == 1e4);
    CHECK(s.max == 1e4 + 999);
    CHECK(s.mean == Approx(1e4 + 499.5).epsilon(1e-12));
    CHECK(s.std == Approx(std::sqrt((1000.0 * 1000.0 - 1.0) / 12.0)).epsilon(1e-10));
}

TEST_CASE("NaN and Inf weights in a checkpoint are flagged, naming the file and the tensor", "[summary]")
{
    const Config c = smallConfig();
    auto tensors = randomTensors(c, 3);
    Tensor& w = tensors.at("model.encoder.layers.1.fc1.weight");
    w.data[0] = std::numeric_limits<float>::quiet_NaN();
    w.data[7] = std::numeric_limits<float>::quiet_NaN();
    w.data[9] = std::numeric_limits<float>::quiet_NaN();
    tensors.at("model.decoder.layers.0.self_attn.q_proj.bias").data[2] = -std::numeric_limits<float>::infinity();
    const std::string dir = scratchDir("nan");
    REQUIRE(writeModel(dir, c, tensors).ok());
    auto m = Model::load(dir);
    INFO(m.message());
    REQUIRE(m.ok());

    const ModelSummary s = summarize(**m);
    REQUIRE(s.warnings.size() == 2);
    const std::string file = dir + "/model.safetensors";
    const std::vector<std::string> warnings = english(s.warnings);
    auto flagged = [&](const std::string& warning) {
        INFO(warning);
        return std::find(warnings.begin(), warnings.end(), warning) != warnings.end();
    };
    // In file order, whatever that is; each names the file, the tensor and both counts.
    CHECK(flagged(file + ": tensor 'model.encoder.layers.1.fc1.weight' has 3 NaN and 0 Inf values"));
    CHECK(flagged(file + ": tensor 'model.decoder.layers.0.self_attn.q_proj.bias' has 0 NaN and 1 Inf values"));
    const TensorStats* fc1 = s.find("model.encoder.layers.1.fc1.weight");
    REQUIRE(fc1);
    CHECK(fc1->nan == 3);
    CHECK(std::isfinite(fc1->mean));
    CHECK(s.tensors.size() == (**m).file()->tensors().size());
}

TEST_CASE("a clean checkpoint has no warnings, file order, dtypes and unused tensors are reported", "[summary]")
{
    const Config c = smallConfig();
    auto tensors = randomTensors(c, 4);
    tensors["model.extra.unused"] = Tensor{{2, 2}, {1, 2, 3, 4}};
    const std::string dir = scratchDir("clean");
    REQUIRE(writeModel(dir, c, tensors).ok());
    auto m = Model::load(dir);
    REQUIRE(m.ok());
    const ModelSummary s = summarize(**m);
    CHECK(s.warnings.empty());
    const auto& info = (**m).file()->tensors();
    REQUIRE(s.tensors.size() == info.size());
    for (size_t i = 0; i < info.size(); ++i) {
        CHECK(s.tensors[i].name == info[i].name);
        CHECK(s.tensors[i].shape == info[i].shape);
        CHECK(s.tensors[i].dtype == "F32");
    }
    const TensorStats* extra = s.find("model.extra.unused");
    REQUIRE(extra);
    CHECK_FALSE(extra->used);
    CHECK(extra->mean == Approx(2.5));
    CHECK(s.find("model.shared.weight")->used);
    // The bound weights are what is measured: model.shared.weight against a direct pass.
    const Tensor& shared = tensors.at("model.shared.weight");
    const TensorStats direct = tensorStats(shared.data.data(), shared.numel());
    CHECK(s.find("model.shared.weight")->mean == Approx(direct.mean).margin(1e-12));
    CHECK(s.find("model.shared.weight")->std == Approx(direct.std).epsilon(1e-12));
    CHECK(variant(s) == "post-norm (LayerNorm(x + Sublayer(x)), as in the paper); sinusoidal_interleaved; relu; "
                        "embeddings x sqrt(d_model); output projection tied to model.shared.weight");
}

TEST_CASE("parameters per block match hand counts and sum to the total", "[summary]")
{
    SECTION("post-norm, tied, no logits bias")
    {
        // d 32, ffn 64, V 50. Attention: 4 x (32*32 + 32) = 4224; norm: 64;
        // fc1: 64*32 + 64 = 2112; fc2: 32*64 + 32 = 2080.
        // encoder layer = 4224 + 2*64 + 2112 + 2080 = 8544
        // decoder layer = 2*4224 + 3*64 + 2112 + 2080 = 12832
        const ModelSummary s = summarize(*makeModel(smallConfig()));
        const std::vector<std::pair<std::string, int64_t>> want{
            {"embeddings (shared)", 1600}, {"encoder layer 1", 8544}, {"encoder layer 2", 8544},
            {"decoder layer 1", 12832},    {"decoder layer 2", 12832}};
        CHECK(english(s.parametersPerBlock) == want);
        CHECK(s.parameters == 1600 + 2 * 8544 + 2 * 12832);
        CHECK(s.tensors.size() == expectedTensors(smallConfig()).size() - 2);  // no lm_head, no bias
    }
    SECTION("pre-norm, untied, with final_logits_bias")
    {
        Config c = smallConfig();
        c.normalizeBefore = true;
        const ModelSummary s = summarize(*makeModel(c, 2, true, true));
        const std::vector<std::pair<std::string, int64_t>> want{
            {"embeddings (shared)", 1600}, {"encoder layer 1", 8544}, {"encoder layer 2", 8544},
            {"decoder layer 1", 12832},    {"decoder layer 2", 12832}, {"final stack norms", 4 * 32},
            {"lm_head", 1600},             {"final_logits_bias", 50}};
        CHECK(english(s.parametersPerBlock) == want);
        int64_t sum = 0;
        for (const auto& b : s.parametersPerBlock) sum += b.second;
        CHECK(sum == s.parameters);
        CHECK(s.parameters == 1600 + 2 * 8544 + 2 * 12832 + 128 + 1600 + 50);
        CHECK(variant(s).find("pre-norm") == 0);
        CHECK(variant(s).find("output projection lm_head.weight (untied) + final_logits_bias") != std::string::npos);
    }
}

TEST_CASE("head slices are rows of W_Q / W_K / W_V and columns of W_O", "[summary]")
{
    const Config c = smallConfig();  // d 32, 4 heads: dk 8
    const auto tensors = randomTensors(c, 9);
    const auto m = makeModel(c, tensors);
    const int d = 32, dk = 8;
    for (const char* proj : {"q_proj", "k_proj", "v_proj"}) {
        const std::string name = std::string("model.decoder.layers.1.encoder_attn.") + proj + ".weight";
        REQUIRE(headCount(*m, name) == 4);
        auto s = headSlice(*m, name, 2);
        REQUIRE(s.ok());
        CHECK(s->values.shape == std::vector<int64_t>{dk, d});
        CHECK(s->first == 16);
        CHECK_FALSE(s->columns);
        const Tensor& W = tensors.at(name);
        for (int r = 0; r < dk; ++r)
            for (int col = 0; col < d; ++col) REQUIRE(s->values.at(r, col) == W.at(16 + r, col));
    }
    const std::string out = "model.encoder.layers.0.self_attn.out_proj.weight";
    auto s = headSlice(*m, out, 3);
    REQUIRE(s.ok());
    CHECK(s->values.shape == std::vector<int64_t>{d, dk});
    CHECK(s->columns);
    const Tensor& W = tensors.at(out);
    for (int r = 0; r < d; ++r)
        for (int j = 0; j < dk; ++j) REQUIRE(s->values.at(r, j) == W.at(r, 24 + j));

    CHECK(headCount(*m, "model.encoder.layers.0.fc1.weight") == 0);
    CHECK(headCount(*m, "model.encoder.layers.0.self_attn.q_proj.bias") == 0);
    CHECK_FALSE(headSlice(*m, "model.encoder.layers.0.fc1.weight", 0).ok());
    CHECK_FALSE(headSlice(*m, out, 4).ok());
}

TEST_CASE("histogram counts every finite value in range once", "[summary]")
{
    const float x[] = {0, 0.1f, 0.5f, 0.99f, 1.0f, 2.0f, -1.0f};
    const std::vector<int64_t> h = histogram(x, 7, 0.0, 1.0, 4);  // bins [0,.25) [.25,.5) [.5,.75) [.75,1]
    CHECK(h == std::vector<int64_t>{2, 0, 1, 2});                   // 2.0 and -1.0 are outside

    const auto m = makeModel(smallConfig());
    auto t = tensorData(*m, "model.shared.weight");
    REQUIRE(t.ok());
    const TensorStats s = tensorStats(t->data(), t->numel());
    const auto [lo, hi] = histogramRange(s.min, s.max);
    const std::vector<int64_t> counts = histogram(t->data(), t->numel(), lo, hi, 64);
    CHECK(std::accumulate(counts.begin(), counts.end(), int64_t(0)) == t->numel());

    // Large input (parallel path) and a constant tensor (degenerate range).
    std::vector<float> ones(200000, 1.0f);
    ones[5] = std::numeric_limits<float>::quiet_NaN();
    const auto [lo1, hi1] = histogramRange(1.0, 1.0);
    CHECK(lo1 == 0.5);
    CHECK(hi1 == 1.5);
    const std::vector<int64_t> c1 = histogram(ones.data(), int64_t(ones.size()), lo1, hi1, 9);
    CHECK(c1[4] == 199999);
    CHECK(std::accumulate(c1.begin(), c1.end(), int64_t(0)) == 199999);
}

TEST_CASE("downsample mean-pools a known matrix", "[summary]")
{
    // 4 x 6, x[r][c] = 10 r + c, pooled into 2 x 3: blocks of 2 x 2.
    std::vector<float> x(24);
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 6; ++c) x[size_t(r * 6 + c)] = float(10 * r + c);
    const Downsampled d = downsample(x.data(), 4, 6, 2, 3);
    CHECK(d.pooled());
    REQUIRE(d.values.shape == std::vector<int64_t>{2, 3});
    // block (0,0): rows 0-1, cols 0-1 -> (0 + 1 + 10 + 11) / 4 = 5.5
    CHECK(d.values.data == std::vector<float>{5.5f, 7.5f, 9.5f, 25.5f, 27.5f, 29.5f});
    CHECK(d.rowBegin == std::vector<int64_t>{0, 2, 4});
    CHECK(d.colBegin == std::vector<int64_t>{0, 2, 4, 6});

    // Uneven blocks: 5 rows into 2 -> rows [0, 2) and [2, 5).
    const float y[] = {1, 2, 3, 4, 5};
    const Downsampled e = downsample(y, 5, 1, 2, 2);
    CHECK(e.values.shape == std::vector<int64_t>{2, 1});
    CHECK(e.values.data == std::vector<float>{1.5f, 4.0f});

    // Small enough: an exact copy, not pooled.
    const Downsampled same = downsample(x.data(), 4, 6);
    CHECK_FALSE(same.pooled());
    CHECK(same.values.data == x);

    // A big matrix ends at most 512 x 512.
    std::vector<float> big(size_t(2000) * 700, 1.0f);
    const Downsampled b = downsample(big.data(), 2000, 700);
    CHECK(b.values.shape == std::vector<int64_t>{512, 512});
    CHECK(b.values.data.front() == 1.0f);
    CHECK(b.values.data.back() == 1.0f);
}

TEST_CASE("tensorData reads bound and unused tensors, F16 converted", "[summary]")
{
    const Config c = smallConfig();
    auto tensors = randomTensors(c, 6);
    std::vector<io::TensorToWrite> out;
    for (const auto& [name, t] : tensors) out.push_back(io::tensorFromFloats(name, t.shape, t.data.data(), io::DType::F16));
    const float half[] = {0.5f, -2.0f};
    out.push_back(io::tensorFromFloats("extra.half", {2}, half, io::DType::F16));
    const std::string dir = scratchDir("f16");
    REQUIRE(writeModel(dir, c, tensors).ok());  // config.json
    REQUIRE(io::writeSafetensors(dir + "/model.safetensors", out).ok());
    auto m = Model::load(dir);
    INFO(m.message());
    REQUIRE(m.ok());
    auto e = tensorData(**m, "extra.half");
    REQUIRE(e.ok());
    CHECK(e->shape == std::vector<int64_t>{2});
    CHECK(e->data()[0] == 0.5f);
    CHECK(e->data()[1] == -2.0f);
    const ModelSummary s = summarize(**m);
    CHECK(s.find("extra.half")->dtype == "F16");
    CHECK_FALSE(s.find("extra.half")->used);
    CHECK(s.find("extra.half")->mean == Approx(-0.75));
    CHECK(s.find("model.shared.weight")->dtype == "F16");
    CHECK_FALSE(tensorData(**m, "no.such.tensor").ok());
}

TEST_CASE("a huge unused tensor is measured on a sample, not read whole", "[summary]")
{
    const Config c = smallConfig();
    auto tensors = randomTensors(c, 4);
    const int64_t n = kSampleAbove + 1000;
    Tensor huge{{n}, std::vector<float>(size_t(n), 2.0f)};
    huge.data[0] = std::numeric_limits<float>::quiet_NaN();  // the first run starts at 0
    tensors["model.extra.huge"] = std::move(huge);
    const std::string dir = scratchDir("huge-unused");
    REQUIRE(writeModel(dir, c, tensors).ok());
    tensors.clear();
    auto m = Model::load(dir);
    REQUIRE(m.ok());
    const ModelSummary s = summarize(**m);
    const TensorStats* extra = s.find("model.extra.huge");
    REQUIRE(extra);
    CHECK_FALSE(extra->used);
    CHECK(extra->count == n);
    CHECK(extra->sampled == kSampleRuns * kSampleRun);
    CHECK(extra->nan == 1);
    CHECK(extra->mean == Approx(2.0));
    CHECK(extra->std == Approx(0.0).margin(1e-12));
    // Used tensors are never sampled.
    CHECK(s.find("model.shared.weight")->sampled == 0);
    REQUIRE(s.warnings.size() == 1);
    CHECK_THAT(english(s.warnings[0]), Catch::Contains("'model.extra.huge' has 1 NaN and 0 Inf values in a sample of"));
    std::filesystem::remove_all(dir);
}
