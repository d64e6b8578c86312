/// \file cli/commands.h — the sub-commands and the exit codes they return.
#pragma once

#include <CLI/CLI.hpp>

#include "rpki/routing_data.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace mamori::cli {

enum ExitCode : int {
    exit_ok = 0,           ///< done and within policy
    exit_policy = 1,       ///< --fail-on / --fail-under / diff regression
    exit_usage = 2,        ///< usage or input error
    exit_environment = 3,  ///< no resolver answered, RTR cache unreachable…
    exit_interrupted = 130,
};

/// Thrown by a command to end with a message on stderr and an exit code.
struct Exit : std::runtime_error {
    int code;
    Exit(int exit_code, const std::string& message) : std::runtime_error(message), code(exit_code) {}
};

/// Options shared by every command that audits and reports.
struct AuditOptions {
    std::vector<std::string> targets;
    std::vector<std::string> target_files;
    std::string checks;
    std::string format = "text";
    std::string output;
    std::string profile = "baseline";
    int fail_under = -1;
    std::string fail_on;
    std::vector<std::string> resolvers;
    std::vector<std::string> dkim_selectors;
    std::string trust_anchor;  ///< --trust-anchor FILE (DS/DNSKEY records); empty: the built-in root KSKs
    std::string ca_file;  ///< --ca-file: extra CA certificates (PEM) for HTTPS fetches
    unsigned concurrency = 32;
    unsigned qps = 0;
    unsigned timeout_ms = 2000;
    std::string now;
    bool progress = false;
    bool no_progress = false;
    bool verbose = false;
    rpki::SourceOptions rpki;  ///< --rtr, --vrps, --pfx2as, --origin-zone (cli/rpki.cpp)
};

void add_audit_command(CLI::App& app, int& status);
void add_explain_command(CLI::App& app, int& status);
void add_profiles_command(CLI::App& app, int& status);
void add_spf_command(CLI::App& app, int& status);
void add_zone_command(CLI::App& app, int& status);
void add_rpki_command(CLI::App& app, int& status);
/// The VRP and route options of `audit` and `rpki`, and their one load per run (cli/rpki.cpp);
/// Exit 2 for bad options or data files, Exit 3 for an RTR cache that failed.
void add_rpki_data_options(CLI::App& command, rpki::SourceOptions& options);
std::shared_ptr<const rpki::RoutingData> load_rpki_data(const rpki::SourceOptions& options, bool verbose);

/// Level-tagged diagnostics on stderr (stdout carries only the report).
void log_error(const std::string& message);
void log_warning(const std::string& message);

}  // namespace mamori::cli
