/// \file checks/spf/spf_record.h — the SPF record grammar of RFC 7208 (§4.5, §4.6, §5, §6, §7.1) as plain data; no DNS.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::spf {

enum class Qualifier { pass, fail, softfail, neutral };
enum class MechanismKind { all, include, a, mx, ptr, ip4, ip6, exists };

/// '+', '-', '~' or '?'.
char qualifier_char(Qualifier q);
/// "all", "include", …
std::string_view to_string(MechanismKind kind);

/// An IPv4 or IPv6 address; IPv4 in the first four bytes.
struct Address {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};

    /// A client address: dotted IPv4 or IPv6 text. An IPv4-mapped IPv6 address becomes the
    /// IPv4 address it carries (§5: such clients are treated as IPv4). nullopt for garbage.
    static std::optional<Address> parse(std::string_view text);
    /// "192.0.2.1" / "2001:db8::1" (RFC 5952 form).
    std::string to_string() const;
    /// Same family and the first `prefix` bits equal.
    bool in(const Address& network, int prefix) const;
    friend bool operator==(const Address&, const Address&) = default;
};

/// One piece of a macro-string (§7.1).
struct MacroToken {
    enum class Kind { literal, macro, percent, space, url_space };
    Kind kind = Kind::literal;
    std::string text;          ///< literal: the characters
    char letter = 0;           ///< macro: the lower-case letter
    bool url_escape = false;   ///< macro: written upper-case, so URL-escaped after expansion
    unsigned digits = 0;       ///< macro: right-hand parts to keep (0: all)
    bool reverse = false;      ///< macro: the "r" transformer
    std::string delimiters;    ///< macro: split characters (empty: ".")
};

struct MacroString {
    std::vector<MacroToken> tokens;
    bool has_macros() const;
};

/// Where a macro-string appears; decides which letters are allowed (§7.1: c, r and t only
/// in explanation text) and whether spaces are (explanation text only).
enum class MacroUse { domain_spec, explanation, unknown_modifier };

struct MacroError {
    std::size_t position = 0;  ///< 0-based index of the offending character
    std::string message;
};

std::optional<MacroString> parse_macro_string(std::string_view text, MacroUse use, MacroError* error);
/// A domain-spec: a macro-string ending in a macro or in "." toplabel ["."] (§7.1).
std::optional<MacroString> parse_domain_spec(std::string_view text, MacroError* error);
/// The explanation string that an exp= TXT record holds (§6.2).
std::optional<MacroString> parse_explanation(std::string_view text, MacroError* error);

struct Mechanism {
    Qualifier qualifier = Qualifier::pass;
    MechanismKind kind = MechanismKind::all;
    std::string domain_spec;  ///< as written; empty when the term names none (a, mx, ptr)
    MacroString target;       ///< domain_spec parsed
    Address network;          ///< ip4 / ip6
    int cidr4 = 32;           ///< a, mx, ip4
    int cidr6 = 128;          ///< a, mx, ip6
    std::string text;         ///< the term as written
    std::size_t offset = 0;   ///< 1-based character offset of the term in the record

    /// include, a, mx, ptr and exists count against the limit of 10 (§4.6.4).
    bool queries_dns() const;
};

struct Modifier {
    std::string name;         ///< lower-case
    std::string value;        ///< as written
    MacroString macro;
    std::string text;
    std::size_t offset = 0;
};

struct Record {
    std::string text;
    std::vector<Mechanism> mechanisms;     ///< in record order
    std::optional<Modifier> redirect;
    std::optional<Modifier> exp;
    std::vector<Modifier> unknown_modifiers;

    /// The first "all" mechanism, or nullptr.
    const Mechanism* all() const;
    /// DNS-querying terms: the mechanisms that query, plus redirect when it can take effect
    /// (a record with "all" never reaches its redirect, §6.1).
    int dns_terms() const;
};

struct ParseError {
    std::string term;          ///< the term as written (may hold any byte)
    std::size_t offset = 0;    ///< 1-based character offset of the term in the record
    std::string message;
    /// "term 'a:foo-bar' at offset 8: …" with unprintable bytes shown as \xNN.
    std::string describe() const;
};

struct ParseResult {
    std::optional<Record> record;
    std::optional<ParseError> error;
    bool ok() const { return record.has_value(); }
};

/// True when `txt` is an SPF version 1 record: "v=spf1" in any case, alone or followed by a
/// space (§4.5). Everything else (v=spf10, v=spf1mx, …) is some other TXT record.
bool is_spf_record(std::string_view txt);

/// Parses a whole record. Every term is checked, so an error anywhere is found (§4.6); the
/// first error is returned.
ParseResult parse_record(std::string_view text);

/// `text` with bytes outside printable ASCII shown as \xNN (for messages).
std::string printable(std::string_view text);

}  // namespace mamori::spf
