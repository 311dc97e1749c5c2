// SentencePiece tokenizer. Pieces and byte offsets come from SentencePiece's
// ImmutableSentencePieceText (0.1.97 has no installed sentencepiece.pb.h): every piece
// carries begin()/end(), byte positions in the ORIGINAL input, mapped back through the
// normalizer. So text.substr(begin, end - begin) is the piece's surface in the input:
//   "the cat"  ->  "▁the" [0,3) "the",  "▁cat" [3,7) " cat"
// Consecutive pieces touch (end of one == begin of the next); whitespace collapsed by the
// normalizer goes to the piece after it; leading and trailing whitespace belong to no piece.
// One input character may yield several pieces (NFKC "ﬁ" -> "f" "i"): all but the last
// of those get an empty range.
//
// Model ids: without vocab.json they are the spm ids (spm's unknown -> SpecialIds::unk);
// with vocab.json (Marian) a piece is looked up by its text, and a missing piece is unk.
#include "core/io/files.h"
#include "core/io/json.h"
#include "core/quote.h"
#include "core/text/spm_check.h"
#include "core/text/tokenizer.h"

#include <nlohmann/json.hpp>
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace sf::text {

namespace {

const std::string kSpace = "\xE2\x96\x81";  // "▁", SentencePiece's word-boundary mark
// Longest text we encode: offsets are ints.
constexpr size_t kMaxTextBytes = size_t(1) << 30;
// Largest .model and vocab.json read (real ones are a few MB at most).
constexpr size_t kMaxModelFileBytes = size_t(64) << 20;

using Processor = sentencepiece::SentencePieceProcessor;

using io::readFile;

Result<std::shared_ptr<Processor>> loadProcessor(const std::string& path, int maxPieces) {
    auto bytes = readFile(path, kMaxModelFileBytes);
    if (!bytes) return bytes.error();
    // SentencePiece trusts the file: refuse what would crash it first.
    auto checked = checkSentencePieceModel(*bytes, path, maxPieces);
    if (!checked) return error(checked.message(), Text("errors.not_a_tokenizer").str("file", path));
    auto processor = std::make_shared<Processor>();
    const auto status = processor->LoadFromSerializedProto(*bytes);
    if (!status.ok())
        return error(path + ": not a SentencePiece model (" + clipped(status.message()) + ")",
                     Text("errors.not_a_tokenizer").str("file", path));
    if (processor->GetPieceSize() <= 0)
        return error(path + ": not a SentencePiece model (no pieces)", Text("errors.not_a_tokenizer").str("file", path));
    return processor;
}

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

// Adapts an in-memory sentence list to SentencePiece's trainer input.
class VectorSentenceIterator : public sentencepiece::SentenceIterator {
public:
    explicit VectorSentenceIterator(const std::vector<std::string>& sentences)
        : mSentences(sentences) {}
    bool done() const override { return mIndex >= mSentences.size(); }
    void Next() override { ++mIndex; }
    const std::string& value() const override { return mSentences[mIndex]; }
    sentencepiece::util::Status status() const override { return {}; }

private:
    const std::vector<std::string>& mSentences;
    size_t mIndex = 0;
};

}  // namespace

struct Tokenizer::Impl {
    std::shared_ptr<Processor> source;  // may be the same object as target
    std::shared_ptr<Processor> target;
    bool hasVocab = false;                           // Marian vocab.json given
    std::unordered_map<std::string, int> pieceToId;  // vocab.json
    std::unordered_map<int, std::string> idToPiece;  // its inverse
    int vocabSize = 0;                               // max id in vocab.json + 1

    Encoded encode(const Processor& sp, const std::string& text, const SpecialIds& ids) const;
    size_t languageTokenLength(const std::string& text) const;
    std::string piece(const Processor& sp, int id, const SpecialIds& ids) const;
    int size(const Processor& sp) const { return hasVocab ? vocabSize : sp.GetPieceSize(); }
};

// A leading ">>fra<<" (multilingual opus-mt's target-language token) that vocab.json
// lists: its length in bytes, else 0. Hugging Face's MarianTokenizer keeps such a token
// whole as one id instead of letting SentencePiece split it.
size_t Tokenizer::Impl::languageTokenLength(const std::string& text) const {
    if (!hasVocab || text.compare(0, 2, ">>") != 0) return 0;
    const size_t close = text.find("<<", 2);
    if (close == std::string::npos || close > 64) return 0;
    const size_t n = close + 2;
    if (n < text.size() && text[n] != ' ') return 0;
    return pieceToId.count(text.substr(0, n)) ? n : 0;
}

Encoded Tokenizer::Impl::encode(const Processor& sp, const std::string& text,
                                const SpecialIds& ids) const {
    Encoded out;
    const int textEnd = int(std::min(text.size(), kMaxTextBytes));
    // The language token, then the rest of the text (offsets shifted past the token).
    const size_t lang = languageTokenLength(text);
    if (lang > 0) {
        out.pieces.push_back(text.substr(0, lang));
        out.ids.push_back(pieceToId.at(out.pieces.back()));
        out.offsets.emplace_back(0, int(lang));
    }
    const std::string rest = lang > 0 ? text.substr(lang) : std::string();
    const std::string& body = lang > 0 ? rest : text;
    const int shift = int(lang);
    if (!body.empty() && text.size() <= kMaxTextBytes) {
        try {
            const auto spt = sp.EncodeAsImmutableProto(body);
            for (const auto& p : spt.pieces()) {
                int id;
                if (hasVocab) {
                    const auto it = pieceToId.find(p.piece());
                    id = it == pieceToId.end() ? ids.unk : it->second;
                } else {
                    id = sp.IsUnknown(int(p.id())) ? ids.unk : int(p.id());
                }
                // Defensive: keep ranges inside the text and ordered.
                const int prevEnd = out.offsets.empty() ? 0 : out.offsets.back().second;
                const int begin =
                    std::clamp(int(std::min<uint32_t>(p.begin(), INT_MAX - shift)) + shift, prevEnd, textEnd);
                const int end = std::clamp(int(std::min<uint32_t>(p.end(), INT_MAX - shift)) + shift, begin, textEnd);
                out.pieces.push_back(p.piece());
                out.ids.push_back(id);
                out.offsets.emplace_back(begin, end);
            }
        } catch (...) {
            out = Encoded{};  // SentencePiece does not throw; if it ever does, give just </s>
        }
    }
    out.pieces.push_back("</s>");
    out.ids.push_back(ids.eos);
    out.offsets.emplace_back(textEnd, textEnd);
    return out;
}

std::string Tokenizer::Impl::piece(const Processor& sp, int id, const SpecialIds& ids) const {
    if (id == ids.eos) return "</s>";
    if (id == ids.pad) return "<pad>";
    if (id == ids.unk) return "<unk>";
    if (id == ids.bos) return "<s>";
    if (hasVocab) {
        const auto it = idToPiece.find(id);
        if (it != idToPiece.end()) return it->second;
    } else if (id >= 0 && id < sp.GetPieceSize()) {
        return sp.IdToPiece(id);
    }
    return "<id " + std::to_string(id) + ">";
}

Tokenizer::~Tokenizer() = default;

Result<std::shared_ptr<Tokenizer>> Tokenizer::load(const TokenizerFiles& files, SpecialIds ids) {
    try {
        auto impl = std::make_unique<Impl>();
        auto source = loadProcessor(files.sourceModel, files.maxPieces);
        if (!source) return source.error();
        impl->source = *source;
        if (files.targetModel.empty() || files.targetModel == files.sourceModel) {
            impl->target = impl->source;
        } else {
            auto target = loadProcessor(files.targetModel, files.maxPieces);
            if (!target) return target.error();
            impl->target = *target;
        }

        if (!files.vocabJson.empty()) {
            const std::string& path = files.vocabJson;
            auto bytes = readFile(path, kMaxModelFileBytes);
            if (!bytes) return bytes.error();
            nlohmann::json json;
            const std::string problem = io::parseJsonStrict(*bytes, &json);
            if (!problem.empty()) return error(path + ": " + problem);
            if (!json.is_object())
                return error(path + ": expected a JSON object mapping pieces to ids");
            if (json.empty()) return error(path + ": no entries");
            for (const auto& [piece, value] : json.items()) {
                if (!value.is_number_integer())
                    return error(path + ": the id of " + quoteText(piece) + " is not an integer");
                const auto id = value.get<long long>();
                if (id < 0 || id >= INT_MAX)
                    return error(path + ": the id of " + quoteText(piece) + " is out of range");
                const auto [it, fresh] = impl->idToPiece.emplace(int(id), piece);
                if (!fresh)
                    return error(path + ": id " + std::to_string(id) + " is given to both " +
                                 quoteText(it->second) + " and " + quoteText(piece));
                impl->pieceToId.emplace(piece, int(id));
                impl->vocabSize = std::max(impl->vocabSize, int(id) + 1);
            }
            impl->hasVocab = true;
            // Marian's vocab.json names its own unknown piece; it wins over the config.
            if (const auto unk = impl->pieceToId.find("<unk>"); unk != impl->pieceToId.end()) ids.unk = unk->second;
        }

        std::shared_ptr<Tokenizer> tokenizer(new Tokenizer());
        tokenizer->mImpl = std::move(impl);
        tokenizer->mIds = ids;
        return tokenizer;
    } catch (const std::exception& e) {
        return error(files.sourceModel + ": cannot load tokenizer: " + e.what());
    } catch (...) {
        return error(files.sourceModel + ": cannot load tokenizer");
    }
}

Encoded Tokenizer::encodeSource(const std::string& text) const {
    return mImpl->encode(*mImpl->source, text, mIds);
}

Encoded Tokenizer::encodeTarget(const std::string& text) const {
    return mImpl->encode(*mImpl->target, text, mIds);
}

// ids -> pieces -> SentencePiece's detokenizer. Unknown and out-of-range ids become
// spm's <unk> piece, which it renders as " ⁇ ".
std::string Tokenizer::decodeTarget(const std::vector<int>& ids) const {
    try {
        const Processor& sp = *mImpl->target;
        const std::string unkPiece = sp.IdToPiece(sp.unk_id());
        std::vector<std::string> pieces;
        for (const int id : ids) {
            if (id == mIds.eos) break;
            if (id == mIds.pad || id == mIds.bos) continue;
            std::string piece = unkPiece;
            if (id != mIds.unk) {
                if (mImpl->hasVocab) {
                    const auto it = mImpl->idToPiece.find(id);
                    if (it != mImpl->idToPiece.end()) piece = it->second;
                } else if (id >= 0 && id < sp.GetPieceSize() && !sp.IsUnknown(id)) {
                    piece = sp.IdToPiece(id);
                }
            }
            // spm copies a piece it does not know verbatim, "▁" included: spell the
            // spaces out (the word-initial one of the first piece is dropped, as spm does).
            if (piece != unkPiece && sp.IsUnknown(sp.PieceToId(piece))) {
                piece = replaceAll(piece, kSpace, " ");
                if (pieces.empty() && !piece.empty() && piece[0] == ' ') piece.erase(0, 1);
            }
            pieces.push_back(std::move(piece));
        }
        return sp.DecodePieces(pieces);
    } catch (...) {
        return std::string();
    }
}

std::string Tokenizer::sourcePiece(int id) const { return mImpl->piece(*mImpl->source, id, mIds); }
std::string Tokenizer::targetPiece(int id) const { return mImpl->piece(*mImpl->target, id, mIds); }
int Tokenizer::sourceVocabSize() const { return mImpl->size(*mImpl->source); }
int Tokenizer::targetVocabSize() const { return mImpl->size(*mImpl->target); }

// Not thread-safe: SentencePiece's seed and log level are process-wide.
Status trainSentencePiece(const std::vector<std::string>& sentences, const std::string& outPrefix,
                          const SpmTrainOptions& options) {
    if (sentences.empty()) return error(outPrefix + ": no training sentences");
    if (outPrefix.empty()) return error("trainSentencePiece: empty output prefix");
    try {
        std::ostringstream coverage;
        coverage << options.characterCoverage;
        // Keyword arguments, not a flag string: the prefix may contain spaces.
        std::unordered_map<std::string, std::string> args = {
            {"model_prefix", outPrefix},
            {"vocab_size", std::to_string(options.vocabSize)},
            {"model_type", options.modelType},
            {"character_coverage", coverage.str()},
            {"pad_id", std::to_string(options.ids.pad)},
            {"unk_id", std::to_string(options.ids.unk)},
            {"bos_id", std::to_string(options.ids.bos)},
            {"eos_id", std::to_string(options.ids.eos)},
            // Deterministic: every sentence, in order, on one thread.
            {"input_sentence_size", "0"},
            {"shuffle_input_sentence", "false"},
            {"num_threads", "1"},
            {"minloglevel", "1"},  // no INFO chatter; warnings and errors still show
        };
        if (!options.hardVocabLimit) args["hard_vocab_limit"] = "false";
        unsigned seed = unsigned(options.seed);
        if (seed == unsigned(-1)) seed = 0;  // -1 means "seed from std::random_device"
        sentencepiece::SetRandomGeneratorSeed(seed);
        VectorSentenceIterator input(sentences);
        const auto status = sentencepiece::SentencePieceTrainer::Train(args, &input);
        if (!status.ok()) return error(outPrefix + ": SentencePiece training failed: " + status.message());
        return Status::success();
    } catch (const std::exception& e) {
        return error(outPrefix + ": SentencePiece training failed: " + e.what());
    } catch (...) {
        return error(outPrefix + ": SentencePiece training failed");
    }
}

}  // namespace sf::text
