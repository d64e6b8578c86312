/// \file checks/tlsrpt/tlsrpt_check.h — SMTP TLS Reporting (RFC 8460): the _smtp._tls record.
#pragma once

#include "core/check.h"

namespace mamori::checks {

class TlsRptCheck final : public Check {
public:
    const CheckInfo& describe() const override;
    CheckResult run(const Target& target, Context& context) const override;
};

}  // namespace mamori::checks
