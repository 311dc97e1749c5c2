// The Chinese and chat training tasks as model text (see text_task.h).
#include "core/text/text_task.h"

#include "core/text/chat.h"
#include "core/text/zh_grammar.h"

#include <algorithm>

namespace sf::text {

const std::vector<std::string>& zhTaskNames() {
    static const std::vector<std::string> names = {"en-zh", "zh-en", "chat"};
    return names;
}

bool isZhTask(const std::string& task) {
    const auto& n = zhTaskNames();
    return std::find(n.begin(), n.end(), task) != n.end();
}

std::string zhTaskLexicon(const std::string& task) {
    return task == "chat" ? "lexicon/chat.json" : "lexicon/en-zh.json";
}

std::vector<int> segmentOfByte(const std::string& segmented) {
    std::vector<int> out;
    int word = 0;
    bool inWord = false;
    for (char c : segmented) {
        if (c == ' ') {
            if (inWord) ++word;
            inWord = false;
            continue;
        }
        inWord = true;
        out.push_back(word);
    }
    return out;
}

std::vector<int> spacedWordOfByte(const std::string& text) {
    std::vector<int> out;
    int word = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == ' ' && i > 0) ++word;
        out.push_back(word);
    }
    return out;
}

Result<TextTaskSplit> zhTaskSplit(const std::string& task, const std::string& lexiconPath, size_t trainSize,
                                  size_t testSize, uint64_t seed) {
    if (!isZhTask(task)) return error("unknown task '" + task + "' (en-zh, zh-en or chat)");
    TextTaskSplit out;
    if (task == "chat") {
        auto set = ChatSet::load(lexiconPath);
        if (!set) return error(set.message());
        auto split = set->split(trainSize, testSize, seed);
        if (!split) return error(split.message());
        for (auto* side : {&split->train, &split->test})
            for (const SentencePair& p : *side)
                (side == &split->train ? out.train : out.test).push_back({p.source, p.target, {}, {}, {}});
        for (const SentencePair& a : set->anchors()) out.examples.push_back(a.source);
        return out;
    }
    const ZhDirection d = task == "en-zh" ? ZhDirection::EnZh : ZhDirection::ZhEn;
    auto grammar = ZhGrammar::load(lexiconPath, d);
    if (!grammar) return error(grammar.message());
    auto split = grammar->split(trainSize, testSize, seed);
    if (!split) return error(split.message());
    auto convert = [&](const SentencePair& p) {
        TextExample e;
        e.source = grammar->sourceText(p);
        e.target = grammar->targetText(p);
        e.sourceWordOfByte = d == ZhDirection::ZhEn ? segmentOfByte(p.source) : spacedWordOfByte(p.source);
        e.targetWordOfByte = d == ZhDirection::EnZh ? segmentOfByte(p.target) : spacedWordOfByte(p.target);
        e.alignment = p.alignment;
        return e;
    };
    for (const SentencePair& p : split->train) out.train.push_back(convert(p));
    for (const SentencePair& p : split->test) out.test.push_back(convert(p));
    for (const SentencePair& a : grammar->anchors()) out.examples.push_back(grammar->sourceText(a));
    return out;
}

}  // namespace sf::text
