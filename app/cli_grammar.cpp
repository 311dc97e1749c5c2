// stepformer grammar --task TASK (TEXT | --sample N [--seed S])
//
// TEXT: prints the grammar's reference translation(s) of TEXT on one line, readings
// separated by " | " (the first is the one the training data uses); exit 1 naming the
// word when TEXT is outside the grammar. --sample N: N generated source sentences, one a
// line (what TEXT accepts, for round trips).
#include "app/cli_grammar.h"
#include "app/cli_options.h"

#include <QCommandLineParser>

#include <iostream>
#include <random>

namespace sf::cli {

std::shared_ptr<const text::Grammar> modelGrammar(const std::string& modelDir, std::string* why)
{
    auto examples = text::readModelExamples(modelDir);
    if (!examples) {
        if (why) *why = examples.message();
        return nullptr;
    }
    const text::GrammarTask* task = text::findGrammarTask(examples->task);
    if (!task) return nullptr;
    auto g = loadGrammar(*task);
    if (!g) {
        if (why) *why = g.message();
        return nullptr;
    }
    return *g;
}

int grammar(const QStringList& args)
{
    QCommandLineParser p;
    p.addOption({"task", QString::fromStdString(text::grammarTaskList()) + ".", "TASK"});
    p.addOption({"sample", "Print N generated source sentences instead.", "N"});
    p.addOption({"seed", "Seed of --sample.", "N", "1"});
    p.addPositionalArgument("text", "A source sentence.");
    if (const int code = parseArgs(p, "grammar", args); code >= 0) return code;
    const std::string taskName = p.value("task").toStdString();
    const text::GrammarTask* task = text::findGrammarTask(taskName);
    if (!task) return fail("--task is " + text::grammarTaskList(), Usage);
    const QStringList words = p.positionalArguments();
    if (p.isSet("sample") == !words.isEmpty()) return fail("give either TEXT or --sample N, exactly one of them", Usage);
    auto g = loadGrammar(*task);
    if (!g) return fail(g.message());

    if (p.isSet("sample")) {
        int n = 0, seed = 1;
        if (!intOption(p, "sample", 1, 1000000, &n) || !intOption(p, "seed", 0, 1 << 30, &seed)) return Usage;
        auto split = (*g)->split(size_t(n), 0, uint64_t(seed));
        if (!split) return fail(split.message());
        for (const text::SentencePair& s : split->train) std::cout << s.source << "\n";
        return Ok;
    }
    auto readings = (*g)->translations(words.join(' ').toStdString());
    if (!readings) return fail(readings.message());
    std::string line;
    for (const text::SentencePair& r : *readings) line += (line.empty() ? "" : " | ") + r.target;
    std::cout << line << "\n";
    return Ok;
}

}  // namespace sf::cli
