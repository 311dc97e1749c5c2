// Lesson files (docs/lessons.md): a teacher's walk through one translation as an ordered
// list of slides, each a step of the walk with its granularity, interventions, a note for
// the teacher and an optional question. Versioned JSON:
//
//   {"format": "stepformer-lesson", "version": 1, "title": ..., "model": "en-fr",
//    "sentence": "...", "decoding": {"strategy": "greedy"},
//    "slides": [{"step": "decoder.0.cross_attn.weights@1", "granularity": "fine",
//                "interventions": ["ablate:decoder.0.cross_attn.1"], "head": 1,
//                "note": {"en": "...", "zh_CN": "..."}, "question": "cross_attention"}]}
//
// Checked in two passes, each error naming the file and the problem: parseLesson reads the
// structure (fields, types, sizes, question names, step id syntax) without a model;
// checkLesson checks what needs the model (interventions, heads); resolveSlideStep finds a
// slide's step in the walk of the translation the slide runs (an unknown step is refused).
#pragma once

#include "core/model/config.h"
#include "core/run/decoding.h"
#include "core/run/predict.h"
#include "core/run/steps.h"
#include "core/result.h"

#include <map>
#include <string>
#include <vector>

namespace sf {

constexpr int kLessonVersion = 1;
constexpr size_t kMaxLessonBytes = size_t(1) << 20;  // 1 MiB
constexpr size_t kMaxLessonSlides = 500;
constexpr size_t kMaxLessonText = 8000;               // characters of one note or title (UTF-8 bytes)
constexpr size_t kMaxLessonSentence = 1000;
constexpr size_t kMaxSlideInterventions = 64;

// A text in one or more languages: "en" always; others ("zh_CN") optional.
struct LessonText {
    std::map<std::string, std::string> byLanguage;
    // The text in `language`, else English.
    const std::string& in(const std::string& language) const;
    bool operator==(const LessonText& o) const { return byLanguage == o.byLanguage; }
};

struct LessonSlide {
    int stepIndex = -1;        // the step as a fine index, or -1 when given by id
    std::string stepId;        // "decoder.0.cross_attn.weights@1" (stepId()), or ""
    bool coarse = false;       // granularity "coarse"
    std::vector<std::string> interventions;  // DESIGN.md specs
    int head = -1;             // the head the slide shows and asks about (-1 = as it is)
    LessonText note;
    Question question;         // kind None when the slide asks nothing
};

struct Lesson {
    LessonText title;
    std::string model;         // a bundled name or a directory (relative: to the lesson file)
    std::string sentence;
    Strategy decoding = Greedy{};
    std::vector<LessonSlide> slides;
};

// `name` prefixes every message ("lessons/a.json: slide 3: 'step' ...").
Result<Lesson> parseLesson(const std::string& json, const std::string& name);
Result<Lesson> readLesson(const std::string& path);
// The canonical JSON of a lesson; parseLesson(lessonToJson(l)) == l.
std::string lessonToJson(const Lesson& l);

// What needs the model: every slide's interventions parse against it (layers and heads in
// range, no-causal-mask refused: lessons decode token by token) and its head is in range
// for the stack of its step (or of the model when given by index).
Status checkLesson(const Lesson& l, const Config& c, const std::string& name);

// Every quiz question a slide asks is one of `knownIds` (the ids of quiz.json, which the
// caller reads: core holds no prose): "slide 4: unknown quiz question 'heads2'".
Status checkQuizQuestions(const Lesson& l, const std::vector<std::string>& knownIds, const std::string& name);

// The decode options of slide i: the lesson's decoding and the slide's interventions.
Result<DecodeOptions> slideOptions(const Lesson& l, size_t slide, const Config& c);

// A step's id: STACK[.L.SUB].STAGE[@T], e.g. "encoder.source_tokens",
// "encoder.0.self_attn.weights", "decoder.1.cross_attn.weights@2", "decoder.0.ffn.add_norm@0",
// "decoder.probabilities@3". L and T are 0-based (T = the decoding step, the row of every
// decoder tensor); SUB is self_attn, cross_attn or ffn; STAGE as in steps.json's keys.
std::string stepId(const Step& s);
// Whether `id` has the syntax of a step id (not whether a walk has it).
bool isStepIdSyntax(const std::string& id);

// The fine index of slide's step in `steps` (the walk of the slide's translation), and
// that its question can be asked there: errors "slide 2: unknown step
// 'decoder.0.cross_attn.weights@9' (this translation has 4 decoding steps, 0 to 3)".
Result<int> resolveSlideStep(const LessonSlide& slide, size_t index, const std::vector<Step>& steps,
                             const std::string& name);

}  // namespace sf
