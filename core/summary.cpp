/// \file core/summary.cpp — counting the run for the adoption summary.
#include "core/summary.h"

#include <algorithm>
#include <vector>

namespace mamori {
namespace {

// The adoption tables and the keys each one always shows, in the order the tables print.
const std::vector<std::pair<std::string, std::vector<std::string>>>& adoption_tables() {
    static const std::vector<std::pair<std::string, std::vector<std::string>>> tables{
        {"mx", {"mx", "null_mx", "none"}},
        {"spf_all", {"-all", "~all", "?all", "+all", "none"}},
        {"dmarc_policy", {"reject", "quarantine", "none", "missing"}},
        {"dkim", {"found", "not_found"}},
        {"dnssec", {"secure", "insecure", "bogus"}},
        {"rpki_servers", {"valid", "invalid", "not-found"}},
    };
    return tables;
}

std::string string_fact(const Json& facts, const char* key) {
    auto it = facts.find(key);
    return it != facts.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

void SummaryBuilder::add(const TargetReport& report) {
    ++targets_;
    for (const auto& check : report.checks) {
        by_check_[check.check][std::string(to_string(check.status))]++;
        for (const auto& f : check.findings) findings_[f.id]++;
        if (check.status == Status::error || check.status == Status::skip) continue;
        const Json& facts = check.facts;
        if (check.check == "mx") {
            bool null_mx = facts.value("null_mx", false);
            bool hosts = facts.contains("hosts") && facts["hosts"].is_array() && !facts["hosts"].empty();
            adoption_["mx"][null_mx ? "null_mx" : hosts ? "mx" : "none"]++;
        } else if (check.check == "spf") {
            if (auto all = string_fact(facts, "all"); !all.empty()) adoption_["spf_all"][all]++;
        } else if (check.check == "dmarc") {
            if (auto p = string_fact(facts, "policy"); !p.empty()) adoption_["dmarc_policy"][p]++;
        } else if (check.check == "dkim") {
            bool found = facts.contains("selectors") && facts["selectors"].is_object() && !facts["selectors"].empty();
            adoption_["dkim"][found ? "found" : "not_found"]++;
        } else if (check.check == "dnssec") {
            if (auto s = string_fact(facts, "state"); !s.empty()) adoption_["dnssec"][s]++;
        } else if (check.check == "rpki" && facts.contains("routes") && facts["routes"].is_array()) {
            for (const auto& route : facts["routes"])
                if (route.is_object() && route.contains("state") && route["state"].is_string())
                    adoption_["rpki_servers"][route["state"].get<std::string>()]++;
        }
    }
}

Json SummaryBuilder::to_json() const {
    Json j = Json::object();
    j["targets"] = targets_;
    Json by_check = Json::object();
    for (const auto& [check, counts] : by_check_) {
        Json c = Json::object();
        for (const char* s : {"pass", "warn", "fail", "error", "skip"}) {
            auto it = counts.find(s);
            c[s] = it == counts.end() ? 0 : it->second;
        }
        by_check[check] = c;
    }
    j["by_check"] = by_check;
    Json adoption = Json::object();
    for (const auto& [table, keys] : adoption_tables()) {
        auto counts = adoption_.find(table);
        if (counts == adoption_.end()) continue;  // no check of this kind ran
        Json t = Json::object();
        for (const auto& key : keys) {
            auto it = counts->second.find(key);
            t[key] = it == counts->second.end() ? 0 : it->second;
        }
        adoption[table] = t;
    }
    j["adoption"] = adoption;
    std::vector<std::pair<std::string, std::size_t>> top(findings_.begin(), findings_.end());
    std::stable_sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (top.size() > 10) top.resize(10);
    Json tf = Json::array();
    for (const auto& [id, count] : top) tf.push_back({{"id", id}, {"count", count}});
    j["top_findings"] = tf;
    return j;
}

}  // namespace mamori
