/// \file checks/dnssec/dnssec_check.h — the DNSSEC chain of trust and signing hygiene (RFC 4033–4035, 5155, 8624, 9276).
#pragma once

#include "core/check.h"

namespace mamori::checks {

/// For a domain: validates the chain from the trust anchor down with ldns (DO+CD queries,
/// local verification) and checks signing hygiene. For a zone file (`mamori zone`):
/// verifies every RRSIG, the NSEC/NSEC3 chain and the same hygiene, with no network.
class DnssecCheck final : public Check {
public:
    const CheckInfo& describe() const override;
    CheckResult run(const Target& target, Context& context) const override;

private:
    CheckResult run_domain(const Target& target, Context& context) const;
    CheckResult run_zone(const Target& target, Context& context) const;
};

}  // namespace mamori::checks
