/// \file checks/spf/spf_check.h — the spf plugin: SPF records (RFC 7208), audited over the whole include/redirect tree.
#pragma once

#include "core/check.h"

namespace mamori::checks {

class SpfCheck final : public Check {
public:
    const CheckInfo& describe() const override;
    CheckResult run(const Target& target, Context& context) const override;
};

}  // namespace mamori::checks
