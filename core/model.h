/// \file core/model.h — what an audit produces: targets, check results, findings.
///
/// Renderers, scoring and `diff` read only this model. Outcomes (findings) and
/// operational failures (a check that could not run) are kept apart: the latter is a
/// CheckResult with Status::error and the reason in `error`.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mamori {

using Json = nlohmann::ordered_json;

enum class Severity { info, warning, error };
enum class Status { pass, warn, fail, error, skip };
enum class TargetKind { domain, as, prefix, zone };

std::string_view to_string(Severity);
std::string_view to_string(Status);
std::string_view to_string(TargetKind);
std::optional<Severity> parse_severity(std::string_view);
std::optional<Status> parse_status(std::string_view);

/// Order used by gating and by "worst status" summaries: pass < skip < warn < fail < error.
int rank(Status);

/// What is audited. `name` is canonical: a domain in A-label form without trailing dot,
/// "AS64500", or a prefix in CIDR form.
struct Target {
    TargetKind kind = TargetKind::domain;
    std::string name;
    std::string input;  ///< as the user wrote it (a Unicode domain, say)
    std::size_t index = 0;  ///< position in the input, for stable output order
};

struct Finding {
    std::string id;          ///< stable, e.g. "MX-NULL-MIXED"
    Severity severity = Severity::info;
    std::string message;     ///< one sentence about this target
    Json evidence = Json::object();
    std::string remedy;      ///< what to do, concretely
    std::string ref;         ///< standard, e.g. "RFC 7505 §3"
};

struct CheckResult {
    std::string check;       ///< plugin id, e.g. "mx"
    Status status = Status::pass;
    int score = 100;         ///< 0–100
    Json facts = Json::object();
    std::vector<Finding> findings;
    std::string error;       ///< set when status == error: what failed operationally
};

struct TargetReport {
    Target target;
    int score = 100;
    std::string grade;       ///< empty unless the profile grades
    std::vector<CheckResult> checks;
    std::chrono::milliseconds elapsed{0};
};

}  // namespace mamori
