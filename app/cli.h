// The command-line verbs. Each takes its arguments (after the verb) and returns the exit
// code: 0 ok, 1 bad input or unreadable model (one line on stderr), 2 usage error.
#pragma once

#include <QStringList>

#include <string>

namespace sf::cli {

enum Exit { Ok = 0, BadInput = 1, Usage = 2 };

int translate(const QStringList& args);
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
// Prints "stepformer: <message>" on stderr and returns `code`.
int fail(const std::string& message, int code = BadInput);

}  // namespace sf::cli
