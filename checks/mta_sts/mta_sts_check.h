/// \file checks/mta_sts/mta_sts_check.h — MTA-STS (RFC 8461): the _mta-sts record, the policy over HTTPS, MX coverage.
#pragma once

#include "checks/mta_sts/https_fetch.h"
#include "core/check.h"

namespace mamori::checks {

class MtaStsCheck final : public Check {
public:
    /// `fetch` gets the policy; tests inject canned responses.
    explicit MtaStsCheck(HttpsFetcher fetch = https_get) : fetch_(std::move(fetch)) {}
    const CheckInfo& describe() const override;
    CheckResult run(const Target& target, Context& context) const override;

private:
    HttpsFetcher fetch_;
};

}  // namespace mamori::checks
