// SentencePiece tokenizer: text -> pieces, ids and byte offsets, and ids -> text.
// One shared model (spm.model) or separate source / target models, optionally with a
// Marian vocab.json that maps pieces to model ids (then spm ids are not model ids).
#pragma once

#include "core/result.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sf::text {

struct SpecialIds {
    int pad = 0;
    int unk = 1;
    int bos = 2;
    int eos = 3;
};

struct Encoded {
    std::vector<std::string> pieces;  // as SentencePiece writes them ("▁the"), then "</s>"
    std::vector<int> ids;             // model ids; the last one is eos
    std::vector<std::pair<int, int>> offsets;  // byte range [begin, end) of each piece in the
                                                // input text; </s> gets {size, size}
};

struct TokenizerFiles {
    std::string sourceModel;  // path to a .model file
    std::string targetModel;  // may equal sourceModel
    std::string vocabJson;    // optional (empty): Marian piece -> id map
    int maxPieces = 0;        // > 0: a .model with more pieces is refused before it is loaded
                              // (the model's vocab_size, when spm ids are model ids)
};

class Tokenizer {
public:
    // Loads the models, each checked by checkSentencePieceModel (spm_check.h) before
    // SentencePiece parses it; errors name the file and the reason
    // ("spm.model: piece 12 is 300000 bytes long (at most 4096)").
    static Result<std::shared_ptr<Tokenizer>> load(const TokenizerFiles& files, SpecialIds ids);
    ~Tokenizer();

    // Source text -> pieces and model ids, </s> appended. Unknown pieces map to unk.
    Encoded encodeSource(const std::string& text) const;
    // Target-side encoding (used for training data), </s> appended.
    Encoded encodeTarget(const std::string& text) const;
    // Model ids -> text; stops at the first eos, drops pad/bos.
    std::string decodeTarget(const std::vector<int>& ids) const;
    // Model id -> piece text ("▁chat"), for labels. Specials print as <pad>, </s>, <unk>, <s>.
    std::string sourcePiece(int id) const;
    std::string targetPiece(int id) const;
    // The largest model id the tokenizer can produce, plus one.
    int sourceVocabSize() const;
    int targetVocabSize() const;
    const SpecialIds& specialIds() const { return mIds; }

private:
    struct Impl;
    Tokenizer() = default;
    std::unique_ptr<Impl> mImpl;
    SpecialIds mIds;
};

struct SpmTrainOptions {
    int vocabSize = 256;
    bool hardVocabLimit = true;          // false: up to vocabSize pieces when the text has fewer
    std::string modelType = "unigram";  // unigram | bpe
    float characterCoverage = 1.0f;
    SpecialIds ids;                      // pad/unk/bos/eos ids written into the model
    int seed = 1;
};

// Trains a SentencePiece model on `sentences` (one per element) through the library and
// writes "<outPrefix>.model" (and .vocab). Deterministic for the same input and options.
Status trainSentencePiece(const std::vector<std::string>& sentences, const std::string& outPrefix,
                          const SpmTrainOptions& options);

}  // namespace sf::text
