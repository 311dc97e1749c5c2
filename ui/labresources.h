// Where the why-lab finds the bundled toy grammar's lexicon (resources/lexicon/en-fr.json):
// beside the model's resources folder, else the source tree's resources.
#pragma once

#include <QString>

namespace sf::ui {

QString lexiconPath(const QString& modelPath);

// A file under resources/ ("lexicon/en-zh.json"): beside the executable
// (resources/, ../share/stepformer/), else the source tree's (the error names that one).
QString resourceFile(const QString& relative);

}  // namespace sf::ui
