/// \file checks/dmarc/dmarc_record.cpp — DMARC record parsing and validation of every tag.
#include "checks/dmarc/dmarc_record.h"

#include <fmt/format.h>

#include <algorithm>

namespace mamori::checks {
namespace {

std::string lower(std::string_view in) {
    std::string s(in);
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

std::optional<DmarcPolicy> policy_of(std::string_view value) {
    std::string v = lower(value);
    if (v == "none") return DmarcPolicy::none;
    if (v == "quarantine") return DmarcPolicy::quarantine;
    if (v == "reject") return DmarcPolicy::reject;
    return std::nullopt;
}

/// A host name: dot-separated LDH labels of 1–63 characters.
bool valid_host(std::string_view host) {
    if (host.empty() || host.size() > 253) return false;
    std::size_t label = 0;
    for (std::size_t i = 0; i < host.size(); ++i) {
        char c = host[i];
        if (c == '.') {
            if (label == 0 || host[i - 1] == '-') return false;
            label = 0;
            continue;
        }
        if (!(is_alpha(c) || is_digit(c) || c == '-' || c == '_')) return false;
        if (label == 0 && c == '-') return false;
        if (++label > 63) return false;
    }
    return label > 0;
}

/// Colon-separated keywords, each one of `allowed`; returns the first that is not.
std::optional<std::string> bad_keyword(std::string_view value, std::initializer_list<std::string_view> allowed) {
    std::size_t begin = 0;
    while (begin <= value.size()) {
        std::size_t end = std::min(value.find(':', begin), value.size());
        std::string item = lower(trim(value.substr(begin, end - begin)));
        if (std::find(allowed.begin(), allowed.end(), item) == allowed.end()) return item;
        begin = end + 1;
    }
    return std::nullopt;
}

class Validator {
public:
    explicit Validator(DmarcRecord& r) : r_(r) {}

    void problem(const Tag& t, std::string what, bool fatal = false) {
        r_.problems.push_back({t.name, t.value, t.offset, std::move(what), fatal});
    }

    void policy_tag(const Tag& t, std::optional<DmarcPolicy>& out, bool fatal) {
        out = policy_of(t.value);
        if (!out)
            problem(t, fmt::format("{}={} is not none, quarantine or reject", t.name, printable(t.value)), fatal);
    }

    void uri_list(const Tag& t, std::vector<DmarcUri>& out) {
        std::string_view v = t.value;
        std::size_t begin = 0;
        while (begin <= v.size()) {
            std::size_t end = std::min(v.find(',', begin), v.size());
            out.push_back(parse_dmarc_uri(v.substr(begin, end - begin)));
            begin = end + 1;
        }
    }

    void tag(const Tag& t) {
        const std::string name = lower(t.name);
        if (name == "v") return;
        if (name == "p") return policy_tag(t, r_.p, true);
        if (name == "sp") return policy_tag(t, r_.sp, true);
        if (name == "np") return policy_tag(t, r_.np, false);
        if (name == "pct") return pct(t);
        if (name == "rua") { r_.rua_given = true; return uri_list(t, r_.rua); }
        if (name == "ruf") { r_.ruf_given = true; return uri_list(t, r_.ruf); }
        if (name == "adkim" || name == "aspf") return keyword(t, {"r", "s"}, "r (relaxed) or s (strict)");
        if (name == "fo") return colon_keywords(t, {"0", "1", "d", "s"}, "a colon-separated list of 0, 1, d, s");
        if (name == "rf") return colon_keywords(t, {"afrf"}, "afrf (the only registered report format)");
        if (name == "ri") return interval(t);
        if (name == "psd") return keyword(t, {"y", "n", "u"}, "y, n or u (DMARCbis)");
        if (name == "t") return keyword(t, {"y", "n"}, "y or n (DMARCbis)");
        r_.unknown_tags.push_back(t.name);
        problem(t, fmt::format("unknown tag {}= (receivers ignore it; a typo of a known tag?)", printable(t.name)));
    }

private:
    void pct(const Tag& t) {
        if (!all_digits(t.value) || t.value.size() > 3 || std::stoi(t.value) > 100) {
            problem(t, fmt::format("pct={} is not an integer from 0 to 100", printable(t.value)));
            return;
        }
        r_.pct = std::stoi(t.value);
    }
    void keyword(const Tag& t, std::initializer_list<std::string_view> allowed, std::string_view expected) {
        std::string v = lower(t.value);
        if (std::find(allowed.begin(), allowed.end(), v) == allowed.end())
            problem(t, fmt::format("{}={} is not {}", t.name, printable(t.value), expected));
    }
    void colon_keywords(const Tag& t, std::initializer_list<std::string_view> allowed, std::string_view expected) {
        if (auto bad = bad_keyword(t.value, allowed))
            problem(t, fmt::format("{}={}: '{}' is not allowed; expected {}", t.name, printable(t.value),
                                   printable(*bad), expected));
    }
    void interval(const Tag& t) {
        if (!all_digits(t.value) || t.value.size() > 10 || std::stoull(t.value) > 0xffffffffULL)
            problem(t, fmt::format("ri={} is not a 32-bit number of seconds", printable(t.value)));
    }

    DmarcRecord& r_;
};

std::optional<DmarcPolicy> fallback(const DmarcRecord& r, std::optional<DmarcPolicy> p) {
    if (!r.version_first) return std::nullopt;
    if (p) return p;
    bool valid_rua = std::any_of(r.rua.begin(), r.rua.end(), [](const DmarcUri& u) { return u.valid(); });
    return valid_rua ? std::optional(DmarcPolicy::none) : std::nullopt;
}

}  // namespace

std::string_view to_string(DmarcPolicy p) {
    switch (p) {
        case DmarcPolicy::none: return "none";
        case DmarcPolicy::quarantine: return "quarantine";
        case DmarcPolicy::reject: return "reject";
    }
    return "none";
}

std::optional<DmarcPolicy> DmarcRecord::effective() const {
    const Tag* sp_tag = tags.find("sp", true);
    bool sp_invalid = sp_tag != nullptr && !sp;
    return fallback(*this, sp_invalid ? std::nullopt : p);
}

std::optional<DmarcPolicy> DmarcRecord::effective_subdomain() const {
    const Tag* sp_tag = tags.find("sp", true);
    if (sp_tag != nullptr && !sp) return fallback(*this, std::nullopt);
    return fallback(*this, sp ? sp : p);
}

bool DmarcRecord::fatal() const {
    return std::any_of(problems.begin(), problems.end(), [](const DmarcProblem& x) { return x.fatal; });
}

bool starts_with_dmarc_version(std::string_view text) {
    text = trim(text);
    if (text.empty() || (text[0] != 'v' && text[0] != 'V')) return false;
    text.remove_prefix(1);
    while (!text.empty() && (text[0] == ' ' || text[0] == '\t')) text.remove_prefix(1);
    if (text.empty() || text[0] != '=') return false;
    text.remove_prefix(1);
    while (!text.empty() && (text[0] == ' ' || text[0] == '\t')) text.remove_prefix(1);
    if (text.substr(0, 6) != "DMARC1") return false;
    text.remove_prefix(6);
    return text.empty() || text[0] == ';' || text[0] == ' ' || text[0] == '\t';
}

bool resembles_dmarc(std::string_view text) {
    if (starts_with_dmarc_version(text)) return false;
    std::string squeezed;
    for (char c : lower(text))
        if (c != ' ' && c != '\t') squeezed += c;
    return squeezed.find("v=dmarc") != std::string::npos;
}

DmarcUri parse_dmarc_uri(std::string_view text) {
    DmarcUri u;
    text = trim(text);
    u.text = std::string(text);
    if (text.empty()) {
        u.problem = "empty URI (a stray comma?)";
        return u;
    }
    std::string_view uri = text;
    if (auto bang = text.rfind('!'); bang != std::string_view::npos) {
        std::string_view size = text.substr(bang + 1);
        if (!size.empty() && std::string_view("kmgtKMGT").find(size.back()) != std::string_view::npos)
            size.remove_suffix(1);
        if (!all_digits(size)) {
            u.problem = fmt::format("'{}' after '!' is not a size (digits and k, m, g or t)", printable(text.substr(bang + 1)));
            return u;
        }
        uri = text.substr(0, bang);
    }
    std::size_t colon = uri.find(':');
    if (colon == std::string_view::npos || colon == 0 || !is_alpha(uri[0]) ||
        !std::all_of(uri.begin(), uri.begin() + static_cast<long>(colon),
                     [](char c) { return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.'; })) {
        u.problem = fmt::format("'{}' is not a URI: it needs a scheme, as in mailto:dmarc@example.jp", printable(uri));
        return u;
    }
    u.scheme = lower(uri.substr(0, colon));
    std::string_view rest = uri.substr(colon + 1);
    if (u.scheme != "mailto") {
        u.problem = fmt::format("'{}': receivers send reports only to mailto: URIs", printable(uri));
        return u;
    }
    rest = rest.substr(0, rest.find('?'));
    std::size_t at = rest.rfind('@');
    if (at == std::string_view::npos || at == 0 || rest.find_first_of(" \t<>\"") != std::string_view::npos) {
        u.problem = fmt::format("'{}' is not a mail address", printable(rest));
        return u;
    }
    std::string host = lower(rest.substr(at + 1));
    if (!host.empty() && host.back() == '.') host.pop_back();
    if (!valid_host(host)) {
        u.problem = fmt::format("'{}' is not a mail domain", printable(rest.substr(at + 1)));
        return u;
    }
    u.address = std::string(rest);
    u.host = host;
    return u;
}

DmarcRecord parse_dmarc(std::string_view text) {
    DmarcRecord r;
    r.text = std::string(text);
    r.tags = parse_tag_list(text, true);
    r.version_first = starts_with_dmarc_version(text);
    for (const auto& e : r.tags.errors) r.problems.push_back({"", "", e.offset, e.message, false});
    Validator v(r);
    const Tag* version = r.tags.find("v", true);
    if (!r.version_first) {
        Tag where = version ? *version : Tag{"v", "", 0};
        v.problem(where, version ? "v=DMARC1 must be the first tag, exactly so: receivers discard this record"
                                 : "no v=DMARC1 tag: receivers discard this record", true);
    }
    for (const auto& t : r.tags.tags) v.tag(t);
    if (r.tags.find("p", true) == nullptr)
        r.problems.push_back({"p", "", 0, "no p= tag: the policy is required (RFC 7489 §6.3)", true});
    return r;
}

}  // namespace mamori::checks
