/// \file report/escape.cpp — escaping untrusted text for terminals and UTF-8-only formats.
#include "report/escape.h"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace mamori::report {
namespace {

struct CodePoint {
    char32_t value;
    std::size_t length;  ///< bytes it takes in the input
};

std::uint8_t byte_at(std::string_view s, std::size_t i) { return static_cast<std::uint8_t>(s[i]); }

bool continuation(std::string_view s, std::size_t i, std::uint8_t low = 0x80, std::uint8_t high = 0xbf) {
    if (i >= s.size()) return false;
    const std::uint8_t b = byte_at(s, i);
    return b >= low && b <= high;
}

/// The well-formed UTF-8 sequence at `i` (RFC 3629: no overlong forms, no surrogates,
/// nothing above U+10FFFF), or nothing when the byte at `i` does not start one.
std::optional<CodePoint> decode(std::string_view s, std::size_t i) {
    const std::uint8_t b = byte_at(s, i);
    if (b < 0x80) return CodePoint{b, 1};
    if (b >= 0xc2 && b <= 0xdf) {
        if (!continuation(s, i + 1)) return std::nullopt;
        return CodePoint{static_cast<char32_t>(((b & 0x1fu) << 6) | (byte_at(s, i + 1) & 0x3fu)), 2};
    }
    if (b >= 0xe0 && b <= 0xef) {
        const std::uint8_t low = b == 0xe0 ? 0xa0 : 0x80;
        const std::uint8_t high = b == 0xed ? 0x9f : 0xbf;
        if (!continuation(s, i + 1, low, high) || !continuation(s, i + 2)) return std::nullopt;
        return CodePoint{static_cast<char32_t>(((b & 0x0fu) << 12) | ((byte_at(s, i + 1) & 0x3fu) << 6) |
                                               (byte_at(s, i + 2) & 0x3fu)),
                         3};
    }
    if (b >= 0xf0 && b <= 0xf4) {
        const std::uint8_t low = b == 0xf0 ? 0x90 : 0x80;
        const std::uint8_t high = b == 0xf4 ? 0x8f : 0xbf;
        if (!continuation(s, i + 1, low, high) || !continuation(s, i + 2) || !continuation(s, i + 3))
            return std::nullopt;
        return CodePoint{static_cast<char32_t>(((b & 0x07u) << 18) | ((byte_at(s, i + 1) & 0x3fu) << 12) |
                                               ((byte_at(s, i + 2) & 0x3fu) << 6) | (byte_at(s, i + 3) & 0x3fu)),
                         4};
    }
    return std::nullopt;
}

constexpr char hex_digits[] = "0123456789abcdef";

void append_byte_escape(std::string& out, std::uint8_t b) {
    out += "\\x";
    out += hex_digits[b >> 4];
    out += hex_digits[b & 0x0f];
}

// Terminals that implement bidi reorder text around these, and the separators break lines:
// either lets a record make the report show something other than what it contains.
bool reorders_or_breaks(char32_t c) {
    return c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
           c == 0x2028 || c == 0x2029;
}

}  // namespace

std::string terminal_safe(std::string_view text, bool keep_layout) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto cp = decode(text, i);
        if (!cp) {
            append_byte_escape(out, byte_at(text, i));
            ++i;
            continue;
        }
        const char32_t c = cp->value;
        if (keep_layout && (c == '\t' || c == '\r' || c == '\n')) {
            out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
            for (std::size_t k = 0; k < cp->length; ++k) append_byte_escape(out, byte_at(text, i + k));
        } else if (reorders_or_breaks(c)) {
            out += "\\u";
            for (int shift = 12; shift >= 0; shift -= 4) out += hex_digits[(c >> shift) & 0x0f];
        } else {
            out.append(text.substr(i, cp->length));
        }
        i += cp->length;
    }
    return out;
}

std::string valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (const auto cp = decode(text, i)) {
            out.append(text.substr(i, cp->length));
            i += cp->length;
        } else {
            out += "\xef\xbf\xbd";
            ++i;
        }
    }
    return out;
}

}  // namespace mamori::report
