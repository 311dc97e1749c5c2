// `translate --dump DIR`: trace.json (the translation's ids, pieces, text and a tensor
// table) and one NumPy .npy file per Trace tensor (DESIGN.md "Trace").
#pragma once

#include "core/result.h"
#include "core/run/session.h"

#include <string>

namespace sf {

// The translation as JSON (trace.json without the "tensors" table when withTensors is false).
// indent -1 gives one line.
std::string translationJson(const Translation& t, bool withTensors, int indent = -1);
Status dumpTranslation(const Translation& t, const std::string& dir);

}  // namespace sf
