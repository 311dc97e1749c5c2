// Every step true (issue 11) and core's errors and warnings as facts (issue 12), on real
// models: an empty sentence is refused with a reason instead of walked; the truncation
// warning is a key with named counts whose English rendering is the sentence the command
// line always printed; model-load errors of known kinds carry a reason whose key exists in
// both languages; clicking a block keeps the layer; coarse mode counts coarse steps; the
// start token is written one way; no text says "1 tokens" or "these 1".
#include "models.h"

#include "core/model/model.h"
#include "core/run/session.h"
#include "core/run/steps.h"
#include "ui/texttable.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace sf;
namespace fs = std::filesystem;

namespace {

const std::string kWork = std::string(SF_BUILD_DIR) + "/test_truth/" + std::to_string(::getpid());

std::string english(const Text& t) { return ui::TextTable::english().renderUtf8(t); }

std::string slurp(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

void write(const std::string& path, const std::string& text)
{
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

const Text::Arg* arg(const Text& t, const std::string& name) { return t.find(name); }

std::shared_ptr<const Model> bundled() { return test::bundledEnFr(); }

}  // namespace

TEST_CASE("an empty or blank sentence is refused with a reason, not walked", "[truth][inputs]")
{
    for (const std::string& text : {std::string(), std::string("   \t  "), std::string("\n\r\n")}) {
        INFO("text of " << text.size() << " bytes");
        Session s(bundled());
        const Status st = s.setSourceText(text);
        REQUIRE_FALSE(st.ok());
        CHECK(st.reason().key == "errors.empty_sentence");
        CHECK_THAT(st.message(), Catch::Contains("empty"));
        CHECK(english(st.reason()).find("empty") != std::string::npos);
    }
    // A model without a tokenizer reads ids: none given is refused the same way.
    Session ids(sf::test::makeModel(sf::test::smallConfig()));
    const Status st = ids.setSourceText("  ");
    REQUIRE_FALSE(st.ok());
    CHECK(st.reason().key == "errors.empty_ids");
    // A sentence with a word is walked as before.
    Session one(bundled());
    REQUIRE(one.setSourceText("cat").ok());
    CHECK(one.sourceIds().size() >= 2u);
}

TEST_CASE("translate refuses an empty sentence on the command line, in English", "[truth][cli]")
{
    fs::create_directories(kWork);
    const std::string out = kWork + "/out.txt", err = kWork + "/err.txt";
    const std::string cmd = std::string("'") + SF_CLI + "' translate --model en-fr '' > '" + out + "' 2> '" + err + "'";
    const int status = std::system(cmd.c_str());
    CHECK(WEXITSTATUS(status) == 1);
    CHECK(slurp(out).empty());  // no translation of nothing
    CHECK_THAT(slurp(err), Catch::Contains("the sentence is empty"));
}

TEST_CASE("the truncation warning is a fact: a key with the two counts", "[truth][warnings]")
{
    std::string longText;
    while (longText.size() < 4000) longText += "the little black cat sleeps ";
    Session s(bundled());
    REQUIRE(s.setSourceText(longText).ok());
    DecodeOptions o;
    o.maxLength = 4;
    auto t = s.translate(o);
    REQUIRE(t.ok());
    REQUIRE(t->warnings.size() == 1);
    const Text& w = t->warnings[0];
    const int max = bundled()->config().maxPositions;
    CHECK(w.key == "warnings.source_truncated");
    REQUIRE(arg(w, "max"));
    CHECK(arg(w, "max")->value == max);
    REQUIRE(arg(w, "tokens"));
    CHECK(arg(w, "tokens")->value > max);
    CHECK(int(t->sourceIds.size()) == max);
    // The command line's sentence, word for word, from the English table.
    CHECK(english(w) == "the source has " + std::to_string(int(arg(w, "tokens")->value)) +
                            " tokens; truncated to max_position_embeddings = " + std::to_string(max));
    // And in Chinese, with the same numbers and no English left.
    ui::TextTable zh;
    REQUIRE(zh.load("zh_CN"));
    const std::string z = zh.renderUtf8(w);
    CHECK(z.find(std::to_string(max)) != std::string::npos);
    CHECK(z.find("truncated") == std::string::npos);
}

TEST_CASE("model load errors of a known kind carry a reason naming the file", "[truth][errors]")
{
    const std::string base = kWork + "/broken";
    fs::create_directories(base);
    struct Case {
        std::string path, key, file;
    };
    // No such folder; a folder without weights; config.json that is not JSON; a pickle.
    write(base + "/noweights/config.json", "{}");
    write(base + "/badjson/model.safetensors", "x");
    write(base + "/badjson/config.json", "{ not json");
    write(base + "/pickle/pytorch_model.bin", "x");
    const std::vector<Case> cases = {
        {base + "/nowhere", "errors.no_such_directory", base + "/nowhere"},
        {base + "/noweights", "errors.missing_weights", base + "/noweights/model.safetensors"},
        {base + "/badjson", "errors.malformed_json", base + "/badjson/config.json"},
        {base + "/pickle", "errors.pickle_refused", base + "/pickle/pytorch_model.bin"},
    };
    ui::TextTable zh;
    REQUIRE(zh.load("zh_CN"));
    for (const Case& c : cases) {
        INFO(c.path);
        auto m = Model::load(c.path);
        REQUIRE_FALSE(m.ok());
        CHECK(m.reason().key == c.key);
        REQUIRE(arg(m.reason(), "file"));
        CHECK(arg(m.reason(), "file")->text == c.file);
        CHECK_THAT(m.message(), Catch::Contains(c.file));  // the English message is unchanged
        // Both languages have the text, and it names the file.
        CHECK(ui::TextTable::english().contains(QString::fromStdString(c.key)));
        CHECK(zh.contains(QString::fromStdString(c.key)));
        CHECK(zh.renderUtf8(m.reason()).find(c.file) != std::string::npos);
    }
}

TEST_CASE("every reason and warning key core yields exists in both languages", "[truth][errors][texts]")
{
    // Read the keys off core's sources: Text("errors.x") / "warnings.x" wherever they are.
    std::set<std::string> keys;
    const std::regex key("\"((errors|warnings)\\.[a-z_]+)\"");
    for (const auto& e : fs::recursive_directory_iterator(std::string(SF_SOURCE_DIR) + "/core")) {
        if (e.path().extension() != ".cpp" && e.path().extension() != ".h") continue;
        const std::string src = slurp(e.path().string());
        for (auto it = std::sregex_iterator(src.begin(), src.end(), key); it != std::sregex_iterator(); ++it)
            keys.insert((*it)[1]);
    }
    CHECK(keys.size() >= 15u);
    ui::TextTable zh;
    REQUIRE(zh.load("zh_CN"));
    for (const std::string& k : keys) {
        INFO(k);
        CHECK(ui::TextTable::english().contains(QString::fromStdString(k)));
        CHECK(zh.contains(QString::fromStdString(k)));
    }
}

TEST_CASE("clicking a block keeps the layer where it exists, else its first layer", "[truth][steps]")
{
    Config c = sf::test::smallConfig();
    c.encoderLayers = 3, c.decoderLayers = 2;
    const std::vector<Step> steps = buildSteps(c, 3);
    // From encoder layer 2 (0-based 1) to the decoder's cross-attention at step 2: layer 2.
    int i = firstStepOf(steps, Block::DecoderCrossAttention, 1, 1);
    REQUIRE(i >= 0);
    CHECK(steps[size_t(i)].layer == 1);
    CHECK(steps[size_t(i)].t == 1);
    // From encoder layer 3, which the decoder lacks: its layer 1, not nothing.
    i = firstStepOf(steps, Block::DecoderFeedForward, 2, 0);
    REQUIRE(i >= 0);
    CHECK(steps[size_t(i)].layer == 0);
    CHECK(steps[size_t(i)].block == Block::DecoderFeedForward);
    // Back to the encoder's attention in layer 2, from the decoder's layer 2.
    i = firstStepOf(steps, Block::EncoderAttention, 1, 2);
    REQUIRE(i >= 0);
    CHECK(steps[size_t(i)].layer == 1);
    CHECK_FALSE(steps[size_t(i)].decoder);
    // Blocks outside the stacks ignore the layer; decoder ones keep the step.
    i = firstStepOf(steps, Block::Softmax, 1, 2);
    REQUIRE(i >= 0);
    CHECK(steps[size_t(i)].t == 2);
}

TEST_CASE("coarse mode counts coarse steps", "[truth][steps]")
{
    const Config c = sf::test::smallConfig();
    const std::vector<Step> steps = buildSteps(c, 3);
    int coarse = 0;
    for (const Step& s : steps) coarse += s.coarse;
    CHECK(coarseCount(steps) == coarse);
    CHECK(coarseCount(steps) < int(steps.size()));
    // Walking the coarse steps numbers them 1, 2, ..., K.
    int k = 0;
    for (int i = 0; i < int(steps.size()); ++i)
        if (steps[size_t(i)].coarse) CHECK(coarseNumber(steps, i) == ++k);
    CHECK(k == coarse);
    CHECK(coarseNumber(steps, int(steps.size()) - 1) == coarse);
}

TEST_CASE("the start token is written one way: in the formula, the notice and the labels", "[truth][texts]")
{
    Session s(bundled());
    REQUIRE(s.setSourceText("the cat sleeps").ok());
    auto t = s.translate();
    REQUIRE(t.ok());
    const std::vector<Step> steps = buildSteps(bundled()->config(), int(t->outputIds.size()));
    ui::TextTable zh;
    REQUIRE(zh.load("zh_CN"));
    bool seen = false;
    for (const Step& st : steps) {
        if (st.stage != Stage::DecoderInput || st.t != 0) continue;
        seen = true;
        const StepText x = explain(st, bundled()->config(), *t);
        for (const ui::TextTable* table : {&ui::TextTable::english(), static_cast<const ui::TextTable*>(&zh)}) {
            CHECK(table->renderUtf8(x.formula).find(kStartLabel) != std::string::npos);
            CHECK(table->renderUtf8(x.notice).find(kStartLabel) != std::string::npos);
            CHECK(table->renderUtf8(x.notice).find("⟨start⟩") == std::string::npos);
        }
    }
    CHECK(seen);
}

TEST_CASE("no text says '1 tokens' or 'these 1': every count of 1 takes the singular", "[truth][texts]")
{
    // Every template of both languages rendered with each count argument at 1.
    const std::regex pluralAfterOne("(^|[^0-9.])1 (tokens|heads|rows|cells|pieces|positions|words|columns|numbers|"
                                    "layers|steps|units|vectors|values|dimensions|keys|queries)\\b");
    const std::regex theseOne("\\b(these|those) 1\\b|这些 1|\\b1 (are|were|have)\\b");
    ui::TextTable zh;
    REQUIRE(zh.load("zh_CN"));
    int rendered = 0;
    for (const ui::TextTable* table : {&ui::TextTable::english(), static_cast<const ui::TextTable*>(&zh)}) {
        for (const QString& key : table->keys()) {
            Text t(key.toStdString());
            for (const QString& p : ui::TextTable::parameters(table->templateOf(key))) t.count(p.toStdString(), 1);
            const std::string out = table->renderUtf8(t);
            ++rendered;
            INFO(key.toStdString() << ": " << out);
            CHECK_FALSE(std::regex_search(out, pluralAfterOne));
            CHECK_FALSE(std::regex_search(out, theseOne));
        }
    }
    CHECK(rendered > 200);
}
