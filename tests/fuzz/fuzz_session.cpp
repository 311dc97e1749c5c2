// libFuzzer target: session files (docs/session-files.md) on arbitrary text.
//
// parseSessionFile must refuse bad input with a message that starts with the file's name,
// never crash or throw. What it accepts must survive a write/read round trip through
// sessionFileToJson unchanged, and sessionOptions against a small model either refuses it
// with a message naming the file or gives options whose interventions are in range.
#include "core/run/session_file.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

void check(bool ok)
{
    if (!ok) std::abort();
}

bool sameStrategy(const sf::Strategy& a, const sf::Strategy& b)
{
    if (a.index() != b.index()) return false;
    if (const auto* x = std::get_if<sf::Beam>(&a)) {
        const auto& y = std::get<sf::Beam>(b);
        return x->width == y.width && x->lengthPenalty == y.lengthPenalty;
    }
    if (const auto* x = std::get_if<sf::Sampling>(&a)) {
        const auto& y = std::get<sf::Sampling>(b);
        return x->temperature == y.temperature && x->topK == y.topK && x->topP == y.topP && x->seed == y.seed;
    }
    if (const auto* x = std::get_if<sf::Forced>(&a)) return x->targetIds == std::get<sf::Forced>(b).targetIds;
    return true;
}

bool same(const sf::SessionFile& a, const sf::SessionFile& b)
{
    return a.model == b.model && a.sentence == b.sentence && sameStrategy(a.decoding, b.decoding) &&
           a.minLength == b.minLength && a.maxLength == b.maxLength && a.interventions == b.interventions &&
           a.step == b.step && a.coarse == b.coarse && a.view == b.view && a.difference == b.difference;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    sf::Result<sf::SessionFile> s = sf::parseSessionFile(text, "fuzz.json");
    if (!s) {
        check(s.message().rfind("fuzz.json: ", 0) == 0);
        return 0;
    }
    check(!s->model.empty() && s->step >= 0);
    sf::Result<sf::SessionFile> again = sf::parseSessionFile(sf::sessionFileToJson(*s), "fuzz.json");
    check(again.ok() && same(*s, *again));

    // The bundled models' shape: 3 + 3 layers of 4 heads, 1000 tokens.
    sf::Config c;
    c.dModel = 64;
    c.encoderLayers = c.decoderLayers = 3;
    c.encoderHeads = c.decoderHeads = 4;
    c.vocabSize = 1000;
    sf::Result<sf::DecodeOptions> o = sf::sessionOptions(*s, c, "fuzz.json");
    if (!o) {
        check(o.message().rfind("fuzz.json: ", 0) == 0);
        return 0;
    }
    for (const sf::HeadRef& h : o->interventions.ablated) check(h.layer >= 0 && h.layer < 3 && h.head >= 0 && h.head < 4);
    check(o->interventions.specs() == s->interventions);
    return 0;
}
