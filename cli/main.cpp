/// \file cli/main.cpp — mamori's entry point: parses the command line and dispatches.
#include "cli/commands.h"

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <iostream>

namespace mamori::cli {

void log_error(const std::string& message) { fmt::print(stderr, "mamori: error: {}\n", message); }
void log_warning(const std::string& message) { fmt::print(stderr, "mamori: warning: {}\n", message); }

}  // namespace mamori::cli

int main(int argc, char** argv) {
    using namespace mamori::cli;
    CLI::App app{"mamori — audits RPKI route-origin coverage, the DNSSEC chain of trust and mail "
                 "authentication (SPF, DKIM, DMARC, MX, MTA-STS, TLS-RPT, DANE) of domains, "
                 "autonomous systems and zone files.",
                 "mamori"};
    app.set_version_flag("-V,--version", std::string("mamori ") + MAMORI_VERSION);
    app.require_subcommand(1);
    app.fallthrough(false);
    int status = exit_ok;  // set by the command that runs
    add_audit_command(app, status);
    add_explain_command(app, status);
    add_profiles_command(app, status);
    add_spf_command(app, status);
    add_zone_command(app, status);
    add_rpki_command(app, status);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // CLI11 uses exit code 0 only for help/version; everything else is a usage error.
        log_error(e.what());
        fmt::print(stderr, "Run 'mamori --help' or 'mamori COMMAND --help' for usage.\n");
        return exit_usage;
    } catch (const Exit& e) {
        if (*e.what() != '\0') log_error(e.what());
        return e.code;
    } catch (const std::exception& e) {
        log_error(std::string("unexpected failure: ") + e.what());
        return exit_environment;
    }
    return status;
}
