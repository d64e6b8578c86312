/// \file core/profile.cpp — profile loading, validation and scoring.
#include "core/profile.h"

#include "core/check.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace mamori {

const std::map<std::string, std::string>& embedded_profiles();  // generated at build time

namespace {

const std::set<std::string> known_thresholds{
    "signature_expiry_days", "vrp_stale_hours", "rsa_min_bits", "dkim_rsa_min_bits",
    "dkim_not_found", "spf_overbroad_ipv4", "spf_overbroad_ipv6", "nsec3_max_iterations"};

[[noreturn]] void fail(const std::string& origin, const std::string& key, const std::string& what) {
    throw ProfileError(fmt::format("{}: {}: {}", origin, key, what));
}

int penalty(const Json& j, const std::string& origin, const std::string& key) {
    if (!j.is_number_integer() || j.get<int>() < 0 || j.get<int>() > 100)
        fail(origin, key, "must be an integer from 0 to 100");
    return j.get<int>();
}

}  // namespace

double Profile::weight(const std::string& check) const {
    auto it = weights.find(check);
    return it == weights.end() ? 1.0 : it->second;
}

Profile Profile::parse(const std::string& text, const std::string& origin) {
    Json doc;
    try {
        doc = Json::parse(text);
    } catch (const Json::parse_error& e) {
        throw ProfileError(fmt::format("{}: not valid JSON: {}", origin, e.what()));
    }
    if (!doc.is_object()) throw ProfileError(origin + ": the profile must be a JSON object");

    Profile p;
    for (const auto& [key, value] : doc.items()) {
        if (key == "name") {
            if (!value.is_string()) fail(origin, key, "must be a string");
            p.name = value.get<std::string>();
        } else if (key == "description") {
            if (!value.is_string()) fail(origin, key, "must be a string");
            p.description = value.get<std::string>();
        } else if (key == "weights") {
            if (!value.is_object()) fail(origin, key, "must be an object of check id → weight");
            for (const auto& [check, w] : value.items()) {
                const std::string path = "weights." + check;
                if (find_check(check) == nullptr) fail(origin, path, "no such check");
                if (!w.is_number() || w.get<double>() < 0 || !std::isfinite(w.get<double>()))
                    fail(origin, path, "must be a number >= 0");
                p.weights[check] = w.get<double>();
            }
        } else if (key == "severity") {
            if (!value.is_object()) fail(origin, key, "must be an object of finding id → severity");
            for (const auto& [id, s] : value.items()) {
                const std::string path = "severity." + id;
                if (find_finding(id) == nullptr) fail(origin, path, "no such finding id");
                auto sev = s.is_string() ? parse_severity(s.get<std::string>()) : std::nullopt;
                if (!sev) fail(origin, path, "must be \"error\", \"warning\" or \"info\"");
                p.severity_overrides[id] = *sev;
            }
        } else if (key == "penalty") {
            if (!value.is_object()) fail(origin, key, "must be an object");
            for (const auto& [sev, v] : value.items()) {
                const std::string path = "penalty." + sev;
                if (sev == "error") p.penalty_error = penalty(v, origin, path);
                else if (sev == "warning") p.penalty_warning = penalty(v, origin, path);
                else if (sev == "info") p.penalty_info = penalty(v, origin, path);
                else fail(origin, path, "unknown severity (error, warning, info)");
            }
        } else if (key == "thresholds") {
            if (!value.is_object()) fail(origin, key, "must be an object");
            for (const auto& [name, v] : value.items()) {
                const std::string path = "thresholds." + name;
                if (!known_thresholds.contains(name)) fail(origin, path, "unknown threshold");
                if (name == "dkim_not_found") {
                    if (!v.is_string() || !parse_severity(v.get<std::string>()))
                        fail(origin, path, "must be \"error\", \"warning\" or \"info\"");
                } else if (!v.is_number() || v.get<double>() < 0) {
                    fail(origin, path, "must be a number >= 0");
                }
                p.thresholds[name] = v;
            }
        } else if (key == "grades") {
            if (!value.is_array()) fail(origin, key, "must be an array of {\"grade\", \"min\"}");
            for (std::size_t i = 0; i < value.size(); ++i) {
                const auto& g = value[i];
                const std::string path = fmt::format("grades[{}]", i);
                if (!g.is_object() || !g.contains("grade") || !g.contains("min") || g.size() != 2)
                    fail(origin, path, "must be {\"grade\": \"A\", \"min\": 90}");
                if (!g["grade"].is_string() || g["grade"].get<std::string>().empty())
                    fail(origin, path + ".grade", "must be a non-empty string");
                if (!g["min"].is_number_integer() || g["min"].get<int>() < 0 || g["min"].get<int>() > 100)
                    fail(origin, path + ".min", "must be an integer from 0 to 100");
                p.grades.push_back({g["grade"].get<std::string>(), g["min"].get<int>()});
            }
            std::sort(p.grades.begin(), p.grades.end(),
                      [](const Grade& a, const Grade& b) { return a.min_score > b.min_score; });
        } else {
            fail(origin, key, "unknown key (name, description, weights, severity, penalty, thresholds, grades)");
        }
    }
    if (p.name.empty()) fail(origin, "name", "is required");
    return p;
}

Profile Profile::load(const std::string& name_or_path) {
    const auto& shipped_profiles = embedded_profiles();
    if (auto it = shipped_profiles.find(name_or_path); it != shipped_profiles.end())
        return parse(it->second, "profiles/" + name_or_path + ".json");
    std::ifstream in(name_or_path, std::ios::binary);
    if (!in) {
        std::string names;
        for (const auto& [name, _] : shipped_profiles) names += (names.empty() ? "" : ", ") + name;
        throw ProfileError(fmt::format("{}: no such profile or readable file (shipped profiles: {})",
                                       name_or_path, names));
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), name_or_path);
}

std::vector<std::pair<std::string, std::string>> Profile::shipped() {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [name, text] : embedded_profiles())
        out.emplace_back(name, parse(text, name).description);
    return out;
}

void score(TargetReport& report, const Profile& profile) {
    double weighted = 0, total_weight = 0;
    for (auto& check : report.checks) {
        if (check.status != Status::error && check.status != Status::skip) {
            int points = 100;
            for (auto& f : check.findings) {
                if (auto it = profile.severity_overrides.find(f.id); it != profile.severity_overrides.end())
                    f.severity = it->second;
                switch (f.severity) {
                    case Severity::error: points -= profile.penalty_error; break;
                    case Severity::warning: points -= profile.penalty_warning; break;
                    case Severity::info: points -= profile.penalty_info; break;
                }
            }
            check.status = derive_status(check.findings);
            check.score = std::max(0, points);
        } else if (check.status == Status::error) {
            check.score = 0;
        }
        if (check.status == Status::skip) continue;
        const double w = profile.weight(check.check);
        weighted += w * check.score;
        total_weight += w;
    }
    report.score = total_weight > 0 ? static_cast<int>(std::lround(weighted / total_weight)) : 100;
    report.grade.clear();
    for (const auto& g : profile.grades) {
        if (report.score >= g.min_score) {
            report.grade = g.grade;
            break;
        }
    }
    if (report.grade.empty() && !profile.grades.empty()) report.grade = profile.grades.back().grade;
}

}  // namespace mamori
