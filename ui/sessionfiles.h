// Session files in the window (docs/session-files.md; parsed and checked by
// core/run/session_file.h): File > Save session writes what the window shows, File > Open
// session and `stepformer --session FILE` bring a window back to it: the model, the
// sentence, the decoding and the interventions, the step and its granularity, the dock tab
// beside the stage (decoding, comparison or a lab tab) and the difference mode.
#pragma once

#include "core/run/session_file.h"

#include <QString>

namespace sf::ui {

class MainWindow;

// What the window shows now, as a session (the model by its bundled name when it is one).
SessionFile captureSession(const MainWindow& w);
bool saveSessionFile(const MainWindow& w, const QString& path, QString* error);
// Reads, checks and applies a session file: the model is loaded here (when it is not the
// one open), the translation runs as the document runs it (off the GUI thread unless the
// document is synchronous) and the step, granularity and view follow when it arrives.
// False with *error naming the file and the problem; the window is then left unchanged.
bool openSessionFile(MainWindow& w, const QString& path, QString* error);
// Raises the dock tab a session names (also `export --view`).
void showSessionView(MainWindow& w, SessionView view);
SessionView shownSessionView(const MainWindow& w);

}  // namespace sf::ui
