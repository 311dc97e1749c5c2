// stepformer: the GUI on the bundled model, or a command-line verb (DESIGN.md "Command line").
#include "app/cli.h"

#include "core/quote.h"

#include <QCoreApplication>
#include <QStringList>

#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <new>
#include <stdexcept>

namespace {

const char* kUsage =
    "usage: stepformer [gui] [--model NAME|DIR] [--sentence TEXT] [--session FILE] [--lang en|zh_CN]\n"
    "       stepformer export [--model NAME|DIR] --sentence TEXT [decoding] [--intervene SPEC]... --step N\n"
    "                         --out FILE.png|svg [--size WxH] [--dark] [--difference] [--view NAME] [--lang en|zh_CN]\n"
    "       stepformer export ... --steps A-B --out FILE.gif [--delay MS]   (one frame per step)\n"
    "       stepformer export --session FILE --out FILE.png|svg|gif [--step N | --steps A-B] ...\n"
    "       stepformer translate [--model NAME|DIR] [decoding] [--intervene SPEC]... [--min-length N]\n"
    "                            [--max-length N] [--dump DIR] [--json] [--device cpu|cuda] (TEXT | --ids 5,17,9)\n"
    "         decoding: greedy (default) | --beam N [--length-penalty A]\n"
    "                   | --sample [--temperature T] [--top-k K] [--top-p P] [--seed S]\n"
    "                   | --force TARGET | --force-ids LIST\n"
    "         SPEC: ablate:STACK.L.KIND.H (encoder|decoder, self_attn|cross_attn, 0-based),\n"
    "               no-positions, no-scale, no-causal-mask (with --force only)\n"
    "       stepformer inspect NAME|DIR\n"
    "       stepformer bench decode --model NAME|DIR [--src-len 20] [--steps 20] [--runs 20] [--json]\n"
    "       stepformer bench ui [--model NAME|DIR] [--sentence TEXT] [--toggles 20] [--atlas 200]\n"
    "                           [--atlas-ablation 200] [--json]\n"
    "       stepformer train --task en-fr|fr-en|copy|reverse|sort --out DIR [--steps N] [--batch N] [--resume] ...\n"
    "       stepformer eval --model NAME|DIR --task en-fr|fr-en|copy|reverse|sort [--n 1000] [--json]\n"
    "       stepformer bench train [--steps 30] [--json]\n"
    "       stepformer grammar --task TASK (TEXT | --sample N [--seed S])   TASK: en-fr, fr-en, ...\n"
    "       stepformer devices                  the backends --device chooses from, and which this build has\n"
    "       stepformer make-random DIR [--preset tiny|base] [--seed N] [--corpus FILE] [--vocab N]\n"
    "exit codes: 0 ok, 1 bad input or model, 2 usage\n";

}  // namespace

namespace sf::cli {

int fail(const std::string& message, int code)
{
    // One line whatever the message quotes: control characters escaped, length capped.
    std::cerr << "stepformer: " << clipped(message, 4096) << "\n";
    if (code == Usage) std::cerr << kUsage;
    return code;
}

std::string resourcePath(const std::string& relative)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    for (const fs::path& p : {exe.parent_path() / "resources" / relative,
                              exe.parent_path().parent_path() / "share/stepformer" / relative,
                              fs::path(STEPFORMER_RESOURCE_DIR) / relative})
        if (fs::exists(p, ec)) return p.string();
    return {};
}

std::string bundledModelDir()
{
    const std::string weights = resourcePath("models/en-fr/model.safetensors");
    return weights.empty() ? std::string() : std::filesystem::path(weights).parent_path().string();
}

std::vector<std::string> bundledModelNames()
{
    namespace fs = std::filesystem;
    std::vector<std::string> names;
    const std::string root = resourcePath("models");
    std::error_code ec;
    if (root.empty()) return names;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
        if (fs::exists(it->path() / "model.safetensors", ec)) names.push_back(it->path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::string resolveModel(const std::string& nameOrDir, std::string* why)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(nameOrDir, ec)) return nameOrDir;
    const bool plainName = !nameOrDir.empty() && nameOrDir.find('/') == std::string::npos && nameOrDir != "." &&
                           nameOrDir != "..";
    if (plainName) {
        const std::string weights = resourcePath("models/" + nameOrDir + "/model.safetensors");
        if (!weights.empty()) return fs::path(weights).parent_path().string();
    }
    if (!plainName) return nameOrDir;  // a path: the model loader names what is missing
    if (why) {
        std::string names;
        for (const std::string& n : bundledModelNames()) names += (names.empty() ? "" : ", ") + n;
        *why = "--model '" + nameOrDir + "': no such directory and no bundled model of that name (bundled: " +
               (names.empty() ? std::string("none") : names) + ")";
    }
    return {};
}

}  // namespace sf::cli

namespace {

int dispatch(int argc, char** argv)
{
    // The window and its export need a QApplication; every other verb runs without a display.
    const std::string first = argc > 1 ? argv[1] : "";
    const bool window = first.empty() || first == "gui" || first == "export" ||
                        (first.rfind("--", 0) == 0 && first != "--help" && first != "--version");
#ifdef STEPFORMER_NO_GUI
    if (window) return sf::cli::fail("this build has no window (configured with STEPFORMER_BUILD_GUI=OFF)", sf::cli::Usage);
#else
    if (window) return first == "export" ? sf::cli::exportView(argc, argv) : sf::cli::gui(argc, argv);
    if (first == "bench" && argc > 2 && std::string(argv[2]) == "ui") return sf::cli::benchUi(argc, argv);
#endif
    QCoreApplication app(argc, argv);  // for QCommandLineParser's locale handling only
    QCoreApplication::setApplicationName("stepformer");
    QCoreApplication::setApplicationVersion(STEPFORMER_VERSION);
    QStringList args = QCoreApplication::arguments();
    args.removeFirst();
    const QString verb = args.isEmpty() ? QString() : args.first();
    if (verb == "-h" || verb == "--help" || verb == "help") {
        std::cout << kUsage;
        return 0;
    }
    if (verb == "--version") {
        std::cout << "stepformer " << STEPFORMER_VERSION << "\n";
        return 0;
    }
    const QStringList rest = args.mid(1);
    if (verb == "translate") return sf::cli::translate(rest);
    if (verb == "inspect") return sf::cli::inspect(rest);
    if (verb == "bench") return sf::cli::bench(rest);
    if (verb == "make-random") return sf::cli::makeRandom(rest);
    if (verb == "train") return sf::cli::train(rest);
    if (verb == "eval") return sf::cli::eval(rest);
    if (verb == "grammar") return sf::cli::grammar(rest);
    if (verb == "devices") return sf::cli::devices(rest);
    return sf::cli::fail("unknown command '" + verb.toStdString() + "'", sf::cli::Usage);
}

}  // namespace

// No exception leaves main(): one line on stderr and exit 1 instead of an abort.
int main(int argc, char** argv)
{
    try {
        return dispatch(argc, argv);
    } catch (const std::bad_alloc&) {
        return sf::cli::fail("out of memory");
    } catch (const std::exception& e) {
        return sf::cli::fail(std::string("internal error: ") + e.what());
    } catch (...) {
        return sf::cli::fail("internal error");
    }
}
