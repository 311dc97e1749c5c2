// NumPy .npy files, format 1.0, '<f4', C order: what `translate --dump` writes, one per
// Trace tensor. The reader accepts exactly that (tests and tools read dumps back).
#pragma once

#include "core/io/trace.h"
#include "core/result.h"

#include <string>

namespace sf::io {

Status writeNpy(const std::string& path, const Tensor& t);
Result<Tensor> readNpy(const std::string& path);

}  // namespace sf::io
