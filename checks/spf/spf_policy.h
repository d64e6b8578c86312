/// \file checks/spf/spf_policy.h — the audit's static view of an SPF policy: the whole include/redirect tree, every DNS term counted.
///
/// A receiver's check_host() stops at the first match, so whether it hits the limits of
/// §4.6.4 depends on the client. The audit instead walks every branch, counting every
/// DNS-querying term and void lookup, so a policy that breaks the limits is found whatever
/// the client.
#pragma once

#include "checks/spf/spf_evaluator.h"
#include "checks/spf/spf_record.h"
#include "core/model.h"
#include "dns/resolver.h"

#include <optional>
#include <string>
#include <vector>

namespace mamori::spf {

/// One record of the tree.
struct PolicyNode {
    std::string domain;
    std::string via;           ///< "" for the top; "include:…" / "redirect=…" as written
    std::string record;
    int lookups = 0;           ///< DNS-querying terms of this record (§4.6.4)
    int void_lookups = 0;      ///< of its a/mx/exists targets
    std::string all;           ///< effective "all" ("-all", …, "none"), following redirect
    std::string note;          ///< why the walk stopped here (loop, no record, syntax error, …)
    std::vector<PolicyNode> children;

    int subtree_lookups() const;
    int subtree_void_lookups() const;
    Json to_json() const;
};

struct PolicyIssue {
    enum class Kind { syntax, multiple, include_none, loop, mx_limit, void_lookup, ptr, include_matches_all, unresolved };
    Kind kind = Kind::syntax;
    std::string domain;        ///< whose record
    std::string term;
    std::string detail;
    std::string record;
};

/// An ip4/ip6 network a record authorises.
struct IpRange {
    std::string domain;
    std::string term;
    bool v6 = false;
    int prefix = 32;
};

struct PolicyAudit {
    std::optional<std::string> failure;   ///< a record lookup that failed operationally (timeout, SERVFAIL)
    bool nxdomain = false;                ///< the domain itself does not exist
    dns::Answer txt;                      ///< the domain's TXT answer
    std::vector<std::string> records;     ///< every v=spf1 record of the domain
    std::optional<ParseError> syntax;     ///< the domain's own record does not parse
    PolicyNode tree;
    int lookups = 0;
    int void_lookups = 0;
    std::string all;                      ///< effective "all" of the domain; "" when the policy is a permerror
    Result result = Result::none;         ///< what a client that the policy does not list gets
    std::vector<PolicyIssue> issues;
    std::vector<IpRange> ranges;
    bool uses_ptr = false;
};

/// Walks the policy of `domain` (at most `max_nodes` records). `offline` (a zone file as the
/// only data): a failed lookup of another domain's record ends that branch with a note instead
/// of failing the walk, since names outside the zone cannot be asked.
PolicyAudit audit_policy(dns::Resolver& resolver, const std::string& domain, const Limits& limits = {},
                         int max_nodes = 64, bool offline = false);

}  // namespace mamori::spf
