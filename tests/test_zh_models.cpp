// The bundled en-zh, zh-en and chat models, run through the real inference path (Model
// + Session, greedy decoding as `stepformer translate` does), translate the explainers'
// examples; each model directory holds its examples.json. The examples are anchors of
// the training data by design; held-out figures are in each model's README.
#include "core/model/model.h"
#include "core/run/session.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <sys/wait.h>
#include <unistd.h>

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

struct Run {
    int code;
    std::string out, err;
};
std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}
// The stepformer binary with `args` (shell-quoted), in a work directory of this process.
Run cli(const std::string& args) {
    const std::string work = std::string(SF_BUILD_DIR) + "/test_zh_models_tmp/" + std::to_string(::getpid());
    std::filesystem::create_directories(work);
    const std::string out = work + "/stdout.txt", err = work + "/stderr.txt";
    const int status = std::system(("'" + std::string(SF_CLI) + "' " + args + " > '" + out + "' 2> '" + err + "'").c_str());
    return {WEXITSTATUS(status), slurp(out), slurp(err)};
}
std::string lastLine(const std::string& out) {
    const size_t end = out.find_last_not_of('\n');
    const size_t begin = out.rfind('\n', end);
    return out.substr(begin == std::string::npos ? 0 : begin + 1, end + 1 - (begin == std::string::npos ? 0 : begin + 1));
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

TEST_CASE("zh models: translate and eval on the command line", "[zh][models][cli]") {
    Run r = cli("translate --model '" + modelDir("en-zh") + "' 'i am a student'");
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out == "我是一名学生\n");
    r = cli("translate --model '" + modelDir("chat") + "' '你好你好吗'");
    REQUIRE(r.code == 0);
    CHECK(r.out == "我很好\n");
    // Held-out figures, through `eval` as the READMEs report them (a smaller draw).
    for (const std::string task : {"en-zh", "zh-en", "chat"}) {
        r = cli("eval --model '" + modelDir(task) + "' --task " + task + " --n 100 --show 0 --json");
        INFO(task << ": " << r.err);
        REQUIRE(r.code == 0);
        const auto j = nlohmann::json::parse(lastLine(r.out), nullptr, false);
        REQUIRE(j.is_object());
        CHECK(j["n"].get<int>() == 100);
        CHECK(j["exact_match"].get<double>() >= 0.97);  // the bar
        if (task != "chat") CHECK(j["alignment_heads"].size() == 8);
    }
}

TEST_CASE("zh models: train writes the pieces and examples.json for a Chinese task", "[zh][cli]") {
    const std::string dir = std::string(SF_BUILD_DIR) + "/test_zh_models_tmp/train-" + std::to_string(::getpid());
    std::filesystem::remove_all(dir);
    Run r = cli("train --task zh-en --out '" + dir +
                "' --steps 3 --train-size 300 --d-model 16 --layers 1 --heads 2 --ffn 32 --vocab 200 --save-every 0");
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(std::filesystem::exists(dir + "/spm.model"));
    std::ifstream in(dir + "/examples.json");
    const auto j = nlohmann::json::parse(in, nullptr, false);
    REQUIRE(j.is_object());
    CHECK(j["task"] == "zh-en");
    CHECK(j["examples"][0] == "我是一名学生");  // the Chinese side: unspaced
    CHECK(cli("train --task zh-fr --out '" + dir + "'").code == 2);
    std::filesystem::remove_all(dir);
}
