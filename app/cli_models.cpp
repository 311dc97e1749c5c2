// stepformer make-random DIR [--preset tiny|base] [--seed N] [--corpus FILE] [--vocab N]
// A random-weight model in our format (demos, tests, benchmarks); with --corpus it also
// trains a SentencePiece model on that text file so the model takes sentences.
#include "app/cli.h"
#include "app/cli_options.h"

#include "core/io/files.h"
#include "core/model/random_model.h"
#include "core/text/tokenizer.h"

#include <QCommandLineParser>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace sf::cli {

int makeRandom(const QStringList& args)
{
    QCommandLineParser p;
    p.addOption({"preset", "tiny (d 128, 3+3) or base (d 512, 6+6).", "NAME", "tiny"});
    p.addOption({"seed", "Random seed.", "N", "0"});
    p.addOption({"corpus", "Train a SentencePiece model on this text file (one sentence a line).", "FILE"});
    p.addOption({"vocab", "SentencePiece vocabulary size with --corpus.", "N", "200"});
    p.addPositionalArgument("dir", "Output directory.");
    if (const int code = parseArgs(p, "make-random", args); code >= 0) return code;
    if (p.positionalArguments().size() != 1) return fail("make-random takes one output directory", Usage);
    const QString preset = p.value("preset");
    if (preset != "tiny" && preset != "base") return fail("--preset is tiny or base", Usage);
    int seed = 0, vocab = 200;
    if (!intOption(p, "seed", 0, 1 << 30, &seed) || !intOption(p, "vocab", 8, 1000, &vocab)) return Usage;
    const std::string dir = p.positionalArguments().first().toStdString();

    Config c = presetConfig(preset.toStdString());
    if (p.isSet("corpus")) {
        const std::string corpus = p.value("corpus").toStdString();
        Result<std::string> text = io::readFile(corpus);
        if (!text) return fail(text.message());
        std::vector<std::string> lines;
        std::istringstream f(*text);
        for (std::string line; std::getline(f, line);)
            if (!line.empty()) lines.push_back(line);
        std::filesystem::create_directories(dir);
        text::SpmTrainOptions o;
        o.vocabSize = vocab;
        Status s = text::trainSentencePiece(lines, (std::filesystem::path(dir) / "spm").string(), o);
        if (!s) return fail(s.message());
        c.tokenizerKey = true;
        c.tokenizer = {"spm.model", "spm.model", ""};
        c.vocabSize = vocab;  // exactly the pieces the tokenizer has
    }
    Status s = writeModel(dir, c, randomTensors(c, uint64_t(seed)));
    if (!s) return fail(s.message());
    std::cout << "wrote " << dir << ": " << c.describe() << "\n";
    return Ok;
}

}  // namespace sf::cli
