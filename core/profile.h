/// \file core/profile.h — scoring profiles: weights, severity overrides, thresholds, grades.
///
/// Profiles are data (profiles/*.json, compiled in; or a user's file), validated on load
/// with errors that name the offending key.
#pragma once

#include "core/model.h"

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace mamori {

class ProfileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Grade {
    std::string grade;
    int min_score = 0;
};

class Profile {
public:
    std::string name;
    std::string description;
    /// check id → weight; a check absent here has weight 1 unless `only_listed`.
    std::map<std::string, double> weights;
    std::map<std::string, Severity> severity_overrides;  ///< finding id → severity
    int penalty_error = 50;
    int penalty_warning = 15;
    int penalty_info = 0;
    std::map<std::string, Json> thresholds;
    std::vector<Grade> grades;  ///< highest min_score first; empty = no grades

    double weight(const std::string& check) const;
    /// A threshold's value, or `fallback` when the profile does not set it.
    template <typename T>
    T threshold(const std::string& key, T fallback) const {
        auto it = thresholds.find(key);
        return it == thresholds.end() ? fallback : it->second.get<T>();
    }

    /// Parses a profile document; `origin` names it in errors ("profiles/go.jp.json").
    static Profile parse(const std::string& text, const std::string& origin);
    /// A shipped profile by name, or a file path. Throws ProfileError.
    static Profile load(const std::string& name_or_path);
    /// Names and one-line descriptions of the shipped profiles.
    static std::vector<std::pair<std::string, std::string>> shipped();
};

/// Applies severity overrides, derives status and scores of every check, the target's
/// weighted score and grade.
void score(TargetReport& report, const Profile& profile);

}  // namespace mamori
