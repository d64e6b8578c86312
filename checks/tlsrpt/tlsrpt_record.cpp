/// \file checks/tlsrpt/tlsrpt_record.cpp — parsing "v=TLSRPTv1; rua=…" records.
#include "checks/tlsrpt/tlsrpt_record.h"

#include "checks/dkim/tag_list.h"

#include <fmt/format.h>

#include <algorithm>

namespace mamori::checks {
namespace {

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool valid_host(std::string_view h) {
    if (!h.empty() && h.back() == '.') h.remove_suffix(1);
    if (h.empty() || h.size() > 253) return false;
    std::size_t label = 0;
    for (char c : h) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        if (!(is_alnum(c) || c == '-') || ++label > 63) return false;
    }
    return label > 0;
}

/// tlsrpt-uri: mailto:addr-spec or https://host[:port][/path] (RFC 8460 §3).
std::string uri_problem(std::string_view uri) {
    if (uri.substr(0, 7) == "mailto:") {
        std::string_view addr = uri.substr(7);
        addr = addr.substr(0, addr.find('?'));
        std::size_t at = addr.rfind('@');
        if (at == std::string_view::npos || at == 0 || !valid_host(addr.substr(at + 1)))
            return fmt::format("'{}' is not a mail address", printable(addr));
        return {};
    }
    if (uri.substr(0, 8) == "https://") {
        std::string_view host = uri.substr(8);
        host = host.substr(0, std::min(host.find('/'), host.find(':')));
        if (!valid_host(host)) return fmt::format("'{}' has no valid host name", printable(uri));
        return {};
    }
    return fmt::format("'{}' is neither a mailto: nor an https: URI", printable(uri));
}

bool valid_extension(std::string_view name, std::string_view value) {
    if (name.empty() || name.size() > 32 || !is_alnum(name[0])) return false;
    if (!std::all_of(name.begin(), name.end(), [](char c) { return is_alnum(c) || c == '_' || c == '-' || c == '.'; }))
        return false;
    return !value.empty() &&
           std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x21 && c <= 0x7e && c != ';' && c != '='; });
}

void rua_field(std::string_view value, TlsRptRecord& r) {
    std::size_t begin = 0;
    while (begin <= value.size()) {
        std::size_t end = std::min(value.find(',', begin), value.size());
        std::string_view uri = trim_wsp(value.substr(begin, end - begin));
        begin = end + 1;
        if (auto p = uri_problem(uri); !p.empty()) r.problems.push_back("rua: " + p);
        else r.rua.emplace_back(uri);
    }
}

}  // namespace

bool starts_with_tlsrpt_version(std::string_view text) { return starts_with_version(text, "v=TLSRPTv1"); }

TlsRptRecord parse_tlsrpt(std::string_view text) {
    TlsRptRecord r;
    r.text = std::string(text);
    const std::vector<std::string_view> fields = split_fields(text);
    if (fields.front() != "v=TLSRPTv1") r.problems.push_back("the record must begin with v=TLSRPTv1");
    int rua_fields = 0;
    for (std::size_t i = 1; i < fields.size(); ++i) {
        std::string_view f = fields[i];
        std::size_t eq = f.find('=');
        if (f.empty()) {
            r.problems.push_back("empty field (two ';' in a row)");
        } else if (eq == std::string_view::npos) {
            r.problems.push_back(fmt::format("'{}' has no '='", printable(f)));
        } else if (f.substr(0, eq) == "rua") {
            ++rua_fields;
            rua_field(f.substr(eq + 1), r);
        } else if (!valid_extension(f.substr(0, eq), f.substr(eq + 1))) {
            r.problems.push_back(fmt::format("'{}' is not a valid field", printable(f)));
        }
    }
    if (rua_fields == 0) r.problems.push_back("no rua= field: reports have nowhere to go");
    if (rua_fields > 1) r.problems.push_back("rua= appears more than once");
    return r;
}

}  // namespace mamori::checks
