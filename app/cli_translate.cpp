// stepformer translate [--model DIR] [decoding] [--intervene SPEC]... [--min-length N]
//                      [--max-length N] [--dump DIR] [--json] [--device cpu|cuda] (TEXT | --ids 5,17,9)
#include "app/cli.h"
#include "app/cli_decoding.h"
#include "app/cli_grammar.h"
#include "app/cli_options.h"

#include "core/model/model.h"
#include "core/run/dump.h"
#include "core/run/session.h"
#include "ui/texttable.h"

#include <QCommandLineParser>

#include <iostream>

namespace sf::cli {

int translate(const QStringList& args)
{
    QCommandLineParser p;
    p.addOption({"model", "A bundled model's name (en-fr, fr-en, ...) or a model directory (default: en-fr).", "NAME|DIR"});
    addDecodingOptions(p);
    p.addOption({"dump", "Write trace.json and one .npy per tensor into DIR.", "DIR"});
    p.addOption({"json", "Print the translation as one JSON line."});
    p.addOption({"ids", "Source token ids, fed as given (e.g. 5,17,9,3).", "LIST"});
    p.addPositionalArgument("text", "The sentence to translate.");
    if (const int code = parseArgs(p, "translate", args); code >= 0) return code;

    const QStringList text = p.positionalArguments();
    if (p.isSet("ids") == !text.isEmpty())
        return fail("give either TEXT or --ids, exactly one of them", Usage);
    std::vector<int> ids;
    if (p.isSet("ids") && !parseIdList(p.value("ids"), &ids))
        return fail("--ids takes comma-separated non-negative integers, e.g. 5,17,9", Usage);

    const Kernels* backend = nullptr;
    if (const int code = readDevice(p, &backend); code != Ok) return code;
    if (const int code = checkDecodingUsage(p); code != Ok) return code;
    const std::string dir = modelDirOption(p);
    if (dir.empty()) return BadInput;
    auto model = Model::load(dir);
    if (!model) return fail(model.message());

    DecodeOptions o;
    if (const int code = readDecodingOptions(p, **model, &o); code != Ok) return code;

    // Before the walk: words the vocabulary lacks, and sentences outside a bundled
    // grammar model's grammar. The walk still runs.
    if (ids.empty()) {
        std::string why;
        const auto grammar = modelGrammar(dir, &why);
        if (!why.empty()) std::cerr << "stepformer: warning: " << why << "\n";
        auto examples = text::readModelExamples(dir);
        for (const text::InputWarning& w : text::inputWarnings((*model)->tokenizer(), grammar.get(),
                                                               examples ? examples->task : std::string(),
                                                               text.join(' ').toStdString()))
            std::cerr << "stepformer: warning: " << text::describe(w) << "\n";
    }
    Session session(*model, *backend);
    Status s = ids.empty() ? session.setSourceText(text.join(' ').toStdString()) : session.setSourceIds(ids);
    if (!s) return fail(s.message());
    o.capture = p.isSet("dump");
    Result<Translation> t = session.translate(o);
    if (!t) return fail(t.message());
    for (const Text& w : t->warnings) std::cerr << "stepformer: warning: " << ui::TextTable::english().renderUtf8(w) << "\n";
    if (p.isSet("dump")) {
        Status d = dumpTranslation(*t, p.value("dump").toStdString());
        if (!d) return fail(d.message());
    }
    if (p.isSet("json")) {
        std::cout << translationJson(*t, false) << "\n";
    } else {
        std::cout << t->outputText << "\n";
    }
    return Ok;
}

}  // namespace sf::cli
