#include "core/io/files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sf::io {

Result<std::string> readFile(const std::string& path, std::size_t maxBytes)
{
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) return error(path + ": no such file");
    if (std::filesystem::is_directory(status)) return error(path + ": is a directory, not a file");
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > maxBytes) return error(path + ": larger than " + std::to_string(maxBytes) + " bytes");
    std::ifstream in(path, std::ios::binary);
    if (!in) return error(path + ": cannot open for reading");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (in.bad()) return error(path + ": read error");
    return bytes.str();
}

}  // namespace sf::io
