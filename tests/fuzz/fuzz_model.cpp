// libFuzzer target: a whole checkpoint, from bytes to one decoded token.
//
// Input layout (written by make_model_seeds.py):
//   [2 bytes: little-endian length L of config.json] [L bytes: config.json]
//   [the rest: model.safetensors]
// The path is the one Model::load takes, without files: parseConfig validates the
// config, SafetensorsFile::fromBytes the weights, every tensor the config names is
// converted to float, and Model::fromTensors binds them (shape checks). A model that
// loads and is tiny (caps below) then runs: encode a short source, one decoding step
// from decoder_start_token_id, with the Trace recorded. Weights may hold NaN and inf;
// the engine must still neither crash nor hit undefined behaviour.
#include "core/io/safetensors.h"
#include "core/model/config.h"
#include "core/model/model.h"
#include "core/model/weights.h"
#include "core/run/session.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace {

// Big enough for real coverage, small enough for thousands of runs a second.
constexpr int kMaxD = 64, kMaxLayers = 2, kMaxVocab = 512, kMaxFfn = 256, kMaxPositions = 64;

bool tiny(const sf::Config& c)
{
    return c.dModel <= kMaxD && c.encoderLayers <= kMaxLayers && c.decoderLayers <= kMaxLayers &&
           c.vocabSize <= kMaxVocab && c.encoderFfn <= kMaxFfn && c.decoderFfn <= kMaxFfn &&
           c.maxPositions <= kMaxPositions;
}

void check(bool ok)
{
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    setenv("SF_THREADS", "1", 0);  // one input at a time; threads only add noise
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 2) return 0;
    const size_t configLength = size_t(data[0]) | size_t(data[1]) << 8;
    if (configLength > size - 2) return 0;
    const std::string configText(reinterpret_cast<const char*>(data + 2), configLength);
    const uint8_t* weights = data + 2 + configLength;
    const size_t weightsSize = size - 2 - configLength;

    sf::Result<sf::Config> config = sf::parseConfig(configText, "config.json");
    if (!config || !tiny(*config)) return 0;
    const sf::Config& c = *config;

    auto file = sf::io::SafetensorsFile::fromBytes(std::vector<uint8_t>(weights, weights + weightsSize),
                                                   "model.safetensors");
    if (!file) return 0;

    // As Model::load: only the tensors the config names are converted.
    std::map<std::string, sf::Tensor> tensors;
    for (const sf::ExpectedTensor& e : sf::expectedTensors(c)) {
        const sf::io::TensorInfo* t = (*file)->find(e.name);
        if (!t) continue;
        auto values = (*file)->toFloat(*t);
        if (!values) return 0;
        tensors[e.name] = sf::Tensor{t->shape, std::move(values).value()};
    }
    auto model = sf::Model::fromTensors(c, tensors);
    if (!model) return 0;

    sf::Session session(*model);
    const int V = c.vocabSize;
    const std::vector<int> source{1 % V, 4 % V, V - 1, c.eosId};
    check(session.setSourceIds(source).ok());
    session.encode(true);
    const float* logits = session.step(c.decoderStartId);
    check(logits != nullptr && session.position() == 1);

    // Read every logit and the recorded probabilities: ASan checks the extents.
    float sum = 0.0f;
    for (int i = 0; i < V; ++i) sum += logits[i];
    const sf::Tensor probs = session.trace()->get("decoder.probs");
    check(probs.data.size() == size_t(V));
    for (float p : probs.data) sum += p;
    volatile float sink = sum;
    (void)sink;
    return 0;
}
