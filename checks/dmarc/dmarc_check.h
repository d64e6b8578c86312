/// \file checks/dmarc/dmarc_check.h — DMARC policy discovery and validation (RFC 7489; DMARCbis-aware).
#pragma once

#include "core/check.h"

namespace mamori::checks {

class DmarcCheck final : public Check {
public:
    const CheckInfo& describe() const override;
    CheckResult run(const Target& target, Context& context) const override;
};

}  // namespace mamori::checks
