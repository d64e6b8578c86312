/// \file core/engine.h — audits many targets concurrently and streams each result out.
#pragma once

#include "core/check.h"
#include "core/context.h"
#include "core/model.h"
#include "core/profile.h"

#include <atomic>
#include <functional>
#include <vector>

namespace mamori {

struct EngineOptions {
    unsigned concurrency = 32;  ///< targets audited at once
    /// Deliver results in input order (each as soon as all before it are done); otherwise
    /// in completion order (NDJSON, so an interrupted run keeps everything finished).
    bool ordered = true;
};

/// Called once per target, never concurrently.
using ResultSink = std::function<void(TargetReport&&)>;
/// Called after each target with (done, total), never concurrently.
using ProgressSink = std::function<void(std::size_t, std::size_t)>;

/// The checks of `selected` that apply to `target`.
std::vector<const Check*> checks_for(const Target& target, const std::vector<const Check*>& selected);

/// Runs every selected check that applies to each target, scores the result with `profile`
/// and hands it to `sink`. Returns when every target is done or `stop` was set (targets not
/// started by then are not audited; those in flight finish).
void run_audit(const std::vector<Target>& targets, const std::vector<const Check*>& selected,
               dns::Resolver& resolver, const AuditSettings& settings, const Profile& profile,
               const EngineOptions& options, const ResultSink& sink,
               const ProgressSink& progress = {}, const std::atomic<bool>* stop = nullptr);

/// One target, synchronously (used by run_audit and tests).
TargetReport audit_target(const Target& target, const std::vector<const Check*>& selected,
                          dns::Resolver& resolver, const AuditSettings& settings, const Profile& profile);

}  // namespace mamori
