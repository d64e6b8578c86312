/// \file report/json.cpp — the mamori/report/v1 document ("json" format) and its target objects.
#include "report/renderer_detail.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace mamori::report {
namespace detail {

std::string dump_json(const Json& j, int indent) {
    return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace detail

namespace {

// Checks fill these in; a default-constructed or moved-from Json is null, which the
// contract does not allow, so an empty object stands in for "nothing observed".
Json object_or_empty(const Json& j) { return j.is_null() ? Json::object() : j; }

Json finding_to_json(const Finding& f) {
    Json j = Json::object();
    j["id"] = f.id;
    j["severity"] = to_string(f.severity);
    j["message"] = f.message;
    j["evidence"] = object_or_empty(f.evidence);
    j["remedy"] = f.remedy;
    j["ref"] = f.ref;
    return j;
}

Json check_to_json(const CheckResult& c) {
    Json j = Json::object();
    j["check"] = c.check;
    j["status"] = to_string(c.status);
    j["score"] = c.score;
    j["facts"] = object_or_empty(c.facts);
    Json findings = Json::array();
    for (const auto& f : c.findings) findings.push_back(finding_to_json(f));
    j["findings"] = std::move(findings);
    if (c.status == Status::error && !c.error.empty()) j["error"] = c.error;
    return j;
}

/// The whole document is built at end(): "targets" must come out in input order, and the
/// engine finishes targets in whatever order their lookups complete.
class JsonRenderer final : public Renderer {
public:
    explicit JsonRenderer(std::ostream& out) : out_(out) {}

    void begin(const RunInfo& run) override { run_ = run; }

    void target(const TargetReport& report) override {
        // Converted at once so that only the JSON, not the model, is kept until end().
        targets_.emplace_back(report.target.index, target_to_json(report));
    }

    void end(const Json& summary) override {
        std::stable_sort(targets_.begin(), targets_.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        Json doc = Json::object();
        doc["schema"] = detail::schema_name;
        doc["tool"] = {{"name", "mamori"}, {"version", run_.version}};
        doc["generated"] = run_.generated;
        doc["profile"] = run_.profile;
        doc["now"] = run_.now;
        Json targets = Json::array();
        for (auto& [index, target] : targets_) targets.push_back(std::move(target));
        targets_.clear();
        doc["targets"] = std::move(targets);
        doc["summary"] = summary;
        out_ << detail::dump_json(doc, 2) << '\n';
        out_.flush();
    }

private:
    std::ostream& out_;
    RunInfo run_;
    std::vector<std::pair<std::size_t, Json>> targets_;
};

}  // namespace

Json target_to_json(const TargetReport& report) {
    Json j = Json::object();
    j["target"] = report.target.name;
    j["kind"] = to_string(report.target.kind);
    j["score"] = report.score;
    if (!report.grade.empty()) j["grade"] = report.grade;
    j["elapsed_ms"] = report.elapsed.count();
    Json checks = Json::array();
    for (const auto& c : report.checks) checks.push_back(check_to_json(c));
    j["checks"] = std::move(checks);
    return j;
}

namespace detail {

std::unique_ptr<Renderer> make_json_renderer(std::ostream& out, const RenderOptions&) {
    return std::make_unique<JsonRenderer>(out);
}

}  // namespace detail
}  // namespace mamori::report
