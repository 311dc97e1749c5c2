// The text tasks' training data, prepared one way for `stepformer train` and the studio:
//   en-fr, fr-en       a toy Grammar (core/text/grammar.h), its anchors added N times
//   en-zh, zh-en, chat the Chinese grammar and the chat set (core/text/text_task.h)
// Pairs come from the task's lexicon; one SentencePiece model is trained on both sides of
// the training pairs and written to DIR/spm.model (kept when resuming with one); the config
// gets its vocabulary and tokenizer keys; DIR/examples.json names the task and its example
// sentences, so DIR is a model directory once the trainer saves its weights there.
#pragma once

#include "core/model/config.h"
#include "core/result.h"
#include "core/text/corpus.h"
#include "core/text/tokenizer.h"
#include "core/train/batch.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sf::train {

// "en-fr", "fr-en", "en-zh", "zh-en", "chat".
bool isTextTask(const std::string& task);
std::vector<std::string> textTaskNames();
// The task's lexicon, relative to resources/: "lexicon/en-fr.json", "lexicon/chat.json", ...
std::string textTaskLexicon(const std::string& task);

struct TextTaskRequest {
    std::string task;
    std::string lexiconPath;  // the file textTaskLexicon names, resolved by the caller
    std::string outDir;       // spm.model and examples.json go here
    int trainSize = 120000;   // generated pairs (before the anchors' copies)
    int heldOutSize = 0;      // pairs kept out of training, for free-running scores
    int vocab = 1000;         // SentencePiece vocabulary, at most
    int anchorCopies = 20;    // grammar tasks: copies of each example sentence added to training
    uint64_t seed = 1;
    bool resume = false;      // keep an existing outDir/spm.model
};

struct TextTaskData {
    std::vector<Example> train;                 // the training pairs, encoded
    std::vector<Example> heldOut;               // the held-out pairs, encoded
    std::vector<text::SentencePair> heldOutText;  // the same pairs as text (alignments for en-fr, fr-en)
    std::vector<std::string> exampleSentences;  // the anchors' source sides (examples.json)
    size_t anchorPairs = 0;                     // of train, the anchors' copies
    std::shared_ptr<const text::Tokenizer> tokenizer;
    std::string spmModel;                       // outDir/spm.model
};

// Errors name the lexicon, the directory or SentencePiece's complaint. `c` gets vocabSize
// and the tokenizer keys.
Result<TextTaskData> prepareTextTask(const TextTaskRequest& request, Config& c);

}  // namespace sf::train
