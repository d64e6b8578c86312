/// \file checks/dkim/dkim_check.h — DKIM public keys under common and given selectors (RFC 6376, RFC 8301, RFC 8463, RFC 8020).
#pragma once

#include "core/check.h"

namespace mamori::checks {

class DkimCheck final : public Check {
public:
    const CheckInfo& describe() const override;
    CheckResult run(const Target& target, Context& context) const override;
};

}  // namespace mamori::checks
