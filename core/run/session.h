// A Session runs one model on one source: encode once, then decode token by token with
// a KV cache, recording every intermediate into a Trace (DESIGN.md names). Greedy
// decoding, beam search (width N, length-normalised), min / max length.
#pragma once

#include "core/io/trace.h"
#include "core/model/kernels.h"
#include "core/model/model.h"
#include "core/model/transformer.h"
#include "core/result.h"

#include <memory>
#include <string>
#include <vector>

namespace sf {

struct DecodeOptions {
    int beam = 1;          // 1 = greedy
    int minLength = 0;     // </s> is not chosen before this many output tokens
    int maxLength = 0;     // output tokens at most; 0 = min(max positions, 2 S + 16)
    bool stopAtEos = true; // false: decode exactly maxLength tokens (benchmarks)
    bool capture = true;   // record the Trace
};

struct Translation {
    std::string sourceText;
    std::vector<std::string> sourcePieces;
    std::vector<int> sourceIds;         // with </s>
    std::vector<int> decoderInputIds;   // [decoder_start] + outputIds[0 .. T-2]: shifted right
    std::vector<int> outputIds;         // ends with </s> when decoding stopped there
    std::vector<std::string> outputPieces;
    std::string outputText;
    std::string decoding = "greedy";    // greedy | beam
    double logProb = 0.0;               // sum of log p(chosen token)
    std::vector<std::string> warnings;  // e.g. source truncated to max positions
    std::shared_ptr<Trace> trace;       // null when capture is off
};

class Session {
public:
    explicit Session(std::shared_ptr<const Model> model, const Kernels& kernels = cpuKernels());

    // Sets the source from text (needs the model's tokenizer) or from ids (fed as given).
    // Ids must be below vocab_size; a source longer than max positions is truncated
    // (keeping </s> last when it was there) with a warning.
    Status setSourceText(const std::string& text);
    Status setSourceIds(const std::vector<int>& ids);

    // Runs the encoder once on the source (records encoder.* when capture is on).
    void encode(bool capture = true);
    // One decoding step with the KV cache: feeds `inputId` at the next position and
    // returns the logits [V] (valid until the next call). Requires encode().
    const float* step(int inputId);
    int position() const { return mState.length; }

    // Encode + decode as the options say; the whole translation with its Trace.
    Result<Translation> translate(const DecodeOptions& options = {});
    // Decodes exactly `outputIds` (teacher forcing with the KV cache), recording the Trace.
    Translation force(const std::vector<int>& outputIds);

    const Model& model() const { return *mModel; }
    const std::vector<int>& sourceIds() const { return mSource.sourceIds; }
    Trace* trace() { return mTrace.get(); }
    // Drops the recorded Trace now (encode() would otherwise free it while it starts).
    void releaseTrace() { mTrace.reset(); }
    const std::vector<float>& memory() const { return mMemory; }

private:
    // Validates ids, truncates ids and pieces together to max positions.
    Status setSource(std::vector<int> ids, std::vector<std::string> pieces);
    int defaultMaxLength() const;
    Translation beamSearch(const DecodeOptions& o);
    void finish(Translation& t) const;

    std::shared_ptr<const Model> mModel;
    const Kernels& mKernels;
    Translation mSource;            // source fields only
    std::vector<float> mMemory;     // encoder output [S, d]
    DecoderState mState;
    std::vector<float> mLogits;     // [V]
    std::shared_ptr<Trace> mTrace;  // null when not capturing
    Workspace mEncoderWs;
};

}  // namespace sf
