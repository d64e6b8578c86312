/// \file checks/rpki/rpki_check.h — route-origin validation (RFC 6811) of a domain's servers, an AS or a prefix.
#pragma once

#include "core/check.h"

#include <optional>

namespace mamori::rpki {
struct RoutingData;
}

namespace mamori::checks {

class RpkiCheck final : public Check {
public:
    const CheckInfo& describe() const override;
    CheckResult run(const Target& target, Context& context) const override;

private:
    CheckResult run_domain(const Target& target, Context& context, const rpki::RoutingData& data) const;
    CheckResult run_as(const Target& target, Context& context, const rpki::RoutingData& data) const;
    CheckResult run_prefix(const Target& target, Context& context, const rpki::RoutingData& data) const;
    /// RPKI-VRPS-STALE when the VRP data's build time is older than the profile allows.
    std::optional<Finding> staleness(const Context& context, const rpki::RoutingData& data) const;
    CheckResult skipped(std::string reason) const;
};

}  // namespace mamori::checks
