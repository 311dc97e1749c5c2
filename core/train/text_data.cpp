// The text tasks' training data (see text_data.h).
#include "core/train/text_data.h"

#include "core/text/grammar.h"
#include "core/text/text_task.h"

#include <filesystem>

namespace sf::train {

namespace fs = std::filesystem;

bool isTextTask(const std::string& task) { return text::isZhTask(task) || text::findGrammarTask(task) != nullptr; }

std::vector<std::string> textTaskNames()
{
    std::vector<std::string> names;
    for (const text::GrammarTask& g : text::grammarTasks()) names.push_back(g.task);
    for (const std::string& t : text::zhTaskNames())
        if (!text::findGrammarTask(t)) names.push_back(t);
    return names;
}

std::string textTaskLexicon(const std::string& task)
{
    if (const text::GrammarTask* g = text::findGrammarTask(task)) return g->lexicon;
    if (text::isZhTask(task)) return text::zhTaskLexicon(task);
    return {};
}

namespace {

// Trains outDir/spm.model on both sides of `pairs` (unless resuming with one), loads it,
// and encodes the pairs.
template <class Pair>
Status sharedPieces(const std::vector<Pair>& pairs, const TextTaskRequest& r, const text::SpmTrainOptions& so,
                    TextTaskData& d)
{
    const std::string prefix = (fs::path(r.outDir) / "spm").string();
    d.spmModel = prefix + ".model";
    std::error_code ec;
    if (!r.resume || !fs::exists(d.spmModel, ec)) {
        std::vector<std::string> lines;
        lines.reserve(pairs.size() * 2);
        for (const Pair& e : pairs) lines.push_back(e.source), lines.push_back(e.target);
        if (Status st = text::trainSentencePiece(lines, prefix, so); !st) return st;
    }
    auto tok = text::Tokenizer::load({d.spmModel, d.spmModel, ""}, text::SpecialIds{});
    if (!tok) return tok.error();
    d.tokenizer = *tok;
    d.train.reserve(pairs.size());
    for (const Pair& e : pairs) d.train.push_back({d.tokenizer->encodeSource(e.source).ids, d.tokenizer->encodeTarget(e.target).ids});
    return Status{};
}

}  // namespace

Result<TextTaskData> prepareTextTask(const TextTaskRequest& r, Config& c)
{
    if (!isTextTask(r.task)) return error("'" + r.task + "' is not a text task");
    std::error_code ec;
    fs::create_directories(r.outDir, ec);
    if (ec) return error(r.outDir + ": cannot create the directory (" + ec.message() + ")");

    TextTaskData d;
    text::SpmTrainOptions so;
    so.vocabSize = r.vocab;
    so.hardVocabLimit = false;  // as many pieces as the corpus supports, up to vocab
    so.seed = int(r.seed);
    if (const text::GrammarTask* g = text::findGrammarTask(r.task)) {
        auto grammar = g->load(r.lexiconPath);
        if (!grammar) return grammar.error();
        auto split = (*grammar)->split(size_t(r.trainSize), size_t(r.heldOutSize), r.seed);
        if (!split) return split.error();
        // The example sentences, several times each: a model must translate them.
        const std::vector<text::SentencePair> anchors = (*grammar)->anchors();
        for (int k = 0; k < r.anchorCopies; ++k) split->train.insert(split->train.end(), anchors.begin(), anchors.end());
        d.anchorPairs = anchors.size() * size_t(std::max(0, r.anchorCopies));
        for (const text::SentencePair& a : anchors) d.exampleSentences.push_back(a.source);
        if (Status st = sharedPieces(split->train, r, so, d); !st) return st.error();
        d.heldOutText = std::move(split->test);
    } else {
        auto split = text::zhTaskSplit(r.task, r.lexiconPath, size_t(r.trainSize), size_t(r.heldOutSize), r.seed);
        if (!split) return split.error();
        // BPE, not unigram: on this text unigram spends the vocabulary on long Chinese
        // phrases and cuts English words ("▁a|m", "no|t"); BPE's merges of frequent pairs
        // keep English words whole and Chinese pieces word-sized (学习, 在家, 黑色的).
        so.modelType = "bpe";
        if (Status st = sharedPieces(split->train, r, so, d); !st) return st.error();
        d.exampleSentences = split->examples;
        for (const text::TextExample& e : split->test) d.heldOutText.push_back({e.source, e.target, {}});
    }
    for (const text::SentencePair& p : d.heldOutText)
        d.heldOut.push_back({d.tokenizer->encodeSource(p.source).ids, d.tokenizer->encodeTarget(p.target).ids});
    if (Status st = text::writeModelExamples(r.outDir, {r.task, d.exampleSentences}); !st) return st.error();
    c.vocabSize = d.tokenizer->sourceVocabSize();
    c.tokenizerKey = true;
    c.tokenizer = {"spm.model", "spm.model", ""};
    return d;
}

}  // namespace sf::train
