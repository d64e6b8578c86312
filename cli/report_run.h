/// \file cli/report_run.h — what every reporting command shares: checks, profile, gate, clock and the report run.
///
/// `audit` and `zone` both use it.
#pragma once

#include "core/check.h"
#include "core/engine.h"
#include "core/profile.h"

#include <atomic>
#include <optional>
#include <string>
#include <vector>

namespace mamori::cli::report_run {

/// "a, b,c" → {"a","b","c"}: the comma-separated lists of the command line.
std::vector<std::string> split_list(const std::string& text);
/// --checks: the named checks, or every check when empty / "all". Exit 2 naming an unknown one.
std::vector<const Check*> select_checks(const std::string& list);
/// --profile: a shipped name or a file. Exit 2 with the profile's own error.
Profile load_profile(const std::string& name_or_path);
/// --now: RFC 3339, or `fallback` when empty. Exit 2 for anything else.
std::chrono::system_clock::time_point parse_now(const std::string& text, std::chrono::system_clock::time_point fallback);
/// --format: Exit 2 for an unknown format, naming the known ones.
void check_format(const std::string& format);
/// --trust-anchor: the file's DS/DNSKEY records, or empty (the built-in root anchors) when no file is given.
std::vector<std::string> load_trust_anchor(const std::string& path);

/// --fail-on / --fail-under: when a target's report fails the policy.
struct Gate {
    int fail_under = -1;
    std::optional<Severity> fail_on;

    /// Exit 2 when `fail_on` is not "error" or "warning".
    static Gate parse(const std::string& fail_on, int fail_under);
    bool fails(const TargetReport& report) const;
};

struct ReportOptions {
    std::string format = "text";
    std::string output;   ///< "" or "-": stdout; else written atomically
    Gate gate;
};

/// Audits `targets` with the engine, renders the report and returns exit_policy when any
/// target fails the gate, exit_ok otherwise (Exit 2 for an -o that cannot be created).
/// `progress` and `stop` are handed to the engine (run_audit).
int run_and_report(const std::vector<Target>& targets, const std::vector<const Check*>& checks, dns::Resolver& resolver,
                   const AuditSettings& settings, const Profile& profile, const ReportOptions& options,
                   const EngineOptions& engine = {}, const ProgressSink& progress = {},
                   const std::atomic<bool>* stop = nullptr);

}  // namespace mamori::cli::report_run
