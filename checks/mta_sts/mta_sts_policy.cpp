/// \file checks/mta_sts/mta_sts_policy.cpp — parsing MTA-STS records and policies, matching MX patterns.
#include "checks/mta_sts/mta_sts_policy.h"

#include "checks/dkim/tag_list.h"

#include <fmt/format.h>

#include <algorithm>

namespace mamori::checks {
namespace {

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

std::string lower(std::string_view in) {
    std::string s(in);
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

/// ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
bool valid_ext_name(std::string_view name) {
    if (name.empty() || name.size() > 32 || !is_alnum(name[0])) return false;
    return std::all_of(name.begin(), name.end(), [](char c) { return is_alnum(c) || c == '_' || c == '-' || c == '.'; });
}

/// ext-value = 1*(%x21-3A / %x3C / %x3E-7E): printable, no ";" and no "=".
bool valid_ext_value(std::string_view value) {
    return !value.empty() &&
           std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x21 && c <= 0x7e && c != ';' && c != '='; });
}

/// A domain name of LDH labels (the "Domain" of RFC 5321 that mx patterns use).
bool valid_domain(std::string_view d) {
    if (d.empty() || d.size() > 253) return false;
    std::size_t label = 0;
    for (char c : d) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        if (!(is_alnum(c) || c == '-') || ++label > 63) return false;
    }
    return label > 0;
}

void policy_field(StsPolicy& p, int line, std::string_view key, std::string_view value, std::vector<std::string>& seen) {
    auto problem = [&](std::string what, bool fatal = true) { p.problems.push_back({line, std::move(what), fatal}); };
    const std::string k(key);
    if (k != "mx" && std::find(seen.begin(), seen.end(), k) != seen.end()) {
        problem(fmt::format("{} appears more than once", k), false);
        return;
    }
    seen.push_back(k);
    if (k == "version") {
        p.version = std::string(value);
        if (value != "STSv1") problem(fmt::format("version: {} is not STSv1", printable(value)));
    } else if (k == "mode") {
        p.mode = std::string(value);
        if (value != "enforce" && value != "testing" && value != "none")
            problem(fmt::format("mode: {} is not enforce, testing or none", printable(value)));
    } else if (k == "max_age") {
        bool digits = !value.empty() && value.size() <= 10 &&
                      std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!digits) return problem(fmt::format("max_age: {} is not a number of seconds", printable(value)));
        p.max_age = std::stoull(std::string(value));
        if (*p.max_age > sts_max_age_limit)
            problem(fmt::format("max_age: {} exceeds the maximum of {} (one year)", *p.max_age, sts_max_age_limit));
    } else if (k == "mx") {
        std::string pattern = lower(value);
        if (!pattern.empty() && pattern.back() == '.') pattern.pop_back();
        std::string_view base = pattern;
        if (base.substr(0, 2) == "*.") base.remove_prefix(2);
        if (!valid_domain(base)) return problem(fmt::format("mx: {} is not a host name or *.domain pattern", printable(value)));
        p.mx.push_back(pattern);
    } else if (valid_ext_name(key) && valid_ext_value(value)) {
        p.extensions.push_back(k);
    } else {
        problem(fmt::format("'{}: {}' is not a valid field", printable(key), printable(value)), false);
    }
}

void policy_completeness(StsPolicy& p) {
    if (p.version.empty()) p.problems.push_back({0, "no version: STSv1 field", true});
    if (p.mode.empty()) p.problems.push_back({0, "no mode field", true});
    if (!p.max_age && std::none_of(p.problems.begin(), p.problems.end(),
                                   [](const auto& x) { return x.problem.rfind("max_age", 0) == 0; }))
        p.problems.push_back({0, "no max_age field", true});
    if (p.mx.empty() && (p.mode == "enforce" || p.mode == "testing"))
        p.problems.push_back({0, fmt::format("no mx field: mode {} needs at least one", p.mode), true});
}

}  // namespace

bool starts_with_sts_version(std::string_view text) { return starts_with_version(text, "v=STSv1"); }

StsRecord parse_sts_record(std::string_view text) {
    StsRecord r;
    r.text = std::string(text);
    const std::vector<std::string_view> fields = split_fields(text);
    if (fields.front() != "v=STSv1") r.problems.push_back("the record must begin with v=STSv1");
    bool id_seen = false;
    for (std::size_t i = 1; i < fields.size(); ++i) {
        std::string_view f = fields[i];
        std::size_t eq = f.find('=');
        std::string_view name = f.substr(0, eq), value = eq == std::string_view::npos ? "" : f.substr(eq + 1);
        if (f.empty()) r.problems.push_back("empty field (two ';' in a row)");
        else if (eq == std::string_view::npos) r.problems.push_back(fmt::format("'{}' has no '='", printable(f)));
        else if (name == "id") {
            bool ok = !value.empty() && value.size() <= 32 && std::all_of(value.begin(), value.end(), is_alnum);
            if (!ok) r.problems.push_back(fmt::format("id={} is not 1 to 32 letters and digits", printable(value)));
            if (id_seen) r.problems.push_back("id= appears more than once");
            id_seen = true;
            r.id = std::string(value);
        } else if (!valid_ext_name(name) || !valid_ext_value(value)) {
            r.problems.push_back(fmt::format("'{}' is not a valid field", printable(f)));
        }
    }
    if (!id_seen) r.problems.push_back("no id= field (it is required, and changes with each policy update)");
    return r;
}

bool StsPolicy::usable() const {
    return std::none_of(problems.begin(), problems.end(), [](const PolicyProblem& p) { return p.fatal; });
}

StsPolicy parse_sts_policy(std::string_view body) {
    StsPolicy p;
    std::vector<std::string> seen;
    int line = 0;
    std::size_t begin = 0;
    while (begin < body.size()) {
        std::size_t end = std::min(body.find('\n', begin), body.size());
        std::string_view text = body.substr(begin, end - begin);
        begin = end + 1;
        ++line;
        if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
        if (trim_wsp(text).empty()) continue;
        std::size_t colon = text.find(':');
        if (colon == std::string_view::npos) {
            p.problems.push_back({line, fmt::format("'{}' is not a key: value line", printable(text)), true});
            continue;
        }
        policy_field(p, line, text.substr(0, colon), trim_wsp(text.substr(colon + 1)), seen);
    }
    policy_completeness(p);
    return p;
}

bool mx_matches(std::string_view host, std::string_view pattern) {
    std::string h = lower(host), pat = lower(pattern);
    if (!h.empty() && h.back() == '.') h.pop_back();
    if (!pat.empty() && pat.back() == '.') pat.pop_back();
    if (pat.substr(0, 2) != "*.") return h == pat;
    std::string_view suffix = std::string_view(pat).substr(1);  // ".example.jp"
    if (h.size() <= suffix.size() || h.compare(h.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
    std::string_view label = std::string_view(h).substr(0, h.size() - suffix.size());
    return !label.empty() && label.find('.') == std::string_view::npos;
}

}  // namespace mamori::checks
