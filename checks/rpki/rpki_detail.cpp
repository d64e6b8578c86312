/// \file checks/rpki/rpki_detail.cpp — verdicts, evidence and remedies of the rpki check.
#include "checks/rpki/rpki_detail.h"

#include <fmt/format.h>

#include <algorithm>

namespace mamori::checks::rpki_detail {

using rpki::Prefix;
using rpki::Vrp;

std::vector<Verdict> validate(const rpki::VrpTable& vrps, const rpki::Route& route) {
    std::vector<Verdict> out;
    for (const auto& origin : route.origins) {
        Verdict v{route.prefix, origin, {}};
        v.validation = origin.as_set ? vrps.validate_as_set(route.prefix) : vrps.validate(route.prefix, origin.asns[0]);
        out.push_back(std::move(v));
    }
    return out;
}

Json vrp_json(const Vrp& vrp) {
    return Json{{"prefix", vrp.prefix.to_string()}, {"max_length", vrp.max_length}, {"asn", rpki::asn_string(vrp.asn)}};
}

Json vrps_json(std::span<const Vrp> vrps, std::size_t limit) {
    Json out = Json::array();
    for (std::size_t i = 0; i < vrps.size() && i < limit; ++i) out.push_back(vrp_json(vrps[i]));
    if (vrps.size() > limit) out.push_back({{"more", vrps.size() - limit}});
    return out;
}

std::string vrps_text(std::span<const Vrp> vrps, std::size_t limit) {
    std::string out;
    for (std::size_t i = 0; i < vrps.size() && i < limit; ++i) out += (i ? ", " : "") + vrps[i].to_string();
    if (vrps.size() > limit) out += fmt::format(" and {} more", vrps.size() - limit);
    return out;
}

Json prefixes_json(std::span<const Prefix> prefixes, std::size_t limit) {
    Json out = Json::array();
    for (std::size_t i = 0; i < prefixes.size() && i < limit; ++i) out.push_back(prefixes[i].to_string());
    if (prefixes.size() > limit) out.push_back(fmt::format("... and {} more", prefixes.size() - limit));
    return out;
}

bool covered_by_as0(const Verdict& v) {
    return std::any_of(v.validation.vrps.begin(), v.validation.vrps.end(), [](const Vrp& r) { return r.asn == 0; });
}

namespace {

/// The VRPs for this route's own origin that cover it (present when it is too specific).
std::vector<Vrp> own_vrps(const Verdict& v) {
    std::vector<Vrp> own;
    if (v.origin.as_set) return own;
    for (const Vrp& r : v.validation.vrps)
        if (r.asn == v.origin.asns[0]) own.push_back(r);
    return own;
}

std::string roa_for(const Prefix& p, const rpki::Origin& o) {
    return fmt::format("prefix {}, maxLength {}, origin {}", p.to_string(), p.length, o.to_string());
}

}  // namespace

std::string why_invalid(const Verdict& v) {
    if (v.origin.as_set)
        return fmt::format("its origin is an AS_SET {}, which no ROA can match (RFC 6811 §2), and {} covers it",
                           v.origin.to_string(), vrps_text(v.validation.vrps));
    const auto own = own_vrps(v);
    if (!own.empty())
        return fmt::format("{} is longer than the maxLength {} of ROA {}", v.prefix.to_string(), own.front().max_length,
                           own.front().to_string());
    std::vector<std::string> allowed;
    for (const Vrp& r : v.validation.vrps) {
        std::string a = rpki::asn_string(r.asn);
        if (std::find(allowed.begin(), allowed.end(), a) == allowed.end()) allowed.push_back(a);
    }
    if (allowed.size() == 1 && allowed[0] == "AS0")
        return fmt::format("an AS0 ROA ({}) says the space must not be routed at all", vrps_text(v.validation.vrps));
    return fmt::format("the ROAs covering it ({}) allow only {}", vrps_text(v.validation.vrps), fmt::join(allowed, ", "));
}

std::string invalid_remedy(const Verdict& v, const std::string& who) {
    const std::string reach = fmt::format("Until then networks that drop RPKI-invalid routes cannot reach {}.", who);
    if (v.origin.as_set)
        return fmt::format("Announce {} with a plain origin AS instead of an AS_SET (RFC 9774 deprecates AS_SET), "
                           "and publish a ROA for that origin. {}", v.prefix.to_string(), reach);
    const auto own = own_vrps(v);
    if (!own.empty())
        return fmt::format("Publish a ROA for exactly this route ({}), or announce only the covering {} that ROA {} "
                           "allows. {}", roa_for(v.prefix, v.origin), own.front().prefix.to_string(),
                           own.front().to_string(), reach);
    if (covered_by_as0(v) && std::all_of(v.validation.vrps.begin(), v.validation.vrps.end(), [](const Vrp& r) { return r.asn == 0; }))
        return fmt::format("If {} may announce {}, the address holder must remove the AS0 ROA and publish a ROA "
                           "({}); otherwise the announcement must stop. {}", v.origin.to_string(),
                           v.prefix.to_string(), roa_for(v.prefix, v.origin), reach);
    return fmt::format("If {} is meant to originate {}, the address holder must publish a ROA ({}) beside the existing "
                       "one(s); if not, the announcement is a hijack or a leftover and must be withdrawn, and the "
                       "service moved to a validly routed address. {}", v.origin.to_string(), v.prefix.to_string(),
                       roa_for(v.prefix, v.origin), reach);
}

std::string not_found_remedy(const Verdict& v) {
    if (v.origin.as_set)
        return fmt::format("Announce {} with a plain origin AS instead of an AS_SET, then publish a ROA for it "
                           "(prefix {}, maxLength {}, origin the announcing AS).", v.prefix.to_string(),
                           v.prefix.to_string(), v.prefix.length);
    return fmt::format("The holder of {} should publish a ROA ({}) in its RIR's RPKI system (or ask the network "
                       "or hosting provider that holds the address space to do it).", v.prefix.to_string(),
                       roa_for(v.prefix, v.origin));
}

namespace {

/// Addresses covered by `prefixes` (one family), counting nested prefixes once.
double union_size(std::vector<Prefix>& prefixes) {
    std::sort(prefixes.begin(), prefixes.end());
    double size = 0;
    const Prefix* current = nullptr;
    for (const Prefix& p : prefixes) {
        if (current != nullptr && current->contains(p)) continue;
        size += p.size();
        current = &p;
    }
    return size;
}

double family_share(std::vector<Prefix>& part, std::vector<Prefix>& total, rpki::Family f) {
    auto keep = [f](std::vector<Prefix>& v) {
        std::vector<Prefix> out;
        for (const auto& p : v)
            if (p.family == f) out.push_back(p);
        return out;
    };
    auto t = keep(total);
    if (t.empty()) return -1;
    auto p = keep(part);
    const double whole = union_size(t);
    return whole > 0 ? union_size(p) / whole : 0;
}

}  // namespace

Share address_share(std::vector<Prefix> part, std::vector<Prefix> total) {
    Share s;
    s.ipv4 = family_share(part, total, rpki::Family::ipv4);
    s.ipv6 = family_share(part, total, rpki::Family::ipv6);
    if (s.ipv4 >= 0 && s.ipv6 >= 0) s.combined = (s.ipv4 + s.ipv6) / 2;
    else if (s.ipv4 >= 0) s.combined = s.ipv4;
    else if (s.ipv6 >= 0) s.combined = s.ipv6;
    return s;
}

}  // namespace mamori::checks::rpki_detail
