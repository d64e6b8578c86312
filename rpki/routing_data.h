/// \file rpki/routing_data.h — the VRP and route sources of one run, loaded once before any audit.
#pragma once

#include "rpki/origin_zone.h"
#include "rpki/route_table.h"
#include "rpki/vrp_table.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace mamori::rpki {

/// Read-only after loading; shared by every worker of the engine.
struct RoutingData {
    std::shared_ptr<const VrpTable> vrps;      ///< null: no VRP source given
    std::shared_ptr<const RouteTable> routes;  ///< null: no route file given
    std::optional<OriginZone> origin_zone;     ///< the DNS origin service, if given

    bool has_routes() const { return routes != nullptr || origin_zone.has_value(); }
};

/// What the user asked for (`--rtr`, `--vrps`, `--pfx2as`, `--origin-zone` and friends).
struct SourceOptions {
    std::string rtr;                 ///< HOST:PORT
    std::string vrps;                ///< a VRP file
    std::string pfx2as;              ///< a route file
    std::string origin_zone;         ///< e.g. origin.asn.cymru.com
    std::chrono::milliseconds rtr_timeout{30000};
    std::string ssh_key, ssh_user = "rpki", ssh_known_hosts;
    bool verbose = false;

    bool any() const { return !rtr.empty() || !vrps.empty() || !pfx2as.empty() || !origin_zone.empty(); }
};

/// Loads every source given. Throws std::invalid_argument for contradictory options,
/// DataError for a bad file (exit 2) and SourceError for an RTR cache that failed (exit 3).
/// `note` receives one line per source loaded (sizes and times) for --verbose.
std::shared_ptr<const RoutingData> load_routing_data(const SourceOptions& options,
                                                     const std::function<void(const std::string&)>& note = {});

}  // namespace mamori::rpki
