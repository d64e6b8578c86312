/// \file checks/dnssec/zone_verify.h — offline verification of a signed zone file (`mamori zone`).
#pragma once

#include "checks/dnssec/chain.h"
#include "checks/dnssec/hygiene.h"
#include "dns/zone_resolver.h"

namespace mamori::checks::dnssec {

struct ZoneVerifyOptions {
    std::time_t now = 0;            ///< the validation clock
    double horizon_days = 7;        ///< DNSSEC-SIG-EXPIRING horizon
    HygieneLimits limits;
    unsigned threads = 0;           ///< signature verification threads; 0: every core
};

struct ZoneVerification {
    ChainState state = ChainState::secure;  ///< insecure: no DNSKEY; bogus: a signature or the chain failed
    std::vector<Issue> issues;              ///< broken signatures and chains first, then hygiene
    Json facts = Json::object();
};

/// Verifies every RRSIG against the zone's own DNSKEYs at `now` (each RRset signed by every
/// algorithm of the DNSKEY set), the NSEC or NSEC3 chain (completeness, next pointers,
/// type bitmaps), the expiry horizon and signing hygiene. Never touches the network.
ZoneVerification verify_zone(const dns::LoadedZone& zone, const ZoneVerifyOptions& options);

}  // namespace mamori::checks::dnssec
