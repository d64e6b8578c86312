/// \file core/context.h — what a check may use while auditing one target.
///
/// The engine builds one Context per target. Facts several checks need (the domain's MX
/// set, say) are computed once here, so plugins never call each other.
#pragma once

#include "dns/records.h"
#include "dns/resolver.h"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace mamori {

class Profile;

/// Settings of the whole run that checks read.
struct AuditSettings {
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
    std::vector<std::string> dkim_selectors;  ///< besides the built-in list
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

private:
    dns::Resolver& resolver_;
    const AuditSettings& settings_;
    const Profile& profile_;
    std::once_flag mx_once_;
    std::optional<MxSet> mx_;
};

}  // namespace mamori
