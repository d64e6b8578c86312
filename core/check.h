/// \file core/check.h — the check (plugin) interface and its declared metadata.
///
/// A check declares, once, its id, what it needs and every finding it can produce; that
/// declaration feeds `--help`, `mamori explain`, the man page and the message catalogue
/// tests. Checks never print and never call each other: shared facts come from Context.
#pragma once

#include "core/context.h"
#include "core/model.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mamori {

/// The catalogue entry of one finding id.
struct FindingInfo {
    std::string_view id;
    Severity severity;
    std::string_view title;    ///< short, e.g. "null MX beside other MX records"
    std::string_view why;      ///< what it means and why it matters
    std::string_view remedy;   ///< how to fix it, in general terms
    std::string_view ref;      ///< the standard behind it
};

enum Need : unsigned { need_dns = 1, need_rpki = 2, need_https = 4 };

struct CheckInfo {
    std::string_view id;            ///< e.g. "mx"
    std::string_view title;
    std::string_view description;
    std::vector<TargetKind> applies_to;
    unsigned needs = need_dns;
    std::vector<FindingInfo> findings;

    bool applies(TargetKind kind) const;
    const FindingInfo* finding(std::string_view finding_id) const;
};

class Check {
public:
    virtual ~Check() = default;
    virtual const CheckInfo& describe() const = 0;
    std::string_view id() const { return describe().id; }
    /// Audits one target. Operational failures are returned as Status::error, not thrown.
    virtual CheckResult run(const Target& target, Context& context) const = 0;

protected:
    /// A finding with the catalogue's severity and reference; `remedy` defaults to the
    /// catalogue's. Throws std::logic_error for an id the check did not declare.
    Finding finding(std::string_view finding_id, std::string message, Json evidence = Json::object(),
                    std::string remedy = {}) const;
    /// A result with status and score derived from the findings (see derive_status()).
    CheckResult result(std::vector<Finding> findings, Json facts) const;
    /// A result for a check that could not be completed (timeout, SERVFAIL…).
    CheckResult failed(std::string error, Json facts = Json::object()) const;
};

/// Status from findings: any error → fail, any warning → warn, else pass.
Status derive_status(std::span<const Finding> findings);

/// Every check, in the one registry (checks/registry.cpp).
std::span<const Check* const> all_checks();
const Check* find_check(std::string_view id);
/// The catalogue entry of a finding id across every check, or nullptr.
const FindingInfo* find_finding(std::string_view finding_id, const Check** owner = nullptr);

}  // namespace mamori
