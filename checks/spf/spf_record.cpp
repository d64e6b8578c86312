/// \file checks/spf/spf_record.cpp — parsing SPF records, macro-strings and domain-specs (RFC 7208).
#include "checks/spf/spf_record.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace mamori::spf {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string lowered(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = lower(c);
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

std::string_view allowed_letters(MacroUse use) {
    return use == MacroUse::domain_spec ? "slodiphv" : "slodiphvcrt";
}

bool is_delimiter(char c) { return std::string_view(".-+,/_=").find(c) != std::string_view::npos; }

/// Parses "%{…}" starting at text[i] == '%' and text[i+1] == '{'; advances i past '}'.
bool parse_macro_expand(std::string_view text, std::size_t& i, MacroUse use, MacroToken& token, MacroError* error) {
    auto fail = [&](std::size_t at, std::string message) {
        if (error != nullptr) *error = {at, std::move(message)};
        return false;
    };
    const std::size_t start = i;
    i += 2;
    if (i >= text.size()) return fail(start, "unterminated macro '%{'");
    const char letter = text[i];
    if (allowed_letters(MacroUse::explanation).find(lower(letter)) == std::string_view::npos)
        return fail(i, fmt::format("unknown macro letter '{}' (one of s l o d i p h v, and c r t in explanations)", printable(std::string_view(&text[i], 1))));
    if (allowed_letters(use).find(lower(letter)) == std::string_view::npos)
        return fail(i, fmt::format("macro letter '{}' is allowed only in explanation text (§7.1)", letter));
    token.kind = MacroToken::Kind::macro;
    token.letter = lower(letter);
    token.url_escape = letter != token.letter;
    ++i;
    std::size_t digits_start = i;
    unsigned value = 0;
    while (i < text.size() && is_digit(text[i])) {
        value = std::min(value * 10 + static_cast<unsigned>(text[i] - '0'), 1000u);
        ++i;
    }
    if (i > digits_start && value == 0) return fail(digits_start, "the number of parts in a macro must not be zero (§7.3)");
    token.digits = value;
    if (i < text.size() && lower(text[i]) == 'r') {
        token.reverse = true;
        ++i;
    }
    while (i < text.size() && is_delimiter(text[i])) token.delimiters.push_back(text[i++]);
    if (i >= text.size()) return fail(start, "unterminated macro: missing '}'");
    if (text[i] != '}') return fail(i, fmt::format("unexpected '{}' in macro (expected transformers, delimiters or '}}')",
                                                   printable(std::string_view(&text[i], 1))));
    ++i;
    return true;
}

bool valid_toplabel(std::string_view label) {
    if (label.empty()) return false;
    if (std::all_of(label.begin(), label.end(), is_alnum)) return std::any_of(label.begin(), label.end(), is_alpha);
    // 1*alphanum "-" *( alphanum / "-" ) alphanum
    if (!is_alnum(label.front()) || !is_alnum(label.back())) return false;
    return std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; });
}

/// A CIDR length: "0" or a number without leading zero, at most `max`.
std::optional<int> cidr_length(std::string_view digits, int max) {
    if (!all_digits(digits) || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0')) return std::nullopt;
    int value = 0;
    for (char c : digits) value = value * 10 + (c - '0');
    if (value > max) return std::nullopt;
    return value;
}

/// ip4-network: four decimal octets without leading zeros (§5.6).
std::optional<Address> parse_ip4_network(std::string_view text) {
    Address a;
    std::size_t part = 0;
    std::size_t i = 0;
    while (part < 4) {
        std::size_t j = i;
        while (j < text.size() && is_digit(text[j])) ++j;
        std::string_view digits = text.substr(i, j - i);
        if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0')) return std::nullopt;
        int value = 0;
        for (char c : digits) value = value * 10 + (c - '0');
        if (value > 255) return std::nullopt;
        a.bytes[part++] = static_cast<std::uint8_t>(value);
        if (part < 4) {
            if (j >= text.size() || text[j] != '.') return std::nullopt;
            ++j;
        } else if (j != text.size()) {
            return std::nullopt;
        }
        i = j;
    }
    return a;
}

std::optional<Address> parse_ip6_network(std::string_view text) {
    if (text.empty() || text.size() > 45) return std::nullopt;
    std::string s(text);
    Address a;
    a.v6 = true;
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
    return a;
}

struct TermContext {
    std::string_view term;
    std::size_t offset;
    std::optional<ParseError>& error;

    bool fail(std::string message) const {
        error = ParseError{std::string(term), offset, std::move(message)};
        return false;
    }
    bool fail_macro(std::string_view what, std::size_t base, const MacroError& e) const {
        return fail(fmt::format("{}: {} (character {} of the term)", what, e.message, base + e.position + 1));
    }
};

bool parse_domain_part(const TermContext& ctx, std::string_view spec, std::size_t base, Mechanism& m) {
    MacroError e;
    auto parsed = parse_domain_spec(spec, &e);
    if (!parsed) return ctx.fail_macro("invalid domain-spec", base, e);
    m.domain_spec = std::string(spec);
    m.target = std::move(*parsed);
    return true;
}

/// The "[ ":" domain-spec ] [ dual-cidr-length ]" of a and mx.
bool parse_a_mx(const TermContext& ctx, std::string_view rest, std::size_t base, Mechanism& m) {
    if (auto dd = rest.rfind("//"); dd != std::string_view::npos && all_digits(rest.substr(dd + 2))) {
        auto v = cidr_length(rest.substr(dd + 2), 128);
        if (!v) return ctx.fail(fmt::format("invalid IPv6 CIDR length '{}' (0 to 128, no leading zeros)", printable(rest.substr(dd + 2))));
        m.cidr6 = *v;
        rest = rest.substr(0, dd);
    }
    if (auto slash = rest.rfind('/'); slash != std::string_view::npos && all_digits(rest.substr(slash + 1))) {
        auto v = cidr_length(rest.substr(slash + 1), 32);
        if (!v) return ctx.fail(fmt::format("invalid IPv4 CIDR length '{}' (0 to 32, no leading zeros)", printable(rest.substr(slash + 1))));
        m.cidr4 = *v;
        rest = rest.substr(0, slash);
    }
    if (rest.empty()) return true;
    if (rest[0] != ':') return ctx.fail(fmt::format("unexpected '{}' after '{}'", printable(rest), to_string(m.kind)));
    if (rest.size() == 1) return ctx.fail("empty domain-spec after ':'");
    return parse_domain_part(ctx, rest.substr(1), base + 1, m);
}

bool parse_ip(const TermContext& ctx, std::string_view rest, Mechanism& m) {
    const bool v6 = m.kind == MechanismKind::ip6;
    if (rest.empty() || rest[0] != ':') return ctx.fail(fmt::format("{} needs ':' and a network", v6 ? "ip6" : "ip4"));
    std::string_view net = rest.substr(1);
    if (auto slash = net.rfind('/'); slash != std::string_view::npos) {
        auto v = cidr_length(net.substr(slash + 1), v6 ? 128 : 32);
        if (!v) return ctx.fail(fmt::format("invalid CIDR length '{}' ({})", printable(net.substr(slash + 1)),
                                            v6 ? "0 to 128, no leading zeros" : "0 to 32, no leading zeros"));
        (v6 ? m.cidr6 : m.cidr4) = *v;
        net = net.substr(0, slash);
    }
    auto address = v6 ? parse_ip6_network(net) : parse_ip4_network(net);
    if (!address) return ctx.fail(fmt::format("'{}' is not an {} address", printable(net), v6 ? "IPv6" : "IPv4 (dotted quad)"));
    m.network = *address;
    return true;
}

bool parse_mechanism(const TermContext& ctx, Record& record) {
    Mechanism m;
    m.text = std::string(ctx.term);
    m.offset = ctx.offset;
    std::string_view t = ctx.term;
    std::size_t base = 0;
    static constexpr std::pair<char, Qualifier> qualifiers[] = {
        {'+', Qualifier::pass}, {'-', Qualifier::fail}, {'~', Qualifier::softfail}, {'?', Qualifier::neutral}};
    for (const auto& [c, q] : qualifiers) {
        if (t[0] != c) continue;
        m.qualifier = q;
        base = 1;
    }
    t = t.substr(base);
    const std::size_t end = std::min(t.find(':'), t.find('/'));
    const std::string name = lowered(t.substr(0, std::min(end, t.size())));
    const std::string_view rest = end == std::string_view::npos ? std::string_view() : t.substr(end);
    base += name.size();
    static const std::pair<const char*, MechanismKind> kinds[] = {
        {"all", MechanismKind::all}, {"include", MechanismKind::include}, {"a", MechanismKind::a},
        {"mx", MechanismKind::mx},   {"ptr", MechanismKind::ptr},         {"ip4", MechanismKind::ip4},
        {"ip6", MechanismKind::ip6}, {"exists", MechanismKind::exists}};
    auto kind = std::find_if(std::begin(kinds), std::end(kinds), [&](const auto& k) { return name == k.first; });
    if (kind == std::end(kinds)) {
        if (name.empty()) return ctx.fail("missing mechanism name");
        return ctx.fail(fmt::format("unknown mechanism '{}'", printable(name)));
    }
    m.kind = kind->second;
    bool ok = true;
    switch (m.kind) {
        case MechanismKind::all:
            if (!rest.empty()) return ctx.fail("'all' takes no argument");
            break;
        case MechanismKind::include:
        case MechanismKind::exists:
            if (rest.empty() || rest[0] != ':') return ctx.fail(fmt::format("'{}' needs ':' and a domain", name));
            if (rest.size() == 1) return ctx.fail("empty domain-spec after ':'");
            ok = parse_domain_part(ctx, rest.substr(1), base + 1, m);
            break;
        case MechanismKind::ptr:
            if (rest.empty()) break;
            if (rest[0] != ':') return ctx.fail(fmt::format("unexpected '{}' after 'ptr' (ptr takes no CIDR length)", printable(rest)));
            if (rest.size() == 1) return ctx.fail("empty domain-spec after ':'");
            ok = parse_domain_part(ctx, rest.substr(1), base + 1, m);
            break;
        case MechanismKind::a:
        case MechanismKind::mx: ok = parse_a_mx(ctx, rest, base, m); break;
        case MechanismKind::ip4:
        case MechanismKind::ip6: ok = parse_ip(ctx, rest, m); break;
    }
    if (ok) record.mechanisms.push_back(std::move(m));
    return ok;
}

bool parse_modifier(const TermContext& ctx, std::size_t eq, Record& record) {
    Modifier m;
    m.text = std::string(ctx.term);
    m.offset = ctx.offset;
    std::string_view name = ctx.term.substr(0, eq);
    if (name.empty()) return ctx.fail("missing modifier name before '='");
    if (!is_alpha(name[0]) || !std::all_of(name.begin(), name.end(), [](char c) {
            return is_alnum(c) || c == '-' || c == '_' || c == '.';
        }))
        return ctx.fail(fmt::format("invalid modifier name '{}' (a letter, then letters, digits, '-', '_' or '.')", printable(name)));
    m.name = lowered(name);
    m.value = std::string(ctx.term.substr(eq + 1));
    MacroError e;
    if (m.name == "redirect" || m.name == "exp") {
        auto& slot = m.name == "redirect" ? record.redirect : record.exp;
        if (slot) return ctx.fail(fmt::format("'{}=' appears more than once (§6)", m.name));
        if (m.value.empty()) return ctx.fail(fmt::format("empty domain-spec after '{}='", m.name));
        auto parsed = parse_domain_spec(m.value, &e);
        if (!parsed) return ctx.fail_macro("invalid domain-spec", eq + 1, e);
        m.macro = std::move(*parsed);
        slot = std::move(m);
        return true;
    }
    auto parsed = parse_macro_string(m.value, MacroUse::unknown_modifier, &e);
    if (!parsed) return ctx.fail_macro("invalid macro-string", eq + 1, e);
    m.macro = std::move(*parsed);
    record.unknown_modifiers.push_back(std::move(m));
    return true;
}

bool parse_term(const TermContext& ctx, Record& record) {
    for (std::size_t i = 0; i < ctx.term.size(); ++i) {
        const auto c = static_cast<unsigned char>(ctx.term[i]);
        if (c < 0x21 || c > 0x7e)
            return ctx.fail(fmt::format("character \\x{:02X} (character {} of the term) is not allowed: records are "
                                        "printable 7-bit ASCII with terms separated by spaces (§3, §4.6.1)", c, i + 1));
    }
    const std::size_t special = ctx.term.find_first_of("=:/");
    if (special != std::string_view::npos && ctx.term[special] == '=') return parse_modifier(ctx, special, record);
    return parse_mechanism(ctx, record);
}

}  // namespace

char qualifier_char(Qualifier q) {
    switch (q) {
        case Qualifier::pass: return '+';
        case Qualifier::fail: return '-';
        case Qualifier::softfail: return '~';
        case Qualifier::neutral: return '?';
    }
    return '?';
}

std::string_view to_string(MechanismKind kind) {
    switch (kind) {
        case MechanismKind::all: return "all";
        case MechanismKind::include: return "include";
        case MechanismKind::a: return "a";
        case MechanismKind::mx: return "mx";
        case MechanismKind::ptr: return "ptr";
        case MechanismKind::ip4: return "ip4";
        case MechanismKind::ip6: return "ip6";
        case MechanismKind::exists: return "exists";
    }
    return "?";
}

std::optional<Address> Address::parse(std::string_view text) {
    if (text.empty() || text.size() > 45) return std::nullopt;
    std::string s(text);
    Address a;
    if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
    static const std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(std::begin(mapped), std::end(mapped), a.bytes.begin())) {
        std::copy(a.bytes.begin() + 12, a.bytes.end(), a.bytes.begin());
        std::fill(a.bytes.begin() + 4, a.bytes.end(), 0);
        return a;
    }
    a.v6 = true;
    return a;
}

std::string Address::to_string() const {
    char text[INET6_ADDRSTRLEN] = {};
    if (inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text) == nullptr) return {};
    return text;
}

bool Address::in(const Address& network, int prefix) const {
    if (v6 != network.v6) return false;
    const int bits = v6 ? 128 : 32;
    prefix = std::clamp(prefix, 0, bits);
    const int whole = prefix / 8;
    if (!std::equal(bytes.begin(), bytes.begin() + whole, network.bytes.begin())) return false;
    if (prefix % 8 == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - prefix % 8));
    return (bytes[static_cast<std::size_t>(whole)] & mask) == (network.bytes[static_cast<std::size_t>(whole)] & mask);
}

bool MacroString::has_macros() const {
    return std::any_of(tokens.begin(), tokens.end(), [](const MacroToken& t) { return t.kind == MacroToken::Kind::macro; });
}

std::optional<MacroString> parse_macro_string(std::string_view text, MacroUse use, MacroError* error) {
    MacroString out;
    auto literal = [&](char c) {
        if (out.tokens.empty() || out.tokens.back().kind != MacroToken::Kind::literal) out.tokens.push_back({});
        out.tokens.back().text.push_back(c);
    };
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c != '%') {
            const auto u = static_cast<unsigned char>(c);
            const bool space_ok = use == MacroUse::explanation && c == ' ';
            if ((u < 0x21 || u > 0x7e) && !space_ok) {
                if (error != nullptr) *error = {i, fmt::format("character \\x{:02X} is not allowed", u)};
                return std::nullopt;
            }
            literal(c);
            ++i;
            continue;
        }
        const char next = i + 1 < text.size() ? text[i + 1] : '\0';
        MacroToken token;
        if (next == '%' || next == '_' || next == '-') {
            token.kind = next == '%' ? MacroToken::Kind::percent : next == '_' ? MacroToken::Kind::space : MacroToken::Kind::url_space;
            i += 2;
        } else if (next == '{') {
            if (!parse_macro_expand(text, i, use, token, error)) return std::nullopt;
        } else {
            if (error != nullptr) *error = {i, "'%' must be followed by '{', '%', '_' or '-' (write %% for a percent sign)"};
            return std::nullopt;
        }
        out.tokens.push_back(std::move(token));
    }
    return out;
}

std::optional<MacroString> parse_domain_spec(std::string_view text, MacroError* error) {
    if (text.empty()) {
        if (error != nullptr) *error = {0, "empty domain-spec"};
        return std::nullopt;
    }
    auto parsed = parse_macro_string(text, MacroUse::domain_spec, error);
    if (!parsed) return std::nullopt;
    const MacroToken& last = parsed->tokens.back();
    if (last.kind != MacroToken::Kind::literal) return parsed;  // domain-end = macro-expand
    std::string_view tail = last.text;
    if (tail.back() == '.') tail.remove_suffix(1);
    const std::size_t dot = tail.rfind('.');
    const std::string_view top = dot == std::string_view::npos ? tail : tail.substr(dot + 1);
    if (dot == std::string_view::npos || !valid_toplabel(top)) {
        if (error != nullptr)
            *error = {text.size() - 1,
                      fmt::format("'{}' must end in a macro or in '.' and a top-level label (letters, digits and "
                                  "inner hyphens, not all digits) (§7.1)", printable(text))};
        return std::nullopt;
    }
    return parsed;
}

std::optional<MacroString> parse_explanation(std::string_view text, MacroError* error) {
    return parse_macro_string(text, MacroUse::explanation, error);
}

bool Mechanism::queries_dns() const {
    return kind == MechanismKind::include || kind == MechanismKind::a || kind == MechanismKind::mx ||
           kind == MechanismKind::ptr || kind == MechanismKind::exists;
}

const Mechanism* Record::all() const {
    auto it = std::find_if(mechanisms.begin(), mechanisms.end(), [](const Mechanism& m) { return m.kind == MechanismKind::all; });
    return it == mechanisms.end() ? nullptr : &*it;
}

int Record::dns_terms() const {
    auto n = std::count_if(mechanisms.begin(), mechanisms.end(), [](const Mechanism& m) { return m.queries_dns(); });
    if (redirect && all() == nullptr) ++n;
    return static_cast<int>(n);
}

std::string ParseError::describe() const {
    return fmt::format("term '{}' at offset {}: {}", printable(term), offset, message);
}

bool is_spf_record(std::string_view txt) {
    return txt.size() >= 6 && iequals(txt.substr(0, 6), "v=spf1") && (txt.size() == 6 || txt[6] == ' ');
}

ParseResult parse_record(std::string_view text) {
    ParseResult result;
    if (!is_spf_record(text)) {
        const std::size_t end = std::min(text.find(' '), text.size());
        result.error = ParseError{std::string(text.substr(0, end)), 1, "an SPF record begins with \"v=spf1\" and a space (§4.5)"};
        return result;
    }
    Record record;
    record.text = std::string(text);
    std::size_t i = 6;
    while (i < text.size()) {
        if (text[i] == ' ') {
            ++i;
            continue;
        }
        const std::size_t end = std::min(text.find(' ', i), text.size());
        TermContext ctx{text.substr(i, end - i), i + 1, result.error};
        if (!parse_term(ctx, record)) return result;
        i = end;
    }
    result.record = std::move(record);
    return result;
}

std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u > 0x7e || c == '\\') out += fmt::format("\\x{:02X}", u);
        else out.push_back(c);
    }
    return out;
}

}  // namespace mamori::spf
