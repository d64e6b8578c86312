/// \file checks/dane/dane_check.h — DANE for SMTP (RFC 7672): TLSA records of the MX hosts.
#pragma once

#include "core/check.h"

namespace mamori::checks {

class DaneCheck final : public Check {
public:
    const CheckInfo& describe() const override;
    CheckResult run(const Target& target, Context& context) const override;
};

}  // namespace mamori::checks
