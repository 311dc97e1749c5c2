// libFuzzer target: lesson files (core/run/lesson.h) on arbitrary text.
//
// parseLesson must refuse bad input with a message that starts with the file's name, never
// crash, throw or allocate anything sized by the input's numbers. A lesson it accepts must
// survive a write/read round trip through lessonToJson unchanged, and each slide's step
// id (when given by id) must have the step-id syntax.
#include "core/run/lesson.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

void check(bool ok)
{
    if (!ok) std::abort();
}

bool sameSlide(const sf::LessonSlide& a, const sf::LessonSlide& b)
{
    return a.stepIndex == b.stepIndex && a.stepId == b.stepId && a.coarse == b.coarse &&
           a.interventions == b.interventions && a.head == b.head && a.note == b.note && a.question == b.question;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    sf::Result<sf::Lesson> lesson = sf::parseLesson(text, "fuzz");
    if (!lesson) {
        check(lesson.message().rfind("fuzz: ", 0) == 0);
        return 0;
    }
    const sf::Lesson& l = *lesson;
    check(!l.slides.empty() && l.slides.size() <= sf::kMaxLessonSlides);
    check(!l.title.in("en").empty() || l.title.byLanguage.count("en"));
    for (const sf::LessonSlide& s : l.slides) {
        check((s.stepIndex >= 0) != !s.stepId.empty());
        if (!s.stepId.empty()) check(sf::isStepIdSyntax(s.stepId));
    }
    sf::Result<sf::Lesson> again = sf::parseLesson(sf::lessonToJson(l), "fuzz");
    check(again.ok());
    check(again->title == l.title && again->model == l.model && again->sentence == l.sentence &&
          again->slides.size() == l.slides.size());
    check(std::string(sf::strategyName(again->decoding)) == sf::strategyName(l.decoding));
    for (size_t i = 0; i < l.slides.size(); ++i) check(sameSlide(l.slides[i], again->slides[i]));
    return 0;
}
