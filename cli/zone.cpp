/// \file cli/zone.cpp — `mamori zone`: a zone file checked offline (signatures, denial chain, mail records) as a CI gate.
#include "cli/commands.h"
#include "cli/report_run.h"
#include "dns/records.h"
#include "dns/zone_resolver.h"

#include <fmt/format.h>

#include <memory>

namespace mamori::cli {
namespace {

struct ZoneOptions {
    std::string file;
    std::string origin;
    std::string checks;
    std::string format = "text";
    std::string output;
    std::string profile = "baseline";
    int fail_under = -1;
    std::string fail_on;
    std::string now;
    bool verbose = false;
};

int run_zone(const ZoneOptions& o) {
    report_run::check_format(o.format);
    const report_run::Gate gate = report_run::Gate::parse(o.fail_on, o.fail_under);
    const Profile profile = report_run::load_profile(o.profile);
    AuditSettings settings;
    settings.now = report_run::parse_now(o.now, settings.now);

    std::vector<const Check*> checks;
    for (const Check* c : report_run::select_checks(o.checks)) {
        if (c->describe().applies(TargetKind::zone)) checks.push_back(c);
        else if (!o.checks.empty()) log_warning(fmt::format("--checks: '{}' does not apply to zone files; skipped", c->id()));
    }
    if (checks.empty()) throw Exit(exit_usage, "--checks: none of the checks given applies to zone files");

    dns::LoadedZone zone;
    try {
        zone = dns::load_zone(o.file, o.origin);
    } catch (const dns::ZoneError& e) {
        throw Exit(exit_usage, e.what());
    }
    settings.zone_file = &zone;
    auto resolver = dns::make_zone_resolver({zone});

    Target target;
    target.kind = TargetKind::zone;
    target.name = zone.origin.size() > 1 ? zone.origin.substr(0, zone.origin.size() - 1) : zone.origin;
    target.input = o.file;
    const int status = report_run::run_and_report({target}, checks, *resolver, settings, profile,
                                                  {.format = o.format, .output = o.output, .gate = gate});
    if (o.verbose) {
        const ldns_rr_list* rrs = ldns_zone_rrs(zone.zone.get());
        fmt::print(stderr, "mamori: info: {} records of {} read from {}\n",
                   (rrs != nullptr ? ldns_rr_list_rr_count(rrs) : 0) + 1, zone.origin, zone.file);
    }
    return status;
}

}  // namespace

void add_zone_command(CLI::App& app, int& status) {
    auto o = std::make_shared<ZoneOptions>();
    CLI::App* cmd = app.add_subcommand("zone", "Check a zone file offline before it is published (no network): every "
                                                "RRSIG, the NSEC/NSEC3 chain, signing hygiene and the mail records.");
    cmd->add_option("zonefile", o->file, "the zone file (signed or not)")->required();
    cmd->add_option("--origin", o->origin, "the zone's name (default: the owner of its SOA record)");
    cmd->add_option("--checks", o->checks, "comma-separated checks to run (default: all that apply to zone files)");
    cmd->add_option("--format", o->format, "text | json | ndjson | csv | …")->capture_default_str();
    cmd->add_option("-o,--output", o->output, "write the report to FILE (atomically)");
    cmd->add_option("--profile", o->profile, "scoring profile: a shipped name or a file")->capture_default_str();
    cmd->add_option("--fail-under", o->fail_under, "exit 1 when the zone scores below N")->check(CLI::Range(0, 100));
    cmd->add_option("--fail-on", o->fail_on, "exit 1 when any finding is at LEVEL (error|warning) or worse");
    cmd->add_option("--now", o->now, "the validation clock, RFC 3339 (default: now)");
    cmd->add_flag("-v,--verbose", o->verbose, "statistics on stderr");
    cmd->callback([o, &status] { status = run_zone(*o); });
}

}  // namespace mamori::cli
