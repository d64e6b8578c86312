/// \file rpki/origin_zone.cpp — question names and TXT answers of a Team Cymru style origin service.
#include "rpki/origin_zone.h"
#include "dns/records.h"
#include "rpki/input.h"

#include <fmt/format.h>

#include <algorithm>

namespace mamori::rpki {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string without_dots(std::string zone) {
    while (!zone.empty() && zone.back() == '.') zone.pop_back();
    while (!zone.empty() && zone.front() == '.') zone.erase(0, 1);
    return zone;
}

/// "64500", "64500 64505" (several origins), "{64500,64505}" (an AS_SET).
bool parse_origin_field(std::string_view field, std::vector<Origin>& out) {
    field = trim(field);
    while (!field.empty()) {
        const std::size_t space = field.find(' ');
        std::string_view token = field.substr(0, space);
        field = space == std::string_view::npos ? std::string_view{} : trim(field.substr(space + 1));
        Origin o;
        if (token.size() >= 2 && token.front() == '{' && token.back() == '}') {
            o.as_set = true;
            token = token.substr(1, token.size() - 2);
        }
        while (true) {
            const std::size_t comma = token.find(',');
            auto asn = parse_asn(token.substr(0, comma));
            if (!asn) return false;
            o.asns.push_back(*asn);
            if (comma == std::string_view::npos) break;
            token = token.substr(comma + 1);
        }
        if (std::find(out.begin(), out.end(), o) == out.end()) out.push_back(std::move(o));
    }
    return !out.empty();
}

}  // namespace

OriginZone::OriginZone(std::string zone) : zone_v4_(without_dots(std::move(zone))) {
    zone_v6_ = zone_v4_.starts_with("origin.") ? "origin6." + zone_v4_.substr(7) : zone_v4_;
}

std::string OriginZone::query_name(const Prefix& address) const {
    std::string name;
    if (address.family == Family::ipv4) {
        const auto v = static_cast<std::uint32_t>(address.bits >> 96);
        return fmt::format("{}.{}.{}.{}.{}.", v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24, zone_v4_);
    }
    static constexpr char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; ++i) {
        name += hex[static_cast<unsigned>(address.bits >> (4 * i)) & 0xf];
        name += '.';
    }
    return name + zone_v6_ + ".";
}

OriginZone::Result OriginZone::parse(const dns::Answer& answer, const Prefix& address) const {
    Result r;
    const std::string name = query_name(address);
    if (!answer.ok()) {
        r.error = fmt::format("origin lookup {} TXT failed: {}", name,
                              answer.error.empty() ? std::string(dns::to_string(answer.outcome)) : answer.error);
        return r;
    }
    if (answer.rcode() == LDNS_RCODE_NXDOMAIN) return r;
    if (answer.rcode() != LDNS_RCODE_NOERROR) {
        r.error = fmt::format("origin lookup {} TXT failed: {}", name, dns::rcode_name(answer.rcode()));
        return r;
    }
    std::vector<std::string> garbage;
    for (const std::string& txt : dns::txt_records(answer)) {
        // "64500 | 192.0.2.0/24 | JP | apnic | 2001-01-01": the first two fields matter.
        const std::size_t bar1 = txt.find('|');
        const std::size_t bar2 = bar1 == std::string::npos ? std::string::npos : txt.find('|', bar1 + 1);
        std::vector<Origin> origins;
        std::optional<Prefix> prefix;
        if (bar1 != std::string::npos) {
            const std::string_view view(txt);
            prefix = parse_prefix(trim(view.substr(bar1 + 1, bar2 == std::string::npos ? std::string::npos : bar2 - bar1 - 1)));
            if (!parse_origin_field(view.substr(0, bar1), origins)) prefix.reset();
        }
        if (!prefix || !prefix->contains(address)) {
            garbage.push_back(printable(txt));
            continue;
        }
        if (!r.route || r.route->prefix.length < prefix->length) {
            r.route = Route{*prefix, origins};
        } else if (r.route->prefix == *prefix) {
            for (auto& o : origins)
                if (std::find(r.route->origins.begin(), r.route->origins.end(), o) == r.route->origins.end())
                    r.route->origins.push_back(std::move(o));
        }
    }
    if (!r.route && !garbage.empty())
        r.error = fmt::format("origin lookup {} TXT: no usable answer (\"{}\" is not \"AS | prefix covering {} | ...\")",
                              name, garbage.front(), address.address_string());
    return r;
}

std::vector<OriginZone::Result> OriginZone::lookup(dns::Resolver& resolver, const std::vector<Prefix>& addresses) const {
    std::vector<dns::Question> questions;
    for (const Prefix& a : addresses) questions.push_back({.name = query_name(a), .type = LDNS_RR_TYPE_TXT});
    const auto answers = resolver.query_all(questions);
    std::vector<Result> out;
    for (std::size_t i = 0; i < addresses.size(); ++i) out.push_back(parse(answers[i], addresses[i]));
    return out;
}

}  // namespace mamori::rpki
