// The decoding and intervention options shared by `translate` and `export` (DESIGN.md,
// "Decoding and interventions"): --beam N [--length-penalty A], --sample [--temperature T]
// [--top-k K] [--top-p P] [--seed S], --force TARGET | --force-ids LIST, --intervene SPEC...,
// --min-length N, --max-length N. Bad values and bad combinations are usage errors (exit 2)
// naming the option.
#pragma once

#include "core/model/model.h"
#include "core/run/decoding.h"

#include <QCommandLineParser>

namespace sf::cli {

void addDecodingOptions(QCommandLineParser& p);
// Fills `o` from the parsed options for `model` (intervention ranges, the forced target's
// tokenization). On a problem prints one line and returns the exit code (Usage or
// BadInput); returns Ok otherwise.
int readDecodingOptions(const QCommandLineParser& p, const Model& model, DecodeOptions* o);

}  // namespace sf::cli
