/// \file checks/dnssec/trust_anchor.cpp — reading trust anchors with ldns, record by record, line by line.
#include "checks/dnssec/trust_anchor.h"

#include "checks/dnssec/dnssec_detail.h"
#include "dns/records.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace mamori::checks::dnssec {

std::vector<std::string> builtin_trust_anchor() {
    // IANA root-anchors.xml: KSK-2017 and KSK-2024 (RFC 7958 format, digest type 2 = SHA-256).
    return {
        ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
        ". IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
    };
}

namespace {

/// One record of the file: its text with comments and parentheses removed, and its first line.
struct Entry {
    std::string text;
    int line = 0;
};

std::vector<Entry> logical_records(std::string_view text) {
    std::vector<Entry> out;
    std::istringstream in{std::string(text)};
    std::string line, pending;
    int number = 0, start = 0, depth = 0;
    while (std::getline(in, line)) {
        ++number;
        line = line.substr(0, line.find(';'));
        if (pending.find_first_not_of(" \t") == std::string::npos) start = number;
        for (char& c : line) {
            if (c == '(') ++depth;
            else if (c == ')') --depth;
            else continue;
            c = ' ';
        }
        pending += " " + line;
        if (depth > 0) continue;
        const auto first = pending.find_first_not_of(" \t\r");
        if (first != std::string::npos) out.push_back({pending.substr(first), start});
        pending.clear();
        depth = 0;
    }
    if (pending.find_first_not_of(" \t\r") != std::string::npos) out.push_back({pending, start});
    return out;
}

}  // namespace

std::vector<std::string> parse_trust_anchor(std::string_view text, const std::string& name) {
    std::vector<std::string> out;
    std::string owner;
    RdfPtr origin(nullptr, &ldns_rdf_deep_free);
    std::uint32_t ttl = 3600;
    for (const auto& [record, line] : logical_records(text)) {
        std::istringstream words(record);
        std::string word, value;
        words >> word >> value;
        if (word == "$ORIGIN" || word == "$TTL") {
            if (word == "$TTL") {
                ttl = static_cast<std::uint32_t>(std::strtoul(value.c_str(), nullptr, 10));
                continue;
            }
            origin = own(ldns_dname_new_frm_str(value.c_str()));
            if (!origin) throw TrustAnchorError(fmt::format("{}:{}: bad $ORIGIN '{}'", name, line, value));
            continue;
        }
        ldns_rr* raw = nullptr;
        const ldns_status status = ldns_rr_new_frm_str(&raw, record.c_str(), ttl, origin.get(), nullptr);
        auto rr = own(raw);
        if (status != LDNS_STATUS_OK || !rr)
            throw TrustAnchorError(fmt::format("{}:{}: {}", name, line, ldns_get_errorstr_by_id(status)));
        const ldns_rr_type type = ldns_rr_get_type(rr.get());
        if (!(type == LDNS_RR_TYPE_DS && is_ds(rr.get())) && !(type == LDNS_RR_TYPE_DNSKEY && is_dnskey(rr.get())))
            throw TrustAnchorError(fmt::format("{}:{}: a trust anchor is a DS or DNSKEY record, not {}", name, line,
                                               type_name(type)));
        if (!owner.empty() && owner_of(rr.get()) != owner)
            throw TrustAnchorError(fmt::format("{}:{}: every record must belong to one zone ({}), not {}", name, line,
                                               owner, owner_of(rr.get())));
        owner = owner_of(rr.get());
        out.push_back(dns::rr_to_string(rr.get()));
    }
    if (out.empty()) throw TrustAnchorError(name + ": no DS or DNSKEY record");
    return out;
}

std::vector<std::string> load_trust_anchor(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw TrustAnchorError(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
    std::stringstream text;
    text << in.rdbuf();
    return parse_trust_anchor(text.str(), path);
}

}  // namespace mamori::checks::dnssec
