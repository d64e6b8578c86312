/// \file checks/dnssec/zone_detail.h — the sorted index of a zone file that offline verification walks.
#pragma once

#include "checks/dnssec/dnssec_detail.h"
#include "dns/zone_resolver.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace mamori::checks::dnssec {

/// One owner name of the zone with its records grouped by type.
struct ZoneName {
    std::string key;                      ///< canonical sort key (RFC 4034 §6.1 order as byte order)
    const ldns_rdf* owner = nullptr;
    std::map<ldns_rr_type, std::vector<const ldns_rr*>> rrsets;  ///< every type but RRSIG
    std::vector<const ldns_rr*> rrsigs;
    bool apex = false;
    bool delegation = false;              ///< NS below the apex: a zone cut
    bool occluded = false;                ///< below a zone cut (glue) or outside the zone: not authoritative

    std::string text() const;             ///< "www.example.com."
    /// The types this name's NSEC/NSEC3 bitmap must list (RFC 4035 §2.3, RFC 5155 §7.1).
    std::set<ldns_rr_type> bitmap_types(bool with_denial_type, ldns_rr_type denial_type) const;
    bool has(ldns_rr_type type) const { return rrsets.contains(type); }
};

/// The zone's names in canonical order.
struct ZoneIndex {
    std::string origin;                   ///< "example.com."
    std::string origin_key;
    std::vector<ZoneName> names;
    const ZoneName* apex = nullptr;
};

/// The canonical sort key of a name: its labels right to left, lower-cased, each byte
/// escaped so that a label that is a prefix of another sorts first.
std::string canonical_key(const ldns_rdf* name);

ZoneIndex build_index(const dns::LoadedZone& zone);

/// The types listed in an NSEC/NSEC3 type bitmap field.
std::set<ldns_rr_type> bitmap_of(const ldns_rdf* bitmap);

/// NSEC or NSEC3 chain problems ("missing NSEC at x.example.", …), each with the names involved.
struct ChainProblem {
    std::string what;
    std::string name;
};
std::vector<ChainProblem> check_nsec_chain(const ZoneIndex& index);
std::vector<ChainProblem> check_nsec3_chain(const ZoneIndex& index, const ldns_rr* nsec3param, bool& optout);

}  // namespace mamori::checks::dnssec
