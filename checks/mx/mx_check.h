/// \file checks/mx/mx_check.h — MX and null MX (RFC 5321 §5.1, RFC 7505, RFC 2181 §10.3).
#pragma once

#include "core/check.h"

namespace mamori::checks {

class MxCheck final : public Check {
public:
    const CheckInfo& describe() const override;
    CheckResult run(const Target& target, Context& context) const override;
};

}  // namespace mamori::checks
