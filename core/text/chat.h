// ChatSet: the `chat` task's generated dialogue set, greetings and small talk in English
// and Chinese ("hi how are you" -> "i am fine", "你好你好吗" -> "我很好"). The phrases are
// data (resources/lexicon/chat.json); the rule is code:
//   prompt = [opener separator] core [ending]      reply = the core's reply
//          | opener [ending]                       reply = the opener's reply
// where a core is one of an intent's paraphrases ("how are you", "how is it going", ...)
// and "{name}" in a core is any of the language's names, copied into the reply
// ("my name is anna" -> "nice to meet you anna"). Separators and endings are punctuation
// variants (",", "！", "？"...), so a held-out prompt is a new combination of known parts.
// Every prompt has exactly one reply. Chinese is unspaced, as typed; pairs carry no
// word alignment (SentencePair::alignment is empty).
#pragma once

#include "core/result.h"
#include "core/text/corpus.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sf::text {

class ChatSet {
public:
    // Reads the phrases and generates every prompt; errors name the file and the entry
    // ("chat.json: zh.intents[2]: missing string 'reply'").
    static Result<ChatSet> load(const std::string& path);

    // Every distinct (prompt, reply), in a fixed order.
    const std::vector<SentencePair>& all() const { return mAll; }
    // The example prompts ("anchors" of chat.json: "hi how are you", "你好你好吗", ...).
    const std::vector<SentencePair>& anchors() const { return mAnchors; }
    // 1 prompt in 8 is held out, never an anchor (by a hash of the prompt). train: `trainSize` training
    // prompts (0 = all of them), test: `testSize` held-out ones, each drawn without
    // repetition in an order fixed by `seed`, the anchors first. Fails when a side has too few prompts.
    Result<CorpusSplit> split(size_t trainSize, size_t testSize, uint64_t seed) const;
    // The reply to a prompt of the set; fails naming the prompt otherwise.
    Result<std::string> reply(const std::string& prompt) const;

private:
    std::string mPath;
    std::vector<SentencePair> mAll, mAnchors;
};

}  // namespace sf::text
