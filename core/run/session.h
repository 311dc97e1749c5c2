// A Session runs one model on one source: encode once, then decode token by token with
// a KV cache, recording every intermediate into a Trace (DESIGN.md names). The decoding
// strategy (greedy, beam, sampling, forced) and the interventions are values in
// DecodeOptions (decoding.h). Hugging Face's generation conventions hold: min length,
// forced_eos_token_id at the last allowed position, bad_words_ids never generated.
#pragma once

#include "core/io/trace.h"
#include "core/model/kernels.h"
#include "core/model/model.h"
#include "core/model/transformer.h"
#include "core/run/decoding.h"
#include "core/result.h"

#include <memory>
#include <string>
#include <vector>

namespace sf {

struct Translation {
    std::string sourceText;
    std::vector<std::string> sourcePieces;
    std::vector<int> sourceIds;         // with </s>
    std::vector<int> decoderInputIds;   // [decoder_start] + outputIds[0 .. T-2]: shifted right
    std::vector<int> outputIds;         // ends with </s> when decoding stopped there
    std::vector<std::string> outputPieces;
    std::string outputText;
    std::string decoding = "greedy";    // greedy | beam | sample | forced
    double logProb = 0.0;               // sum of log p(chosen token) (forced: of the target)
    Interventions interventions;        // as applied in every forward of this translation
    // The decoder's self-attention hid later positions (decoderCausalMask: the model's
    // mask, unless no-causal-mask).
    bool decoderCausal = true;
    // Whether row r of the decoder's self-attention saw keys after r: only in one
    // teacher-forced pass over the whole target without the mask. Token by token nothing
    // later exists yet, mask or not. What the views and steps read to size and mask rows.
    bool decoderSawLaterKeys() const { return decoding == "forced" && !decoderCausal; }
    std::vector<std::vector<BeamNode>> beams;  // beam: every candidate of every step
    Beam beam;                          // beam: the width and length penalty it ran with
    Sampling sampling;                  // sample: the parameters, seed included
    std::vector<int> forcedIds;         // forced: the target, with </s>
    // e.g. the source truncated to max positions: "warnings.source_truncated" {tokens, max}
    // (and {in_file} for "warnings.source_truncated_capped"), keys of resources/texts/<lang>/errors.json.
    std::vector<Text> warnings;
    std::shared_ptr<Trace> trace;       // null when capture is off
};

class Session {
public:
    explicit Session(std::shared_ptr<const Model> model, const Kernels& kernels = cpuKernels());

    // Sets the source from text (needs the model's tokenizer) or from ids (fed as given).
    // A model without a tokenizer (trained on an algorithmic task) reads text as token ids
    // separated by spaces, and appends </s> as a tokenizer would: "5 9 7" -> [5, 9, 7, eos].
    // Ids must be below vocab_size; a source longer than max positions is truncated
    // (keeping </s> last when it was there) with a warning.
    Status setSourceText(const std::string& text);
    Status setSourceIds(const std::vector<int>& ids);

    // Runs the encoder once on the source (records encoder.* when capture is on).
    void encode(bool capture = true, const Interventions& iv = kNoInterventions);
    // One decoding step with the KV cache: feeds `inputId` at the next position and
    // returns the logits [V] (valid until the next call). Requires encode().
    const float* step(int inputId, const Interventions& iv = kNoInterventions);
    int position() const { return mState.length; }

    // Encode + decode as the options say; the whole translation with its Trace. Errors:
    // bad options (temperature <= 0, top-p outside (0, 1], no-causal-mask without forcing,
    // a forced id outside the vocabulary) and a step where every token is banned.
    // Encode once: without capture, a translate() on the same source whose interventions
    // leave the encoder as the last encode() ran it (the same no-positions, no-scale and
    // encoder heads switched off; decoder heads, no-causal-mask and the strategy may
    // differ) decodes from that encoder output and its cross-attention K/V, which are the
    // same numbers. So several strategies or decoder interventions on one source cost one
    // encoder pass (the head atlas: 2 + 2 L H decodes per sentence).
    Result<Translation> translate(const DecodeOptions& options = {});
    // How many times the encoder ran on this Session (tests check the reuse).
    int encoderRuns() const { return mEncoderRuns; }

    const Model& model() const { return *mModel; }
    const std::vector<int>& sourceIds() const { return mSource.sourceIds; }
    Trace* trace() { return mTrace.get(); }
    // Drops the recorded Trace now (encode() would otherwise free it while it starts).
    void releaseTrace() { mTrace.reset(); }

private:
    // Validates ids, truncates ids and pieces together to max positions.
    Status setSource(std::vector<int> ids, std::vector<std::string> pieces);
    int defaultMaxLength() const;
    // encode(capture, iv), unless it may reuse the last one (see translate()): then only
    // the decoder's self-attention cache is emptied.
    void encodeOrReuse(bool capture, const Interventions& iv);
    // Greedy and sampling: one token per step with the KV cache.
    Result<Translation> sequential(const DecodeOptions& o);
    Result<Translation> beamSearch(const DecodeOptions& o, const Beam& b);
    Result<Translation> forced(const DecodeOptions& o, const Forced& f);
    // Decodes exactly `outputIds` token by token with capture (the beam winner's trace).
    Translation replay(const std::vector<int>& outputIds, const Interventions& iv);
    // Sets -inf on every token the rules ban at output position `len` after `prefix`:
    // </s> before min length, bad_words_ids, all but forced_eos at the last position.
    // Returns false when nothing is left.
    bool ban(float* logits, const std::vector<int>& prefix, const DecodeOptions& o) const;
    // Decoder inputs from outputs (shifted right), pieces and text.
    void finish(Translation& t, const DecodeOptions& o) const;

    std::shared_ptr<const Model> mModel;
    const Kernels& mKernels;
    Weights mWeights;               // the model's weights, resident on mKernels
    Translation mSource;            // source fields only
    BackendBuffer mMemory;          // encoder output [S, d], backend memory
    DecoderState mState;
    std::vector<float> mLogits;     // [V]
    std::shared_ptr<Trace> mTrace;  // null when not capturing
    Workspace mEncoderWs;
    bool mEncoded = false;          // mMemory and mState's cross K/V belong to the current source
    Interventions mEncodedWith;     // ... encoded with these interventions
    int mEncoderRuns = 0;
};

}  // namespace sf
