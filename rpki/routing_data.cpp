/// \file rpki/routing_data.cpp — turning the data options into loaded tables.
#include "rpki/routing_data.h"
#include "rpki/error.h"
#include "rpki/route_file.h"
#include "rpki/rtr_source.h"
#include "rpki/vrp_file.h"

#include <fmt/format.h>

#include <stdexcept>

namespace mamori::rpki {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::shared_ptr<const VrpTable> load_vrps(const SourceOptions& o, const std::function<void(const std::string&)>& note) {
    const auto start = std::chrono::steady_clock::now();
    if (!o.vrps.empty()) {
        VrpFile file = read_vrp_file(o.vrps);
        auto table = VrpTable::build(std::move(file.vrps), std::move(file.info));
        note(fmt::format("{}: {} VRPs ({} entries, {}) loaded in {:.2f} s", o.vrps, table->size(),
                         table->info().entries, table->info().format, seconds_since(start)));
        return table;
    }
    RtrOptions rtr;
    try {
        std::tie(rtr.host, rtr.port) = split_host_port(o.rtr);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("--rtr: ") + e.what());
    }
    rtr.timeout = o.rtr_timeout;
    rtr.ssh_key = o.ssh_key;
    rtr.ssh_user = o.ssh_user;
    rtr.ssh_known_hosts = o.ssh_known_hosts;
    rtr.verbose = o.verbose;
    RtrSync sync = rtr_sync(rtr);
    VrpInfo info;
    info.source = fmt::format("rtr {}", o.rtr);
    info.format = rtr.ssh_key.empty() ? "RTR" : "RTR over SSH";
    info.entries = sync.vrps.size();
    auto table = VrpTable::build(std::move(sync.vrps), std::move(info));
    note(fmt::format("{}: {} VRPs, full sync in {:.2f} s, table built in {:.2f} s", o.rtr, table->size(),
                     std::chrono::duration<double>(sync.sync_time).count(), seconds_since(start)));
    return table;
}

}  // namespace

std::shared_ptr<const RoutingData> load_routing_data(const SourceOptions& o,
                                                     const std::function<void(const std::string&)>& note_fn) {
    auto note = [&](const std::string& line) {
        if (note_fn) note_fn(line);
    };
    if (!o.rtr.empty() && !o.vrps.empty()) throw std::invalid_argument("--rtr and --vrps: give one VRP source, not both");
    const bool ssh_options = !o.ssh_key.empty() || !o.ssh_known_hosts.empty();
    if (ssh_options && o.rtr.empty()) throw std::invalid_argument("--rtr-ssh-*: SSH options need --rtr HOST:PORT");
    if (!o.ssh_known_hosts.empty() && o.ssh_key.empty())
        throw std::invalid_argument("--rtr-ssh-known-hosts: give the client key too (--rtr-ssh-key FILE)");
    if (!o.ssh_key.empty() && !rtr_has_ssh())
        throw SourceError("--rtr-ssh-key: this RTRlib was built without SSH support (libssh)");

    auto data = std::make_shared<RoutingData>();
    if (!o.vrps.empty() || !o.rtr.empty()) data->vrps = load_vrps(o, note);
    if (!o.pfx2as.empty()) {
        const auto start = std::chrono::steady_clock::now();
        data->routes = read_route_file(o.pfx2as);
        note(fmt::format("{}: {} routes ({} lines, {}) loaded in {:.2f} s", o.pfx2as, data->routes->size(),
                         data->routes->info().lines, data->routes->info().format, seconds_since(start)));
    }
    if (!o.origin_zone.empty()) {
        if (o.origin_zone.find_first_of(" \t/\\") != std::string::npos || o.origin_zone.find('.') == std::string::npos)
            throw std::invalid_argument(fmt::format("--origin-zone: '{}' is not a DNS zone name", o.origin_zone));
        data->origin_zone.emplace(o.origin_zone);
    }
    return data;
}

}  // namespace mamori::rpki
