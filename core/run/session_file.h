// Session files (docs/session-files.md): the window's state as a small, versioned JSON
// file, so that a teacher can send a student to exactly one view. The model, the sentence,
// the decoding strategy (decoding.h) and the interventions (their --intervene spec
// strings, interventions.h), the step and its granularity, and which lab view is shown.
//
//   {"format": "stepformer-session", "version": 1, "model": "en-fr",
//    "sentence": "the little black cat sleeps", "decoding": {"strategy": "greedy"},
//    "interventions": ["ablate:decoder.0.cross_attn.1"], "step": 42, "granularity": "fine",
//    "view": "comparison", "difference": false}
//
// Parsing checks the file's own rules (types, ranges, known keys, spec syntax); the rules
// that need the model (a layer or head in range, a forced id in the vocabulary) are
// checked by sessionOptions() once the model is loaded. Every message starts with the
// file's name.
#pragma once

#include "core/model/config.h"
#include "core/result.h"
#include "core/run/decoding.h"

#include <string>
#include <vector>

namespace sf {

constexpr const char* kSessionFormat = "stepformer-session";
constexpr int kSessionVersion = 1;

// What the window shows beside the stage: a dock tab.
enum class SessionView { Decoding, Comparison, LabDecoding, LabForcing, LabPositions, LabScaling, LabAtlas };
const char* sessionViewName(SessionView v);  // "decoding", "comparison", "lab.decoding", ...

struct SessionFile {
    int version = kSessionVersion;
    std::string model;                       // a bundled model's name or a model directory
    std::string sentence;
    Strategy decoding = Greedy{};
    int minLength = 0, maxLength = 0;        // as DecodeOptions (0 = automatic)
    std::vector<std::string> interventions;  // --intervene specs, in order
    int step = 0;                            // 0-based index into the fine walk (buildSteps)
    bool coarse = false;                     // granularity "coarse": Next / Previous move by blocks
    SessionView view = SessionView::Decoding;
    bool difference = false;                 // heatmaps show after minus before
    bool forcingNoMaskModel = false;         // the teacher-forcing lab also runs en-fr-nomask
};

// Parses a session file's text; `name` (the file's path) starts every error message.
Result<SessionFile> parseSessionFile(const std::string& text, const std::string& name);
// The file's text (pretty-printed JSON, keys in a fixed order); parseSessionFile reads it back
// to an equal SessionFile.
std::string sessionFileToJson(const SessionFile& s);
// The decoding options of the session for a model with config `c`: the interventions
// checked against its layers and heads, forced ids against its vocabulary, no-causal-mask
// only with forcing. Errors start with `name`.
Result<DecodeOptions> sessionOptions(const SessionFile& s, const Config& c, const std::string& name);

}  // namespace sf
