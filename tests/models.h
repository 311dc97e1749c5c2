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

// The model's weights with W read in place everywhere: the few-row panels Model packs for
// the encoder phase (weights.h LinearWeights::panels) dropped.
inline Weights weightsInPlace(const Model& m)
{
    Weights w = m.weights();
    auto drop = [](AttentionW& a) { a.q_proj.panels = a.k_proj.panels = a.v_proj.panels = a.out_proj.panels = nullptr; };
    for (EncoderLayerW& L : w.encoder) drop(L.self_attn), L.fc1.panels = L.fc2.panels = nullptr;
    for (DecoderLayerW& L : w.decoder)
        drop(L.self_attn), drop(L.encoder_attn), L.fc1.panels = L.fc2.panels = nullptr;
    return w;
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
