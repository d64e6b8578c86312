/// \file checks/rpki/rpki_detail.h — evidence, messages and remedies shared by the rpki check's target kinds.
#pragma once

#include "core/model.h"
#include "rpki/route_table.h"
#include "rpki/vrp_table.h"

#include <functional>
#include <span>
#include <string>
#include <vector>

namespace mamori::checks::rpki_detail {

/// How the helpers make a finding of the check (Check::finding() is protected).
using MakeFinding = std::function<Finding(std::string_view id, std::string message, Json evidence, std::string remedy)>;

/// One origin of a route with its RFC 6811 verdict.
struct Verdict {
    rpki::Prefix prefix;
    rpki::Origin origin;
    rpki::Validation validation;
};

/// One verdict per origin of `route` (an AS_SET origin is validated as NONE).
std::vector<Verdict> validate(const rpki::VrpTable& vrps, const rpki::Route& route);

/// {"prefix":"192.0.2.0/24","max_length":24,"asn":"AS64500"}
Json vrp_json(const rpki::Vrp& vrp);
/// A list of VRPs as JSON, at most `limit` (then {"more": N} closes the list).
Json vrps_json(std::span<const rpki::Vrp> vrps, std::size_t limit = 50);
/// "127.53.0.0/22-24 AS64497, 127.53.0.0/24-24 AS64496" (at most `limit`, then "and N more").
std::string vrps_text(std::span<const rpki::Vrp> vrps, std::size_t limit = 3);
/// Prefixes as a JSON list, at most `limit`.
Json prefixes_json(std::span<const rpki::Prefix> prefixes, std::size_t limit = 50);

/// Why an invalid route is invalid, in a clause: "the ROA allows only AS64501",
/// "127.53.61.0/24 is longer than the maxLength 22 of ROA 127.53.60.0/22-22 AS64503".
std::string why_invalid(const Verdict& v);
/// The concrete fix of an invalid route; `who` names what sits on it ("mail server mx.example.jp").
std::string invalid_remedy(const Verdict& v, const std::string& who);
/// The ROA to publish for a not-found route.
std::string not_found_remedy(const Verdict& v);
/// True when the VRPs that made the route invalid include an AS0 VRP.
bool covered_by_as0(const Verdict& v);

/// The share of `total`'s address space that `part` covers, per family, each family counted
/// once however its prefixes nest; IPv4 and IPv6 averaged when the AS announces both.
struct Share {
    double combined = 0, ipv4 = -1, ipv6 = -1;  ///< -1: the family is absent
};
Share address_share(std::vector<rpki::Prefix> part, std::vector<rpki::Prefix> total);

}  // namespace mamori::checks::rpki_detail
