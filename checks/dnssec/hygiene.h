/// \file checks/dnssec/hygiene.h — signing hygiene of one zone, the same for a live audit and a zone file.
#pragma once

#include "checks/dnssec/dnssec_detail.h"

#include <optional>
#include <string>
#include <vector>

namespace mamori::checks::dnssec {

/// What hygiene looks at: gathered from the network or read from a zone file.
struct ZoneMaterial {
    std::string zone;                        ///< "good.go.jp."
    std::vector<const ldns_rr*> dnskeys;
    std::vector<const ldns_rr*> ds;          ///< the zone's DS RRset at its parent (empty offline)
    std::vector<const ldns_rr*> cds;
    std::vector<const ldns_rr*> cdnskey;
    const ldns_rr* nsec3 = nullptr;          ///< NSEC3PARAM or an NSEC3 record (parameters)
    bool nsec3_optout = false;               ///< any NSEC3 record with the opt-out flag
    bool nsec = false;                       ///< denial by plain NSEC
};

/// The limits from the profile.
struct HygieneLimits {
    int rsa_min_bits = 2048;
    int nsec3_max_iterations = 100;          ///< above: error (validators treat it as insecure)
};

/// Algorithms, DS digests, RSA key sizes, NSEC3 parameters, NSEC walking and CDS/CDNSKEY.
std::vector<Issue> hygiene(const ZoneMaterial& zone, const HygieneLimits& limits);

/// DNSSEC-SIG-EXPIRING when the earliest valid signature expires within `horizon_days`.
/// `count` overrides the number of expiring signatures reported (when `valid` holds only the first).
std::optional<Issue> expiry_horizon(std::span<const SigCheck> valid, const std::string& zone, std::time_t now,
                                    double horizon_days, std::size_t count = 0);

/// The DS record (SHA-256) a parent should publish for `key`, in presentation form.
std::string ds_record_for(const ldns_rr* key);

/// The keys that are KSKs (SEP flag) — or every key when none is.
std::vector<const ldns_rr*> entry_keys(std::span<const ldns_rr* const> dnskeys);

}  // namespace mamori::checks::dnssec
