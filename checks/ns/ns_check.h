/// \file checks/ns/ns_check.h — the domain's nameservers one by one: lame, inconsistent, single, no diversity, TCP.
#pragma once

#include "core/check.h"
#include "dns/resolver.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace mamori::checks {

/// Asks `server` for `zone` SOA over TCP only; returns why it failed, or nullopt when it answered.
using TcpProbe = std::function<std::optional<std::string>(const dns::Server& server, const std::string& zone)>;

/// A TCP probe with ldns's own resolver (the dns/ layer falls back to TCP only on truncation).
TcpProbe ldns_tcp_probe(std::chrono::milliseconds timeout);

class NsCheck final : public Check {
public:
    explicit NsCheck(TcpProbe probe = ldns_tcp_probe(std::chrono::milliseconds(3000))) : probe_(std::move(probe)) {}
    const CheckInfo& describe() const override;
    CheckResult run(const Target& target, Context& context) const override;

private:
    TcpProbe probe_;
};

}  // namespace mamori::checks
