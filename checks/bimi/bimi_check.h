/// \file checks/bimi/bimi_check.h — BIMI (Brand Indicators for Message Identification): presence of default._bimi.
#pragma once

#include "core/check.h"

namespace mamori::checks {

class BimiCheck final : public Check {
public:
    const CheckInfo& describe() const override;
    CheckResult run(const Target& target, Context& context) const override;
};

}  // namespace mamori::checks
