/// \file core/check.cpp — helpers shared by every check, and catalogue look-ups.
#include "core/check.h"

#include <algorithm>
#include <stdexcept>

namespace mamori {

bool CheckInfo::applies(TargetKind kind) const {
    return std::find(applies_to.begin(), applies_to.end(), kind) != applies_to.end();
}

const FindingInfo* CheckInfo::finding(std::string_view finding_id) const {
    for (const auto& f : findings)
        if (f.id == finding_id) return &f;
    return nullptr;
}

Status derive_status(std::span<const Finding> findings) {
    Status status = Status::pass;
    for (const auto& f : findings) {
        if (f.severity == Severity::error) return Status::fail;
        if (f.severity == Severity::warning) status = Status::warn;
    }
    return status;
}

Finding Check::finding(std::string_view finding_id, std::string message, Json evidence,
                       std::string remedy) const {
    const FindingInfo* info = describe().finding(finding_id);
    if (info == nullptr)
        throw std::logic_error("check " + std::string(id()) + " did not declare finding " +
                               std::string(finding_id));
    Finding f;
    f.id = std::string(info->id);
    f.severity = info->severity;
    f.message = std::move(message);
    f.evidence = std::move(evidence);
    f.remedy = remedy.empty() ? std::string(info->remedy) : std::move(remedy);
    f.ref = std::string(info->ref);
    return f;
}

CheckResult Check::result(std::vector<Finding> findings, Json facts) const {
    CheckResult r;
    r.check = std::string(id());
    r.status = derive_status(findings);
    r.findings = std::move(findings);
    r.facts = std::move(facts);
    return r;
}

CheckResult Check::failed(std::string error, Json facts) const {
    CheckResult r;
    r.check = std::string(id());
    r.status = Status::error;
    r.score = 0;
    r.error = std::move(error);
    r.facts = std::move(facts);
    return r;
}

const Check* find_check(std::string_view id) {
    for (const Check* c : all_checks())
        if (c->id() == id) return c;
    return nullptr;
}

const FindingInfo* find_finding(std::string_view finding_id, const Check** owner) {
    for (const Check* c : all_checks()) {
        if (const FindingInfo* f = c->describe().finding(finding_id)) {
            if (owner != nullptr) *owner = c;
            return f;
        }
    }
    return nullptr;
}

}  // namespace mamori
