/// \file checks/dmarc/org_domain.cpp — organizational domains with libpsl.
#include "checks/dmarc/org_domain.h"

#include <libpsl.h>

namespace mamori::checks {
namespace {

constexpr const char* debian_list = "/usr/share/publicsuffix/public_suffix_list.dat";

struct Suffixes {
    const psl_ctx_t* ctx = nullptr;
    std::string source;
};

/// Loaded once: the newest of the system's list and libpsl's built-in data, then the
/// plain Debian file, then the built-in data alone.
const Suffixes& suffixes() {
    static const Suffixes s = [] {
        Suffixes out;
        if (psl_ctx_t* latest = psl_latest(nullptr)) {
            out.ctx = latest;
            out.source = psl_dist_filename() ? psl_dist_filename() : "libpsl";
        } else if (psl_ctx_t* file = psl_load_file(debian_list)) {
            out.ctx = file;
            out.source = debian_list;
        } else {
            out.ctx = psl_builtin();
            out.source = "libpsl built-in list";
        }
        return out;
    }();
    return s;
}

}  // namespace

std::string organizational_domain(std::string_view domain) {
    std::string name(domain);
    if (!name.empty() && name.back() == '.') name.pop_back();
    for (auto& c : name)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const Suffixes& s = suffixes();
    if (s.ctx == nullptr || name.empty()) return name;
    const char* reg = psl_registrable_domain(s.ctx, name.c_str());
    return reg != nullptr ? std::string(reg) : name;
}

std::string public_suffix_source() { return suffixes().source; }

}  // namespace mamori::checks
