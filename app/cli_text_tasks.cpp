// `stepformer train` / `eval` for en-zh, zh-en and chat (see cli_text_tasks.h).
//
// The model reads and writes Chinese unspaced, as typed: the SentencePiece model (BPE)
// is trained on the unspaced text, so a Chinese piece may be one character or several
// (猫, 学习, 在桌子上). Alignment scoring maps each piece, by its first byte, to the
// grammar segment that byte belongs to.
#include "app/cli_text_tasks.h"

#include "app/cli.h"
#include "core/model/trace_names.h"
#include "core/run/session.h"
#include "core/text/bleu.h"
#include "core/text/text_task.h"
#include "core/text/tokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

namespace sf::cli {

namespace fs = std::filesystem;

namespace {

std::string lexiconFor(const std::string& task) {
    const std::string rel = text::zhTaskLexicon(task);
    const std::string p = resourcePath(rel);
    return p.empty() ? std::string(STEPFORMER_RESOURCE_DIR) + "/" + rel : p;  // the error names it
}

// Word of each piece: the word its first byte belongs to; -1 for </s>.
std::vector<int> pieceWords(const text::Encoded& e, const std::vector<int>& wordOfByte) {
    std::vector<int> w;
    for (size_t i = 0; i < e.ids.size(); ++i) {
        const int b = e.offsets[i].first;
        w.push_back(i + 1 == e.ids.size() || b < 0 || b >= int(wordOfByte.size()) ? -1 : wordOfByte[size_t(b)]);
    }
    return w;
}

// Every word a piece covers (a Chinese piece may span segments: 吃饭 = 吃 + 饭); empty for </s>.
std::vector<std::vector<int>> pieceWordSets(const text::Encoded& e, const std::vector<int>& wordOfByte) {
    std::vector<std::vector<int>> out(e.ids.size());
    for (size_t i = 0; i + 1 < e.ids.size(); ++i)
        for (int b = std::max(0, e.offsets[i].first); b < e.offsets[i].second && b < int(wordOfByte.size()); ++b)
            if (out[i].empty() || out[i].back() != wordOfByte[size_t(b)]) out[i].push_back(wordOfByte[size_t(b)]);
    return out;
}

}  // namespace

int zhEvaluate(const std::string& task, const std::shared_ptr<const Model>& model, int n, int seed, int show,
               EvalTally& tally) {
    const Config& c = model->config();
    const text::Tokenizer* tok = model->tokenizer();
    if (!tok) return fail("this model has no tokenizer; " + task + " needs one");
    auto split = text::zhTaskSplit(task, lexiconFor(task), 0, size_t(n), uint64_t(seed));
    if (!split) return fail(split.message());
    tally.hits.assign(size_t(c.decoderLayers * c.decoderHeads), 0);
    for (const text::TextExample& ex : split->test) {
        Session s(model);
        Status st = s.setSourceText(ex.source);
        if (!st) return fail(st.message());
        DecodeOptions o;
        o.capture = false;
        auto t = s.translate(o);
        if (!t) return fail(t.message());
        const bool right = t->outputText == ex.target;
        tally.exact += right;
        tally.hyps.push_back(text::bleuWords(t->outputText));
        tally.refs.push_back(text::bleuWords(ex.target));
        if (int(tally.hyps.size()) <= show)
            std::printf("  %s\n  -> %s%s\n", ex.source.c_str(), t->outputText.c_str(),
                        right ? "" : ("   (reference: " + ex.target + ")").c_str());
        if (ex.alignment.empty()) continue;

        // Teacher-forced on the reference: the row that predicts a target word's first
        // piece is that word's row; its highest-weight source piece should cover a word
        // aligned with it.
        const text::Encoded src = tok->encodeSource(ex.source), tgt = tok->encodeTarget(ex.target);
        const std::vector<std::vector<int>> srcWords = pieceWordSets(src, ex.sourceWordOfByte);
        const std::vector<int> tgtWord = pieceWords(tgt, ex.targetWordOfByte);
        DecodeOptions fo;
        fo.strategy = Forced{tgt.ids};
        auto forced = s.translate(fo);
        if (!forced) return fail(forced.message());
        std::map<std::pair<int, int>, bool> gold;
        for (const auto& a : ex.alignment) gold[a] = true;
        int lastWord = -1;
        for (size_t tpos = 0; tpos < tgt.ids.size(); ++tpos) {
            const int tw = tgtWord[tpos];
            if (tw < 0 || tw == lastWord) continue;
            lastWord = tw;
            ++tally.words;
            for (int l = 0; l < c.decoderLayers; ++l) {
                const TraceTensor* w =
                    forced->trace->find(trace_names::attention(Stack::Decoder, l, AttentionKind::Cross, "weights"));
                for (int h = 0; h < c.decoderHeads; ++h) {
                    const float* row = w->row(h, int64_t(tpos));
                    const int S = int(w->shape()[2]);
                    const int best = int(std::max_element(row, row + S) - row);
                    // A hit when any word the source piece covers is gold-aligned.
                    const auto& sws = srcWords[size_t(best)];
                    if (std::any_of(sws.begin(), sws.end(), [&](int sw) { return gold.count({tw, sw}) > 0; }))
                        ++tally.hits[size_t(l * c.decoderHeads + h)];
                }
            }
        }
    }
    return Ok;
}

}  // namespace sf::cli
