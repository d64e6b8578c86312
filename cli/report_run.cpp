/// \file cli/report_run.cpp — shared pieces of the reporting commands (checks, profile, gate, atomic report).
#include "cli/report_run.h"

#include "checks/dnssec/trust_anchor.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/summary.h"
#include "report/output.h"
#include "report/renderer.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <sstream>

namespace mamori::cli::report_run {
std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty()) out.push_back(item);
    }
    return out;
}


std::vector<const Check*> select_checks(const std::string& list) {
    auto all = all_checks();
    if (list.empty() || list == "all") return {all.begin(), all.end()};
    std::vector<const Check*> selected;
    for (const auto& id : split_list(list)) {
        const Check* c = find_check(id);
        if (c == nullptr) {
            std::string known;
            for (const Check* k : all) known += (known.empty() ? "" : ", ") + std::string(k->id());
            throw Exit(exit_usage, fmt::format("--checks: unknown check '{}' (available: {})", id, known));
        }
        if (std::find(selected.begin(), selected.end(), c) == selected.end()) selected.push_back(c);
    }
    return selected;
}

Profile load_profile(const std::string& name_or_path) {
    try {
        return Profile::load(name_or_path);
    } catch (const ProfileError& e) {
        throw Exit(exit_usage, std::string("--profile: ") + e.what());
    }
}

std::chrono::system_clock::time_point parse_now(const std::string& text, std::chrono::system_clock::time_point fallback) {
    if (text.empty()) return fallback;
    auto t = parse_rfc3339(text);
    if (!t) throw Exit(exit_usage, fmt::format("--now: '{}' is not an RFC 3339 time (2026-11-22T00:00:00Z)", text));
    return *t;
}

void check_format(const std::string& format) {
    if (report::make_renderer(format, std::cout, {})) return;
    std::string known;
    for (const auto& f : report::formats()) known += (known.empty() ? "" : ", ") + f;
    throw Exit(exit_usage, fmt::format("--format: unknown format '{}' (available: {})", format, known));
}

std::vector<std::string> load_trust_anchor(const std::string& path) {
    if (path.empty()) return {};
    try {
        return checks::dnssec::load_trust_anchor(path);
    } catch (const checks::dnssec::TrustAnchorError& e) {
        throw Exit(exit_usage, std::string("--trust-anchor: ") + e.what());
    }
}

Gate Gate::parse(const std::string& fail_on, int fail_under) {
    Gate g;
    g.fail_under = fail_under;
    if (!fail_on.empty()) {
        g.fail_on = parse_severity(fail_on);
        if (!g.fail_on || *g.fail_on == Severity::info)
            throw Exit(exit_usage, fmt::format("--fail-on: '{}' is not error or warning", fail_on));
    }
    return g;
}

bool Gate::fails(const TargetReport& r) const {
    if (fail_under >= 0 && r.score < fail_under) return true;
    if (!fail_on) return false;
    for (const auto& c : r.checks) {
        // A check that could not run is treated as an error: a CI gate must not pass blind.
        if (c.status == Status::error && *fail_on == Severity::error) return true;
        for (const auto& f : c.findings)
            if (f.severity >= *fail_on) return true;
    }
    return false;
}

int run_and_report(const std::vector<Target>& targets, const std::vector<const Check*>& checks, dns::Resolver& resolver,
                   const AuditSettings& settings, const Profile& profile, const ReportOptions& options,
                   const EngineOptions& engine, const ProgressSink& progress, const std::atomic<bool>* stop) {
    std::unique_ptr<report::AtomicFile> file;
    std::ostream* out = &std::cout;
    if (!options.output.empty() && options.output != "-") {
        try {
            file = std::make_unique<report::AtomicFile>(options.output);
        } catch (const report::OutputError& e) {
            throw Exit(exit_usage, std::string("-o: ") + e.what());
        }
        out = &file->stream();
    }
    report::RenderOptions render;
    render.colour = options.format == "text" && !file && isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
    auto renderer = report::make_renderer(options.format, *out, render);

    report::RunInfo info;
    info.version = MAMORI_VERSION;
    info.generated = format_rfc3339(std::chrono::system_clock::now());
    info.now = format_rfc3339(settings.now);
    info.profile = profile.name;
    for (const Check* c : checks) info.checks.emplace_back(c->id());

    SummaryBuilder summary;
    bool policy_failed = false;
    renderer->begin(info);
    run_audit(targets, checks, resolver, settings, profile, engine, [&](TargetReport&& r) {
        summary.add(r);
        policy_failed = policy_failed || options.gate.fails(r);
        renderer->target(r);
    }, progress, stop);
    renderer->end(summary.to_json());
    out->flush();
    if (file) {
        try {
            file->commit();
        } catch (const report::OutputError& e) {
            throw Exit(exit_environment, std::string("-o: ") + e.what());
        }
    }
    return policy_failed ? exit_policy : exit_ok;
}

}  // namespace mamori::cli::report_run
