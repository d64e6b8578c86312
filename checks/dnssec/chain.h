/// \file checks/dnssec/chain.h — the chain of trust from a trust anchor down to a domain, validated link by link.
#pragma once

#include "checks/dnssec/dnssec_detail.h"
#include "dns/resolver.h"

#include <optional>
#include <string>
#include <vector>

namespace mamori::checks::dnssec {

enum class ChainState { secure, insecure, bogus };

std::string_view to_string(ChainState);

/// The DNSKEY RRset of one zone, checked against the DS set (or trust anchor) above it.
struct KeyCheck {
    std::vector<const ldns_rr*> keys;     ///< the zone's DNSKEY RRset
    std::vector<const ldns_rr*> entry;    ///< keys a DS / anchor points to
    std::vector<const ldns_rr*> orphans;  ///< DS records that match no key
    std::vector<SigCheck> valid_sigs;     ///< valid RRSIGs over the DNSKEY RRset
    std::optional<Issue> issue;           ///< set when the link is broken
};

struct ChainResult {
    ChainState state = ChainState::secure;
    std::optional<std::string> error;      ///< an operational failure: nothing can be said
    std::string zone;                      ///< the zone holding the target (deepest cut reached)
    std::string parent;                    ///< the zone above it
    std::string insecure_at;               ///< insecure: the delegation proven to have no DS
    std::string broken_link;               ///< bogus: "DS of go.jp. in jp." / "good.go.jp. DNSKEY"
    std::vector<Issue> issues;             ///< bogus: why (DNSSEC-DS-MISMATCH, -SIG-EXPIRED …)
    std::vector<const ldns_rr*> keys;      ///< the target zone's DNSKEY RRset (validated when secure)
    std::vector<const ldns_rr*> ds;        ///< the target zone's DS RRset at its parent
    std::vector<const ldns_rr*> orphan_ds; ///< DS records of the target zone matching no DNSKEY
    std::vector<SigCheck> valid_sigs;      ///< valid signatures over the target zone's DNSKEY set
    Json links = Json::array();            ///< one entry per zone on the way down (evidence)
    std::vector<dns::PacketPtr> packets;   ///< keeps every record above alive
    std::vector<RrPtr> anchor;             ///< the parsed trust anchor (also kept alive)
};

/// A question with DO and CD set: the data as published, signatures included, whatever the
/// resolver itself thinks of it.
dns::Question dnssec_question(const std::string& name, ldns_rr_type type);

/// Why an answer tells nothing (timeout, SERVFAIL, REFUSED…), or nullopt when it is usable.
std::optional<std::string> lookup_failure(const dns::Answer& answer, const std::string& what);

/// Records of `type` in a packet section (any owner).
std::vector<const ldns_rr*> section_records(const dns::Answer& answer, ldns_pkt_section section, ldns_rr_type type);

/// Checks a zone's DNSKEY answer against DS records and/or anchor DNSKEYs; `source` names
/// where they came from in messages ("the DS set at go.jp.", "the trust anchor").
KeyCheck check_dnskeys(const std::string& zone, const dns::Answer& dnskey_answer,
                       std::span<const ldns_rr* const> ds_set, std::span<const ldns_rr* const> anchor_keys,
                       std::time_t now, const std::string& source);

/// Verifies the NSEC/NSEC3 proof in `answer`'s authority section (signatures by `keys` of
/// `zone`, then the denial itself for `name`/`type`). nullopt when the proof holds.
std::optional<Issue> check_denial(const dns::Answer& answer, const std::string& name, ldns_rr_type type,
                                  const std::string& zone, std::span<const ldns_rr* const> keys, std::time_t now);

/// Walks from the anchor's zone down to `target` (a domain name), validating every link.
ChainResult walk_chain(dns::Resolver& resolver, const std::string& target, const std::vector<std::string>& anchor,
                       std::time_t now);

}  // namespace mamori::checks::dnssec
