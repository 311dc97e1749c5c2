// JSON from files, parsed strictly: a key repeated within one object is refused (as the
// safetensors reader does) instead of the last one silently winning, and nesting deeper
// than kMaxJsonNesting is refused before it is built.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace sf::io {

constexpr int kMaxJsonNesting = 64;

// "" with *out set, or the reason: "not valid JSON (...)", "duplicate key 'k'",
// "nested deeper than 64 levels". Message text from the file is clipped and escaped.
std::string parseJsonStrict(const std::string& text, nlohmann::json* out);

}  // namespace sf::io
