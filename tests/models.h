// Small random models built in memory for tests.
#pragma once

#include "core/model/model.h"
#include "core/model/random_model.h"

#include <catch2/catch.hpp>

#include <string>

namespace sf::test {

// d 32, 4 heads, 2+2 layers, ffn 64, vocab 50: small enough to run every check in ms.
inline Config smallConfig()
{
    Config c;
    c.dModel = 32;
    c.encoderLayers = c.decoderLayers = 2;
    c.encoderHeads = c.decoderHeads = 4;
    c.encoderFfn = c.decoderFfn = 64;
    c.vocabSize = 50;
    c.maxPositions = 64;
    return c;
}

inline std::shared_ptr<const Model> makeModel(const Config& c, const std::map<std::string, Tensor>& tensors)
{
    auto m = Model::fromTensors(c, tensors);
    INFO(m.message());
    REQUIRE(m.ok());
    return *m;
}

inline std::shared_ptr<const Model> makeModel(const Config& c, uint64_t seed = 1, bool bias = false, bool untied = false)
{
    return makeModel(c, randomTensors(c, seed, bias, untied));
}

// The bundled En->Fr model, loaded once per test process.
inline std::shared_ptr<const Model> bundledEnFr()
{
    static auto m = Model::load(std::string(SF_SOURCE_DIR) + "/resources/models/en-fr");
    INFO(m.message());
    REQUIRE(m.ok());
    return *m;
}

// The bundled En->Fr model trained without the decoder's causal mask (decoder_causal_mask
// false; resources/models/en-fr-nomask), loaded once per test process.
inline std::shared_ptr<const Model> bundledEnFrNoMask()
{
    static auto m = Model::load(std::string(SF_SOURCE_DIR) + "/resources/models/en-fr-nomask");
    INFO(m.message());
    REQUIRE(m.ok());
    return *m;
}

}  // namespace sf::test
