// Where the why-lab finds the bundled toy grammar's lexicon (resources/lexicon/en-fr.json):
// beside the model's resources folder, else the source tree's resources. And the grammar a
// model was trained on, for the gold word alignment (the head atlas, the outlined cells).
#pragma once

#include "core/run/lab.h"
#include "core/text/grammar.h"

#include <QString>

#include <memory>

namespace sf::ui {

QString lexiconPath(const QString& modelPath);

// A file under resources/ ("lexicon/en-zh.json"): beside the executable
// (resources/, ../share/stepformer/), else the source tree's (the error names that one).
QString resourceFile(const QString& relative);

// The grammar of the task the model's examples.json names, when its gold alignment can be
// laid on the model's pieces: en-fr and fr-en (both sides' words are separated by spaces;
// the Chinese grammar's words are not, in what its models read). Null with *why set
// otherwise. Loaded once per lexicon; safe to call from any thread.
std::shared_ptr<const text::Grammar> alignmentGrammar(const QString& modelPath, QString* why = nullptr);

// The gold alignment of a translation of that model as the cells of its cross-attention
// maps (core's goldAlignment on the grammar's readings of the source); false with *why set
// when there is none (no grammar, a sentence outside it, an output that leaves the
// reference at once).
bool goldAlignmentOf(const Translation& t, const Model& model, const QString& modelPath, GoldCells* out,
                     QString* why = nullptr);

}  // namespace sf::ui
