/// \file cli/spf.cpp — `mamori spf`: RFC 7208 check_host() for one client, with the evaluation trace.
#include "checks/spf/spf_evaluator.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/target.h"
#include "dns/resolver.h"
#include "report/escape.h"

#include <fmt/format.h>

#include <iostream>
#include <memory>

namespace mamori::cli {
namespace {

struct SpfOptions {
    std::string domain;
    std::string ip;
    std::string sender;
    std::string helo;
    std::vector<std::string> resolvers;
    unsigned timeout_ms = 2000;
    std::string format = "text";
    std::string now;
    std::string receiver = "unknown";
};

std::string safe(const std::string& text) { return report::terminal_safe(text); }

spf::Request make_request(const SpfOptions& o) {
    spf::Request r;
    if (!spf::Address::parse(o.ip)) throw Exit(exit_usage, fmt::format("--ip: '{}' is not an IPv4 or IPv6 address", safe(o.ip)));
    r.ip = o.ip;
    if (!o.domain.empty()) {
        try {
            const Target t = parse_target(o.domain);
            if (t.kind != TargetKind::domain) throw InputError(fmt::format("'{}' is not a domain name", o.domain));
            r.domain = t.name;
        } catch (const InputError& e) {
            throw Exit(exit_usage, std::string("DOMAIN: ") + safe(e.what()));
        }
    } else if (o.sender.empty() && o.helo.empty()) {
        throw Exit(exit_usage, "give the DOMAIN to check, or --sender ADDR (or --helo NAME) to check its domain");
    }
    r.sender = o.sender;
    r.helo = o.helo;
    r.receiver = o.receiver;
    if (!o.now.empty()) {
        auto t = parse_rfc3339(o.now);
        if (!t) throw Exit(exit_usage, fmt::format("--now: '{}' is not an RFC 3339 time (2026-11-22T00:00:00Z)", safe(o.now)));
        r.now = *t;
    }
    return r;
}

std::unique_ptr<dns::Resolver> make_resolver(const SpfOptions& o) {
    dns::NetworkOptions net;
    for (const auto& text : o.resolvers) {
        auto s = dns::Server::parse(text);
        if (!s) throw Exit(exit_usage, fmt::format("--resolver: '{}' is not an address (ADDR or ADDR@PORT)", safe(text)));
        net.servers.push_back(*s);
    }
    if (net.servers.empty()) net.servers = dns::system_servers();
    if (net.servers.empty()) throw Exit(exit_environment, "no resolver: /etc/resolv.conf lists no nameserver; give --resolver ADDR");
    net.timeout = std::chrono::milliseconds(o.timeout_ms);
    auto resolver = dns::make_network_resolver(net);
    const dns::Answer a = resolver->query({.name = ".", .type = LDNS_RR_TYPE_SOA});
    if (!a.ok()) {
        std::string servers;
        for (const auto& s : net.servers) servers += (servers.empty() ? "" : ", ") + s.to_string();
        throw Exit(exit_environment, fmt::format("no answer from the resolver ({}): {}", servers,
                                                 a.error.empty() ? std::string(dns::to_string(a.outcome)) : a.error));
    }
    return resolver;
}

void print_text(const spf::Evaluation& e, const spf::Request& r) {
    fmt::print("result:       {}\n", spf::to_string(e.result));
    fmt::print("client:       {}\n", safe(r.ip));
    if (!e.tree.domain.empty()) fmt::print("domain:       {}\n", safe(e.tree.domain));
    if (!e.reason.empty()) fmt::print("reason:       {}\n", safe(e.reason));
    fmt::print("explanation:  {}\n", e.explanation.empty() ? "(none)" : safe(e.explanation));
    fmt::print("lookups:      {} DNS-querying terms, {} void lookups\n", e.lookups, e.void_lookups);
    fmt::print("trace:\n");
    for (const auto& s : e.trace) {
        const std::string indent(static_cast<std::size_t>(2 * (s.depth + 1)), ' ');
        std::string line = indent + safe(s.domain) + ": ";
        if (s.step == "dns") line += safe(s.detail);
        else if (s.step == "term") line += fmt::format("{} → {}{}", safe(s.term), s.outcome, s.detail.empty() ? "" : " (" + safe(s.detail) + ")");
        else if (s.step == "record") line += fmt::format("record {}: {}", s.outcome, safe(s.detail));
        else line += fmt::format("{}{} → {}: {}", s.step, s.term.empty() ? "" : " " + safe(s.term), s.outcome, safe(s.detail));
        fmt::print("{}\n", line);
    }
}

int run(const SpfOptions& o) {
    if (o.format != "text" && o.format != "json")
        throw Exit(exit_usage, fmt::format("--format: unknown format '{}' (available: text, json)", safe(o.format)));
    const spf::Request request = make_request(o);
    auto resolver = make_resolver(o);
    const spf::Evaluator evaluator(*resolver);
    const spf::Evaluation e = evaluator.check_host(request);
    if (o.format == "json") fmt::print("{}\n", e.to_json().dump(-1, ' ', false, Json::error_handler_t::replace));
    else print_text(e, request);
    std::cout.flush();
    return exit_ok;  // a query tool: every SPF result is an answer, not a failure
}

}  // namespace

void add_spf_command(CLI::App& app, int& status) {
    auto o = std::make_shared<SpfOptions>();
    CLI::App* cmd = app.add_subcommand("spf", "Evaluate SPF (RFC 7208 check_host()) for a client address and print the result "
                                              "and the evaluation trace.");
    cmd->add_option("DOMAIN", o->domain, "the domain whose policy to evaluate (default: the --sender's domain, else --helo)");
    cmd->add_option("--ip", o->ip, "the client's IPv4 or IPv6 address")->required();
    cmd->add_option("--sender", o->sender, "MAIL FROM address (default: postmaster@ the HELO name, or the domain)");
    cmd->add_option("--helo", o->helo, "HELO/EHLO name (default: the domain)");
    cmd->add_option("--receiver", o->receiver, "the checking host's name, for %{r} in explanations")->capture_default_str();
    cmd->add_option("--resolver", o->resolvers, "recursive resolver ADDR[@PORT] (repeatable; default: /etc/resolv.conf)");
    cmd->add_option("--timeout", o->timeout_ms, "per-query timeout in milliseconds")->capture_default_str()->check(CLI::Range(10u, 60000u));
    cmd->add_option("--format", o->format, "text | json")->capture_default_str();
    cmd->add_option("--now", o->now, "the clock for %{t}, RFC 3339");
    cmd->callback([o, &status] { status = run(*o); });
}

}  // namespace mamori::cli
