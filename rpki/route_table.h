/// \file rpki/route_table.h — announced routes (prefix → origin AS) with longest-prefix match.
///
/// Two path-compressed binary tries (IPv4 with 32-bit keys, IPv6 with 128-bit keys) whose
/// nodes live in one vector each and point at each other by index; origins live in one
/// shared pool. A full table (1.2 million routes) takes about 60 MB.
#pragma once

#include "rpki/prefix.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mamori::rpki {

/// One origin of a route: one AS, or an AS_SET (RFC 6811 §2: such a route's origin is NONE).
struct Origin {
    std::vector<std::uint32_t> asns;
    bool as_set = false;

    /// "AS64500" or "{AS64500,AS64505}".
    std::string to_string() const;
    friend bool operator==(const Origin&, const Origin&) = default;
};

struct Route {
    Prefix prefix;
    std::vector<Origin> origins;  ///< more than one: the prefix is announced by several origins (MOAS)
};

struct RouteInfo {
    std::string source;   ///< the file name
    std::string format;   ///< "CAIDA pfx2as", "bgpdump -m", "pyasn", "RIS whois dump"
    std::size_t lines = 0;  ///< data lines read
};

class RouteTable {
public:
    class Builder;

    /// The most specific route covering `address` (a full-length prefix) or `prefix`.
    std::optional<Route> lookup(const Prefix& prefix) const;
    /// The route for exactly `prefix`, if it is announced.
    std::optional<Route> exact(const Prefix& prefix) const;
    /// Every route with `asn` among its origins (AS_SET members too), sorted by prefix.
    std::vector<Route> originated_by(std::uint32_t asn) const;
    /// Calls `visit` for every route, in no particular order. `origins` is valid during the call only.
    void for_each(const std::function<void(const Prefix&, const std::vector<Origin>& origins)>& visit) const;
    /// Calls `visit` for every (prefix, single origin AS) pair; AS_SET origins come as asn 0 with `as_set`.
    /// The allocation-free walk benchmarks use.
    void for_each_pair(const std::function<void(const Prefix&, std::uint32_t asn, bool as_set)>& visit) const;

    std::size_t size() const { return size_; }
    const RouteInfo& info() const { return info_; }
    std::size_t memory_bytes() const;

    ~RouteTable();
    RouteTable(const RouteTable&) = delete;
    RouteTable& operator=(const RouteTable&) = delete;

private:
    friend class Builder;
    struct Tries;
    RouteTable();
    std::vector<Origin> origins_at(std::uint32_t offset) const;

    std::unique_ptr<Tries> tries_;
    std::vector<std::uint32_t> pool_;  ///< per route: group count, then per group: size, as_set flag, ASNs
    std::size_t size_ = 0;
    RouteInfo info_;
    mutable std::once_flag as_index_once_;
    mutable std::vector<std::pair<std::uint32_t, std::uint32_t>> as_index_;  ///< (asn, family bit | node)
};

/// Collects routes, merging the origins of a prefix seen more than once (bgpdump lists a
/// prefix once per peer).
class RouteTable::Builder {
public:
    Builder();
    ~Builder();
    /// Adds one origin of `prefix`.
    void add(const Prefix& prefix, const Origin& origin);
    std::shared_ptr<const RouteTable> finish(RouteInfo info);

private:
    std::unique_ptr<RouteTable> table_;
    std::vector<std::uint32_t> scratch_;
};

}  // namespace mamori::rpki
