#include "core/text/grammar.h"

#include "core/io/files.h"
#include "core/text/tokenizer.h"
#include "core/text/zh_grammar.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace sf::text {

namespace {

// en-fr and fr-en: one lexicon, read in either direction.
class EnFrTask final : public Grammar {
public:
    EnFrTask(EnFrGrammar g, Direction d) : mGrammar(std::move(g)), mDirection(d) {}
    Result<CorpusSplit> split(size_t trainSize, size_t testSize, uint64_t seed) const override {
        return mGrammar.split(trainSize, testSize, seed, mDirection);
    }
    Result<std::vector<SentencePair>> translations(const std::string& source) const override {
        return mDirection == Direction::EnFr ? mGrammar.translations(source) : mGrammar.frenchTranslations(source);
    }
    std::vector<SentencePair> anchors() const override { return mGrammar.anchors(mDirection); }

private:
    EnFrGrammar mGrammar;
    Direction mDirection;
};

template <Direction D>
Result<std::shared_ptr<const Grammar>> loadEnFr(const std::string& path) {
    auto g = EnFrGrammar::load(path);
    if (!g) return error(g.message());
    return std::shared_ptr<const Grammar>(std::make_shared<EnFrTask>(std::move(*g), D));
}

// en-zh and zh-en: the Chinese grammar keeps its Chinese as space-separated segments (for
// the alignment's word indices); what a model reads and writes, and what the grammar verb
// prints, is the unspaced text.
class ZhTask final : public Grammar {
public:
    explicit ZhTask(ZhGrammar g) : mGrammar(std::move(g)) {}
    Result<CorpusSplit> split(size_t trainSize, size_t testSize, uint64_t seed) const override {
        auto r = mGrammar.split(trainSize, testSize, seed);
        if (r)
            for (auto* side : {&r->train, &r->test})
                for (SentencePair& p : *side) unspace(p);
        return r;
    }
    Result<std::vector<SentencePair>> translations(const std::string& source) const override {
        auto r = mGrammar.translations(source);
        if (r)
            for (SentencePair& p : *r) unspace(p);
        return r;
    }
    std::vector<SentencePair> anchors() const override {
        std::vector<SentencePair> a = mGrammar.anchors();
        for (SentencePair& p : a) unspace(p);
        return a;
    }

private:
    void unspace(SentencePair& p) const {
        const std::string s = mGrammar.sourceText(p), t = mGrammar.targetText(p);
        p.source = s, p.target = t;
    }
    ZhGrammar mGrammar;
};

template <ZhDirection D>
Result<std::shared_ptr<const Grammar>> loadZh(const std::string& path) {
    auto g = ZhGrammar::load(path, D);
    if (!g) return error(g.message());
    return std::shared_ptr<const Grammar>(std::make_shared<ZhTask>(std::move(*g)));
}

}  // namespace

const std::vector<GrammarTask>& grammarTasks() {
    static const std::vector<GrammarTask> kTasks = {
        {"en-fr", "lexicon/en-fr.json", &loadEnFr<Direction::EnFr>},
        {"fr-en", "lexicon/en-fr.json", &loadEnFr<Direction::FrEn>},
        {"en-zh", "lexicon/en-zh.json", &loadZh<ZhDirection::EnZh>},
        {"zh-en", "lexicon/en-zh.json", &loadZh<ZhDirection::ZhEn>},
    };
    return kTasks;
}

const GrammarTask* findGrammarTask(const std::string& task) {
    for (const GrammarTask& t : grammarTasks())
        if (task == t.task) return &t;
    return nullptr;
}

std::string grammarTaskList() {
    std::string out;
    for (const GrammarTask& t : grammarTasks()) out += (out.empty() ? "" : ", ") + std::string(t.task);
    return out;
}

Result<ModelExamples> readModelExamples(const std::string& modelDir) {
    const std::string path = (std::filesystem::path(modelDir) / kExamplesFile).string();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return ModelExamples{};
    auto bytes = io::readFile(path);
    if (!bytes) return error(bytes.message());
    const nlohmann::json root = nlohmann::json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
    const auto task = root.is_object() ? root.find("task") : root.end();
    const auto list = root.is_object() ? root.find("examples") : root.end();
    if (!root.is_object() || task == root.end() || !task->is_string() || list == root.end() || !list->is_array())
        return error(path + ": expected {\"task\": \"...\", \"examples\": [\"...\", ...]}");
    ModelExamples out;
    out.task = task->get<std::string>();
    for (const auto& e : *list) {
        if (!e.is_string()) return error(path + ": examples must be strings");
        out.sentences.push_back(e.get<std::string>());
    }
    return out;
}

std::vector<InputWarning> inputWarnings(const Tokenizer* tokenizer, const Grammar* grammar,
                                        const std::string& grammarTask, const std::string& source) {
    std::vector<InputWarning> out;
    if (tokenizer) {
        const Encoded e = tokenizer->encodeSource(source);
        std::vector<std::string> words;
        for (size_t i = 0; i < e.ids.size(); ++i) {
            if (e.ids[i] != tokenizer->specialIds().unk || i >= e.offsets.size()) continue;
            // The whole word around the piece.
            size_t b = static_cast<size_t>(std::max(0, e.offsets[i].first));
            size_t en = static_cast<size_t>(std::max(0, e.offsets[i].second));
            b = std::min(b, source.size());
            while (b > 0 && source[b - 1] != ' ') --b;
            while (en < source.size() && source[en] != ' ') ++en;
            std::string w = source.substr(b, en > b ? en - b : 0);
            while (!w.empty() && w.front() == ' ') w.erase(w.begin());
            if (!w.empty() && std::find(words.begin(), words.end(), w) == words.end()) words.push_back(w);
        }
        if (!words.empty()) out.push_back({InputWarning::Kind::UnknownWords, words});
    }
    if (grammar) {
        auto r = grammar->translations(source);
        if (!r) out.push_back({InputWarning::Kind::OutsideGrammar, {grammarTask, r.message()}});
    }
    return out;
}

std::string describe(const InputWarning& w) {
    if (w.kind == InputWarning::Kind::UnknownWords) {
        std::string list;
        for (const std::string& a : w.args) list += (list.empty() ? "'" : ", '") + a + "'";
        return "words the model's vocabulary lacks (<unk> pieces): " + list;
    }
    return "this model never saw sentences like this; expect a wrong translation (" +
           (w.args.size() > 1 ? w.args[1] : std::string()) + ")";
}

Status writeModelExamples(const std::string& modelDir, const ModelExamples& examples) {
    const std::string path = (std::filesystem::path(modelDir) / kExamplesFile).string();
    nlohmann::json root = {{"task", examples.task}, {"examples", examples.sentences}};
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << root.dump(2, ' ', false) << "\n";
    f.close();
    if (!f) return error(path + ": cannot write");
    return {};
}

}  // namespace sf::text
