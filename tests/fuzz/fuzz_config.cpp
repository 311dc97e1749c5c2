// libFuzzer target: config.json validation on arbitrary text.
//
// parseConfig must refuse bad input with a message, never crash, throw or allocate
// anything sized by the input's numbers. On success the config must be self-consistent
// (the cross-key rules hold), survive a write/read round trip through configToJson, and
// its tensor list is built when the sizes are small (that list holds names and shapes
// only, but a huge layer count times names is still memory the fuzzer need not spend).
#include "core/model/config.h"
#include "core/model/weights.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

void check(bool ok)
{
    if (!ok) std::abort();
}

bool sameConfig(const sf::Config& a, const sf::Config& b)
{
    // layer_norm_eps is written with six significant digits ("%g").
    const bool epsClose = std::fabs(a.layerNormEps - b.layerNormEps) <= 1e-5f * a.layerNormEps;
    return a.modelType == b.modelType && a.dModel == b.dModel && a.encoderLayers == b.encoderLayers &&
           a.decoderLayers == b.decoderLayers && a.encoderHeads == b.encoderHeads &&
           a.decoderHeads == b.decoderHeads && a.encoderFfn == b.encoderFfn && a.decoderFfn == b.decoderFfn &&
           a.activation == b.activation && a.vocabSize == b.vocabSize && a.maxPositions == b.maxPositions &&
           a.scaleEmbedding == b.scaleEmbedding && a.normalizeBefore == b.normalizeBefore && epsClose &&
           a.padId == b.padId && a.eosId == b.eosId && a.bosId == b.bosId && a.unkId == b.unkId &&
           a.decoderStartId == b.decoderStartId && a.positions == b.positions &&
           a.tokenizerKey == b.tokenizerKey && a.tokenizer.source == b.tokenizer.source &&
           a.tokenizer.target == b.tokenizer.target && a.tokenizer.vocab == b.tokenizer.vocab;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    sf::Result<sf::Config> config = sf::parseConfig(text, "fuzz");
    if (!config) {
        check(config.message().rfind("fuzz: ", 0) == 0);
        return 0;
    }
    const sf::Config& c = *config;
    check(c.dModel > 0 && c.dModel % 2 == 0);
    check(c.encoderHeads > 0 && c.dModel % c.encoderHeads == 0);
    check(c.decoderHeads > 0 && c.dModel % c.decoderHeads == 0);
    check(c.encoderLayers > 0 && c.decoderLayers > 0 && c.encoderFfn > 0 && c.decoderFfn > 0);
    check(c.vocabSize > 0 && c.maxPositions > 0);
    for (int id : {c.padId, c.eosId, c.bosId, c.unkId, c.decoderStartId}) check(id >= 0 && id < c.vocabSize);
    check(c.layerNormEps > 0.0f);
    check(!c.describe().empty());

    sf::Result<sf::Config> again = sf::parseConfig(sf::configToJson(c), "fuzz");
    check(again.ok() && sameConfig(c, *again));

    // Guard: the list itself is small, but skip configs whose weights would be absurd.
    const int64_t embedding = int64_t(c.dModel) * c.vocabSize;
    const int64_t layers = int64_t(c.encoderLayers) + c.decoderLayers;
    if (embedding > (int64_t(1) << 24) || layers > 32) return 0;
    const auto expected = sf::expectedTensors(c);
    check(expected.size() >= 1 + 16 * size_t(c.encoderLayers) + 26 * size_t(c.decoderLayers));
    for (const sf::ExpectedTensor& e : expected)
        for (int64_t dim : e.shape) check(dim > 0);
    return 0;
}
