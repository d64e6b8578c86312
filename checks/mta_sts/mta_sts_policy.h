/// \file checks/mta_sts/mta_sts_policy.h — MTA-STS TXT records and policy files (RFC 8461 §3.1, §3.2, §4.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::checks {

/// The _mta-sts TXT record: "v=STSv1; id=20260101".
struct StsRecord {
    std::string text;
    std::string id;
    std::vector<std::string> problems;  ///< empty when it follows RFC 8461 §3.1
    bool valid() const { return problems.empty(); }
};

/// Records that start with "v=STSv1" are the candidates (RFC 8461 §3.1); others are ignored.
bool starts_with_sts_version(std::string_view text);
StsRecord parse_sts_record(std::string_view text);

struct PolicyProblem {
    int line = 0;           ///< 1-based; 0 when about the whole policy
    std::string problem;
    bool fatal = true;      ///< senders cannot use the policy because of it
};

/// The policy file at https://mta-sts.<domain>/.well-known/mta-sts.txt.
struct StsPolicy {
    std::string version;
    std::string mode;                        ///< enforce | testing | none (as written)
    std::optional<std::uint64_t> max_age;    ///< seconds
    std::vector<std::string> mx;             ///< patterns, lower-cased, without trailing dot
    std::vector<std::string> extensions;     ///< other keys seen
    std::vector<PolicyProblem> problems;

    bool usable() const;                     ///< no fatal problem
};

constexpr std::uint64_t sts_max_age_limit = 31557600;  ///< RFC 8461 §3.2

/// Parses a policy body (LF or CRLF line ends). Never throws.
StsPolicy parse_sts_policy(std::string_view body);

/// RFC 8461 §4.1: "mail.example.jp" matches the pattern itself or "*.example.jp" (the
/// wildcard stands for exactly one leftmost label); case-insensitive, trailing dots ignored.
bool mx_matches(std::string_view host, std::string_view pattern);

}  // namespace mamori::checks
