/// \file checks/spf/spf_dns.cpp — classifying answers for SPF, names in raw form, reverse names.
#include "checks/spf/spf_dns.h"

#include <fmt/format.h>

#include <cstdlib>

namespace mamori::spf {

std::string_view to_string(Lookup::Kind kind) {
    switch (kind) {
        case Lookup::Kind::found: return "found";
        case Lookup::Kind::empty: return "no data";
        case Lookup::Kind::nxdomain: return "nxdomain";
        case Lookup::Kind::error: return "error";
    }
    return "error";
}

Lookup classify(dns::Answer answer, ldns_rr_type type) {
    Lookup l;
    l.answer = std::move(answer);
    if (!l.answer.ok()) {
        l.kind = Lookup::Kind::error;
        l.error = l.answer.error.empty() ? std::string(dns::to_string(l.answer.outcome)) : l.answer.error;
        return l;
    }
    const ldns_pkt_rcode rcode = l.answer.rcode();
    if (rcode == LDNS_RCODE_NXDOMAIN) {
        l.kind = Lookup::Kind::nxdomain;
    } else if (rcode != LDNS_RCODE_NOERROR) {
        l.kind = Lookup::Kind::error;
        l.error = dns::rcode_name(rcode);
    } else {
        l.kind = dns::answer_records(l.answer, type).empty() ? Lookup::Kind::empty : Lookup::Kind::found;
    }
    return l;
}

std::string describe(const Lookup& lookup, const std::string& name, ldns_rr_type type) {
    std::string type_name;
    if (char* t = ldns_rr_type2str(type)) {
        type_name = t;
        std::free(t);  // ldns allocates with malloc
    }
    const std::string head = fmt::format("{} {} → ", type_name, printable(name));
    switch (lookup.kind) {
        case Lookup::Kind::error: return head + "error: " + lookup.error;
        case Lookup::Kind::nxdomain: return head + "NXDOMAIN";
        case Lookup::Kind::empty: return head + "no " + type_name + " records";
        case Lookup::Kind::found: break;
    }
    std::vector<std::string> values;
    if (type == LDNS_RR_TYPE_A || type == LDNS_RR_TYPE_AAAA) values = dns::addresses(lookup.answer);
    else if (type == LDNS_RR_TYPE_TXT)
        for (const auto& t : dns::txt_records(lookup.answer)) values.push_back("\"" + printable(t) + "\"");
    else if (type == LDNS_RR_TYPE_MX)
        for (const auto& m : dns::mx_records(lookup.answer)) values.push_back(fmt::format("{} {}", m.preference, printable(m.exchange)));
    else if (type == LDNS_RR_TYPE_PTR)
        for (const auto& n : ptr_names(lookup.answer)) values.push_back(printable(n));
    std::string out = head;
    for (std::size_t i = 0; i < values.size(); ++i) out += (i == 0 ? "" : ", ") + values[i];
    return out;
}

std::string raw_name(const std::string& presentation) {
    std::string out;
    for (std::size_t i = 0; i < presentation.size(); ++i) {
        const char c = presentation[i];
        if (c != '\\' || i + 1 >= presentation.size()) {
            out.push_back(c);
            continue;
        }
        const auto digit = [&](std::size_t k) { return k < presentation.size() && presentation[k] >= '0' && presentation[k] <= '9'; };
        if (digit(i + 1) && digit(i + 2) && digit(i + 3)) {
            const int value = (presentation[i + 1] - '0') * 100 + (presentation[i + 2] - '0') * 10 + (presentation[i + 3] - '0');
            out.push_back(static_cast<char>(value & 0xff));
            i += 3;
        } else {
            out.push_back(presentation[++i]);
        }
    }
    if (!out.empty() && out.back() == '.' && !(presentation.size() >= 2 && presentation[presentation.size() - 2] == '\\'))
        out.pop_back();
    return out;
}

std::string reverse_name(const Address& ip) {
    if (!ip.v6) return fmt::format("{}.{}.{}.{}.in-addr.arpa", ip.bytes[3], ip.bytes[2], ip.bytes[1], ip.bytes[0]);
    std::string out;
    for (auto it = ip.bytes.rbegin(); it != ip.bytes.rend(); ++it) out += fmt::format("{:x}.{:x}.", *it & 0xf, *it >> 4);
    return out + "ip6.arpa";
}

std::vector<std::string> ptr_names(const dns::Answer& answer) {
    std::vector<std::string> out;
    for (const ldns_rr* rr : dns::answer_records(answer, LDNS_RR_TYPE_PTR)) {
        if (ldns_rr_rd_count(rr) < 1) continue;
        const ldns_rdf* target = ldns_rr_rdf(rr, 0);
        if (target == nullptr || ldns_rdf_get_type(target) != LDNS_RDF_TYPE_DNAME) continue;
        std::string name = raw_name(dns::name_to_string(target));
        if (!name.empty()) out.push_back(std::move(name));
    }
    return out;
}

}  // namespace mamori::spf
