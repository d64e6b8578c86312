/// \file core/summary.h — the run's summary: status counts per check and adoption figures.
///
/// Built from `facts` only (never from messages), so every renderer, `diff` and other
/// programs see the same numbers.
#pragma once

#include "core/model.h"

#include <map>
#include <string>

namespace mamori {

class SummaryBuilder {
public:
    void add(const TargetReport& report);
    /// {"targets":N,"by_check":{…},"adoption":{…},"top_findings":[{"id":…,"count":…}]}
    Json to_json() const;

private:
    std::size_t targets_ = 0;
    std::map<std::string, std::map<std::string, std::size_t>> by_check_;
    std::map<std::string, std::map<std::string, std::size_t>> adoption_;
    std::map<std::string, std::size_t> findings_;
};

}  // namespace mamori
