// Whole-file reads with errors that name the file. Only regular files are read: the
// path is opened without blocking (a FIFO or a device never stalls the caller), the
// opened descriptor is checked with fstat, and no read goes past a size cap.
#pragma once

#include "core/result.h"

#include <cstddef>
#include <string>

namespace sf::io {

constexpr std::size_t kDefaultMaxRead = std::size_t(256) << 20;  // 256 MiB

// The file's bytes; errors: "<path>: no such file", "is a directory, not a file",
// "is not a regular file (a FIFO)" (or a character device, block device, socket),
// "cannot open for reading (<reason>)", "read error (<reason>)", or "larger than N bytes"
// past maxBytes (checked on the size and again while reading, for files that grow).
Result<std::string> readFile(const std::string& path, std::size_t maxBytes = kDefaultMaxRead);

}  // namespace sf::io
