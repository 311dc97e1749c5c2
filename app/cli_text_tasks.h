// `stepformer eval` for the Chinese and chat tasks (en-zh, zh-en, chat; the data are
// core/text/text_task.h, prepared for training by core/train/text_data.h).
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

// Greedy translations of `n` held-out examples, exact match, and, for the grammar tasks,
// the cross-attention heads' agreement with the gold alignment (teacher-forced).
int zhEvaluate(const std::string& task, const std::shared_ptr<const Model>& model, int n, int seed, int show,
               EvalTally& tally);

}  // namespace sf::cli
