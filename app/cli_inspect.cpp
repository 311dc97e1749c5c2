// stepformer inspect DIR: config, architecture variant, parameters per block, the tensor
// table with statistics (min, max, mean, std, NaN / Inf counts), warnings, and the
// validation verdict. NaN or Inf weights are flagged: "verdict: valid, with warnings"
// (exit 0); a model that does not load is "verdict: invalid" (exit 1, the reason on stderr).
#include "app/cli.h"
#include "app/cli_options.h"

#include "core/io/safetensors.h"
#include "core/model/model.h"
#include "core/model/summary.h"
#include "ui/texttable.h"

#include <QCommandLineParser>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace sf::cli {

namespace {

// "%.4g", or "-" where there are no finite values to measure.
std::string number(double v)
{
    if (std::isnan(v)) return "-";
    char s[32];
    std::snprintf(s, sizeof s, "%.4g", v);
    return s;
}

}  // namespace

int inspect(const QStringList& args)
{
    QCommandLineParser p;
    p.addPositionalArgument("model", "A bundled model's name (en-fr, fr-en, ...) or a model directory.");
    if (const int code = parseArgs(p, "inspect", args); code >= 0) return code;
    if (p.positionalArguments().size() != 1) return fail("inspect takes one model directory", Usage);
    std::string why;
    const std::string dir = resolveModel(p.positionalArguments().first().toStdString(), &why);
    if (dir.empty()) return fail(why);

    auto model = Model::load(dir);
    if (!model) {
        std::cout << "verdict: invalid\n";
        return fail(model.message());
    }
    const Model& m = **model;
    const Config& c = m.config();
    const auto start = std::chrono::steady_clock::now();
    const ModelSummary s = summarize(m);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    // The command line speaks English: the summary's texts through the English table.
    const ui::TextTable& en = ui::TextTable::english();
    std::string variant;
    for (const Text& part : s.variant) variant += (variant.empty() ? "" : "; ") + en.renderUtf8(part);

    std::cout << "model:        " << m.directory() << "\n"
              << "architecture: " << c.describe() << "\n"
              << "variant:      " << variant << "\n"
              << "ids:          pad " << c.padId << ", unk " << c.unkId << ", bos " << c.bosId << ", eos " << c.eosId
              << ", decoder start " << c.decoderStartId << "\n"
              << "parameters:   " << s.parameters << "\n";
    if (const text::Tokenizer* t = m.tokenizer())
        std::cout << "tokenizer:    " << t->sourceVocabSize() << " source / " << t->targetVocabSize()
                  << " target pieces\n";
    else
        std::cout << "tokenizer:    none (translate with --ids)\n";

    std::cout << "\nparameters per block:\n";
    for (const auto& [block, n] : s.parametersPerBlock)
        std::printf("  %-22s %12lld  %5.1f %%\n", en.renderUtf8(block).c_str(), static_cast<long long>(n),
                    s.parameters ? 100.0 * double(n) / double(s.parameters) : 0.0);

    std::printf("\ntensors (%zu; statistics over finite values, std is the population one; measured in %.0f ms):\n",
                s.tensors.size(), ms);
    std::printf("  %-54s %-5s %-13s %10s %10s %10s %10s %6s %6s\n", "name", "dtype", "shape", "min", "max", "mean",
                "std", "NaN", "Inf");
    for (const TensorStats& t : s.tensors) {
        std::printf("  %-54s %-5s %-13s %10s %10s %10s %10s %6lld %6lld%s\n", t.name.c_str(), t.dtype.c_str(),
                    shapeString(t.shape).c_str(), number(t.min).c_str(), number(t.max).c_str(),
                    number(t.mean).c_str(), number(t.std).c_str(), static_cast<long long>(t.nan),
                    static_cast<long long>(t.inf),
                    !t.numeric ? "  (not a float dtype; not measured)"
                    : t.used   ? ""
                    : t.sampled ? ("  (not used by this config; statistics of a sample of " + std::to_string(t.sampled) +
                                   " values)").c_str()
                                : "  (not used by this config)");
    }
    if (!s.warnings.empty()) {
        std::cout << "\nwarnings (" << s.warnings.size() << "):\n";
        for (const Text& w : s.warnings) std::cout << "  " << en.renderUtf8(w) << "\n";
        std::cout << "\nverdict: valid, with warnings\n";
        return Ok;
    }
    std::cout << "\nverdict: valid\n";
    return Ok;
}

}  // namespace sf::cli
