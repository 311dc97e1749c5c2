// Whole-file reads with errors that name the file.
#pragma once

#include "core/result.h"

#include <cstddef>
#include <string>

namespace sf::io {

// The file's bytes; errors: "<path>: no such file", "is a directory, not a file",
// "cannot open for reading", "read error", or "larger than N bytes" past maxBytes.
Result<std::string> readFile(const std::string& path, std::size_t maxBytes = std::size_t(1) << 30);

}  // namespace sf::io
