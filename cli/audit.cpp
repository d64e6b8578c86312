/// \file cli/audit.cpp — `mamori audit`: targets in, scored report out.
#include "cli/commands.h"
#include "cli/report_run.h"
#include "checks/dkim/dkim_selectors.h"
#include "core/check.h"
#include "core/clock.h"
#include "core/engine.h"
#include "core/profile.h"
#include "core/summary.h"
#include "core/target.h"
#include "dns/resolver.h"
#include "report/output.h"
#include "report/renderer.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

namespace mamori::cli {
namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) { interrupted.store(true); }

/// The first SIGINT/SIGTERM stops starting new targets; the report of those done is
/// still written (a valid NDJSON file, a committed -o file). A second one kills at once.
void install_interrupt_handler() {
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sa.sa_flags = static_cast<int>(SA_RESETHAND);
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

std::vector<Target> collect_targets(const AuditOptions& o) {
    std::vector<Target> targets;
    try {
        for (const auto& t : o.targets) targets.push_back(parse_target(t));
        for (const auto& file : o.target_files) {
            if (file == "-") {
                auto more = read_targets(std::cin, "<stdin>");
                targets.insert(targets.end(), more.begin(), more.end());
                continue;
            }
            std::ifstream in(file);
            if (!in) throw InputError(fmt::format("{}: cannot read target file: {}", file, std::strerror(errno)));
            auto more = read_targets(in, file);
            targets.insert(targets.end(), more.begin(), more.end());
        }
    } catch (const InputError& e) {
        throw Exit(exit_usage, e.what());
    }
    if (targets.empty())
        throw Exit(exit_usage, "no targets: give domains, AS numbers or prefixes, or -f FILE (- for stdin)");
    for (std::size_t i = 0; i < targets.size(); ++i) targets[i].index = i;
    return targets;
}

std::vector<dns::Server> select_resolvers(const std::vector<std::string>& given) {
    std::vector<dns::Server> servers;
    for (const auto& text : given) {
        auto s = dns::Server::parse(text);
        if (!s) throw Exit(exit_usage, fmt::format("--resolver: '{}' is not an address (ADDR or ADDR@PORT)", text));
        servers.push_back(*s);
    }
    if (servers.empty()) servers = dns::system_servers();
    if (servers.empty())
        throw Exit(exit_environment, "no resolver: /etc/resolv.conf lists no nameserver; give --resolver ADDR");
    return servers;
}

std::string server_list(const std::vector<dns::Server>& servers) {
    std::string out;
    for (const auto& s : servers) out += (out.empty() ? "" : ", ") + s.to_string();
    return out;
}

/// Exit 3 when not one configured resolver answers at all: the environment failed,
/// and auditing would only turn every domain into a timeout finding.
void preflight(dns::Resolver& resolver, const std::vector<dns::Server>& servers) {
    dns::Question q{.name = ".", .type = LDNS_RR_TYPE_SOA};
    dns::Answer a = resolver.query(q);
    if (!a.ok())
        throw Exit(exit_environment, fmt::format("no answer from the resolver ({}): {}", server_list(servers),
                                                 a.error.empty() ? std::string(dns::to_string(a.outcome)) : a.error));
}

class Progress {
public:
    explicit Progress(bool enabled) : enabled_(enabled) {}
    void operator()(std::size_t done, std::size_t total) {
        if (!enabled_) return;
        fmt::print(stderr, "\r\x1b[2Kmamori: {}/{} targets", done, total);
        if (done == total) fmt::print(stderr, "\n");
        std::fflush(stderr);
    }

private:
    bool enabled_;
};

int run(const AuditOptions& o) {
    auto targets = collect_targets(o);
    auto checks = report_run::select_checks(o.checks);
    const Profile profile = report_run::load_profile(o.profile);
    const auto gate = report_run::Gate::parse(o.fail_on, o.fail_under);
    report_run::check_format(o.format);

    AuditSettings settings;
    settings.now = report_run::parse_now(o.now, settings.now);
    for (const auto& s : o.dkim_selectors) {
        for (const auto& sel : report_run::split_list(s)) {
            if (!checks::valid_dkim_selector(sel))
                throw Exit(exit_usage, fmt::format("--dkim-selectors: '{}' is not a selector (labels of letters, "
                                                   "digits, '-' and '_')", sel));
            settings.dkim_selectors.push_back(sel);
        }
    }
    settings.trust_anchor = report_run::load_trust_anchor(o.trust_anchor);
    if (!o.ca_file.empty()) {
        std::ifstream ca(o.ca_file);
        std::stringstream pem;
        pem << ca.rdbuf();
        if (!ca) throw Exit(exit_usage, fmt::format("--ca-file: {}: cannot read: {}", o.ca_file, std::strerror(errno)));
        if (pem.str().find("-----BEGIN CERTIFICATE-----") == std::string::npos)
            throw Exit(exit_usage, fmt::format("--ca-file: {}: no PEM certificate in it", o.ca_file));
        settings.ca_file = o.ca_file;
    }

    // RPKI data: loaded once, before the engine starts (Exit 2 for a bad file, 3 for a failed RTR cache).
    const bool rpki_selected = std::any_of(targets.begin(), targets.end(), [&](const Target& t) {
        const auto applying = checks_for(t, checks);
        return std::any_of(applying.begin(), applying.end(), [](const Check* c) { return c->describe().needs & need_rpki; });
    });
    if (rpki_selected && o.rpki.any()) settings.routing = load_rpki_data(o.rpki, o.verbose);

    // Only domain targets need DNS (today): check the resolver answers before a batch.
    bool needs_dns = std::any_of(targets.begin(), targets.end(), [&](const Target& t) {
        for (const Check* c : checks_for(t, checks)) {
            const unsigned needs = c->describe().needs;
            // RPKI of an AS or a prefix asks DNS only of a DNS origin service (--origin-zone).
            if ((needs & need_rpki) && t.kind != TargetKind::domain && o.rpki.origin_zone.empty()) continue;
            if (needs & need_dns) return true;
        }
        return false;
    });
    dns::NetworkOptions net;
    if (needs_dns) net.servers = select_resolvers(o.resolvers);
    net.timeout = std::chrono::milliseconds(o.timeout_ms);
    net.qps = o.qps;
    auto resolver = dns::make_network_resolver(net);
    if (needs_dns) preflight(*resolver, net.servers);

    EngineOptions engine;
    engine.concurrency = std::max(1u, o.concurrency);
    engine.ordered = o.format != "ndjson";
    bool show_progress = o.progress || (!o.no_progress && isatty(STDERR_FILENO) && targets.size() > 1);
    Progress progress(show_progress);

    install_interrupt_handler();
    const int status = report_run::run_and_report(
        targets, checks, *resolver, settings, profile, {.format = o.format, .output = o.output, .gate = gate}, engine,
        [&](std::size_t done, std::size_t total) { progress(done, total); }, &interrupted);
    if (o.verbose) {
        auto s = resolver->stats();
        fmt::print(stderr, "mamori: info: {} questions, {} sent, {} answered, {} from cache, {} timeouts, {} over TCP\n",
                   s.questions, s.sent, s.answered, s.cache_hits, s.timeouts, s.tcp);
    }
    if (interrupted.load()) {
        log_warning("interrupted: the report holds the targets finished so far");
        return exit_interrupted;
    }
    return status;
}

}  // namespace

void add_audit_command(CLI::App& app, int& status) {
    auto o = std::make_shared<AuditOptions>();
    CLI::App* cmd = app.add_subcommand("audit", "Audit domains, autonomous systems (AS64500) or prefixes.");
    cmd->add_option("targets", o->targets, "domains (Unicode or A-label), AS numbers (AS64500) or prefixes");
    cmd->add_option("-f,--file", o->target_files, "read targets from FILE, one per line ('-' for stdin)")
        ->allow_extra_args(false);  // one value per flag: targets after it stay targets
    cmd->add_option("--checks", o->checks, "comma-separated checks to run (default: all that apply)");
    cmd->add_option("--format", o->format, "text | json | ndjson | csv")->capture_default_str();
    cmd->add_option("-o,--output", o->output, "write the report to FILE (atomically)");
    cmd->add_option("--profile", o->profile, "scoring profile: a shipped name or a file")->capture_default_str();
    cmd->add_option("--fail-under", o->fail_under, "exit 1 when any target scores below N")->check(CLI::Range(0, 100));
    cmd->add_option("--fail-on", o->fail_on, "exit 1 when any finding is at LEVEL (error|warning) or worse");
    cmd->add_option("--resolver", o->resolvers, "recursive resolver ADDR[@PORT] (repeatable; default: /etc/resolv.conf)")
        ->allow_extra_args(false);  // one value per flag: targets after it stay targets
    cmd->add_option("--dkim-selectors", o->dkim_selectors, "DKIM selectors to try besides the built-in list (comma-separated; repeatable)")
        ->allow_extra_args(false);  // one LIST per flag: the targets after it are not selectors
    cmd->add_option("--ca-file", o->ca_file, "extra CA certificates (PEM) for HTTPS fetches (MTA-STS policies)");
    cmd->add_option("--concurrency", o->concurrency, "targets audited at once")->capture_default_str()->check(CLI::Range(1u, 4096u));
    cmd->add_option("--qps", o->qps, "at most N DNS queries per second (0: no limit)")->capture_default_str();
    cmd->add_option("--timeout", o->timeout_ms, "per-query timeout in milliseconds")->capture_default_str()->check(CLI::Range(10u, 60000u));
    cmd->add_option("--now", o->now, "the clock for signature validity, RFC 3339 (reproducible audits)");
    cmd->add_option("--trust-anchor", o->trust_anchor, "DNSSEC trust anchor: DS or DNSKEY records in zone-file format "
                                                        "(default: the root KSK-2017 and KSK-2024)");
    cmd->add_flag("--progress", o->progress, "show progress on stderr");
    cmd->add_flag("--no-progress", o->no_progress, "never show progress");
    cmd->add_flag("-v,--verbose", o->verbose, "statistics and diagnostics on stderr");
    add_rpki_data_options(*cmd, o->rpki);
    cmd->callback([o, &status] { status = run(*o); });
}

}  // namespace mamori::cli
