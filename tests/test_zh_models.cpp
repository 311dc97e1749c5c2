// The bundled en-zh, zh-en and chat models, run through the real inference path (Model
// + Session, greedy decoding as `stepformer translate` does), translate the explainers'
// examples; each model directory holds its examples.json. The examples are anchors of
// the training data by design; held-out figures are in each model's README.
#include "core/model/model.h"
#include "core/run/session.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

namespace {

std::string modelDir(const std::string& name) { return std::string(SF_SOURCE_DIR) + "/resources/models/" + name; }

std::string translate(const std::string& model, const std::string& text) {
    static std::map<std::string, std::shared_ptr<const sf::Model>> cache;
    auto& m = cache[model];
    if (!m) {
        auto loaded = sf::Model::load(modelDir(model));
        INFO(loaded.message());
        REQUIRE(loaded.ok());
        m = *loaded;
    }
    sf::Session s(m);
    REQUIRE(s.setSourceText(text).ok());
    sf::DecodeOptions o;
    o.capture = false;
    auto t = s.translate(o);
    INFO(t.message());
    REQUIRE(t.ok());
    return t->outputText;
}

}  // namespace

TEST_CASE("zh models: en-zh translates the examples", "[zh][models]") {
    CHECK(translate("en-zh", "i am a student") == "我是一名学生");
    CHECK(translate("en-zh", "i like cats") == "我喜欢猫");
    CHECK(translate("en-zh", "i love you") == "我爱你");
    CHECK(translate("en-zh", "he is happy") == "他很高兴");
    CHECK(translate("en-zh", "the cat is on the table") == "猫在桌子上");
    CHECK(translate("en-zh", "i eat rice at home") == "我在家吃饭");
}

TEST_CASE("zh models: zh-en translates the examples", "[zh][models]") {
    CHECK(translate("zh-en", "我爱你") == "i love you");
    CHECK(translate("zh-en", "我是一名学生") == "i am a student");
    CHECK(translate("zh-en", "我喜欢猫") == "i like cats");
    CHECK(translate("zh-en", "猫在桌子上") == "the cat is on the table");
    CHECK(translate("zh-en", "我在家吃饭") == "i eat rice at home");
}

TEST_CASE("zh models: chat answers greetings in both languages", "[zh][models]") {
    CHECK(translate("chat", "你好你好吗") == "我很好");
    CHECK(translate("chat", "hi how are you") == "i am fine");
    CHECK(translate("chat", "what is your name") == "my name is step");
    CHECK(translate("chat", "谢谢") == "不客气");
}

TEST_CASE("zh models: each directory names its task and examples", "[zh][models]") {
    for (const std::string name : {"en-zh", "zh-en", "chat"}) {
        std::ifstream in(modelDir(name) + "/examples.json");
        INFO(name);
        REQUIRE(in.good());
        const auto j = nlohmann::json::parse(in, nullptr, false);
        REQUIRE(j.is_object());
        CHECK(j.value("task", "") == name);
        REQUIRE(j.contains("examples"));
        CHECK(j["examples"].size() >= 2);
        // The model answers its own first example as the data say.
        const std::string first = j["examples"][0].get<std::string>();
        CHECK_FALSE(translate(name, first).empty());
    }
}
