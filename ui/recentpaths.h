// Paths the window remembers: the recent models (one entry per model, however the path
// was spelled: a trailing slash, "./", a symbolic link or a dropped file inside the
// folder all name the same model) and the folder an export dialog opens in (the last one
// used, else the user's Pictures, else Documents, else home; never the working folder,
// which is the source tree when run from a build).
#pragma once

#include <QString>
#include <QStringList>

namespace sf::ui {

// The canonical form of a model path: absolute, cleaned, links resolved where it exists.
QString normalizedModelPath(const QString& path);
// `recent` with `path` first, each model once (normalized), at most `max` entries.
QStringList withRecent(const QStringList& recent, const QString& path, int max = 8);

// The export dialogs' folder (settings key export/directory) and its remembering.
QString exportDirectory();
void rememberExportDirectory(const QString& fileOrDirectory);

}  // namespace sf::ui
