/// \file bench/rpki_bench.cpp — RPKI data at real scale: generates ~700k VRPs and ~1.2M routes, then times loading, RTR sync and validation.
///
///   rpki_bench generate DIR [VRPS ROUTES]   writes DIR/vrps.json (rpki-client JSON) and DIR/routes.pfx2as (CAIDA)
///   rpki_bench run DIR [--rtr HOST:PORT]     loads both, validates every route, syncs from an RTR cache serving
///                                            the same VRPs, and prints each figure beside its target
/// Run through bench/rpki, which also starts StayRTR and times RTRlib's own rtrclient.
#include "rpki/error.h"
#include "rpki/route_file.h"
#include "rpki/rtr_source.h"
#include "rpki/vrp_file.h"
#include "rpki/vrp_table.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <tuple>
#include <string>
#include <vector>

using namespace mamori::rpki;

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

/// CPU seconds (user + system) used so far by this process or its waited-for children. On a
/// shared machine wall time says more about the neighbours than about the code; CPU time
/// is what the code costs, so the targets are judged on it (both are printed).
double cpu(int who = RUSAGE_SELF) {
    rusage usage{};
    getrusage(who, &usage);
    auto s = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
    return s(usage.ru_utime) + s(usage.ru_stime);
}

/// A phase's wall and CPU time.
struct Phase {
    Clock::time_point wall = Clock::now();
    double cpu_start = cpu();
    double wall_s() const { return seconds(wall); }
    double cpu_s() const { return cpu() - cpu_start; }
    std::string text() const { return fmt::format("{:.2f} s ({:.2f} s CPU)", wall_s(), cpu_s()); }
};

double peak_mib(int who) {
    rusage usage{};
    getrusage(who, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

/// A deterministic 64-bit mixer (splitmix64): the same data on every machine.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

struct GenRoute {
    Prefix prefix;
    std::uint32_t origin;
    std::uint32_t second;  ///< 0, or a second origin (MOAS)
    bool as_set;
};

std::uint32_t asn_for(std::uint64_t i) { return 1 + static_cast<std::uint32_t>(mix(i * 31 + 7) % 75000); }

/// About 1.2M distinct routes: /24s spread over the IPv4 space, shorter IPv4 prefixes, IPv6 /32–/48.
std::vector<GenRoute> make_routes(std::size_t count) {
    std::vector<GenRoute> routes;
    routes.reserve(count);
    const std::size_t v6 = count / 6, v4_short = count / 20, v4_24 = count - v6 - v4_short;
    for (std::uint64_t i = 0; i < v4_24; ++i) {  // odd multiplier mod 2^24: every /24 distinct
        const auto slash24 = static_cast<std::uint32_t>((i * 2654435761ull + 0x010000) & 0xffffff);
        routes.push_back({Prefix{uint128{slash24} << 104, 24, Family::ipv4}, asn_for(i), 0, false});
    }
    std::set<Prefix> seen;
    for (std::uint64_t i = 0; seen.size() < v4_short; ++i) {
        const unsigned length = 16 + static_cast<unsigned>(mix(i) % 8);
        Prefix p{(uint128{static_cast<std::uint32_t>(mix(i + 1000003))} << 96) & prefix_mask(length), static_cast<std::uint8_t>(length), Family::ipv4};
        if (seen.insert(p).second) routes.push_back({p, asn_for(i + 5000000), 0, false});
    }
    for (std::uint64_t i = 0; i < v6; ++i) {
        const unsigned length = i % 5 == 0 ? 32 : i % 5 == 1 ? 36 : 48;
        const std::uint64_t index = (i * 0x9e3779b1ull) & ((1ull << (length - 4)) - 1);  // distinct within a length
        const uint128 bits = uint128{0x2} << 124 | uint128{index} << (128 - length);
        routes.push_back({Prefix{bits, static_cast<std::uint8_t>(length), Family::ipv6}, asn_for(i + 9000000), 0, false});
    }
    for (std::size_t i = 0; i < routes.size(); ++i) {  // about 1 % multi-origin, 0.1 % AS_SET
        if (mix(i + 77) % 100 == 0) {
            routes[i].second = asn_for(i + 12345678);
        } else if (mix(i + 78) % 1000 == 0) {
            routes[i].as_set = true;
            routes[i].second = asn_for(i + 23456789);
        }
    }
    return routes;
}

/// About 700k VRPs: most routes get a ROA (a few with the wrong origin or a too short
/// maxLength, some as a covering prefix with maxLength), plus ROAs for unannounced space.
std::vector<Vrp> make_vrps(const std::vector<GenRoute>& routes, std::size_t count) {
    std::vector<Vrp> vrps;
    vrps.reserve(count);
    for (std::size_t i = 0; i < routes.size() && vrps.size() < count * 19 / 20; ++i) {
        const auto r = mix(i + 31337) % 100;
        if (r >= 58) continue;  // not found
        const GenRoute& g = routes[i];
        Vrp v{g.prefix, g.prefix.length, g.origin};
        if (r < 2) v.asn = asn_for(i + 424242);  // invalid: origin
        else if (r < 4 && g.prefix.length > 8) {  // invalid: length (a covering ROA without maxLength)
            v.prefix.length = static_cast<std::uint8_t>(g.prefix.length - 2);
            v.prefix.bits &= prefix_mask(v.prefix.length);
            v.max_length = v.prefix.length;
        } else if (r < 10) v.max_length = static_cast<std::uint8_t>(std::min<unsigned>(g.prefix.width(), g.prefix.length + 4u));  // loose
        vrps.push_back(v);
    }
    for (std::uint64_t i = 0; vrps.size() < count; ++i) {  // unused ROAs in space nobody announces
        const auto slash24 = static_cast<std::uint32_t>(mix(i + 99) & 0xffffff);
        vrps.push_back(Vrp{Prefix{uint128{slash24} << 104, 24, Family::ipv4}, 24, asn_for(i + 31)});
    }
    return vrps;
}

int generate(const std::string& dir, std::size_t vrp_count, std::size_t route_count) {
    const auto start = Clock::now();
    auto routes = make_routes(route_count);
    auto vrps = make_vrps(routes, vrp_count);
    // Real files come sorted by prefix: CAIDA's pfx2as, rpki-client's JSON.
    std::sort(routes.begin(), routes.end(), [](const GenRoute& a, const GenRoute& b) { return a.prefix < b.prefix; });
    std::sort(vrps.begin(), vrps.end(), [](const Vrp& a, const Vrp& b) {
        return std::tie(a.prefix, a.max_length, a.asn) < std::tie(b.prefix, b.max_length, b.asn);
    });
    std::FILE* r = std::fopen((dir + "/routes.pfx2as").c_str(), "w");
    std::FILE* v = std::fopen((dir + "/vrps.json").c_str(), "w");
    if (r == nullptr || v == nullptr) {
        fmt::print(stderr, "rpki_bench: cannot write into {}\n", dir);
        return 2;
    }
    for (const GenRoute& g : routes) {
        std::string origin = fmt::format("{}", g.origin);
        if (g.second != 0) origin += fmt::format("{}{}", g.as_set ? "," : "_", g.second);
        fmt::print(r, "{}\t{}\t{}\n", g.prefix.address_string(), g.prefix.length, origin);
    }
    fmt::print(v, "{{\n\t\"metadata\": {{\n\t\t\"buildmachine\": \"rpki_bench\",\n\t\t\"buildtime\": \"2026-11-22T00:00:00Z\",\n"
                  "\t\t\"vrps\": {0},\n\t\t\"uniquevrps\": {0}\n\t}},\n\n\t\"roas\": [\n", vrps.size());
    static const char* tas[] = {"afrinic", "apnic", "arin", "lacnic", "ripe"};
    for (std::size_t i = 0; i < vrps.size(); ++i)
        fmt::print(v, "\t\t{{ \"asn\": {}, \"prefix\": \"{}\", \"maxLength\": {}, \"ta\": \"{}\", \"expires\": 2114380800 }}{}\n",
                   vrps[i].asn, vrps[i].prefix.to_string(), vrps[i].max_length, tas[i % 5], i + 1 < vrps.size() ? "," : "");
    fmt::print(v, "\t]\n}}\n");
    std::fclose(r);
    std::fclose(v);
    fmt::print("generated {} VRPs and {} routes in {} ({:.1f} s)\n", vrps.size(), routes.size(), dir, seconds(start));
    return 0;
}

void figure(const std::string& what, const std::string& value, const std::string& target = "", bool ok = true) {
    fmt::print("  {:<46} {:>26}   {}\n", what, value, target.empty() ? "" : fmt::format("{} {}", target, ok ? "ok" : "MISSED"));
}

int run(const std::string& dir, const std::string& rtr) {
    fmt::print("RPKI scale benchmark ({}); targets are judged on CPU time\n", dir);
    Phase vrp_phase;
    VrpFile file = read_vrp_file(dir + "/vrps.json");
    figure("VRP file read and parsed (simdjson)", vrp_phase.text());
    const std::size_t entries = file.vrps.size();
    auto vrps = VrpTable::build(std::move(file.vrps), std::move(file.info));
    const double vrp_s = vrp_phase.cpu_s();
    figure(fmt::format("+ VRPs in RTRlib's table ({}, {} unique)", entries, vrps->size()), vrp_phase.text());
    Phase route_phase;
    auto routes = read_route_file(dir + "/routes.pfx2as");
    const double route_s = route_phase.cpu_s();
    figure(fmt::format("routes read into the trie ({})", routes->size()), route_phase.text());
    figure("both files loaded", fmt::format("{:.2f} s CPU", vrp_s + route_s), "< 3 s", vrp_s + route_s < 3);

    std::size_t counts[3] = {0, 0, 0}, pairs = 0;
    Phase validate_phase;
    routes->for_each_pair([&](const Prefix& p, std::uint32_t asn, bool as_set) {
        const State s = as_set ? vrps->validate_as_set(p).state : vrps->state(p, asn);
        ++counts[static_cast<int>(s)];
        ++pairs;
    });
    const double validate_s = validate_phase.cpu_s();
    figure(fmt::format("every route validated ({} pairs)", pairs), validate_phase.text(), "< 2 s", validate_s < 2);
    figure("validations per CPU second", fmt::format("{:.0f}", static_cast<double>(pairs) / validate_s));
    figure("  valid / invalid / not-found", fmt::format("{} / {} / {}", counts[0], counts[1], counts[2]));

    Phase lookup_phase;
    std::size_t found = 0;
    const std::size_t lookups = 1000000;
    for (std::uint64_t i = 0; i < lookups; ++i) {
        Prefix a{uint128{static_cast<std::uint32_t>(mix(i))} << 96, 32, Family::ipv4};
        found += routes->lookup(a).has_value();
    }
    figure("longest-prefix matches per CPU second", fmt::format("{:.0f} ({} found)", static_cast<double>(lookups) / lookup_phase.cpu_s(), found));
    Phase index_phase;
    const auto as_routes = routes->originated_by(64500);
    figure("per-AS index built (first AS target)", index_phase.text());
    figure("route table memory", fmt::format("{:.0f} MiB", static_cast<double>(routes->memory_bytes()) / 1048576.0));
    const double peak = peak_mib(RUSAGE_SELF);
    figure("peak memory, both tables (getrusage)", fmt::format("{:.0f} MiB", peak), "< 1024 MiB", peak < 1024);

    if (!rtr.empty()) {
        RtrOptions o;
        std::tie(o.host, o.port) = split_host_port(rtr);
        o.timeout = std::chrono::seconds(120);
        Phase rtr_phase;
        const double child_cpu = cpu(RUSAGE_CHILDREN);
        RtrSync sync = rtr_sync(o);
        const double transferred = rtr_phase.wall_s();
        const double session_cpu = cpu(RUSAGE_CHILDREN) - child_cpu;
        auto table = VrpTable::build(std::move(sync.vrps), VrpInfo{});
        figure(fmt::format("RTR full sync from StayRTR ({} VRPs)", table->size()),
               fmt::format("{:.2f} s ({:.2f} s CPU)", std::chrono::duration<double>(sync.sync_time).count(), session_cpu));
        figure("  sync + transfer to mamori", fmt::format("{:.2f} s", transferred));
        figure("  + mamori's table built", rtr_phase.text());
        figure("peak memory of the RTR session (child)", fmt::format("{:.0f} MiB", peak_mib(RUSAGE_CHILDREN)));
        const bool same = table->size() == vrps->size() &&
                          std::equal(table->all().begin(), table->all().end(), vrps->all().begin());
        figure("RTR VRPs equal the file's", same ? "yes" : "NO", "equal", same);
        if (!same) return 1;
    }
    return vrp_s + route_s < 3 && validate_s < 2 && peak < 1024 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    try {
        if (args.size() >= 2 && args[0] == "generate")
            return generate(args[1], args.size() > 2 ? std::stoul(args[2]) : 700000, args.size() > 3 ? std::stoul(args[3]) : 1200000);
        if (args.size() == 2 && args[0] == "run") return run(args[1], "");
        if (args.size() == 4 && args[0] == "run" && args[2] == "--rtr") return run(args[1], args[3]);
    } catch (const std::exception& e) {
        fmt::print(stderr, "rpki_bench: {}\n", e.what());
        return 2;
    }
    fmt::print(stderr, "usage: rpki_bench generate DIR [VRPS ROUTES] | rpki_bench run DIR [--rtr HOST:PORT]\n");
    return 2;
}
