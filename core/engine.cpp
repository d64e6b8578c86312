/// \file core/engine.cpp — the worker pool that audits targets.
#include "core/engine.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

namespace mamori {

std::vector<const Check*> checks_for(const Target& target, const std::vector<const Check*>& selected) {
    std::vector<const Check*> out;
    for (const Check* c : selected)
        if (c->describe().applies(target.kind)) out.push_back(c);
    return out;
}

TargetReport audit_target(const Target& target, const std::vector<const Check*>& selected,
                          dns::Resolver& resolver, const AuditSettings& settings, const Profile& profile) {
    const auto start = std::chrono::steady_clock::now();
    TargetReport report;
    report.target = target;
    Context context(resolver, settings, profile);
    for (const Check* check : checks_for(target, selected)) {
        CheckResult r;
        try {
            r = check->run(target, context);
        } catch (const std::exception& e) {
            // A bug or a resource failure in one check costs that check, never the batch.
            r = CheckResult{};
            r.check = std::string(check->id());
            r.status = Status::error;
            r.error = std::string("internal error: ") + e.what();
        }
        report.checks.push_back(std::move(r));
    }
    score(report, profile);
    report.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    return report;
}

void run_audit(const std::vector<Target>& targets, const std::vector<const Check*>& selected,
               dns::Resolver& resolver, const AuditSettings& settings, const Profile& profile,
               const EngineOptions& options, const ResultSink& sink, const ProgressSink& progress,
               const std::atomic<bool>* stop) {
    std::mutex mutex;
    std::size_t next = 0;      // next target to start
    std::size_t done = 0;      // targets finished
    std::size_t emitted = 0;   // ordered mode: targets handed to the sink
    std::map<std::size_t, TargetReport> waiting;  // ordered mode: finished, not yet emitted

    auto deliver = [&](std::size_t index, TargetReport&& report) {
        // Called with `mutex` held: the sink and progress are never called concurrently.
        ++done;
        if (!options.ordered) {
            sink(std::move(report));
        } else {
            waiting.emplace(index, std::move(report));
            while (!waiting.empty() && waiting.begin()->first == emitted) {
                sink(std::move(waiting.begin()->second));
                waiting.erase(waiting.begin());
                ++emitted;
            }
        }
        if (progress) progress(done, targets.size());
    };

    auto worker = [&] {
        for (;;) {
            std::size_t index;
            {
                std::lock_guard lock(mutex);
                if (next >= targets.size() || (stop != nullptr && stop->load())) return;
                index = next++;
            }
            TargetReport report = audit_target(targets[index], selected, resolver, settings, profile);
            std::lock_guard lock(mutex);
            deliver(index, std::move(report));
        }
    };

    const unsigned n = std::max(1u, std::min<unsigned>(options.concurrency, static_cast<unsigned>(targets.size())));
    std::vector<std::jthread> pool;
    pool.reserve(n);
    for (unsigned i = 0; i < n; ++i) pool.emplace_back(worker);
    pool.clear();  // joins

    // Interrupted: targets after a gap were finished but not emitted in order; emit them.
    for (auto& [index, report] : waiting) sink(std::move(report));
}

}  // namespace mamori
