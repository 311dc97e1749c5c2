// The Chinese and chat training tasks of `stepformer train` / `eval` as model text:
//   en-zh, zh-en  the ZhGrammar of resources/lexicon/en-zh.json (Chinese unspaced)
//   chat          the ChatSet of resources/lexicon/chat.json (no alignment)
// Each example carries, per byte of its texts, the index of the grammar word it belongs
// to, so that SentencePiece pieces (byte offsets) can be mapped to the alignment's words
// whatever the language: an English space belongs to the word after it; a Chinese byte
// to its segment (zh_grammar.h).
#pragma once

#include "core/result.h"
#include "core/text/corpus.h"

#include <string>
#include <utility>
#include <vector>

namespace sf::text {

struct TextExample {
    std::string source, target;  // what the model reads and writes
    std::vector<int> sourceWordOfByte, targetWordOfByte;  // one entry per byte (empty for chat)
    std::vector<std::pair<int, int>> alignment;           // (target word, source word)
};

struct TextTaskSplit {
    std::vector<TextExample> train, test;
    std::vector<std::string> examples;  // the anchors' source texts (always in train)
};

// The task names this file knows: "en-zh", "zh-en", "chat".
const std::vector<std::string>& zhTaskNames();
bool isZhTask(const std::string& task);
// The lexicon file of a task, relative to resources/: "lexicon/en-zh.json" or "lexicon/chat.json".
std::string zhTaskLexicon(const std::string& task);
// Train and held-out examples of a task (`lexiconPath`: the file zhTaskLexicon names).
Result<TextTaskSplit> zhTaskSplit(const std::string& task, const std::string& lexiconPath, size_t trainSize,
                                  size_t testSize, uint64_t seed);

// Word index of every byte of the unspaced text of `segmented` ("我 是 一名": 3 bytes of
// word 0, 3 of word 1, 6 of word 2), and of a spaced text as it stands (a space belongs
// to the word after it).
std::vector<int> segmentOfByte(const std::string& segmented);
std::vector<int> spacedWordOfByte(const std::string& text);

}  // namespace sf::text
