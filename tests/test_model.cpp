// The model and the session: KV-cache decoding against full recomputation, masks,
// softmax rows, architecture flags, beam search, padding.
#include "check.h"
#include "models.h"

#include "core/model/ops.h"
#include "core/model/transformer.h"
#include "core/run/session.h"

#include <cmath>
#include <set>

using namespace sf;
using sf::test::checkTensor;
using sf::test::makeModel;
using sf::test::smallConfig;

namespace {

const std::vector<int> kSource{7, 12, 33, 5, 41, 9, 3};  // ends with </s> (eos 3)

// Logits [T, V] of decoding `inputs` in one full pass (no cache reuse), with its trace.
std::vector<float> fullPass(const Model& m, const std::vector<int>& inputs, Trace* trace)
{
    const Config& c = m.config();
    const int S = int(kSource.size()), T = int(inputs.size());
    Workspace ws;
    std::vector<float> memory(size_t(S) * c.dModel);
    encode(cpuKernels(), c, m.weights(), kSource.data(), S, S, memory.data(), trace, ws);
    DecoderState st;
    prepareDecoder(cpuKernels(), c, m.weights(), memory.data(), S, S, st, trace);
    std::vector<float> logits(size_t(T) * c.vocabSize);
    decode(cpuKernels(), c, m.weights(), inputs.data(), T, st, logits.data(), trace);
    return logits;
}

Translation greedy(const std::shared_ptr<const Model>& m, int beam = 1, int minLength = 0, int maxLength = 12)
{
    Session s(m);
    REQUIRE(s.setSourceIds(kSource).ok());
    DecodeOptions o;
    if (beam > 1) o.strategy = Beam{beam};
    o.minLength = minLength;
    o.maxLength = maxLength;
    auto t = s.translate(o);
    REQUIRE(t.ok());
    return *t;
}

std::vector<Config> variants()
{
    std::vector<Config> v;
    Config c = smallConfig();
    v.push_back(c);  // post-norm, interleaved, relu: the paper
    c.normalizeBefore = true, c.activation = Activation::Gelu;
    v.push_back(c);  // pre-norm, gelu
    c.normalizeBefore = false, c.activation = Activation::Swish, c.positions = PositionLayout::Halves;
    c.scaleEmbedding = true, c.decoderStartId = 0;
    v.push_back(c);  // Marian-like: swish, halves, start from pad
    return v;
}

}  // namespace

// Where the CPU has AVX-512 every operation computes a row the same way alone (a decoding
// step) as inside a block of rows (a full recomputation): the few-row linear kernel, the
// one-sequence attention and the row softmax fix their summation order by the row's
// length only. Elsewhere Eigen's products and reductions may round differently by size
// and alignment.
#if defined(__AVX512F__)
constexpr double kCacheTol = 0.0;  // bit for bit
#else
constexpr double kCacheTol = 1e-5;
#endif

TEST_CASE("KV-cache decoding equals full recomputation at every step", "[model][kvcache]")
{
    for (const Config& c : variants()) {
        auto m = makeModel(c, 3, true, false);
        INFO(c.describe());
        Session s(m);
        REQUIRE(s.setSourceIds(kSource).ok());
        s.encode(true);
        std::vector<int> inputs{c.decoderStartId};
        for (int t = 0; t < 10; ++t) {
            const float* cached = s.step(inputs.back());
            std::vector<float> stepLogits(cached, cached + c.vocabSize);
            const std::vector<float> full = fullPass(*m, inputs, nullptr);
            checkTensor("logits at step " + std::to_string(t), stepLogits.data(),
                        full.data() + size_t(t) * c.vocabSize, size_t(c.vocabSize), kCacheTol);
            inputs.push_back(int(std::max_element(stepLogits.begin(), stepLogits.end()) - stepLogits.begin()));
        }
        // Every recorded tensor of the cached run equals the one-pass recomputation.
        inputs.pop_back();
        Trace full;
        fullPass(*m, inputs, &full);
        Trace* cachedTrace = s.trace();
        REQUIRE(cachedTrace->names() .size() == full.names().size());
        for (const std::string& name : full.names()) {
            const Tensor a = cachedTrace->get(name), b = full.get(name);
            INFO(name);
            REQUIRE(a.shape == b.shape);
            checkTensor(name, a.data, b.data, kCacheTol);
        }
    }
}

// Model packs the weights of the encoder phase (every encoder linear, the decoder's
// cross-attention K and V) into the few-row layout, and the encoder reads them: its output
// and the cross-attention keys and values match the same pass with W read in place.
TEST_CASE("the encoder phase reads its weights from the packed panels", "[model][panels]")
{
    for (const Config& c : variants()) {
        auto m = makeModel(c, 5, true, false);
        INFO(c.describe());
        const Weights& w = m->weights();
        const Weights inPlace = sf::test::weightsInPlace(*m);
        const bool packs = linearPanelFloats(c.dModel, c.dModel) > 0;
        for (const EncoderLayerW& L : w.encoder)
            for (const LinearW* l : {&L.self_attn.q_proj, &L.self_attn.k_proj, &L.self_attn.v_proj,
                                     &L.self_attn.out_proj, &L.fc1, &L.fc2})
                CHECK((l->panels != nullptr) == packs);
        for (const DecoderLayerW& L : w.decoder) {
            CHECK((L.encoder_attn.k_proj.panels != nullptr) == packs);
            CHECK((L.encoder_attn.v_proj.panels != nullptr) == packs);
            CHECK(L.self_attn.q_proj.panels == nullptr);  // the decoding step's products read W in place
            CHECK(L.encoder_attn.q_proj.panels == nullptr);
            CHECK(L.fc1.panels == nullptr);
        }
        const int S = int(kSource.size());
        Trace a, b;
        for (auto [weights, trace] : {std::pair<const Weights*, Trace*>{&w, &a}, {&inPlace, &b}}) {
            Workspace ws;
            std::vector<float> memory(size_t(S) * c.dModel);
            encode(cpuKernels(), c, *weights, kSource.data(), S, S, memory.data(), trace, ws);
            DecoderState st;
            prepareDecoder(cpuKernels(), c, *weights, memory.data(), S, S, st, trace);
        }
        REQUIRE(a.names() == b.names());
        for (const std::string& name : a.names()) {
            INFO(name);
            checkTensor(name, a.get(name).data, b.get(name).data, 1e-5);
        }
    }
}

TEST_CASE("decoder self-attention is exactly zero above the diagonal, softmax rows sum to 1", "[model][mask]")
{
    for (const Config& c : variants()) {
        const Translation t = greedy(makeModel(c, 5), 1, 9, 9);
        const Trace& tr = *t.trace;
        const int T = int(t.outputIds.size());
        REQUIRE(T == 9);
        int checkedRows = 0;
        for (const std::string& name : tr.names()) {
            const bool isWeights = name.size() > 8 && name.compare(name.size() - 8, 8, ".weights") == 0;
            if (!isWeights && name != "decoder.probs") continue;
            const Tensor w = tr.get(name);
            const int64_t rows = w.numel() / w.shape.back(), cols = w.shape.back();
            for (int64_t r = 0; r < rows; ++r, ++checkedRows) {
                double sum = 0;
                for (int64_t j = 0; j < cols; ++j) sum += w.data[size_t(r * cols + j)];
                INFO(name << " row " << r << " sums to " << sum);
                REQUIRE(std::fabs(sum - 1.0) <= 1e-6);
            }
            if (name.find("decoder.layers.") == 0 && name.find(".self_attn.weights") != std::string::npos) {
                REQUIRE(w.shape == std::vector<int64_t>{c.decoderHeads, T, T});
                for (int h = 0; h < c.decoderHeads; ++h)
                    for (int i = 0; i < T; ++i)
                        for (int j = 0; j < T; ++j) {
                            INFO(name << " [" << h << ", " << i << ", " << j << "]");
                            if (j > i) REQUIRE(w.at(h, i, j) == 0.0f);
                            else REQUIRE(w.at(h, i, j) > 0.0f);
                        }
            }
        }
        CHECK(checkedRows > 100);
    }
}

TEST_CASE("the architecture flags are really used", "[model][flags]")
{
    Config pre = smallConfig();
    pre.normalizeBefore = true;  // tensors include the final stack norms
    const auto tensors = randomTensors(pre, 11);
    Config post = pre;
    post.normalizeBefore = false;
    auto logitsOf = [&](const Config& c) {
        const Translation t = greedy(makeModel(c, tensors), 1, 4, 4);
        return t.trace->get("decoder.logits").data;
    };
    const std::vector<float> base = logitsOf(post);
    auto differs = [&](const Config& c, const char* what) {
        const std::vector<float> other = logitsOf(c);
        INFO(what);
        REQUIRE(other.size() == base.size());
        CHECK(sf::test::relativeError(other.data(), base.data(), base.size()) > 1e-2);
    };
    differs(pre, "pre-norm vs post-norm");
    Config halves = post;
    halves.positions = PositionLayout::Halves;
    differs(halves, "halves vs interleaved positions");
    Config gelu = post;
    gelu.activation = Activation::Gelu;
    differs(gelu, "gelu vs relu");
    Config unscaled = post;
    unscaled.scaleEmbedding = false;
    differs(unscaled, "unscaled vs scaled embeddings");

    // Positions really enter: the interleaved and halves encodings differ for d > 2.
    const Translation a = greedy(makeModel(post, tensors), 1, 2, 2);
    const Translation b = greedy(makeModel(halves, tensors), 1, 2, 2);
    CHECK(a.trace->get("encoder.positions").data != b.trace->get("encoder.positions").data);
    CHECK(a.trace->get("encoder.embed").data == b.trace->get("encoder.embed").data);
}

TEST_CASE("untied output projection and final_logits_bias are applied", "[model][flags]")
{
    const Config c = smallConfig();
    auto tensors = randomTensors(c, 4, true, true);
    const Translation withBias = greedy(makeModel(c, tensors), 1, 3, 3);
    // logits = decoder.output lm_head^T + final_logits_bias, checked by hand for row 0.
    const Tensor out = withBias.trace->get("decoder.output"), logits = withBias.trace->get("decoder.logits");
    const Tensor& head = tensors.at("lm_head.weight");
    const Tensor& bias = tensors.at("final_logits_bias");
    for (int v = 0; v < c.vocabSize; ++v) {
        double acc = bias.data[size_t(v)];
        for (int j = 0; j < c.dModel; ++j) acc += double(out.at(0, j)) * head.data[size_t(v * c.dModel + j)];
        REQUIRE(logits.at(0, v) == Approx(acc).margin(1e-4));
    }
    tensors.erase("lm_head.weight");
    auto tied = makeModel(c, tensors);
    CHECK(tied->weights().tied);
    CHECK(tied->weights().lm_head == tied->weights().shared);
}

TEST_CASE("beam search", "[model][beam]")
{
    for (const Config& c : variants()) {
        auto m = makeModel(c, 8);
        SECTION("width 1 equals greedy")
        {
            const Translation g = greedy(m), b = greedy(m, 1);
            CHECK(b.outputIds == g.outputIds);
            CHECK(b.logProb == g.logProb);
        }
        SECTION("width 4: its score is the forced score of its output")
        {
            const Translation b = greedy(m, 4, 0, 10);
            CHECK(b.decoding == "beam");
            REQUIRE(!b.outputIds.empty());
            CHECK(b.trace->get("decoder.logits").shape[0] == int64_t(b.outputIds.size()));
            Session s(m);
            REQUIRE(s.setSourceIds(kSource).ok());
            DecodeOptions fo;
            fo.strategy = Forced{b.outputIds};
            const Translation f = *s.translate(fo);
            CHECK(f.logProb == Approx(b.logProb).epsilon(1e-5));
            // The trace is that of the winning path: row t's input is the previous output.
            CHECK(b.decoderInputIds.front() == c.decoderStartId);
        }
    }
}

TEST_CASE("min and max length", "[model][beam]")
{
    Config c = smallConfig();
    auto tensors = randomTensors(c, 21);
    // Make </s> overwhelmingly likely: its output row is the final layer's favourite.
    tensors["final_logits_bias"] = Tensor{{1, c.vocabSize}, std::vector<float>(size_t(c.vocabSize), 0.0f)};
    tensors["final_logits_bias"].data[size_t(c.eosId)] = 50.0f;
    auto m = makeModel(c, tensors);
    CHECK(greedy(m, 1, 0, 20).outputIds == std::vector<int>{c.eosId});
    const Translation longer = greedy(m, 1, 5, 20);
    REQUIRE(longer.outputIds.size() == 5);
    CHECK(longer.outputIds.back() == c.eosId);
    for (size_t i = 0; i + 1 < longer.outputIds.size(); ++i) CHECK(longer.outputIds[i] != c.eosId);
    const Translation beam = greedy(m, 3, 6, 20);
    CHECK(beam.outputIds.size() == 6);
    CHECK(beam.outputIds.back() == c.eosId);
    tensors["final_logits_bias"].data[size_t(c.eosId)] = -50.0f;
    const Translation capped = greedy(makeModel(c, tensors), 1, 0, 7);
    CHECK(capped.outputIds.size() == 7);
    CHECK(capped.decoderInputIds.size() == 7);
}

TEST_CASE("padding masks: padded keys change nothing", "[model][mask]")
{
    const Config c = smallConfig();
    auto m = makeModel(c, 13);
    const int S = int(kSource.size());
    std::vector<int> padded = kSource;
    padded.insert(padded.end(), 4, c.padId);
    Workspace ws;
    std::vector<float> mem(size_t(S) * c.dModel), memPadded(padded.size() * size_t(c.dModel));
    encode(cpuKernels(), c, m->weights(), kSource.data(), S, S, mem.data(), nullptr, ws);
    Trace tr;
    encode(cpuKernels(), c, m->weights(), padded.data(), int(padded.size()), S, memPadded.data(), &tr, ws);
    checkTensor("encoder output of the real tokens", memPadded.data(), mem.data(), mem.size(), 1e-6);
    const Tensor w = tr.get("encoder.layers.0.self_attn.weights");
    for (int h = 0; h < c.encoderHeads; ++h)
        for (int i = 0; i < int(padded.size()); ++i)
            for (int j = S; j < int(padded.size()); ++j) REQUIRE(w.at(h, i, j) == 0.0f);

    // Cross-attention over a padded memory gives the same logits.
    DecoderState a, b;
    prepareDecoder(cpuKernels(), c, m->weights(), mem.data(), S, S, a, nullptr);
    prepareDecoder(cpuKernels(), c, m->weights(), memPadded.data(), int(padded.size()), S, b, nullptr);
    const std::vector<int> in{c.decoderStartId, 17, 23};
    std::vector<float> la(in.size() * size_t(c.vocabSize)), lb(la.size());
    decode(cpuKernels(), c, m->weights(), in.data(), int(in.size()), a, la.data(), nullptr);
    decode(cpuKernels(), c, m->weights(), in.data(), int(in.size()), b, lb.data(), nullptr);
    checkTensor("logits with a padded memory", lb, la, 1e-6);
}

TEST_CASE("source handling: ids out of range, truncation", "[model]")
{
    Config c = smallConfig();
    c.maxPositions = 6;
    Session s(makeModel(c));
    CHECK_FALSE(s.setSourceIds({}).ok());
    const Status bad = s.setSourceIds({1, 50});
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.message(), Catch::Contains("outside the vocabulary"));
    REQUIRE(s.setSourceIds({4, 5, 6, 7, 8, 9, 10, 3}).ok());
    REQUIRE(s.sourceIds().size() == 6);
    CHECK(s.sourceIds().back() == 3);
    auto t = s.translate();
    REQUIRE(t.ok());
    REQUIRE(t->warnings.size() == 1);
    CHECK(t->warnings[0].key.rfind("warnings.source_truncated", 0) == 0);
    CHECK(int(t->outputIds.size()) <= c.maxPositions);
    CHECK_FALSE(s.setSourceText("hello").ok());  // no tokenizer
}
