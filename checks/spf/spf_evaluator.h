/// \file checks/spf/spf_evaluator.h — RFC 7208 check_host() (§4) over the dns::Resolver interface, with its trace.
#pragma once

#include "checks/spf/spf_record.h"
#include "core/model.h"
#include "dns/resolver.h"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace mamori::spf {

enum class Result { none, neutral, pass, fail, softfail, temperror, permerror };
std::string_view to_string(Result result);
Result result_of(Qualifier qualifier);

/// The processing limits of §4.6.4 (and a nesting guard of our own).
struct Limits {
    int dns_terms = 10;     ///< include, a, mx, ptr, exists, redirect over the whole evaluation
    int void_lookups = 2;   ///< NXDOMAIN or empty answers
    int mx_names = 10;      ///< more MX records than this: permerror
    int ptr_names = 10;     ///< only this many PTR names are checked
    int max_depth = 16;     ///< include/redirect nesting (the term limit normally ends loops first)
};

/// What check_host() is asked (§4.1).
struct Request {
    std::string ip;              ///< the client address
    std::string domain;          ///< empty: the sender's domain, or the HELO name when there is no sender
    std::string sender;          ///< MAIL FROM; empty: postmaster@<HELO name>
    std::string helo;            ///< HELO/EHLO name; empty: the domain
    std::string receiver = "unknown";  ///< %{r}: the checking host's name
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();  ///< %{t}
};

/// The values macros expand to (§7.2); `validated_name` computes %{p} on demand.
struct MacroEnv {
    Address ip;
    std::string sender;          ///< %{s}
    std::string local_part;      ///< %{l}
    std::string sender_domain;   ///< %{o}
    std::string domain;          ///< %{d}
    std::string helo;            ///< %{h}
    std::string receiver;        ///< %{r}
    std::int64_t now = 0;        ///< %{t}
    std::function<std::string(const std::string& domain)> validated_name;  ///< %{p}; "unknown" when unset
};

/// Expands a parsed macro-string (§7.3, §7.4): transformers, delimiters, URL-escaping of
/// upper-case macros, %% %_ %-.
std::string expand_macros(const MacroString& macro, const MacroEnv& env);

/// %{i}: dotted IPv4, or 32 dot-separated upper-case nibbles for IPv6.
std::string dotted_ip(const Address& ip);

/// A name to query, from an expanded domain-spec: trailing dot removed, truncated from the
/// left to 253 characters (§7.3). nullopt when it cannot be a DNS name (empty or over-long label).
std::optional<std::string> target_name(std::string expanded);
/// Presentation form for the DNS layer: bytes other than letters, digits, '-' and '_' as \DDD.
std::string presentation_name(const std::string& name);

/// One step of an evaluation, for people and for `--format json`.
struct TraceStep {
    int depth = 0;
    std::string domain;
    std::string step;     ///< record | term | dns | limit | redirect | explanation | result
    std::string term;     ///< the term (term steps)
    std::string outcome;  ///< match | no match | a result name | …
    std::string detail;
    Json to_json() const;
};

/// A node of the include/redirect tree an evaluation visited, with the DNS-querying terms it counted.
struct TreeNode {
    std::string domain;
    std::string via;       ///< "" for the top; "include:…" or "redirect=…"
    std::string record;
    int lookups = 0;       ///< DNS-querying terms of this record counted
    std::string result;
    std::vector<TreeNode> children;
    int subtree_lookups() const;
    Json to_json() const;
};

struct Evaluation {
    Result result = Result::none;
    std::string explanation;   ///< the exp= text for a fail, else empty (no default text, §6.2)
    std::string reason;        ///< the deciding term, or what went wrong
    int lookups = 0;
    int void_lookups = 0;
    std::vector<TraceStep> trace;
    TreeNode tree;
    /// {"result","explanation","lookups","void_lookups","trace":[…]}
    Json to_json() const;
};

class Evaluator {
public:
    explicit Evaluator(dns::Resolver& resolver, Limits limits = {}) : resolver_(resolver), limits_(limits) {}
    /// check_host() for `request`. The request's IP must parse (the caller validates it);
    /// a bad IP yields permerror with the reason.
    Evaluation check_host(const Request& request) const;

private:
    dns::Resolver& resolver_;
    Limits limits_;
};

}  // namespace mamori::spf
