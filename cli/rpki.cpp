/// \file cli/rpki.cpp — `mamori rpki validate|coverage` and the VRP/route data options shared with `audit`.
#include "checks/rpki/rpki_check.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/profile.h"
#include "core/target.h"
#include "rpki/error.h"

#include <fmt/format.h>

#include <iostream>

namespace mamori::cli {
namespace {

struct RpkiCommandOptions {
    rpki::SourceOptions data;
    std::string prefix, asn;
    std::string format = "text";
    std::string profile = "baseline";
    std::string now;
    bool verbose = false;
};

void check_format(const std::string& format) {
    if (format != "text" && format != "json")
        throw Exit(exit_usage, fmt::format("--format: '{}' is not text or json", format));
}

std::uint32_t asn_argument(const std::string& text) {
    auto asn = rpki::parse_asn(text);
    if (!asn) throw Exit(exit_usage, fmt::format("'{}' is not an AS number (AS64500 or 64500)", text));
    return *asn;
}

Json vrp_list(const std::vector<rpki::Vrp>& vrps) {
    Json out = Json::array();
    for (const auto& v : vrps)
        out.push_back({{"prefix", v.prefix.to_string()}, {"max_length", v.max_length}, {"asn", rpki::asn_string(v.asn)}});
    return out;
}

int validate(const RpkiCommandOptions& o) {
    check_format(o.format);
    std::string why;
    auto prefix = rpki::parse_prefix(o.prefix, &why);
    if (!prefix) throw Exit(exit_usage, fmt::format("PREFIX: {}", why));
    const std::uint32_t asn = asn_argument(o.asn);
    if (o.data.rtr.empty() && o.data.vrps.empty())
        throw Exit(exit_usage, "rpki validate needs VRPs: give --rtr HOST:PORT or --vrps FILE");
    auto data = load_rpki_data(o.data, o.verbose);
    const auto verdict = data->vrps->validate(*prefix, asn);
    const auto covering = data->vrps->covering(*prefix);
    if (o.format == "json") {
        Json doc{{"prefix", prefix->to_string()}, {"origin", rpki::asn_string(asn)},
                 {"state", rpki::to_string(verdict.state)}, {"vrps", vrp_list(verdict.vrps)},
                 {"covering", vrp_list(covering)}, {"vrp_source", data->vrps->info().source}};
        std::cout << doc.dump(2) << '\n';
        return exit_ok;
    }
    fmt::print("{} {}: {}\n", prefix->to_string(), rpki::asn_string(asn), rpki::to_string(verdict.state));
    if (verdict.state == rpki::State::not_found) fmt::print("  no VRP covers {}\n", prefix->to_string());
    else fmt::print("  {}:\n", verdict.state == rpki::State::valid ? "matching VRPs" : "VRPs covering it (none matches)");
    for (const auto& v : verdict.vrps) fmt::print("    {}\n", v.to_string());
    return exit_ok;
}

/// Runs the rpki check on the AS target, as `audit` would, and prints its table.
CheckResult run_coverage_check(const RpkiCommandOptions& o, std::shared_ptr<const rpki::RoutingData> data, Target& target) {
    Profile profile;
    try {
        profile = Profile::load(o.profile);
    } catch (const ProfileError& e) {
        throw Exit(exit_usage, std::string("--profile: ") + e.what());
    }
    AuditSettings settings;
    if (!o.now.empty()) {
        auto t = parse_rfc3339(o.now);
        if (!t) throw Exit(exit_usage, fmt::format("--now: '{}' is not an RFC 3339 time", o.now));
        settings.now = *t;
    }
    settings.routing = std::move(data);
    auto resolver = dns::make_network_resolver({});  // unused: AS coverage asks no DNS question
    Context context(*resolver, settings, profile);
    const checks::RpkiCheck check;
    return check.run(target, context);
}

void print_coverage_text(const Target& target, const CheckResult& r) {
    const Json& c = r.facts["coverage"];
    fmt::print("{}: {} prefixes, {} valid, {} invalid, {} not-found; coverage {:.1f} % by count, {:.1f} % by address space\n",
               target.name, c["total"].get<std::size_t>(), c["valid"].get<std::size_t>(), c["invalid"].get<std::size_t>(),
               c["not_found"].get<std::size_t>(),
               c["total"].get<double>() > 0 ? 100.0 * c["valid"].get<double>() / c["total"].get<double>() : 0.0,
               100.0 * c["address_share"].get<double>());
    if (!r.facts["routes"].empty()) fmt::print("\n  {:<44} {:<10} {}\n", "prefix", "state", "VRPs");
    for (const auto& route : r.facts["routes"]) {
        std::vector<std::string> vrps;
        if (route.contains("vrps"))
            for (const auto& v : route["vrps"])
                if (v.contains("prefix"))
                    vrps.push_back(fmt::format("{}-{} {}", v["prefix"].get<std::string>(), v["max_length"].get<int>(),
                                               v["asn"].get<std::string>()));
        std::string prefix = route["prefix"].get<std::string>() + (route.contains("as_set") ? " (AS_SET)" : "");
        fmt::print("  {:<44} {:<10} {}\n", prefix, route["state"].get<std::string>(), fmt::join(vrps, ", "));
    }
    bool first = true;
    for (const auto& f : r.findings) {
        if (f.id == "RPKI-COVERAGE") continue;
        if (std::exchange(first, false)) fmt::print("\n");
        fmt::print("  {}  {}  {}\n", f.id, to_string(f.severity), f.message);
        std::string_view remedy = f.remedy;
        for (std::string_view prefix = "      fix: "; !remedy.empty(); prefix = "           ") {
            const auto nl = remedy.find('\n');
            fmt::print("{}{}\n", prefix, remedy.substr(0, nl));
            remedy = nl == std::string_view::npos ? std::string_view{} : remedy.substr(nl + 1);
        }
    }
}

int coverage(const RpkiCommandOptions& o) {
    check_format(o.format);
    Target target;
    target.kind = TargetKind::as;
    target.name = rpki::asn_string(asn_argument(o.asn));
    if (o.data.rtr.empty() && o.data.vrps.empty())
        throw Exit(exit_usage, "rpki coverage needs VRPs: give --rtr HOST:PORT or --vrps FILE");
    if (o.data.pfx2as.empty())
        throw Exit(exit_usage, "rpki coverage needs the announced routes: give --pfx2as FILE");
    const CheckResult r = run_coverage_check(o, load_rpki_data(o.data, o.verbose), target);
    if (r.status == Status::error) throw Exit(exit_environment, r.error);
    if (o.format == "json") {
        Json findings = Json::array();
        for (const auto& f : r.findings)
            findings.push_back({{"id", f.id}, {"severity", to_string(f.severity)}, {"message", f.message},
                                {"evidence", f.evidence}, {"remedy", f.remedy}, {"ref", f.ref}});
        Json doc{{"as", target.name}, {"routes", r.facts["routes"]}, {"coverage", r.facts["coverage"]}, {"findings", findings}};
        std::cout << doc.dump(2) << '\n';
        return exit_ok;
    }
    print_coverage_text(target, r);
    return exit_ok;
}

void add_common(CLI::App& cmd, RpkiCommandOptions& o) {
    add_rpki_data_options(cmd, o.data);
    cmd.add_option("--format", o.format, "text | json")->capture_default_str();
    cmd.add_flag("-v,--verbose", o.verbose, "load statistics (and RTRlib's debug log) on stderr");
}

}  // namespace

void add_rpki_data_options(CLI::App& cmd, rpki::SourceOptions& o) {
    const std::string group = "RPKI data";
    cmd.add_option("--rtr", o.rtr, "VRPs from an RTR cache HOST:PORT (RFC 8210; TCP, or SSH with --rtr-ssh-key)")->group(group);
    cmd.add_option("--vrps", o.vrps, "VRPs from a file: rpki-client JSON, Routinator JSON/jsonext/CSV, RIPE validator CSV")->group(group);
    cmd.add_option("--pfx2as", o.pfx2as, "routes from a file: CAIDA pfx2as, bgpdump -m, pyasn (.gz too), RIS dump")->group(group);
    cmd.add_option("--origin-zone", o.origin_zone, "routes from a DNS origin service like origin.asn.cymru.com")->group(group);
    cmd.add_option_function<double>(
           "--rtr-timeout", [&o](double s) { o.rtr_timeout = std::chrono::milliseconds(static_cast<long long>(s * 1000)); },
           "seconds to wait for the RTR cache's first full sync (default 30)")
        ->check(CLI::Range(0.1, 3600.0))
        ->group(group);
    cmd.add_option("--rtr-ssh-key", o.ssh_key, "connect to the RTR cache over SSH with this private key")->group(group);
    cmd.add_option("--rtr-ssh-user", o.ssh_user, "SSH user for the RTR cache")->capture_default_str()->group(group);
    cmd.add_option("--rtr-ssh-known-hosts", o.ssh_known_hosts, "the RTR cache's SSH host key (known_hosts file)")->group(group);
}

std::shared_ptr<const rpki::RoutingData> load_rpki_data(const rpki::SourceOptions& options, bool verbose) {
    rpki::SourceOptions o = options;
    o.verbose = verbose;
    try {
        return rpki::load_routing_data(o, [verbose](const std::string& line) {
            if (verbose) fmt::print(stderr, "mamori: info: {}\n", line);
        });
    } catch (const std::invalid_argument& e) {
        throw Exit(exit_usage, e.what());
    } catch (const rpki::DataError& e) {
        throw Exit(exit_usage, e.what());
    } catch (const rpki::SourceError& e) {
        throw Exit(exit_environment, e.what());
    }
}

void add_rpki_command(CLI::App& app, int& status) {
    CLI::App* cmd = app.add_subcommand("rpki", "RFC 6811 route-origin validation of one route, or the ROA coverage of an AS.");
    cmd->require_subcommand(1);

    auto v = std::make_shared<RpkiCommandOptions>();
    CLI::App* val = cmd->add_subcommand("validate", "The RFC 6811 state of PREFIX originated by AS, and the VRPs that decide it.");
    val->add_option("prefix", v->prefix, "the route's prefix, e.g. 192.0.2.0/24")->required();
    val->add_option("as", v->asn, "the origin AS, e.g. AS64500")->required();
    add_common(*val, *v);
    val->callback([v, &status] { status = validate(*v); });

    auto c = std::make_shared<RpkiCommandOptions>();
    CLI::App* cov = cmd->add_subcommand("coverage", "Every prefix AS announces, its state, and the AS's ROA hygiene.");
    cov->add_option("as", c->asn, "the AS, e.g. AS64500")->required();
    add_common(*cov, *c);
    cov->add_option("--profile", c->profile, "scoring profile (severities, vrp_stale_hours)")->capture_default_str();
    cov->add_option("--now", c->now, "the clock for the staleness check, RFC 3339");
    cov->callback([c, &status] { status = coverage(*c); });
}

}  // namespace mamori::cli
