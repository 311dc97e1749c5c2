// `stepformer train` / `eval` for the Chinese and chat tasks (en-zh, zh-en, chat; the
// data are core/text/text_task.h). cli_train.cpp calls these from its task table.
#pragma once

#include "core/model/config.h"
#include "core/model/model.h"
#include "core/train/trainer.h"

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
