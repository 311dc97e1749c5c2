// Corpus tests: the English->French toy grammar (exact translations, agreement, elision,
// contractions, gold alignments, determinism, train/test split, size of the sentence
// space), lexicon load errors, the algorithmic tasks, and corpus BLEU against values
// worked out by hand.
#include "core/text/bleu.h"
#include "core/text/corpus.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace sf::text;

namespace {

const std::string kLexicon = std::string(SF_SOURCE_DIR) + "/resources/lexicon/en-fr.json";

const EnFrGrammar& grammar() {
    static const auto loaded = EnFrGrammar::load(kLexicon);
    INFO(loaded.message());
    REQUIRE(loaded.ok());
    return *loaded;
}

std::vector<std::string> words(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

SentencePair translated(const std::string& english) {
    auto pair = grammar().translate(english);
    INFO(english << ": " << pair.message());
    REQUIRE(pair.ok());
    return *pair;
}

// Indices in range, sorted without duplicates, every French word aligned.
void checkAlignment(const SentencePair& p) {
    INFO(p.source << " / " << p.target);
    const int sourceWords = static_cast<int>(words(p.source).size());
    const int targetWords = static_cast<int>(words(p.target).size());
    std::vector<int> linksPerTarget(static_cast<size_t>(targetWords), 0);
    for (const auto& [t, s] : p.alignment) {
        REQUIRE(t >= 0);
        REQUIRE(t < targetWords);
        REQUIRE(s >= 0);
        REQUIRE(s < sourceWords);
        ++linksPerTarget[static_cast<size_t>(t)];
    }
    CHECK(std::is_sorted(p.alignment.begin(), p.alignment.end()));
    CHECK(std::adjacent_find(p.alignment.begin(), p.alignment.end()) == p.alignment.end());
    for (int t = 0; t < targetWords; ++t) {
        INFO("target word " << t << " (" << words(p.target)[static_cast<size_t>(t)] << ")");
        CHECK(linksPerTarget[static_cast<size_t>(t)] > 0);
    }
}

// The alignment as "french:english english" strings, for readable comparisons.
std::vector<std::string> readableAlignment(const SentencePair& p) {
    const auto en = words(p.source), fr = words(p.target);
    std::vector<std::string> out(fr);
    std::vector<bool> first(fr.size(), true);
    for (const auto& [t, s] : p.alignment) {
        out[static_cast<size_t>(t)] += (first[static_cast<size_t>(t)] ? ":" : " ") + en[static_cast<size_t>(s)];
        first[static_cast<size_t>(t)] = false;
    }
    return out;
}

struct TempDir {
    fs::path path = fs::path(SF_BUILD_DIR) / "test_corpus_tmp" / std::to_string(::getpid());
    TempDir() { fs::create_directories(path); }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::string writeFile(const TempDir& dir, const std::string& name, const std::string& bytes) {
    const std::string path = (dir.path / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

nlohmann::json lexiconJson() {
    std::ifstream in(kLexicon);
    return nlohmann::json::parse(in);
}

}  // namespace

// ---------------------------------------------------------------- grammar: exact output

TEST_CASE("the two required example pairs come out exactly", "[corpus]") {
    CHECK(translated("i am a student").target == "je suis étudiant");
    CHECK(translated("the little black cat sleeps on the red chair").target ==
          "le petit chat noir dort sur la chaise rouge");
}

TEST_CASE("agreement, elision, contraction and negation", "[corpus]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        // gender and number, adjectives before / after the noun
        {"the little girl sleeps", "la petite fille dort"},
        {"the little black cows sleep", "les petites vaches noires dorment"},
        {"the happy little cat sleeps", "le petit chat heureux dort"},
        {"the white house is big", "la maison blanche est grande"},
        {"the horses eat", "les chevaux mangent"},
        {"the beautiful bird sings", "le bel oiseau chante"},
        {"the beautiful birds sing", "les beaux oiseaux chantent"},
        {"the old man sleeps", "le vieil homme dort"},
        {"the old woman sleeps", "la vieille femme dort"},
        {"the old men sleep", "les vieux hommes dorment"},
        {"some little cats sleep", "de petits chats dorment"},
        // elision and vowel forms of determiners
        {"the man sleeps", "l'homme dort"},
        {"this bird sings", "cet oiseau chante"},
        {"this house is red", "cette maison est rouge"},
        {"these cats play", "ces chats jouent"},
        {"my school is big", "mon école est grande"},
        {"his school is big", "son école est grande"},
        {"her little school is red", "sa petite école est rouge"},
        {"an elephant drinks the water", "un éléphant boit l'eau"},
        {"i like the apple", "j'aime la pomme"},
        // contractions
        {"he goes to the park", "il va au parc"},
        {"she comes from the park", "elle vient du parc"},
        {"we go to school", "nous allons à l'école"},
        {"the woman speaks to the children", "la femme parle aux enfants"},
        {"the children come from the gardens", "les enfants viennent des jardins"},
        {"the boy sleeps near the house", "le garçon dort près de la maison"},
        {"the boy sleeps near the park", "le garçon dort près du parc"},
        {"the cat sleeps near a tree", "le chat dort près d'un arbre"},
        {"the cat sleeps near some trees", "le chat dort près d'arbres"},
        // negation
        {"i do not like the apple", "je n'aime pas la pomme"},
        {"he does not sleep", "il ne dort pas"},
        {"the cat does not sleep", "le chat ne dort pas"},
        {"the cat is not black", "le chat n'est pas noir"},
        {"i do not have a cat", "je n'ai pas de chat"},
        {"he does not eat an orange", "il ne mange pas d'orange"},
        {"we do not have any cats", "nous n'avons pas de chats"},
        {"i do not want to eat an apple", "je ne veux pas manger de pomme"},
        {"you are not a student", "tu n'es pas étudiant"},
        {"the cat cannot sleep", "le chat ne peut pas dormir"},
        // verbs for all persons
        {"we eat", "nous mangeons"},
        {"they finish the book", "ils finissent le livre"},
        {"you are a doctor", "tu es médecin"},
        {"i have a dog", "j'ai un chien"},
        {"she is a teacher", "elle est professeure"},
        {"she wants to go to the park", "elle veut aller au parc"},
        {"the boy looks for the ball", "le garçon cherche le ballon"},
        {"the dog is under the table", "le chien est sous la table"},
    };
    for (const auto& [english, french] : cases) {
        const auto pair = translated(english);
        INFO(english);
        CHECK(pair.target == french);
        CHECK(pair.source == english);
        checkAlignment(pair);
    }
}

TEST_CASE("they reads as ils and as elles", "[corpus]") {
    auto readings = grammar().translations("they are happy");
    REQUIRE(readings.ok());
    REQUIRE(readings->size() == 2);
    CHECK((*readings)[0].target == "ils sont heureux");
    CHECK((*readings)[1].target == "elles sont heureuses");
    CHECK(translated("they are happy").target == "ils sont heureux");

    readings = grammar().translations("they are teachers");
    REQUIRE(readings.ok());
    REQUIRE(readings->size() == 2);
    CHECK((*readings)[1].target == "elles sont professeures");

    readings = grammar().translations("she sleeps");
    REQUIRE(readings.ok());
    CHECK(readings->size() == 1);
}

TEST_CASE("generated data uses the generic ils for they: no coin flips to learn", "[corpus]") {
    int they = 0;
    for (const SentencePair& p : grammar().generate(5000, 3)) {
        const bool subjectThey = p.source.rfind("they ", 0) == 0;
        they += subjectThey;
        INFO(p.source << " -> " << p.target);
        CHECK(p.target.rfind("elles ", 0) != 0);
        if (subjectThey) CHECK(p.target.rfind("ils ", 0) == 0);
    }
    CHECK(they > 100);
}

TEST_CASE("gold alignments follow the documented convention", "[corpus]") {
    const auto cat = translated("the little black cat sleeps");
    CHECK(cat.target == "le petit chat noir dort");
    // le->the petit->little chat->cat noir->black dort->sleeps
    const std::vector<std::pair<int, int>> expected = {{0, 0}, {1, 1}, {2, 3}, {3, 2}, {4, 4}};
    CHECK(cat.alignment == expected);

    using V = std::vector<std::string>;
    CHECK(readableAlignment(translated("the man sleeps")) == V{"l'homme:the man", "dort:sleeps"});
    CHECK(readableAlignment(translated("he goes to the park")) == V{"il:he", "va:goes", "au:to the", "parc:park"});
    CHECK(readableAlignment(translated("the cat does not sleep")) ==
          V{"le:the", "chat:cat", "ne:not", "dort:sleep", "pas:not"});
    CHECK(readableAlignment(translated("i do not like the apple")) ==
          V{"je:i", "n'aime:not like", "pas:not", "la:the", "pomme:apple"});
    CHECK(readableAlignment(translated("i am a student")) == V{"je:i", "suis:am", "étudiant:student"});
    CHECK(readableAlignment(translated("the boy sleeps near the park")) ==
          V{"le:the", "garçon:boy", "dort:sleeps", "près:near", "du:near the", "parc:park"});
    CHECK(readableAlignment(translated("the cat cannot eat an orange")) ==
          V{"le:the", "chat:cat", "ne:cannot", "peut:cannot", "pas:cannot", "manger:eat", "d'orange:an orange"});
    CHECK(readableAlignment(translated("the boy looks for the ball")) ==
          V{"le:the", "garçon:boy", "cherche:looks for", "le:the", "ballon:ball"});
    CHECK(readableAlignment(translated("i want to sleep")) == V{"je:i", "veux:want", "dormir:sleep"});
}

TEST_CASE("english outside the grammar is an error naming the word", "[corpus]") {
    auto unknown = grammar().translate("the cat flies");
    REQUIRE_FALSE(unknown.ok());
    CHECK_THAT(unknown.message(), Catch::Contains("'flies'"));

    auto agreement = grammar().translate("the cats sleeps");
    REQUIRE_FALSE(agreement.ok());
    CHECK_THAT(agreement.message(), Catch::Contains("the cats sleep"));

    auto order = grammar().translate("the black little cat sleeps");
    REQUIRE_FALSE(order.ok());
    CHECK_THAT(order.message(), Catch::Contains("the little black cat sleeps"));

    CHECK_FALSE(grammar().translate("we do not have some cats").ok());  // "any" after a negation
    CHECK_FALSE(grammar().translate("").ok());
    CHECK_FALSE(grammar().translate("the cat sleeps the dog").ok());
    CHECK_FALSE(grammar().translate("he goes").ok());
    CHECK_FALSE(grammar().translate("the").ok());
}

TEST_CASE("lexicon load errors name the file and the entry", "[corpus]") {
    const TempDir dir;
    auto missing = EnFrGrammar::load((dir.path / "absent.json").string());
    REQUIRE_FALSE(missing.ok());
    CHECK_THAT(missing.message(), Catch::Contains("absent.json: no such file"));

    const std::string broken = writeFile(dir, "broken.json", "{\"nouns\": [");
    auto notJson = EnFrGrammar::load(broken);
    REQUIRE_FALSE(notJson.ok());
    CHECK_THAT(notJson.message(), Catch::Contains("broken.json: not valid JSON"));

    auto lexicon = lexiconJson();
    lexicon["nouns"][3].erase("fr");
    auto noFr = EnFrGrammar::load(writeFile(dir, "nofr.json", lexicon.dump()));
    REQUIRE_FALSE(noFr.ok());
    CHECK_THAT(noFr.message(), Catch::Contains("nofr.json: nouns[3]: missing string 'fr'"));

    lexicon = lexiconJson();
    lexicon["adjectives"][0]["tags"].push_back("plantt");
    auto typo = EnFrGrammar::load(writeFile(dir, "typo.json", lexicon.dump()));
    REQUIRE_FALSE(typo.ok());
    CHECK_THAT(typo.message(), Catch::Contains("adjectives[0]: unknown tag 'plantt'"));

    lexicon = lexiconJson();
    lexicon["adjectives"][0]["en"] = "cat";
    auto clash = EnFrGrammar::load(writeFile(dir, "clash.json", lexicon.dump()));
    REQUIRE_FALSE(clash.ok());
    CHECK_THAT(clash.message(), Catch::Contains("english word 'cat'"));

    lexicon = lexiconJson();
    lexicon["verbs"][4]["fr"].erase(5);
    auto forms = EnFrGrammar::load(writeFile(dir, "forms.json", lexicon.dump()));
    REQUIRE_FALSE(forms.ok());
    CHECK_THAT(forms.message(), Catch::Contains("verbs[4]: 'fr' must list 6 forms"));
}

// ---------------------------------------------------------------- grammar: generation

TEST_CASE("generated pairs are well formed and parse back to themselves", "[corpus]") {
    const auto pairs = grammar().generate(3000, 7);
    REQUIRE(pairs.size() == 3000);
    size_t within3to12 = 0;
    for (const auto& p : pairs) {
        INFO(p.source << " / " << p.target);
        checkAlignment(p);
        CHECK(p.source == [&] {  // lowercase, single spaces, no punctuation
            std::string s;
            for (const auto& w : words(p.source)) s += (s.empty() ? "" : " ") + w;
            return s;
        }());
        CHECK(std::none_of(p.source.begin(), p.source.end(),
                           [](char c) { return std::isupper(static_cast<unsigned char>(c)) || c == '.'; }));
        const size_t n = words(p.source).size();
        within3to12 += n >= 3 && n <= 12;
        // The parser finds the same structure: one of its readings is this pair.
        const auto readings = grammar().translations(p.source);
        INFO(readings.message());
        REQUIRE(readings.ok());
        bool found = false;
        for (const auto& r : *readings)
            found = found || (r.target == p.target && r.alignment == p.alignment);
        CHECK(found);
    }
    CHECK(within3to12 >= pairs.size() * 85 / 100);
}

TEST_CASE("generation is deterministic for a seed", "[corpus]") {
    const auto a = grammar().generate(500, 42);
    const auto b = grammar().generate(500, 42);
    const auto c = grammar().generate(500, 43);
    REQUIRE(a.size() == b.size());
    bool same = true, differs = false;
    for (size_t i = 0; i < a.size(); ++i) {
        same = same && a[i].source == b[i].source && a[i].target == b[i].target && a[i].alignment == b[i].alignment;
        differs = differs || a[i].source != c[i].source;
    }
    CHECK(same);
    CHECK(differs);

    // The first sentence of seed 42 is pinned: a change to the sampler changes the
    // shipped model's training data, so it must be deliberate.
    std::mt19937_64 rng(42);
    const auto first = grammar().sample(rng);
    CHECK(first.source == a[0].source);
    CHECK(first.source == "is my egg with the tiger");
}

TEST_CASE("train and test sets share no sentence", "[corpus]") {
    const auto split = grammar().split(4000, 500, 1);
    INFO(split.message());
    REQUIRE(split.ok());
    REQUIRE(split->train.size() == 4000);
    REQUIRE(split->test.size() == 500);
    std::set<std::string> train;
    for (const auto& p : split->train) train.insert(p.source);
    CHECK(train.size() == 4000);  // no repeats inside the train side either
    std::set<std::string> test;
    for (const auto& p : split->test) {
        CHECK(train.count(p.source) == 0);
        test.insert(p.source);
    }
    CHECK(test.size() == 500);

    // Another seed's train side never contains this test side either.
    const auto other = grammar().split(4000, 10, 2);
    REQUIRE(other.ok());
    for (const auto& p : other->train) CHECK(test.count(p.source) == 0);

    const auto again = grammar().split(4000, 500, 1);
    REQUIRE(again.ok());
    CHECK(again->test.front().source == split->test.front().source);
    CHECK(again->train.back().source == split->train.back().source);
}

TEST_CASE("a tiny lexicon works, and a split larger than its grammar fails", "[corpus]") {
    const TempDir dir;
    const std::string tiny = writeFile(dir, "tiny.json", R"({
      "determiners": [
        {"kind": "definite", "en": "the", "en_pl": "the", "m": "le", "f": "la", "pl": "les"},
        {"kind": "indefinite", "en": "a", "en_pl": "some", "m": "un", "f": "une", "pl": "des"}],
      "pronouns": [{"en": "he", "fr": "il", "person": 3, "gender": "m"}],
      "prepositions": [],
      "nouns": [{"en": "cat", "en_pl": "cats", "fr": "chat", "fr_pl": "chats", "gender": "m", "tags": ["animal"]}],
      "verbs": [
        {"role": "copula", "en": "are", "en_3sg": "is", "inf": "être", "fr": ["suis", "es", "est", "sommes", "êtes", "sont"]},
        {"en": "sleep", "en_3sg": "sleeps", "inf": "dormir", "fr": ["dors", "dors", "dort", "dormons", "dormez", "dorment"],
         "subject": ["animal"], "intransitive": true}]})");
    const auto small = EnFrGrammar::load(tiny);
    INFO(small.message());
    REQUIRE(small.ok());
    std::set<std::string> all;
    for (const auto& p : small->generate(200, 1)) all.insert(p.source + " / " + p.target);
    // the|a x singular|plural x affirmative|negated
    CHECK(all == std::set<std::string>{"the cat sleeps / le chat dort", "the cats sleep / les chats dorment",
                                       "a cat sleeps / un chat dort", "some cats sleep / des chats dorment",
                                       "the cat does not sleep / le chat ne dort pas",
                                       "the cats do not sleep / les chats ne dorment pas",
                                       "a cat does not sleep / un chat ne dort pas",
                                       "some cats do not sleep / des chats ne dorment pas",
                                       // yes/no questions (never negated)
                                       "does the cat sleep / est-ce que le chat dort",
                                       "do the cats sleep / est-ce que les chats dorment",
                                       "does a cat sleep / est-ce qu'un chat dort",
                                       "do some cats sleep / est-ce que des chats dorment"});
    const auto tooBig = small->split(100, 10, 1);
    REQUIRE_FALSE(tooBig.ok());
    CHECK_THAT(tooBig.message(), Catch::Contains("tiny.json: only"));
}

TEST_CASE("the sentence space is large and the vocabulary small", "[corpus]") {
    const auto pairs = grammar().generate(20000, 3);
    std::set<std::string> sources, french, english;
    for (const auto& p : pairs) {
        sources.insert(p.source);
        for (const auto& w : words(p.target)) french.insert(w);
        for (const auto& w : words(p.source)) english.insert(w);
    }
    INFO(sources.size() << " distinct sources, " << english.size() << " English and " << french.size()
                        << " French word types");
    CHECK(sources.size() > 15000);
    // The lexicon of a first lesson (about 140 nouns, 27 adjectives, 43 verbs, months,
    // years 1950-2025): the year tokens alone are 76 types on each side.
    CHECK(french.size() < 1200);
    CHECK(english.size() < 800);
}

// Not run by default: prints what the report quotes (test_corpus "[.stats]").
TEST_CASE("corpus statistics", "[.stats]") {
    const auto pairs = grammar().generate(200000, 11);
    std::set<std::string> sources, french, english;
    std::map<size_t, size_t> lengths;
    for (const auto& p : pairs) {
        sources.insert(p.source);
        for (const auto& w : words(p.target)) french.insert(w);
        for (const auto& w : words(p.source)) english.insert(w);
        ++lengths[words(p.source).size()];
    }
    std::cout << pairs.size() << " pairs: " << sources.size() << " distinct sources, " << english.size()
              << " English and " << french.size() << " French word types\nEnglish length histogram:";
    for (const auto& [n, count] : lengths) std::cout << " " << n << ":" << count;
    std::cout << "\n";
    for (size_t i = 0; i < 25; ++i) std::cout << pairs[i].source << "  ->  " << pairs[i].target << "\n";
}

// ---------------------------------------------------------------- algorithmic tasks

TEST_CASE("algorithmic tasks produce copy, reverse and sort targets", "[corpus]") {
    for (const std::string name : {"copy", "reverse", "sort"}) {
        INFO(name);
        const auto pairs = algorithmicTask(name, 200, 2, 9, 4, 19, 5);
        REQUIRE(pairs.ok());
        REQUIRE(pairs->size() == 200);
        std::set<size_t> lengths;
        for (const auto& [source, target] : *pairs) {
            REQUIRE(source.size() >= 2);
            REQUIRE(source.size() <= 9);
            lengths.insert(source.size());
            for (int id : source) {
                CHECK(id >= 4);
                CHECK(id <= 19);
            }
            auto expected = source;
            if (name == "reverse") std::reverse(expected.begin(), expected.end());
            if (name == "sort") std::sort(expected.begin(), expected.end());
            CHECK(target == expected);
        }
        CHECK(lengths.size() == 8);  // every length 2..9 occurs in 200 draws
        const auto again = algorithmicTask(name, 200, 2, 9, 4, 19, 5);
        REQUIRE(again.ok());
        CHECK(*again == *pairs);
        const auto other = algorithmicTask(name, 200, 2, 9, 4, 19, 6);
        REQUIRE(other.ok());
        CHECK(*other != *pairs);
    }
    const auto reversed = algorithmicTask("reverse", 1, 3, 3, 0, 100, 1);
    REQUIRE(reversed.ok());
    const auto& [source, target] = reversed->front();
    CHECK(target == std::vector<int>{source[2], source[1], source[0]});

    CHECK_FALSE(algorithmicTask("shuffle", 1, 1, 2, 0, 9, 1).ok());
    CHECK_FALSE(algorithmicTask("copy", 1, 3, 2, 0, 9, 1).ok());
    CHECK_FALSE(algorithmicTask("copy", 1, 0, 2, 0, 9, 1).ok());
    CHECK_FALSE(algorithmicTask("copy", 1, 1, 2, 9, 0, 1).ok());
}

// ---------------------------------------------------------------- BLEU

TEST_CASE("BLEU of a corpus against itself is 100", "[bleu]") {
    const std::vector<std::string> corpus = {"le chat dort", "je suis étudiant", "il va au parc avec le chien"};
    CHECK(corpusBleu(corpus, corpus) == Approx(100.0));
}

TEST_CASE("BLEU matches hand-computed values", "[bleu]") {
    // hyp "the cat sat on the mat" vs ref "the cat is on the mat":
    //   p1 = 5/6 (the x2, cat, on, mat), p2 = 3/5 (the cat, on the, the mat),
    //   p3 = 1/4 (on the mat), p4 = 0/3  ->  BLEU 0 (no smoothing).
    auto s = bleu({"the cat sat on the mat"}, {"the cat is on the mat"});
    REQUIRE(s.ok());
    CHECK(s->matches == std::array<int64_t, 4>{5, 3, 1, 0});
    CHECK(s->totals == std::array<int64_t, 4>{6, 5, 4, 3});
    CHECK(s->score == 0.0);

    // hyp "the cat sat on the mat today" (c = 7) vs ref "the cat sat on the mat" (r = 6):
    //   p1 = 6/7, p2 = 5/6, p3 = 4/5, p4 = 3/4 (only n-grams with "today" miss); c > r: BP = 1
    //   product = 6/7 * 5/6 * 4/5 * 3/4 = 3/7; BLEU = 100 * (3/7)^(1/4) = 100 * 0.80910 = 80.91
    s = bleu({"the cat sat on the mat today"}, {"the cat sat on the mat"});
    REQUIRE(s.ok());
    CHECK(s->matches == std::array<int64_t, 4>{6, 5, 4, 3});
    CHECK(s->totals == std::array<int64_t, 4>{7, 6, 5, 4});
    CHECK(s->brevityPenalty == 1.0);
    CHECK(s->score == Approx(100.0 * std::pow(3.0 / 7.0, 0.25)));
    CHECK(s->score == Approx(80.910).epsilon(1e-4));

    // Corpus level sums counts before dividing: add "a dog" / "a dog" (1 unigram-pair
    // more each: 2 unigrams, 1 bigram, no 3- or 4-grams). c = 9, r = 8, BP = 1:
    //   p1 = 8/9, p2 = 6/7, p3 = 4/5, p4 = 3/4; product = 576/1260 = 16/35
    //   BLEU = 100 * (16/35)^(1/4) = 100 * 0.82227 = 82.23
    // (the second sentence alone would score 0: it has no 3-grams).
    CHECK(corpusBleu({"the cat sat on the mat today", "a dog"}, {"the cat sat on the mat", "a dog"}) ==
          Approx(100.0 * std::pow(16.0 / 35.0, 0.25)));
    CHECK(corpusBleu({"a dog"}, {"a dog"}) == 0.0);

    // Clipping (Papineni sec 2.1): "the" x7 vs a reference with "the" x2 -> p1 = 2/7.
    s = bleu({"the the the the the the the"}, {"the cat is on the mat"});
    REQUIRE(s.ok());
    CHECK(s->matches[0] == 2);
    CHECK(s->totals[0] == 7);
    CHECK(s->precisions[0] == Approx(2.0 / 7.0));
}

TEST_CASE("BLEU brevity penalty punishes short hypotheses", "[bleu]") {
    // hyp "the cat sat on the" (c = 5) vs ref "the cat sat on the mat" (r = 6):
    //   all precisions 1 (5/5, 4/4, 3/3, 2/2); BP = exp(1 - 6/5) = exp(-0.2) = 0.81873
    const auto s = bleu({"the cat sat on the"}, {"the cat sat on the mat"});
    REQUIRE(s.ok());
    CHECK(s->precisions == std::array<double, 4>{1.0, 1.0, 1.0, 1.0});
    CHECK(s->brevityPenalty == Approx(std::exp(-0.2)));
    CHECK(s->score == Approx(81.873).epsilon(1e-4));
    // Equal lengths: no penalty (exp(1 - r/c) = 1).
    CHECK(bleu({"a b c d"}, {"a b c d"})->brevityPenalty == 1.0);
}

TEST_CASE("BLEU edge cases do not crash", "[bleu]") {
    CHECK(corpusBleu({}, {}) == 0.0);
    CHECK(corpusBleu({""}, {"the cat sleeps"}) == 0.0);
    CHECK(corpusBleu({"", ""}, {"", ""}) == 0.0);
    CHECK(corpusBleu({"le chat"}, {"le chat dort sur la chaise"}) == 0.0);  // no 3-grams
    CHECK(corpusBleu({"a b c d e"}, {"v w x y z"}) == 0.0);
    const auto mismatched = bleu({"a"}, {"a", "b"});
    REQUIRE_FALSE(mismatched.ok());
    CHECK_THAT(mismatched.message(), Catch::Contains("1 hypotheses but 2 references"));
    CHECK(corpusBleu({"a"}, {"a", "b"}) == 0.0);
}

// ---------------------------------------------------------------- issue 13: a first lesson

namespace {

std::vector<SentencePair> frenchReadings(const std::string& french) {
    auto r = grammar().frenchTranslations(french);
    INFO(french << ": " << r.message());
    REQUIRE(r.ok());
    return *r;
}

}  // namespace

TEST_CASE("a teacher's first sentences translate exactly", "[corpus]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        // professions as subjects and objects (the generic masculine, like ils)
        {"the teacher is happy", "le professeur est heureux"},
        {"we know the doctor", "nous connaissons le médecin"},
        {"the engineers work", "les ingénieurs travaillent"},
        {"i see the nurse", "je vois l'infirmier"},
        // mass nouns without article: partitive, or le after like / love / hate
        {"he drinks coffee", "il boit du café"},
        {"she eats bread", "elle mange du pain"},
        {"we drink water", "nous buvons de l'eau"},
        {"they eat soup", "ils mangent de la soupe"},
        {"i like milk", "j'aime le lait"},
        {"i love chocolate", "j'adore le chocolat"},
        {"he does not drink coffee", "il ne boit pas de café"},
        {"he does not drink water", "il ne boit pas d'eau"},
        {"i do not like milk", "je n'aime pas le lait"},
        {"she drinks hot tea", "elle boit du thé chaud"},
        // to school, at home
        {"the children go to school", "les enfants vont à l'école"},
        {"we are at home", "nous sommes à la maison"},
        {"he works at home", "il travaille à la maison"},
        {"the woman waits for the bus", "la femme attend le bus"},
        // yes/no questions with est-ce que
        {"is the cat black", "est-ce que le chat est noir"},
        {"do you like milk", "est-ce que tu aimes le lait"},
        {"does he sleep", "est-ce qu'il dort"},
        {"are they at home", "est-ce qu'ils sont à la maison"},
        {"can you swim", "est-ce que tu peux nager"},
        {"do you want to eat", "est-ce que tu veux manger"},
        {"is she a teacher", "est-ce qu'elle est professeure"},
        // fixed phrases
        {"how are you", "comment vas-tu"},
        {"i am fine", "je vais bien"},
        // the passive, months and years; two adjectives after the French noun, mirrored
        {"the agreement on the european economic area was signed in august 1992",
         "l'accord sur la zone économique européenne a été signé en août 1992"},
        {"the letters were written in may", "les lettres ont été écrites en mai"},
        {"the treaty was not signed in 1957", "le traité n'a pas été signé en 1957"},
    };
    for (const auto& [english, french] : cases) {
        const auto pair = translated(english);
        INFO(english);
        CHECK(pair.target == french);
        CHECK(pair.source == english);
        checkAlignment(pair);
    }
}

TEST_CASE("alignments of the new constructions", "[corpus]") {
    using V = std::vector<std::string>;
    // "du" has no English word of its own: it links to the noun.
    CHECK(readableAlignment(translated("he drinks coffee")) == V{"il:he", "boit:drinks", "du:coffee", "café:coffee"});
    CHECK(readableAlignment(translated("i like milk")) == V{"j'aime:i like", "le:milk", "lait:milk"});
    CHECK(readableAlignment(translated("we go to school")) ==
          V{"nous:we", "allons:go", "à:to", "l'école:school"});
    // est-ce que links to the fronted word
    CHECK(readableAlignment(translated("does he sleep")) == V{"est-ce:does", "qu'il:does he", "dort:sleep"});
    CHECK(readableAlignment(translated("is the cat black")) ==
          V{"est-ce:is", "que:is", "le:the", "chat:cat", "est:is", "noir:black"});
    CHECK(readableAlignment(translated("how are you")) == V{"comment:how", "vas-tu:are you"});
    CHECK(readableAlignment(translated("the agreement on the european economic area was signed in august 1992")) ==
          V{"l'accord:the agreement", "sur:on", "la:the", "zone:area", "économique:economic", "européenne:european",
            "a:was", "été:was", "signé:signed", "en:in", "août:august", "1992:1992"});
}

TEST_CASE("agreement and order mistakes of the new constructions are outside the grammar", "[corpus]") {
    CHECK_FALSE(grammar().translate("he eats apple").ok());             // only mass nouns go bare
    CHECK_FALSE(grammar().translate("the children go to the school").ok());  // "to school"
    CHECK_FALSE(grammar().translate("milk is good").ok());              // no bare subject
    CHECK_FALSE(grammar().translate("does he sleeps").ok());
    CHECK_FALSE(grammar().translate("the letter were signed in may").ok());
    CHECK_FALSE(grammar().translate("the agreement on the economic european area was signed in 1992").ok());
    CHECK_FALSE(grammar().translate("the treaty was signed").ok());     // a date is part of it
    CHECK_FALSE(grammar().translate("the treaty was signed in 1800").ok());
    auto unknown = grammar().translate("the teacher is hungry");
    REQUIRE_FALSE(unknown.ok());
    CHECK_THAT(unknown.message(), Catch::Contains("'hungry'"));
}

TEST_CASE("french of the grammar parses back to its english readings", "[corpus]") {
    CHECK(frenchReadings("je suis étudiant").front().target == "i am a student");
    CHECK(frenchReadings("comment vas-tu").front().target == "how are you");
    CHECK(frenchReadings("l'accord sur la zone économique européenne a été signé en août 1992").front().target ==
          "the agreement on the european economic area was signed in august 1992");
    CHECK(frenchReadings("il boit du café").front().target == "he drinks coffee");
    CHECK(frenchReadings("est-ce que tu aimes le lait").front().target == "do you like milk");
    CHECK(frenchReadings("elles sont heureuses").front().target == "they are happy");
    // What French cannot tell apart comes out as several readings, the training one first.
    const auto son = frenchReadings("son chat dort");
    REQUIRE(son.size() == 2);
    CHECK(son[0].target == "his cat sleeps");
    CHECK(son[1].target == "her cat sleeps");
    const auto milk = frenchReadings("j'aime le lait");
    REQUIRE(milk.size() == 2);
    CHECK(milk[0].target == "i like milk");
    CHECK(milk[1].target == "i like the milk");
    CHECK(frenchReadings("les enfants vont à l'école").size() == 1);  // never "to the school"
    CHECK(frenchReadings("la voiture économique est rouge").size() == 1);  // economical, not economic

    // Alignment transposed: (English word, French word).
    const auto coffee = frenchReadings("il boit du café").front();
    const std::vector<std::pair<int, int>> expected = {{0, 0}, {1, 1}, {2, 2}, {2, 3}};
    CHECK(coffee.alignment == expected);

    auto bad = grammar().frenchTranslations("le chat vole");
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.message(), Catch::Contains("'vole'"));
    CHECK_FALSE(grammar().frenchTranslations("les chat dort").ok());   // agreement
    CHECK_FALSE(grammar().frenchTranslations("le chat noir petit dort").ok());  // order
}

TEST_CASE("every generated sentence parses back, both directions", "[corpus]") {
    std::mt19937_64 rng(77);
    for (int i = 0; i < 3000; ++i) {
        const SentencePair en = grammar().sample(rng, Direction::EnFr);
        const auto back = grammar().translations(en.source);
        INFO(en.source << ": " << back.message());
        REQUIRE(back.ok());
        CHECK(back->front().target == en.target);
        CHECK(back->front().alignment == en.alignment);

        const SentencePair fr = grammar().sample(rng, Direction::FrEn);
        const auto fback = grammar().frenchTranslations(fr.source);
        INFO(fr.source << ": " << fback.message());
        REQUIRE(fback.ok());
        // The first reading is the one the training data uses: no coin flips to learn.
        // The known exceptions: "home" may be the subject of "is on/under/near", where
        // French says "maison" as for "house"; and "de souris" / "de bus" after a negation
        // is "a mouse" or "any mice" (French singular and plural alike). About 1 in 1,000.
        const bool ambiguous = fr.source.find("maison") != std::string::npos ||
                               fr.source.find("de souris") != std::string::npos ||
                               fr.source.find("de bus") != std::string::npos;
        if (!ambiguous) {
            CHECK(fback->front().target == fr.target);
            CHECK(fback->front().alignment == fr.alignment);
        } else {
            CHECK(std::any_of(fback->begin(), fback->end(), [&](const SentencePair& r) { return r.target == fr.target; }));
        }
        checkAlignment(reversed(fr));
    }
}

TEST_CASE("anchors are in the grammar and never held out", "[corpus]") {
    const auto anchors = grammar().anchors();
    REQUIRE(anchors.size() >= 10);
    const auto split = grammar().split(0, 3000, 12345);
    REQUIRE(split.ok());
    std::set<std::string> test;
    for (const auto& p : split->test) test.insert(p.source);
    for (const auto& a : anchors) CHECK(test.count(a.source) == 0);
    const auto fr = grammar().anchors(Direction::FrEn);
    REQUIRE(fr.size() == anchors.size());
    CHECK(fr.front().target == anchors.front().source);
}
