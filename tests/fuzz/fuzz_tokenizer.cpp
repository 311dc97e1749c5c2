// libFuzzer target: the tokenizer loading path (spm.model, optionally with vocab.json).
//
// Each input is tried two ways, through files and Tokenizer::load exactly as
// Model::load calls it (readFile's caps, checkSentencePieceModel, then SentencePiece):
//   1. the whole input is spm.model, no vocab.json (spm ids are model ids; the piece
//      bound is a vocab_size of kVocabSize, as tokenizerFilesFor sets it);
//   2. split: [2 bytes: little-endian length L of vocab.json] [L bytes: vocab.json]
//      [the rest: spm.model], when L fits.
// A tokenizer that loads must encode and decode a short text, and every id it hands out
// must be inside its vocabulary. Refusals must carry a message; nothing may crash, hang,
// throw or hit undefined behaviour (SentencePiece itself included: that is what the
// validation in spm_check exists for).
#include "core/text/tokenizer.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

constexpr int kVocabSize = 65536;

void check(bool ok)
{
    if (!ok) std::abort();
}

// A private scratch directory, made on first use and removed at exit (the name is never
// freed, so the exit handler may still read it).
const std::string& scratch()
{
    static const std::string* dir = [] {
        char pattern[] = "/tmp/fuzz_tokenizer.XXXXXX";
        check(mkdtemp(pattern) != nullptr);
        auto* made = new std::string(pattern);
        std::atexit([] {
            for (const char* name : {"spm.model", "vocab.json"}) std::remove((scratch() + "/" + name).c_str());
            rmdir(scratch().c_str());
        });
        return made;
    }();
    return *dir;
}

std::string writeFile(const char* name, const uint8_t* data, size_t size)
{
    const std::string path = scratch() + "/" + name;
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(data), std::streamsize(size));
    f.close();
    check(bool(f));
    return path;
}

void exercise(const sf::text::TokenizerFiles& files)
{
    const sf::text::SpecialIds ids{0, 1, 2, 3};
    auto loaded = sf::text::Tokenizer::load(files, ids);
    if (!loaded) {
        check(!loaded.message().empty());
        return;
    }
    const sf::text::Tokenizer& tok = **loaded;
    const int sourceVocab = tok.sourceVocabSize(), targetVocab = tok.targetVocabSize();
    check(sourceVocab > 0 && targetVocab > 0);
    const std::string text = "the cat sat  on the mat. \xC3\xA9t\xC3\xA9 \xEF\xAC\x81n 42";
    const sf::text::Encoded source = tok.encodeSource(text);
    check(!source.ids.empty() && source.ids.size() == source.pieces.size() &&
          source.ids.size() == source.offsets.size());
    for (size_t i = 0; i < source.ids.size(); ++i) {
        check(source.ids[i] >= 0 && source.ids[i] < sourceVocab);
        const auto [begin, end] = source.offsets[i];
        check(0 <= begin && begin <= end && size_t(end) <= text.size());
        (void)tok.sourcePiece(source.ids[i]);
    }
    const sf::text::Encoded target = tok.encodeTarget(text);
    for (int id : target.ids) check(id >= 0 && id < targetVocab);
    (void)tok.decodeTarget(target.ids);
    // Every id the decoder could produce, within a bound: pieces and decoding by id.
    std::vector<int> all;
    for (int id = 0; id < targetVocab && id < 4096; ++id) {
        (void)tok.targetPiece(id);
        all.push_back(id);
    }
    (void)tok.decodeTarget(all);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    // 1. The whole input as spm.model.
    sf::text::TokenizerFiles whole;
    whole.sourceModel = whole.targetModel = writeFile("spm.model", data, size);
    whole.maxPieces = kVocabSize;
    exercise(whole);

    // 2. vocab.json + spm.model.
    if (size < 2) return 0;
    const size_t vocabLength = size_t(data[0]) | size_t(data[1]) << 8;
    if (vocabLength > size - 2) return 0;
    sf::text::TokenizerFiles split;
    split.vocabJson = writeFile("vocab.json", data + 2, vocabLength);
    split.sourceModel = split.targetModel = writeFile("spm.model", data + 2 + vocabLength, size - 2 - vocabLength);
    exercise(split);
    return 0;
}
