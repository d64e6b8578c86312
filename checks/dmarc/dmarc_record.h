/// \file checks/dmarc/dmarc_record.h — DMARC policy records (RFC 7489 §6.3, §6.4; DMARCbis tags np, psd, t).
#pragma once

#include "checks/dkim/tag_list.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::checks {

enum class DmarcPolicy { none, quarantine, reject };

std::string_view to_string(DmarcPolicy);
/// "none" < "quarantine" < "reject".
inline bool weaker(DmarcPolicy a, DmarcPolicy b) { return static_cast<int>(a) < static_cast<int>(b); }

/// One report destination of rua= or ruf= (RFC 7489 §6.2: URI ["!" size]).
struct DmarcUri {
    std::string text;         ///< as written
    std::string scheme;       ///< lower-cased, e.g. "mailto"
    std::string address;      ///< mailto: the address
    std::string host;         ///< mailto: the domain of the address (lower-cased, no trailing dot)
    std::string problem;      ///< why it is not a valid DMARC URI; empty when valid
    bool valid() const { return problem.empty(); }
};

/// Something in the record that does not follow RFC 7489 §6.3/§6.4.
struct DmarcProblem {
    std::string tag;          ///< the tag concerned ("" for the list itself)
    std::string value;
    std::size_t offset = 0;
    std::string problem;
    bool fatal = false;       ///< receivers ignore the policy because of it (bad v=, p=, sp=)
};

struct DmarcRecord {
    std::string text;
    TagList tags;
    bool version_first = false;            ///< begins with v=DMARC1 (else receivers discard it)
    std::optional<DmarcPolicy> p, sp, np;  ///< each when present and valid
    int pct = 100;
    bool rua_given = false, ruf_given = false;
    std::vector<DmarcUri> rua, ruf;
    std::vector<std::string> unknown_tags;
    std::vector<DmarcProblem> problems;

    /// The policy receivers apply to the domain itself (RFC 7489 §6.6.3 step 6: a record
    /// without a valid p= counts as p=none when it has a valid rua= URI, else as no record).
    std::optional<DmarcPolicy> effective() const;
    /// The policy for subdomains: sp=, else p= (same fallback rule).
    std::optional<DmarcPolicy> effective_subdomain() const;
    bool fatal() const;
};

/// A TXT record that starts with v=DMARC1, the version tag exactly as RFC 7489 §6.4 wants it.
bool starts_with_dmarc_version(std::string_view text);
/// A TXT record meant as DMARC but misplacing or misspelling the version (v=DMARC1 later, v=dmarc1…).
bool resembles_dmarc(std::string_view text);

/// Parses and validates every tag. Never throws.
DmarcRecord parse_dmarc(std::string_view text);

/// One rua/ruf URI: a URI with a scheme, mailto: with a valid address, an optional "!" size.
DmarcUri parse_dmarc_uri(std::string_view text);

}  // namespace mamori::checks
