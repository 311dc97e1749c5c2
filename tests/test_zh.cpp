// The English<->Chinese toy grammar (measure words, 的, locative word order, 不/没, 很,
// alignments worked out by hand, both directions, round trips, the split), SentencePiece
// on unspaced Chinese, the chat dialogue set, and the text-task byte maps.
#include "core/text/chat.h"
#include "core/text/text_task.h"
#include "core/text/tokenizer.h"
#include "core/text/zh_grammar.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace sf::text;
using Links = std::vector<std::pair<int, int>>;

namespace {

const std::string kLexicon = std::string(SF_SOURCE_DIR) + "/resources/lexicon/en-zh.json";
const std::string kChat = std::string(SF_SOURCE_DIR) + "/resources/lexicon/chat.json";

const ZhGrammar& enZh() {
    static const auto loaded = ZhGrammar::load(kLexicon, ZhDirection::EnZh);
    INFO(loaded.message());
    REQUIRE(loaded.ok());
    return *loaded;
}
const ZhGrammar& zhEn() {
    static const ZhGrammar g = enZh().reversed();
    return g;
}

size_t wordCount(const std::string& text) {
    std::istringstream in(text);
    size_t n = 0;
    for (std::string w; in >> w;) ++n;
    return n;
}

SentencePair toZh(const std::string& english) {
    auto p = enZh().translate(english);
    INFO(english << ": " << p.message());
    REQUIRE(p.ok());
    return *p;
}
std::string zh(const std::string& english) { return ZhGrammar::surface(toZh(english).target); }
std::string en(const std::string& chinese) {
    auto p = zhEn().translate(chinese);
    INFO(chinese << ": " << p.message());
    REQUIRE(p.ok());
    return p->target;
}
std::string failure(const ZhGrammar& g, const std::string& text) {
    auto p = g.translate(text);
    REQUIRE_FALSE(p.ok());
    return p.message();
}

// Indices in range, sorted, no duplicates, every word of both sides linked.
void checkAlignment(const SentencePair& p) {
    INFO(p.source << " / " << p.target);
    const int S = int(wordCount(p.source)), T = int(wordCount(p.target));
    std::vector<int> perTarget(size_t(T), 0), perSource(size_t(S), 0);
    for (const auto& [t, s] : p.alignment) {
        REQUIRE(t >= 0);
        REQUIRE(t < T);
        REQUIRE(s >= 0);
        REQUIRE(s < S);
        ++perTarget[size_t(t)], ++perSource[size_t(s)];
    }
    REQUIRE(std::is_sorted(p.alignment.begin(), p.alignment.end()));
    REQUIRE(std::adjacent_find(p.alignment.begin(), p.alignment.end()) == p.alignment.end());
    for (int n : perTarget) CHECK(n > 0);
    for (int n : perSource) CHECK(n > 0);
}

}  // namespace

TEST_CASE("zh grammar: the explainers' examples", "[zh]") {
    CHECK(zh("i am a student") == "我是一名学生");
    CHECK(zh("i like cats") == "我喜欢猫");
    CHECK(zh("i love you") == "我爱你");
    CHECK(zh("he is happy") == "他很高兴");
    CHECK(zh("the cat is on the table") == "猫在桌子上");
    CHECK(zh("i eat rice at home") == "我在家吃饭");
    CHECK(en("我爱你") == "i love you");
    CHECK(en("我是一名学生") == "i am a student");
    CHECK(en("我喜欢猫") == "i like cats");
}

TEST_CASE("zh grammar: measure words", "[zh]") {
    CHECK(zh("a student sings") == "一名学生唱歌");
    CHECK(zh("i have a cat") == "我有一只猫");
    CHECK(zh("she buys a book") == "她买一本书");
    CHECK(zh("he has two dogs") == "他有两只狗");
    CHECK(zh("we see three birds") == "我们看见三只鸟");
    CHECK(zh("this book is new") == "这本书很新");
    CHECK(zh("that car is red") == "那辆车是红色的");
    CHECK(zh("i buy an apple") == "我买一个苹果");  // "an" before a vowel
    CHECK(zh("the cat is under that chair") == "猫在那把椅子下");
    // The measure word belongs to the noun: a wrong one is refused, naming what it would be.
    const std::string m = failure(zhEn(), "我有一本猫");
    CHECK(m.find("我有一只猫") != std::string::npos);
}

TEST_CASE("zh grammar: 的 after two-character adjectives, none after one-character ones", "[zh]") {
    CHECK(zh("a black cat sleeps") == "一只黑色的猫睡觉");
    CHECK(zh("a big dog runs") == "一只大狗跑步");
    CHECK(zh("i read my new book") == "我看我的新书");
    CHECK(zh("the happy teacher works") == "高兴的老师工作");
    CHECK(zh("the cat is black") == "猫是黑色的");  // colour predicate: 是…的, not 很
    CHECK(en("一只大狗跑步") == "a big dog runs");
    CHECK_FALSE(zhEn().translate("一只大的狗跑步").ok());
    CHECK_FALSE(zhEn().translate("一只黑色猫睡觉").ok());
}

TEST_CASE("zh grammar: locatives and time words move before the verb", "[zh]") {
    CHECK(zh("the cat sleeps on the bed") == "猫在床上睡觉");
    CHECK(zh("the book is in the box") == "书在盒子里");
    CHECK(zh("the dog is under the table") == "狗在桌子下");
    CHECK(zh("she is at school") == "她在学校");
    CHECK(zh("i drink tea every day") == "我每天喝茶");
    CHECK(zh("we study at school in the morning") == "我们早上在学校学习");
    CHECK(zh("two students read books in the park") == "两名学生在公园里看书");
    CHECK(zh("i want to eat rice at home") == "我想在家吃饭");
    CHECK(en("猫在床上睡觉") == "the cat sleeps on the bed");
    CHECK(en("我们早上在学校学习") == "we study at school in the morning");
    // A locative or time word in the English place is not Chinese of the grammar.
    CHECK_FALSE(zhEn().translate("我吃饭在家").ok());
}

TEST_CASE("zh grammar: 不 and 没 negation, 很 drops", "[zh]") {
    CHECK(zh("he is not happy") == "他不高兴");
    CHECK(zh("i do not like cats") == "我不喜欢猫");
    CHECK(zh("she does not eat rice at home today") == "她今天不在家吃饭");
    CHECK(zh("i do not have a cat") == "我没有猫");  // 没 with 有; a negated "a N" loses 一只
    CHECK(zh("i do not see a dog") == "我没看见狗");
    CHECK(zh("i am not a student") == "我不是学生");
    CHECK(zh("the cat is not on the table") == "猫不在桌子上");
    CHECK(zh("the cat is not black") == "猫不是黑色的");
    CHECK(zh("he does not want to have a cat") == "他不想有猫");
    CHECK(en("我没有猫") == "i do not have a cat");
    CHECK(en("他不高兴") == "he is not happy");
    CHECK_FALSE(zhEn().translate("我不有猫").ok());      // 有 takes 没
    CHECK_FALSE(zhEn().translate("我没喜欢猫").ok());    // 没 only with 有 and 看见
    CHECK_FALSE(zhEn().translate("他不很高兴").ok());
    CHECK_FALSE(enZh().translate("i do not like a cat").ok());  // the plural says it
}

TEST_CASE("zh grammar: pronouns, possessives, plurals", "[zh]") {
    CHECK(zh("we are students") == "我们是学生");
    CHECK(zh("they love her") == "他们爱她");
    CHECK(zh("her cat likes him") == "她的猫喜欢他");
    CHECK(zh("our teacher knows them") == "我们的老师认识他们");
    CHECK(en("她的猫喜欢他") == "her cat likes him");
    CHECK(en("他们爱她") == "they love her");
    // A definite plural exists for people only, with 们.
    CHECK(zh("the children are at school") == "孩子们在学校");
    CHECK(zh("the teachers are happy") == "老师们很高兴");
    CHECK(zh("her children like apples") == "她的孩子们喜欢苹果");
    CHECK(en("我认识你的朋友们") == "i know your friends");
    CHECK(failure(enZh(), "the cats sleep").find("'cats'") != std::string::npos);
    CHECK_FALSE(zhEn().translate("猫们睡觉").ok());
    CHECK_FALSE(zhEn().translate("两名学生们唱歌").ok());
}

TEST_CASE("zh grammar: alignments worked out by hand", "[zh]") {
    SECTION("i am a student") {
        const SentencePair p = toZh("i am a student");
        CHECK(p.target == "我 是 一名 学生");
        CHECK(p.alignment == Links{{0, 0}, {1, 1}, {2, 2}, {3, 3}});
    }
    SECTION("the locative moves before the verb") {
        const SentencePair p = toZh("i eat rice at home");
        CHECK(p.target == "我 在 家 吃 饭");
        CHECK(p.alignment == Links{{0, 0}, {1, 3}, {2, 4}, {3, 1}, {4, 2}});
    }
    SECTION("在 … 上 both stand for 'on'; 在 also for 'is'; 'the' goes with its noun") {
        const SentencePair p = toZh("the cat is on the table");
        CHECK(p.target == "猫 在 桌子 上");
        CHECK(p.alignment == Links{{0, 0}, {0, 1}, {1, 2}, {1, 3}, {2, 4}, {2, 5}, {3, 3}});
    }
    SECTION("的 goes with its adjective, 一只 with 'a'") {
        const SentencePair p = toZh("a black cat sleeps");
        CHECK(p.target == "一只 黑色 的 猫 睡觉");
        CHECK(p.alignment == Links{{0, 0}, {1, 1}, {2, 1}, {3, 2}, {4, 3}});
    }
    SECTION("不 stands for 'is not'; 很 for 'is'") {
        CHECK(toZh("he is not happy").alignment == Links{{0, 0}, {1, 1}, {1, 2}, {2, 3}});
        CHECK(toZh("he is happy").alignment == Links{{0, 0}, {1, 1}, {2, 2}});
    }
    SECTION("zh-en: the same links, sides swapped") {
        auto p = zhEn().translate("我 在 家 吃 饭");  // spaces in the input are ignored
        REQUIRE(p.ok());
        CHECK(p->source == "我 在 家 吃 饭");
        CHECK(p->target == "i eat rice at home");
        CHECK(p->alignment == Links{{0, 0}, {1, 3}, {2, 4}, {3, 1}, {4, 2}});
    }
}

TEST_CASE("zh grammar: text outside the grammar fails naming the word", "[zh]") {
    CHECK(failure(enZh(), "i like milks").find("'milks' is not a word") != std::string::npos);
    CHECK(failure(zhEn(), "我们喜欢狗们").find("'们'") != std::string::npos);
    CHECK(failure(zhEn(), "我是学生").find("我是一名学生") != std::string::npos);  // it would read
    CHECK(failure(enZh(), "cats sleep").find("'cats'") != std::string::npos);
    CHECK(failure(enZh(), "the cat sleeps the bed").find("'the'") != std::string::npos);
    CHECK_FALSE(enZh().translate("").ok());
    CHECK_FALSE(zhEn().translate("   ").ok());
}

TEST_CASE("zh grammar: generated sentences parse back, both directions", "[zh]") {
    const auto pairs = enZh().generate(3000, 42);
    for (const SentencePair& p : pairs) {
        checkAlignment(p);
        auto back = enZh().translate(p.source);
        INFO(p.source << ": " << back.message());
        REQUIRE(back.ok());
        CHECK(back->target == p.target);
        CHECK(back->alignment == p.alignment);
        auto rev = zhEn().translate(ZhGrammar::surface(p.target));
        INFO(p.target << ": " << rev.message());
        REQUIRE(rev.ok());
        CHECK(rev->target == p.source);
        checkAlignment(*rev);
    }
    // zh-en samples are the en-zh samples with sides swapped.
    const auto reversed = zhEn().generate(50, 42);
    for (size_t i = 0; i < reversed.size(); ++i) {
        CHECK(reversed[i].source == pairs[i].target);
        CHECK(reversed[i].target == pairs[i].source);
    }
}

TEST_CASE("zh grammar: the split holds out the same English sentences in both directions", "[zh]") {
    auto a = enZh().split(2000, 300, 5);
    auto b = zhEn().split(2000, 300, 5);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    std::set<std::string> train;
    for (const auto& p : a->train) train.insert(p.source);
    CHECK(train.size() == a->train.size());
    for (const auto& p : a->test) CHECK(train.count(p.source) == 0);
    for (size_t i = 0; i < a->test.size(); ++i) CHECK(b->test[i].target == a->test[i].source);
    // A different seed draws other sentences but never a test sentence for training.
    auto c = enZh().split(0, 300, 6);
    REQUIRE(c.ok());
    for (const auto& p : c->test) CHECK(train.count(p.source) == 0);
}

TEST_CASE("zh grammar: lexicon errors name the file and the entry", "[zh]") {
    const fs::path dir = fs::path(SF_BUILD_DIR) / ("test_zh_tmp_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string path = (dir / "bad.json").string();
    {
        std::ofstream(path) << R"({"pronouns": [{"en": "i"}]})";
    }
    auto g = ZhGrammar::load(path);
    REQUIRE_FALSE(g.ok());
    CHECK(g.message().find("bad.json: pronouns[0]: missing string 'obj'") != std::string::npos);
    fs::remove_all(dir);
    CHECK_FALSE(ZhGrammar::load("/nonexistent/en-zh.json").ok());
}

TEST_CASE("zh tokenizer: SentencePiece on unspaced Chinese gives back the exact text", "[zh]") {
    // English words stay whole next to Chinese pieces of one or more characters.
    const fs::path dir = fs::path(SF_BUILD_DIR) / ("test_zh_spm_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::vector<std::string> lines;
    for (const SentencePair& p : enZh().generate(3000, 9)) lines.push_back(p.source), lines.push_back(enZh().targetText(p));
    SpmTrainOptions o;  // as `train --task en-zh` trains it (app/cli_text_tasks.cpp)
    o.vocabSize = 800;
    o.hardVocabLimit = false;
    o.modelType = "bpe";
    const std::string prefix = (dir / "spm").string();
    REQUIRE(trainSentencePiece(lines, prefix, o).ok());
    auto tok = Tokenizer::load({prefix + ".model", prefix + ".model", ""}, SpecialIds{});
    REQUIRE(tok.ok());
    for (const std::string text : {"我是一名学生", "我爱你", "一只黑色的猫在桌子上睡觉", "他们今天不在家吃饭"}) {
        const Encoded e = (*tok)->encodeSource(text);
        INFO(text);
        CHECK(e.ids.back() == 3);
        for (int id : e.ids) CHECK(id != 1);  // no <unk>: every character was in the text
        CHECK((*tok)->decodeTarget(e.ids) == text);
        // The offsets tile the text: each piece starts where the last ended, on a character.
        int at = 0;
        for (size_t i = 0; i + 1 < e.ids.size(); ++i) {
            CHECK(e.offsets[i].first == at);
            at = e.offsets[i].second;
        }
        CHECK(at == int(text.size()));
    }
    // A piece may hold several characters: some learned piece is longer than one.
    bool multi = false;
    for (int id = 4; id < (*tok)->sourceVocabSize() && !multi; ++id) {
        const std::string piece = (*tok)->sourcePiece(id);
        multi = piece.size() >= 6 && static_cast<unsigned char>(piece.back()) >= 0x80 &&
                piece.find("\xE2\x96\x81") == std::string::npos;
    }
    CHECK(multi);
    const Encoded e = (*tok)->encodeSource("she does not eat rice at home today");
    std::vector<std::string> expected;
    for (const char* w : {"she", "does", "not", "eat", "rice", "at", "home", "today"})
        expected.push_back(std::string("\xE2\x96\x81") + w);  // "▁" + word
    expected.push_back("</s>");
    CHECK(e.pieces == expected);
    fs::remove_all(dir);
}

TEST_CASE("zh text tasks: unspaced model text with a segment for every byte", "[zh]") {
    CHECK(segmentOfByte("我 是 一名") == std::vector<int>{0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2});
    CHECK(spacedWordOfByte("i am") == std::vector<int>{0, 1, 1, 1});
    auto s = zhTaskSplit("en-zh", kLexicon, 200, 50, 3);
    REQUIRE(s.ok());
    for (const TextExample& e : s->train) {
        CHECK(e.target.find(' ') == std::string::npos);
        CHECK(e.targetWordOfByte.size() == e.target.size());
        CHECK(e.sourceWordOfByte.size() == e.source.size());
    }
    auto r = zhTaskSplit("zh-en", kLexicon, 200, 50, 3);
    REQUIRE(r.ok());
    CHECK(r->test[0].source == s->test[0].target);
    CHECK(r->test[0].target == s->test[0].source);
    auto chat = zhTaskSplit("chat", kChat, 100, 10, 3);
    REQUIRE(chat.ok());
    CHECK(chat->train.size() == 100);
    CHECK_FALSE(zhTaskSplit("en-de", kLexicon, 1, 1, 1).ok());
}

TEST_CASE("chat: greetings and small talk, one reply per prompt", "[zh][chat]") {
    auto set = ChatSet::load(kChat);
    INFO(set.message());
    REQUIRE(set.ok());
    CHECK(set->reply("hi how are you").value() == "i am fine");
    CHECK(set->reply("你好你好吗").value() == "我很好");
    CHECK(set->reply("你好，你好吗？").value() == "我很好");
    CHECK(set->reply("good morning").value() == "good morning");
    CHECK(set->reply("thank you").value() == "you are welcome");
    CHECK(set->reply("hello, what is your name?").value() == "my name is step");
    CHECK(set->reply("my name is anna").value() == "nice to meet you anna");
    CHECK(set->reply("嗨，我叫李华").value() == "很高兴认识你李华");
    CHECK(set->reply("谢谢").value() == "不客气");
    CHECK(set->reply("再见！").value() == "再见");
    CHECK_FALSE(set->reply("what is the weather like").ok());
    std::set<std::string> prompts;
    for (const auto& p : set->all()) prompts.insert(p.source);
    CHECK(prompts.size() == set->all().size());

    auto split = set->split(0, 1000, 1);
    REQUIRE(split.ok());
    CHECK(split->test.size() == 1000);
    std::set<std::string> train;
    for (const auto& p : split->train) train.insert(p.source);
    for (const auto& p : split->test) CHECK(train.count(p.source) == 0);
    CHECK(split->train.size() + split->test.size() <= set->all().size());
    CHECK_FALSE(set->split(0, set->all().size(), 1).ok());
}

TEST_CASE("zh grammar and chat: the anchors are always trained on, never held out", "[zh]") {
    const auto anchors = enZh().anchors();
    REQUIRE(anchors.size() >= 5);
    CHECK(anchors[0].source == "i am a student");
    CHECK(ZhGrammar::surface(anchors[0].target) == "我是一名学生");
    CHECK(zhEn().anchors()[2].source == "我 爱 你");
    auto s = zhEn().split(500, 2000, 1);
    REQUIRE(s.ok());
    std::set<std::string> test;
    for (const auto& p : s->test) test.insert(p.source);
    for (size_t i = 0; i < zhEn().anchors().size(); ++i) {
        CHECK(s->train[i].source == zhEn().anchors()[i].source);
        CHECK(test.count(zhEn().anchors()[i].source) == 0);
    }
    auto eval = enZh().split(0, 2000, 12345);  // eval's draw: still no anchor
    REQUIRE(eval.ok());
    for (const auto& p : eval->test)
        for (const auto& a : anchors) CHECK(p.source != a.source);

    auto chat = ChatSet::load(kChat);
    REQUIRE(chat.ok());
    REQUIRE(chat->anchors().size() >= 2);
    CHECK(chat->anchors()[0].source == "hi how are you");
    CHECK(chat->anchors()[1].target == "我很好");
    auto cs = chat->split(100, 1000, 1);
    REQUIRE(cs.ok());
    std::set<std::string> first, anchorSet;  // the anchors lead the training side (in the set's order)
    for (size_t i = 0; i < chat->anchors().size(); ++i)
        first.insert(cs->train[i].source), anchorSet.insert(chat->anchors()[i].source);
    CHECK(first == anchorSet);
    for (const auto& p : cs->test)
        for (const auto& a : chat->anchors()) CHECK(p.source != a.source);
}
