// The decoding and intervention options shared by `translate` and `export` (DESIGN.md,
// "Decoding and interventions"): --beam N [--length-penalty A], --sample [--temperature T]
// [--top-k K] [--top-p P] [--seed S], --force TARGET | --force-ids LIST, --intervene SPEC...,
// --min-length N, --max-length N, --device cpu|cuda. Bad values and bad combinations are
// usage errors (exit 2) naming the option.
#pragma once

#include "core/model/kernels.h"
#include "core/model/model.h"
#include "core/run/decoding.h"

#include <QCommandLineParser>

namespace sf::cli {

void addDecodingOptions(QCommandLineParser& p);
// Fills `o` from the parsed options for `model` (intervention ranges, the forced target's
// tokenization). On a problem prints one line and returns the exit code (Usage or
// BadInput); returns Ok otherwise.
int readDecodingOptions(const QCommandLineParser& p, const Model& model, DecodeOptions* o);
// The checks that need no model (values, combinations, no-causal-mask without --force),
// run before the model loads, so that a usage error is reported as one (exit 2) even when
// the model is missing too. Ok, or the exit code.
int checkDecodingUsage(const QCommandLineParser& p);
// --device cpu|cuda (default cpu): the backend. A name no build has is a usage error (2);
// a backend this build lacks is bad input (1), with what it has. Returns Ok otherwise.
int readDevice(const QCommandLineParser& p, const Kernels** backend);

}  // namespace sf::cli
