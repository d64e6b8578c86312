/// \file core/context.h — what a check may use while auditing one target.
///
/// The engine builds one Context per target. Facts several checks need (the domain's MX
/// set, say) are computed once here, so plugins never call each other.
#pragma once

#include "dns/records.h"
#include "dns/resolver.h"

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace mamori {

class Profile;
namespace dns {
struct LoadedZone;
}
namespace rpki {
struct RoutingData;
}

/// Settings of the whole run that checks read.
struct AuditSettings {
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
    std::vector<std::string> dkim_selectors;  ///< besides the built-in list
    std::string ca_file;  ///< extra CA certificates (PEM) for HTTPS fetches; empty: the system's only
    /// DNSSEC trust anchor: DS/DNSKEY records in presentation form; empty: the built-in root KSKs.
    std::vector<std::string> trust_anchor;
    /// The zone file a `mamori zone` run audits (offline checks read it whole); null otherwise.
    const dns::LoadedZone* zone_file = nullptr;
    /// VRPs and routes (rpki/), loaded once before the engine starts; null: none given.
    std::shared_ptr<const rpki::RoutingData> routing;
};

/// A domain's DKIM key records: one TXT question per selector, asked once per target.
struct DkimKeys {
    dns::Answer probe;                   ///< TXT at _domainkey.<domain>; NXDOMAIN: no selector below (RFC 8020)
    std::vector<std::string> selectors;  ///< the selectors asked, in order
    std::vector<dns::Answer> answers;    ///< one per selector; empty when the probe was NXDOMAIN
};

/// The MX set of a domain, asked once per target.
struct MxSet {
    dns::Answer answer;
    std::vector<dns::MxRecord> records;
};

class Context {
public:
    Context(dns::Resolver& resolver, const AuditSettings& settings, const Profile& profile)
        : resolver_(resolver), settings_(settings), profile_(profile) {}

    dns::Resolver& resolver() const { return resolver_; }
    const AuditSettings& settings() const { return settings_; }
    const Profile& profile() const { return profile_; }

    /// A question to the configured resolvers; answers are cached for the whole run.
    dns::Answer ask(std::string name, ldns_rr_type type) const;

    /// The domain's MX records (computed on first use, then shared).
    const MxSet& mx(const std::string& domain);

    /// The domain's DKIM key records under `selectors` (computed on first use, then shared:
    /// later calls get the first call's answers).
    const DkimKeys& dkim_keys(const std::string& domain, const std::vector<std::string>& selectors);

private:
    dns::Resolver& resolver_;
    const AuditSettings& settings_;
    const Profile& profile_;
    std::once_flag mx_once_;
    std::optional<MxSet> mx_;
    std::once_flag dkim_once_;
    std::optional<DkimKeys> dkim_;
};

}  // namespace mamori
