/// \file checks/rpki/rpki_check.cpp — the rpki check's catalogue, dispatch by target kind, and data staleness.
#include "checks/rpki/rpki_check.h"
#include "core/clock.h"
#include "core/profile.h"
#include "rpki/routing_data.h"

#include <fmt/format.h>

namespace mamori::checks {

const CheckInfo& RpkiCheck::describe() const {
    static const CheckInfo info{
        .id = "rpki",
        .title = "RPKI route-origin validation",
        .description = "Maps the addresses of a domain's apex, www, mail servers and name servers to their announced "
                       "routes and validates each route's origin against the RPKI (RFC 6811); for an AS, the ROA "
                       "coverage of every prefix it announces and the hygiene of its ROAs (RFC 9319); for a prefix, "
                       "its origins and their state. Needs VRPs (--rtr or --vrps) and routes (--pfx2as or --origin-zone).",
        .applies_to = {TargetKind::domain, TargetKind::as, TargetKind::prefix},
        .needs = need_rpki | need_dns,
        .findings = {
            {"RPKI-INVALID", Severity::error, "route is RPKI-invalid",
             "A ROA covers the route's prefix but none allows its origin AS at this prefix length. Networks that "
             "enforce route-origin validation drop the route, so the server is unreachable from them; if the "
             "announcement is not the holder's own, it is a hijack.",
             "Publish a ROA for the announcing AS and exact prefix, or withdraw the announcement.", "RFC 6811 §2"},
            {"RPKI-NOT-FOUND", Severity::warning, "no ROA covers the route",
             "No ROA covers the route's prefix: anyone can announce it, or a more specific of it, and networks "
             "cannot tell the real origin from a hijacker.",
             "Publish a ROA for the prefix with the announcing AS and maxLength equal to the prefix length.",
             "RFC 6811 §2, RFC 6482"},
            {"RPKI-VALID", Severity::info, "route is RPKI-valid",
             "A ROA authorises the route's origin AS at this prefix length: networks that validate prefer it "
             "over forged announcements of the same prefix.",
             "Nothing to fix. Keep the ROA in step with the announcements.", "RFC 6811 §2"},
            {"RPKI-NO-ROUTE", Severity::warning, "address or prefix is not in the routing data",
             "No announced route covers the address (or the prefix, or the AS announces nothing) in the routing "
             "data used: the server is unreachable from the Internet, or the routing data is incomplete.",
             "Check the address; have the network announce the prefix (and publish a ROA), or use fresher "
             "routing data.", "RFC 6811 §2"},
            {"RPKI-MOAS", Severity::warning, "prefix is announced by several origin ASes",
             "More than one AS originates the prefix (MOAS). Anycast and migrations do this on purpose; otherwise "
             "one of the announcements is a hijack or a leak.",
             "Confirm each origin is legitimate, publish a ROA for each, and have any other announcement withdrawn.",
             "RFC 1930 §7, RFC 6811 §2"},
            {"RPKI-VRPS-STALE", Severity::warning, "VRP data is stale",
             "The VRP data was built longer ago than the profile allows (threshold vrp_stale_hours): new ROAs are "
             "missing and withdrawn ones still count, so verdicts may be wrong.",
             "Refresh the VRP data: check that the relying-party software (rpki-client, Routinator) runs and "
             "rewrites its output.", "RFC 8210 §6, RFC 6811 §2"},
            {"RPKI-COVERAGE", Severity::info, "ROA coverage of an AS",
             "How many of the prefixes an AS originates are RPKI-valid, by count and by address space.",
             "Publish ROAs until every announced prefix is valid.", "RFC 6811 §2, RFC 6482"},
            {"ROA-MAXLENGTH-LOOSE", Severity::warning, "ROA maxLength allows unannounced more-specifics",
             "The ROA's maxLength exceeds its prefix length while not every more-specific it allows is announced: "
             "a forged-origin sub-prefix hijack (an attacker announcing an unannounced more-specific with the "
             "right origin) is RPKI-valid and wins by longest match.",
             "Replace the ROA by minimal ROAs, one per announced prefix with maxLength equal to its length.",
             "RFC 9319 §5"},
            {"ROA-UNUSED", Severity::warning, "ROA authorises a route that is not announced",
             "The AS announces nothing the ROA authorises. A stale ROA keeps a forged announcement with that "
             "origin RPKI-valid, and hides what is really routed.",
             "Remove the ROA if the AS no longer originates the prefix, or announce it.", "RFC 9319 §5"},
            {"ROA-AS0", Severity::info, "an AS0 ROA covers the route",
             "An AS0 ROA declares that the space must not be routed at all; any announcement of it is invalid "
             "unless another ROA authorises it.",
             "If the space is in use, remove the AS0 ROA and publish ROAs for the real origins.",
             "RFC 6483 §4, RFC 7607"},
        }};
    return info;
}

CheckResult RpkiCheck::skipped(std::string reason) const {
    CheckResult r = result({}, Json{{"skipped", std::move(reason)}});
    r.status = Status::skip;
    return r;
}

std::optional<Finding> RpkiCheck::staleness(const Context& context, const rpki::RoutingData& data) const {
    const auto& info = data.vrps->info();
    if (!info.build_time) return std::nullopt;
    const double limit = context.profile().threshold<double>("vrp_stale_hours", 24.0);
    const double age = std::chrono::duration<double, std::ratio<3600>>(context.settings().now - *info.build_time).count();
    if (age <= limit) return std::nullopt;
    return finding("RPKI-VRPS-STALE",
                   fmt::format("the VRP data ({}) was built {:.0f} hours before the audit clock, over the limit of "
                               "{:g} hours", info.source, age, limit),
                   {{"source", info.source}, {"format", info.format}, {"build_time", format_rfc3339(*info.build_time)},
                    {"now", format_rfc3339(context.settings().now)}, {"age_hours", std::round(age * 10) / 10},
                    {"limit_hours", limit}},
                   fmt::format("Refresh {}: it was built at {}. Check that the relying-party software (rpki-client, "
                               "Routinator) still runs and rewrites it, or point mamori at a live RTR cache (--rtr).",
                               info.source, format_rfc3339(*info.build_time)));
}

CheckResult RpkiCheck::run(const Target& target, Context& context) const {
    const auto& data = context.settings().routing;
    if (!data || !data->vrps) return skipped("no VRP source: give --rtr HOST:PORT or --vrps FILE");
    switch (target.kind) {
        case TargetKind::domain:
            if (!data->has_routes()) return skipped("no routing data: give --pfx2as FILE or --origin-zone ZONE");
            return run_domain(target, context, *data);
        case TargetKind::as:
            if (!data->routes) return skipped("AS coverage needs a route table: give --pfx2as FILE");
            return run_as(target, context, *data);
        case TargetKind::prefix:
            if (!data->has_routes()) return skipped("no routing data: give --pfx2as FILE or --origin-zone ZONE");
            return run_prefix(target, context, *data);
        case TargetKind::zone: break;
    }
    return skipped("route-origin validation does not apply to zone files");
}

}  // namespace mamori::checks
