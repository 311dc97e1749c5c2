// config.json reading and validation: every refusal names the key and why.
#include "core/model/config.h"
#include "core/model/random_model.h"
#include "core/io/npy.h"
#include "core/io/trace.h"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>

using namespace sf;

namespace {

nlohmann::json good()
{
    return nlohmann::json::parse(configToJson(presetConfig("tiny")));
}

std::string refusal(nlohmann::json j)
{
    auto r = parseConfig(j.dump(), "dir/config.json");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.message(), Catch::StartsWith("dir/config.json: "));
    return r.message();
}

}  // namespace

TEST_CASE("a valid config round-trips through configToJson", "[config]")
{
    Config c = presetConfig("base");
    c.normalizeBefore = true;
    c.activation = Activation::Swish;
    c.positions = PositionLayout::Halves;
    c.tokenizerKey = true;
    c.tokenizer = {"src.model", "tgt.model", "vocab.json"};
    auto r = parseConfig(configToJson(c), "x");
    REQUIRE(r.ok());
    CHECK(r->dModel == 512);
    CHECK(r->normalizeBefore);
    CHECK(r->activation == Activation::Swish);
    CHECK(r->positions == PositionLayout::Halves);
    CHECK(r->tokenizer.target == "tgt.model");
    CHECK(r->tokenizer.vocab == "vocab.json");
}

TEST_CASE("Marian defaults: halves positions, start from pad", "[config]")
{
    auto j = good();
    j["model_type"] = "marian";
    j.erase("position_encoding");
    j.erase("decoder_start_token_id");
    j["pad_token_id"] = 7;
    auto r = parseConfig(j.dump(), "m");
    REQUIRE(r.ok());
    CHECK(r->positions == PositionLayout::Halves);
    CHECK(r->decoderStartId == 7);
}

TEST_CASE("bad configs are refused with the key and the reason", "[config]")
{
    CHECK_THAT(parseConfig("{not json", "c").message(), Catch::Contains("not valid JSON"));
    CHECK_THAT(parseConfig("[1, 2]", "c").message(), Catch::Contains("must be a JSON object"));
    auto j = good();
    j.erase("d_model");
    CHECK_THAT(refusal(j), Catch::Contains("missing key \"d_model\""));
    j = good(), j["d_model"] = "big";
    CHECK_THAT(refusal(j), Catch::Contains("\"d_model\" must be an integer"));
    j = good(), j["d_model"] = 0;
    CHECK_THAT(refusal(j), Catch::Contains("\"d_model\" = 0 is out of range"));
    j = good(), j["encoder_layers"] = 100000;
    CHECK_THAT(refusal(j), Catch::Contains("\"encoder_layers\" = 100000 is out of range"));
    j = good(), j["vocab_size"] = -5;
    CHECK_THAT(refusal(j), Catch::Contains("\"vocab_size\" = -5 is out of range"));
    j = good(), j["encoder_attention_heads"] = 3;
    CHECK_THAT(refusal(j), Catch::Contains("encoder_attention_heads (3) does not divide d_model (128)"));
    j = good(), j["decoder_attention_heads"] = 5;
    CHECK_THAT(refusal(j), Catch::Contains("decoder_attention_heads (5) does not divide d_model"));
    j = good(), j["eos_token_id"] = 1000;
    CHECK_THAT(refusal(j), Catch::Contains("eos_token_id (1000) is not below vocab_size (1000)"));
    j = good(), j["activation_function"] = "tanh";
    CHECK_THAT(refusal(j), Catch::Contains("\"activation_function\" = \"tanh\" is not one of relu, gelu, swish"));
    j = good(), j["position_encoding"] = "learned";
    CHECK_THAT(refusal(j), Catch::Contains("\"position_encoding\" = \"learned\""));
    j = good(), j["layer_norm_eps"] = -1;
    CHECK_THAT(refusal(j), Catch::Contains("\"layer_norm_eps\" must be a number in (0, 1]"));
    j = good(), j["layer_norm_eps"] = 1e-50;  // in (0, 1] as a double, 0 as a float (found by fuzzing)
    CHECK_THAT(refusal(j), Catch::Contains("above 0 as a float32"));
    j = good(), j["normalize_before"] = "yes";
    CHECK_THAT(refusal(j), Catch::Contains("\"normalize_before\" must be true or false"));
    j = good(), j["tokenizer"] = {{"source", "../../etc/passwd"}};
    CHECK_THAT(refusal(j), Catch::Contains("must be a file name inside the model directory"));
    j = good(), j["tokenizer"] = 5;
    CHECK_THAT(refusal(j), Catch::Contains("\"tokenizer\" must be an object"));
}

TEST_CASE("trace tensors grow by rows without moving what is recorded", "[trace]")
{
    Trace tr;
    TraceTensor* t = tr.put("x", {2, 1, 3});
    for (int step = 0; step < 40; ++step) {
        t->grow({2, step + 1, step + 1});
        for (int h = 0; h < 2; ++h)
            for (int j = 0; j <= step; ++j) t->row(h, step)[j] = float(h * 10000 + step * 100 + j);
    }
    const Tensor c = tr.get("x");
    REQUIRE(c.shape == std::vector<int64_t>{2, 40, 40});
    for (int h = 0; h < 2; ++h)
        for (int i = 0; i < 40; ++i)
            for (int j = 0; j < 40; ++j) REQUIRE(c.at(h, i, j) == (j <= i ? float(h * 10000 + i * 100 + j) : 0.0f));
}

TEST_CASE(".npy files are NumPy format 1.0, <f4, C order", "[trace][npy]")
{
    const std::string dir = std::string(SF_BUILD_DIR) + "/test_npy";
    std::filesystem::create_directories(dir);
    Tensor t{{2, 3}, {1, 2, 3, 4, 5, 6}};
    REQUIRE(io::writeNpy(dir + "/a.npy", t).ok());
    auto back = io::readNpy(dir + "/a.npy");
    REQUIRE(back.ok());
    CHECK(back->shape == t.shape);
    CHECK(back->data == t.data);
    // The header is a Python dict padded so the data starts on a 64-byte boundary.
    CHECK(std::filesystem::file_size(dir + "/a.npy") % 64 == 24 % 64);
    Tensor v{{5}, {1, 2, 3, 4, 5}};
    REQUIRE(io::writeNpy(dir + "/v.npy", v).ok());
    CHECK(io::readNpy(dir + "/v.npy")->shape == std::vector<int64_t>{5});
}
