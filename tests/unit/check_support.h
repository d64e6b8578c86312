/// \file tests/unit/check_support.h — helpers shared by the unit tests of checks.
#pragma once

#include "core/model.h"

#include <algorithm>
#include <string>
#include <vector>

namespace mamori::test {

/// The finding ids of a check result, sorted: what the tests compare.
inline std::vector<std::string> ids(const CheckResult& r) {
    std::vector<std::string> out;
    for (const auto& f : r.findings) out.push_back(f.id);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace mamori::test
