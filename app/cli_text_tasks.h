// `stepformer train` / `eval` for the Chinese and chat tasks (en-zh, zh-en, chat; the
// data are core/text/text_task.h). cli_train.cpp calls these from its task table.
#pragma once

#include "app/cli.h"

#include "core/model/config.h"
#include "core/model/model.h"
#include "core/text/tokenizer.h"
#include "core/train/trainer.h"

#include <filesystem>

#include <memory>
#include <string>
#include <vector>

namespace sf::cli {

// What eval adds up over the held-out examples.
struct EvalTally {
    int exact = 0;
    std::vector<std::string> hyps, refs;  // for BLEU: Chinese characters spaced out
    std::vector<long> hits;               // per decoder (layer, head): gold-aligned argmax
    long words = 0;                       // target words scored
};

// The shared SentencePiece model of a text task: trains DIR/spm.model on both sides of
// `pairs` (kept when resuming with one), loads it, sets the config's vocabulary and
// tokenizer keys, and appends the encoded pairs to `examples`. Returns Ok or the exit code
// (after printing the error).
template <class Pair>
int sharedPieces(const std::vector<Pair>& pairs, const std::string& out, const text::SpmTrainOptions& options,
                 bool resume, Config& c, std::vector<train::Example>& examples)
{
    const std::string spmPrefix = (std::filesystem::path(out) / "spm").string();
    if (!resume || !std::filesystem::exists(spmPrefix + ".model")) {
        std::vector<std::string> lines;
        for (const Pair& e : pairs) lines.push_back(e.source), lines.push_back(e.target);
        Status st = text::trainSentencePiece(lines, spmPrefix, options);
        if (!st) return fail(st.message());
    }
    auto tok = text::Tokenizer::load({spmPrefix + ".model", spmPrefix + ".model", ""}, text::SpecialIds{});
    if (!tok) return fail(tok.message());
    c.vocabSize = (*tok)->sourceVocabSize();
    c.tokenizerKey = true;
    c.tokenizer = {"spm.model", "spm.model", ""};
    for (const Pair& e : pairs) examples.push_back({(*tok)->encodeSource(e.source).ids, (*tok)->encodeTarget(e.target).ids});
    return Ok;
}

// The task's training pairs encoded with a SentencePiece model trained on both sides
// of them (out/spm.model, kept when resuming); sets the config's vocabulary and tokenizer.
// Returns Ok or the exit code (after printing the error).
int zhTrainingData(const std::string& task, const std::string& out, int trainSize, int vocab, int seed, bool resume,
                   Config& c, std::vector<train::Example>& examples);
// Greedy translations of `n` held-out examples, exact match, and, for the grammar tasks,
// the cross-attention heads' agreement with the gold alignment (teacher-forced).
int zhEvaluate(const std::string& task, const std::shared_ptr<const Model>& model, int n, int seed, int show,
               EvalTally& tally);

}  // namespace sf::cli
