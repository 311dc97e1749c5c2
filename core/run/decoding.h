// Decoding strategies as a value (DESIGN.md, "Decoding and interventions"): how the next
// token is chosen from the logits. The CLI and the window build one of these and hand it
// to the Session; the Trace records which one ran and what it saw.
#pragma once

#include "core/model/interventions.h"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace sf {

// argmax p(y_t | y_<t, x) at every step.
struct Greedy {};

// Keep the `width` best partial outputs by total log-probability; finished ones are scored
// log P / length^lengthPenalty. Hugging Face's rule (early_stopping = False): stop when
// `width` outputs are finished and no live one can still beat the worst of them.
struct Beam {
    int width = 4;
    double lengthPenalty = 1.0;
};
// The widest beam the command line (--beam) and the window's beam boxes take.
constexpr int kMaxBeamWidth = 64;

// Draw y_t from softmax(logits / temperature), restricted to the topK most probable
// tokens (0 = all) and then to the smallest set whose mass reaches topP (1 = all), the
// order Hugging Face applies them in.
struct Sampling {
    double temperature = 1.0;  // > 0
    int topK = 0;
    double topP = 1.0;         // in (0, 1]
    uint64_t seed = 0;
};

// Teacher forcing: the decoder reads the given target shifted right, in one parallel pass;
// the outputs are the argmax at every position (what the model would have said).
struct Forced {
    std::vector<int> targetIds;  // as given (a tokenized sentence ends with </s>)
};

// The distribution sampling draws from, and what the window's temperature slider shows:
// p = softmax(logits / T), then only the topK most probable (ties at the k-th value kept),
// then the smallest set of most probable tokens whose mass reaches topP (the token that
// crosses it is kept), renormalised. Banned tokens (-inf) get p = 0. Only temperature,
// topK and topP of `s` are read. out, logits: [V].
void samplingDistribution(float* out, const float* logits, int V, const Sampling& s);

using Strategy = std::variant<Greedy, Beam, Sampling, Forced>;

// "greedy" | "beam" | "sample" | "forced": trace.json's `decoding`.
const char* strategyName(const Strategy& s);

struct DecodeOptions {
    Strategy strategy = Greedy{};
    Interventions interventions;  // applied inside every forward of this translation
    int minLength = 0;     // </s> is not chosen before this many output tokens
    int maxLength = 0;     // output tokens at most; 0 = min(max positions, 2 S + 16)
    bool stopAtEos = true; // false: decode exactly maxLength tokens (benchmarks)
    bool capture = true;   // record the Trace
};

// One node of the recorded beam tree: a candidate continuation at one step.
struct BeamNode {
    std::vector<int> tokens;  // the whole output so far, this step's token last
    double logProb = 0.0;     // sum of log p over tokens
    double score = 0.0;       // logProb / length^A when finished, else logProb
    int parent = -1;          // index into the previous step's nodes (-1 at step 0)
    enum State { Alive, Finished, Pruned } state = Alive;
};
const char* beamStateName(BeamNode::State s);

}  // namespace sf
