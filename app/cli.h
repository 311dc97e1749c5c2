// The command-line verbs. Each takes its arguments (after the verb) and returns the exit
// code: 0 ok, 1 bad input or unreadable model (one line on stderr), 2 usage error.
#pragma once

#include <QStringList>

#include <string>
#include <vector>

namespace sf::cli {

enum Exit { Ok = 0, BadInput = 1, Usage = 2 };

int translate(const QStringList& args);
int devices(const QStringList& args);
int inspect(const QStringList& args);
int bench(const QStringList& args);
int makeRandom(const QStringList& args);
int train(const QStringList& args);
int eval(const QStringList& args);
int benchTrain(const QStringList& args);
// The window (needs a display) and its headless export; each makes its own QApplication.
int gui(int argc, char** argv);
int exportView(int argc, char** argv);
int benchUi(int argc, char** argv);

// A file or directory under resources/ (beside the binary, installed, or in the source
// tree); empty when absent.
std::string resourcePath(const std::string& relative);
// The bundled model directory (resources/models/en-fr next to the binary's sources or
// installed beside it); empty when none exists yet.
std::string bundledModelDir();
// The bundled models: the directories resources/models/NAME holding a model.safetensors,
// by name, from the first resources/ that has a models/ folder (beside the binary,
// installed, or the source tree).
std::vector<std::string> bundledModelNames();
// `--model NAME|DIR`: a bundled model's name ("en-fr", "fr-en"), or a directory. An
// existing directory wins over a name; a value with a '/' is a path, returned as given
// (the model loader names what is missing). Empty with `why` set for an unknown name.
// existing directory wins over a name. Empty with `why` set when neither exists.
std::string resolveModel(const std::string& nameOrDir, std::string* why = nullptr);
int grammar(const QStringList& args);
// Prints "stepformer: <message>" on stderr and returns `code`.
int fail(const std::string& message, int code = BadInput);

}  // namespace sf::cli
