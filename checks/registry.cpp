/// \file checks/registry.cpp — the one list of checks. Adding a check = one folder + one line.
#include "checks/mx/mx_check.h"
#include "core/check.h"

#include <array>

namespace mamori {

std::span<const Check* const> all_checks() {
    static const checks::MxCheck mx;
    static const std::array<const Check*, 1> registry{&mx};
    return registry;
}

}  // namespace mamori
