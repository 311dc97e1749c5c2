// Text from a file, made safe to put in an error message: control characters (newline,
// ESC, DEL, the C1 range) and bytes that are not UTF-8 are written as escapes (\n, \x1b),
// and the text is cut at about maxBytes with "..." so a 50 MB key never makes a 50 MB
// line. Every error that quotes file content goes through quoteText() or clipped().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sf {

constexpr std::size_t kMaxQuoted = 200;

// The length of the valid UTF-8 sequence at s[i] (1..4), or 0 if it is not one.
inline std::size_t utf8SequenceLength(std::string_view s, std::size_t i)
{
    const auto b = [&](std::size_t k) { return static_cast<uint8_t>(s[i + k]); };
    const uint8_t c = b(0);
    if (c < 0x80) return 1;
    std::size_t more;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) more = 1;
    else if (c == 0xE0) more = 2, lo = 0xA0;
    else if (c == 0xED) more = 2, hi = 0x9F;
    else if (c >= 0xE1 && c <= 0xEF) more = 2;
    else if (c == 0xF0) more = 3, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) more = 3;
    else if (c == 0xF4) more = 3, hi = 0x8F;
    else return 0;
    if (s.size() - i <= more) return 0;
    if (b(1) < lo || b(1) > hi) return 0;
    for (std::size_t k = 2; k <= more; ++k)
        if ((b(k) & 0xC0) != 0x80) return 0;
    return more + 1;
}

// `text` with control characters and invalid bytes escaped, cut after maxBytes of output.
inline std::string clipped(std::string_view text, std::size_t maxBytes = kMaxQuoted)
{
    static const char* const kHex = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        if (out.size() >= maxBytes) return out + "...";
        const auto c = static_cast<uint8_t>(text[i]);
        const std::size_t n = utf8SequenceLength(text, i);
        const bool c1 = n == 2 && c == 0xC2 && static_cast<uint8_t>(text[i + 1]) < 0xA0;  // U+0080..U+009F
        if (n == 1 && c >= 0x20 && c != 0x7F) {
            out += char(c);
        } else if (n == 1 && c == '\n') {
            out += "\\n";
        } else if (n == 1 && c == '\r') {
            out += "\\r";
        } else if (n == 1 && c == '\t') {
            out += "\\t";
        } else if (n > 1 && !c1) {
            out.append(text.substr(i, n));
            i += n;
            continue;
        } else {  // another control character, a C1 control or a byte that is not UTF-8
            for (std::size_t k = 0; k < (c1 ? 2 : 1); ++k) {
                const auto b = static_cast<uint8_t>(text[i + k]);
                out += "\\x";
                out += kHex[b >> 4];
                out += kHex[b & 15];
            }
            i += c1 ? 2 : 1;
            continue;
        }
        ++i;
    }
    return out;
}

// 'text', clipped: for names and values read from files ("tensor 'x' ...").
inline std::string quoteText(std::string_view text, std::size_t maxBytes = kMaxQuoted)
{
    return "'" + clipped(text, maxBytes) + "'";
}

}  // namespace sf
