/// \file rpki/vrp_table.h — Validated ROA Payloads and RFC 6811 route-origin validation.
///
/// The table is RTRlib's prefix table (pfx_table), filled once from a file or an RTR
/// cache and read-only afterwards, beside the same VRPs sorted by AS for per-AS questions
/// (coverage, unused ROAs, maxLength hygiene). RTRlib's headers stay out of this one.
#pragma once

#include "rpki/prefix.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::rpki {

/// One Validated ROA Payload: `asn` may originate `prefix` and its more-specifics up to
/// `max_length`.
struct Vrp {
    Prefix prefix;
    std::uint8_t max_length = 0;
    std::uint32_t asn = 0;

    /// "127.53.0.0/22-24 AS64497".
    std::string to_string() const;
    friend bool operator==(const Vrp&, const Vrp&) = default;
};

/// RFC 6811 §2 validation states.
enum class State { valid, invalid, not_found };
/// "valid", "invalid", "not-found".
std::string_view to_string(State);

/// The verdict on one route and the VRPs that decided it: for a valid route the VRP that
/// matched; for an invalid one every VRP that covers the prefix (none matched).
struct Validation {
    State state = State::not_found;
    std::vector<Vrp> vrps;
};

/// Where the VRPs came from, for messages and the staleness check.
struct VrpInfo {
    std::string source;     ///< "vrps.json", "rtr 127.0.0.1:3323"
    std::string format;     ///< "rpki-client JSON", "Routinator CSV", "RTR", ...
    std::optional<std::chrono::system_clock::time_point> build_time;  ///< when the data was made, if it says
    std::size_t entries = 0;     ///< as read, duplicates included
};

class VrpTable {
public:
    /// Builds the table; duplicates are dropped (rpki-client lists a VRP once per TA).
    static std::shared_ptr<const VrpTable> build(std::vector<Vrp> vrps, VrpInfo info);
    ~VrpTable();
    VrpTable(const VrpTable&) = delete;
    VrpTable& operator=(const VrpTable&) = delete;

    /// RFC 6811 validation of a route to `prefix` originated by `asn`, with the deciding VRPs.
    Validation validate(const Prefix& prefix, std::uint32_t asn) const;
    /// The same without the reasons: the fast path for whole tables.
    State state(const Prefix& prefix, std::uint32_t asn) const;
    /// A route whose origin is an AS_SET has origin NONE (RFC 6811 §2): invalid when any
    /// VRP covers it, else not found.
    Validation validate_as_set(const Prefix& prefix) const;
    /// Every VRP whose prefix covers `prefix` (whatever its maxLength or AS).
    std::vector<Vrp> covering(const Prefix& prefix) const;
    /// The VRPs of one AS, sorted by prefix.
    std::span<const Vrp> of_asn(std::uint32_t asn) const;

    std::size_t size() const { return vrps_.size(); }
    const VrpInfo& info() const { return info_; }
    /// Every VRP, sorted by AS, then prefix.
    std::span<const Vrp> all() const { return vrps_; }

private:
    struct Impl;
    VrpTable();
    std::unique_ptr<Impl> impl_;
    std::vector<Vrp> vrps_;
    VrpInfo info_;
};

}  // namespace mamori::rpki
