/// \file core/target.cpp — target parsing and IDN conversion.
#include "core/target.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <idn2.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace mamori {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

/// Shows untrusted text in a message without letting it drive the terminal.
std::string printable(std::string_view s) {
    std::string out;
    for (unsigned char c : s.substr(0, 200)) {
        if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
        else out += static_cast<char>(c);
    }
    if (s.size() > 200) out += "…";
    return out;
}

bool parse_asn(std::string_view s, std::uint32_t& asn) {
    if (s.size() < 3 || (s[0] != 'A' && s[0] != 'a') || (s[1] != 'S' && s[1] != 's')) return false;
    s.remove_prefix(2);
    if (s.empty() || s.size() > 10 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    std::uint64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    if (v > 0xffffffffULL) return false;
    asn = static_cast<std::uint32_t>(v);
    return true;
}

std::string canonical_prefix(std::string_view text) {
    const auto slash = text.find('/');
    std::string addr(text.substr(0, slash));
    std::string_view len_text = text.substr(slash + 1);
    unsigned len = 0;
    auto [ptr, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
    if (ec != std::errc() || ptr != len_text.data() + len_text.size() || len_text.empty())
        throw InputError(fmt::format("'{}': the prefix length is not a number", printable(text)));
    unsigned char bytes[16] = {};
    int family = addr.find(':') == std::string::npos ? AF_INET : AF_INET6;
    if (inet_pton(family, addr.c_str(), bytes) != 1)
        throw InputError(fmt::format("'{}': not an IPv4 or IPv6 prefix", printable(text)));
    const unsigned max = family == AF_INET ? 32 : 128;
    if (len > max) throw InputError(fmt::format("'{}': prefix length over {}", printable(text), max));
    // Host bits must be zero: "192.0.2.1/24" is almost always a typo for the /24.
    for (unsigned bit = len; bit < max; ++bit)
        if (bytes[bit / 8] & (0x80u >> (bit % 8)))
            throw InputError(fmt::format("'{}': host bits set beyond /{}", printable(text), len));
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(family, bytes, buf, sizeof buf);
    return fmt::format("{}/{}", buf, len);
}

}  // namespace

std::string to_a_label(std::string_view domain) {
    std::string input(trim(domain));
    if (!input.empty() && input.back() == '.') input.pop_back();
    if (input.empty()) throw InputError("empty domain name");
    if (input.find('\0') != std::string::npos)
        throw InputError(fmt::format("'{}': contains a NUL byte", printable(input)));
    char* out = nullptr;
    int rc = idn2_to_ascii_8z(input.c_str(), &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc != IDN2_OK) {
        // Names with underscores are not IDNA-valid but are real DNS names; accept ASCII as is.
        bool ascii = std::all_of(input.begin(), input.end(), [](unsigned char c) { return c < 0x80; });
        if (!ascii) throw InputError(fmt::format("'{}': not a valid domain name ({})", printable(input), idn2_strerror(rc)));
        out = nullptr;
    }
    std::string name = out ? std::string(out) : input;
    idn2_free(out);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (name.size() > 253) throw InputError(fmt::format("'{}': longer than 253 characters", printable(input)));
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = name.find('.', start);
        if (end == std::string::npos) end = name.size();
        std::string_view label(name.data() + start, end - start);
        if (label.empty()) throw InputError(fmt::format("'{}': empty label", printable(input)));
        if (label.size() > 63) throw InputError(fmt::format("'{}': a label is longer than 63 characters", printable(input)));
        for (char c : label)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'))
                throw InputError(fmt::format("'{}': character '{}' is not allowed in a host name", printable(input), printable(std::string(1, c))));
        if (label.front() == '-' || label.back() == '-')
            throw InputError(fmt::format("'{}': a label starts or ends with '-'", printable(input)));
        start = end + 1;
    }
    return name;
}

Target parse_target(std::string_view text) {
    text = trim(text);
    Target t;
    t.input = std::string(text);
    std::uint32_t asn = 0;
    const bool looks_like_asn = text.size() > 2 && (text[0] == 'A' || text[0] == 'a') && (text[1] == 'S' || text[1] == 's') &&
        std::all_of(text.begin() + 2, text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (looks_like_asn && !parse_asn(text, asn))
        throw InputError(fmt::format("'{}': AS number out of range (0 to 4294967295)", printable(text)));
    if (looks_like_asn) {
        t.kind = TargetKind::as;
        t.name = fmt::format("AS{}", asn);
    } else if (text.find('/') != std::string_view::npos) {
        t.kind = TargetKind::prefix;
        t.name = canonical_prefix(text);
    } else {
        t.kind = TargetKind::domain;
        t.name = to_a_label(text);
    }
    return t;
}

std::vector<Target> read_targets(std::istream& in, const std::string& origin) {
    std::vector<Target> targets;
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);  // UTF-8 BOM from Excel
        std::string_view content = line;
        if (auto hash = content.find('#'); hash != std::string_view::npos) content = content.substr(0, hash);
        content = trim(content);
        if (content.empty()) continue;
        try {
            targets.push_back(parse_target(content));
        } catch (const InputError& e) {
            throw InputError(fmt::format("{}:{}: {}", origin, number, e.what()));
        }
    }
    if (in.bad()) throw InputError(fmt::format("{}: read error after line {}", origin, number));
    return targets;
}

}  // namespace mamori
