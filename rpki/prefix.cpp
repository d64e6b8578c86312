/// \file rpki/prefix.cpp — parsing and printing prefixes and AS numbers, fast enough for million-line tables.
#include "rpki/prefix.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <cmath>
#include <cstring>

namespace mamori::rpki {
namespace {

void say(std::string* why, std::string text) {
    if (why != nullptr) *why = std::move(text);
}

/// Dotted quad without inet_pton (no copy, no locale): the hot path of a 1.2M-line file.
std::optional<std::uint32_t> parse_ipv4(std::string_view s) {
    std::uint32_t value = 0;
    unsigned octets = 0;
    std::size_t i = 0;
    while (octets < 4) {
        unsigned octet = 0, digits = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            octet = octet * 10 + static_cast<unsigned>(s[i] - '0');
            if (++digits > 3 || octet > 255) return std::nullopt;
            ++i;
        }
        if (digits == 0) return std::nullopt;
        value = (value << 8) | octet;
        if (++octets < 4) {
            if (i >= s.size() || s[i] != '.') return std::nullopt;
            ++i;
        }
    }
    if (i != s.size()) return std::nullopt;
    return value;
}

std::optional<uint128> parse_ipv6(std::string_view s) {
    char buf[INET6_ADDRSTRLEN + 1];
    if (s.empty() || s.size() >= sizeof buf) return std::nullopt;
    std::memcpy(buf, s.data(), s.size());
    buf[s.size()] = '\0';
    unsigned char bytes[16];
    if (inet_pton(AF_INET6, buf, bytes) != 1) return std::nullopt;
    uint128 v = 0;
    for (unsigned char b : bytes) v = (v << 8) | b;
    return v;
}

bool parse_unsigned(std::string_view s, unsigned max, unsigned& out) {
    if (s.empty() || s.size() > 10) return false;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v > max) return false;
    out = static_cast<unsigned>(v);
    return true;
}

/// Shows untrusted text in a message: printable, and never very long.
std::string shown(std::string_view s) {
    std::string out;
    for (unsigned char c : s.substr(0, 80)) {
        if (c < 0x20 || c >= 0x7f) out += fmt::format("\\x{:02x}", c);
        else out += static_cast<char>(c);
    }
    if (s.size() > 80) out += "...";
    return out;
}

}  // namespace

uint128 prefix_mask(unsigned length) {
    if (length == 0) return 0;
    return ~uint128{0} << (128 - length);
}

bool Prefix::contains(const Prefix& other) const {
    return family == other.family && length <= other.length && ((other.bits ^ bits) & prefix_mask(length)) == 0;
}

std::string Prefix::address_string() const {
    char buf[INET6_ADDRSTRLEN];
    if (family == Family::ipv4) {
        const auto v = static_cast<std::uint32_t>(bits >> 96);
        return fmt::format("{}.{}.{}.{}", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
    }
    unsigned char bytes[16];
    for (int i = 0; i < 16; ++i) bytes[i] = static_cast<unsigned char>(bits >> (120 - 8 * i));
    inet_ntop(AF_INET6, bytes, buf, sizeof buf);
    return buf;
}

std::string Prefix::to_string() const { return fmt::format("{}/{}", address_string(), length); }

double Prefix::size() const { return std::ldexp(1.0, static_cast<int>(width() - length)); }

std::optional<Prefix> make_prefix(std::string_view address, unsigned length, std::string* why) {
    Prefix p;
    if (auto v4 = parse_ipv4(address)) {
        p.family = Family::ipv4;
        p.bits = uint128{*v4} << 96;
    } else if (auto v6 = address.find(':') != std::string_view::npos ? parse_ipv6(address) : std::nullopt) {
        p.family = Family::ipv6;
        p.bits = *v6;
    } else {
        say(why, fmt::format("'{}' is not an IPv4 or IPv6 address", shown(address)));
        return std::nullopt;
    }
    if (length > p.width()) {
        say(why, fmt::format("prefix length {} is over {}", length, p.width()));
        return std::nullopt;
    }
    p.length = static_cast<std::uint8_t>(length);
    if ((p.bits & ~prefix_mask(length)) != 0) {
        say(why, fmt::format("'{}/{}' has host bits set beyond /{}", shown(address), length, length));
        return std::nullopt;
    }
    return p;
}

std::optional<Prefix> parse_prefix(std::string_view text, std::string* why, bool allow_host_bits) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) {
        say(why, fmt::format("'{}' is not a prefix (ADDRESS/LENGTH)", shown(text)));
        return std::nullopt;
    }
    unsigned length = 0;
    if (!parse_unsigned(text.substr(slash + 1), 128, length)) {
        say(why, fmt::format("'{}': the prefix length is not a number from 0 to 128", shown(text)));
        return std::nullopt;
    }
    if (!allow_host_bits) return make_prefix(text.substr(0, slash), length, why);
    auto full = parse_address(text.substr(0, slash));
    if (!full || length > full->width()) {
        say(why, fmt::format("'{}' is not an IPv4 or IPv6 prefix", shown(text)));
        return std::nullopt;
    }
    full->length = static_cast<std::uint8_t>(length);
    full->bits &= prefix_mask(length);
    return full;
}

std::optional<Prefix> parse_address(std::string_view text) {
    if (auto v4 = parse_ipv4(text)) return Prefix{uint128{*v4} << 96, 32, Family::ipv4};
    if (auto v6 = parse_ipv6(text)) return Prefix{*v6, 128, Family::ipv6};
    return std::nullopt;
}

std::optional<std::uint32_t> parse_asn(std::string_view text) {
    if (text.size() > 2 && (text[0] == 'A' || text[0] == 'a') && (text[1] == 'S' || text[1] == 's')) text.remove_prefix(2);
    unsigned value = 0;
    if (const auto dot = text.find('.'); dot != std::string_view::npos) {  // asdot, RFC 5396
        unsigned high = 0, low = 0;
        if (!parse_unsigned(text.substr(0, dot), 0xffff, high) || !parse_unsigned(text.substr(dot + 1), 0xffff, low))
            return std::nullopt;
        return (high << 16) | low;
    }
    if (!parse_unsigned(text, 0xffffffffu, value)) return std::nullopt;
    return value;
}

std::string asn_string(std::uint32_t asn) { return fmt::format("AS{}", asn); }

}  // namespace mamori::rpki
