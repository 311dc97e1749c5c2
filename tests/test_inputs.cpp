// Whatever text a user types, the bundled model translates it or says why: empty and
// whitespace (refused), very long (truncated with a warning), invalid UTF-8, emoji, CJK, control
// characters. Never a crash.
#include "core/model/model.h"
#include "core/run/session.h"

#include <catch2/catch.hpp>

using namespace sf;

TEST_CASE("hostile input text never crashes the bundled model", "[inputs]")
{
    auto model = Model::load(std::string(SF_SOURCE_DIR) + "/resources/models/en-fr");
    INFO(model.message());
    REQUIRE(model.ok());
    std::string longText;
    while (longText.size() < 10000) longText += "the little black cat sleeps ";
    // Empty and blank sentences are refused (test_truth.cpp); everything else translates.
    for (const std::string& blank : {std::string(), std::string("   \t  ")}) {
        Session s(*model);
        CHECK_FALSE(s.setSourceText(blank).ok());
    }
    const std::vector<std::string> texts = {
        longText, std::string("\xff\xfe\x80 the cat \xc3\x28 sleeps"), "the cat \xF0\x9F\x90\xB1 sleeps",
        "\xE7\x8C\xAB\xE3\x81\x8C\xE5\xAF\x9D\xE3\x82\x8B", std::string("\x01\x02\x1b[31m the\r\ncat\0 sleeps", 24),
        "THE CAT SLEEPS", "i am a student"};
    for (const std::string& text : texts) {
        INFO("text of " << text.size() << " bytes");
        Session s(*model);
        REQUIRE(s.setSourceText(text).ok());
        DecodeOptions o;
        o.maxLength = 12;
        auto t = s.translate(o);
        REQUIRE(t.ok());
        CHECK(t->sourceIds.back() == (*model)->config().eosId);
        CHECK(t->sourceIds.size() == t->sourcePieces.size());
        CHECK(int(t->sourceIds.size()) <= (*model)->config().maxPositions);
        CHECK(t->outputIds.size() <= 12u);
        if (text.size() >= 10000) {
            REQUIRE(t->warnings.size() == 1);
            CHECK(t->warnings[0].key == "warnings.source_truncated");
            REQUIRE(t->warnings[0].find("max"));
            CHECK(t->warnings[0].find("max")->value == 128);
            CHECK(int(t->sourceIds.size()) == 128);
        } else {
            CHECK(t->warnings.empty());
        }
    }
    // The bundled model knows this one.
    Session s(*model);
    REQUIRE(s.setSourceText("i am a student").ok());
    CHECK(s.translate()->outputText == "je suis étudiant");
}
