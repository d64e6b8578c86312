/// \file checks/rpki/rpki_as.cpp — an AS's ROA coverage and ROA hygiene (RFC 9319), and a single prefix's origins.
#include "checks/rpki/rpki_check.h"
#include "checks/rpki/rpki_detail.h"
#include "core/target.h"
#include "rpki/routing_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <set>

namespace mamori::checks {
namespace {

using rpki::Prefix;
using rpki::Vrp;
using rpki_detail::Verdict;

/// The AS's announced prefixes that `vrp` authorises (inside it, no longer than maxLength).
std::vector<Prefix> authorised(const Vrp& vrp, const std::vector<Prefix>& announced) {
    std::vector<Prefix> out;
    for (const Prefix& p : announced)
        if (vrp.prefix.contains(p) && p.length <= vrp.max_length) out.push_back(p);
    return out;
}

/// A few more-specifics the VRP allows that are not announced (breadth first, bounded).
std::vector<Prefix> unannounced_examples(const Vrp& vrp, const std::set<Prefix>& announced, std::size_t want) {
    std::vector<Prefix> out;
    std::deque<Prefix> queue{vrp.prefix};
    for (int steps = 0; !queue.empty() && out.size() < want && steps < 4096; ++steps) {
        Prefix p = queue.front();
        queue.pop_front();
        if (!announced.contains(p)) out.push_back(p);
        if (p.length >= vrp.max_length) continue;
        Prefix low = p, high = p;
        low.length = high.length = static_cast<std::uint8_t>(p.length + 1);
        high.bits |= rpki::uint128{1} << (127 - p.length);
        queue.push_back(low);
        queue.push_back(high);
    }
    return out;
}

/// How many prefixes a VRP allows: 2^(maxLength - length + 1) - 1.
double allowed_count(const Vrp& vrp) { return std::ldexp(1.0, vrp.max_length - vrp.prefix.length + 1) - 1; }

/// "192.0.2.0/24, 198.51.100.0/24 and 3 more".
std::string prefix_list(const std::vector<Prefix>& prefixes, std::size_t limit) {
    std::vector<std::string> text;
    for (std::size_t i = 0; i < prefixes.size() && i < limit; ++i) text.push_back(prefixes[i].to_string());
    std::string out = fmt::format("{}", fmt::join(text, ", "));
    if (prefixes.size() > limit) out += fmt::format(" and {} more", prefixes.size() - limit);
    return out;
}

std::string minimal_roas(const std::vector<Prefix>& prefixes, std::uint32_t asn) {
    std::vector<std::string> lines;
    for (const Prefix& p : prefixes) lines.push_back(fmt::format("  prefix {}, maxLength {}, origin {}", p.to_string(), p.length, rpki::asn_string(asn)));
    return fmt::format("{}", fmt::join(lines, "\n"));
}

/// What one AS announces, validated route by route.
struct AsTally {
    std::uint32_t asn = 0;
    std::string name;  ///< "AS64500"
    Json routes = Json::array();
    std::vector<Prefix> announced, valid, invalid, not_found;  ///< not_found: plain origins only
    std::size_t total = 0, not_found_count = 0;
};

/// Validates every route of the AS: facts, and the findings of single routes (invalid,
/// AS_SET, AS0, MOAS).
void tally_routes(const rpki::RoutingData& data, AsTally& t, std::vector<Finding>& findings, const rpki_detail::MakeFinding& make) {
    for (const auto& route : data.routes->originated_by(t.asn)) {
        t.announced.push_back(route.prefix);
        for (const Verdict& v : rpki_detail::validate(*data.vrps, route)) {
            if (std::find(v.origin.asns.begin(), v.origin.asns.end(), t.asn) == v.origin.asns.end()) continue;
            ++t.total;
            Json entry{{"prefix", v.prefix.to_string()}, {"origin", t.name}, {"state", rpki::to_string(v.validation.state)}};
            if (v.origin.as_set) entry["as_set"] = v.origin.to_string();
            if (!v.validation.vrps.empty()) entry["vrps"] = rpki_detail::vrps_json(v.validation.vrps, 10);
            t.routes.push_back(std::move(entry));
            Json evidence{{"route", {{"prefix", v.prefix.to_string()}, {"origin", v.origin.to_string()}}},
                          {"vrps", rpki_detail::vrps_json(v.validation.vrps)}, {"vrp_source", data.vrps->info().source}};
            const std::string on = fmt::format("{} announces {}{}", t.name, v.prefix.to_string(),
                                               v.origin.as_set ? " in the AS_SET " + v.origin.to_string() : "");
            if (v.validation.state == rpki::State::valid) {
                t.valid.push_back(v.prefix);
            } else if (v.validation.state == rpki::State::invalid) {
                t.invalid.push_back(v.prefix);
                findings.push_back(make("RPKI-INVALID", fmt::format("{}, which is RPKI-invalid: {}", on, rpki_detail::why_invalid(v)),
                                        evidence, rpki_detail::invalid_remedy(v, "this prefix")));
            } else {
                ++t.not_found_count;
                if (!v.origin.as_set) t.not_found.push_back(v.prefix);  // listed together in one finding
                else findings.push_back(make("RPKI-NOT-FOUND", fmt::format("{}: no ROA covers it, and none can make it valid", on),
                                             evidence, rpki_detail::not_found_remedy(v)));
            }
            if (rpki_detail::covered_by_as0(v))
                findings.push_back(make("ROA-AS0", fmt::format("an AS0 ROA covers {}, which {} announces", v.prefix.to_string(), t.name),
                                        evidence, ""));
        }
        if (route.origins.size() <= 1) continue;
        std::vector<std::string> origins;
        for (const auto& o : route.origins) origins.push_back(o.to_string());
        findings.push_back(make("RPKI-MOAS",
                                fmt::format("{} is announced by {} origins: {}", route.prefix.to_string(), origins.size(), fmt::join(origins, ", ")),
                                {{"prefix", route.prefix.to_string()}, {"origins", origins}},
                                fmt::format("Confirm that every other origin of {} announces it with {}'s consent "
                                            "(anycast, a customer); publish ROAs for the legitimate ones.", route.prefix.to_string(), t.name)));
    }
}

/// The coverage facts, and the findings about the AS as a whole.
Json coverage(const rpki::RoutingData& data, const AsTally& t, std::vector<Finding>& findings, const rpki_detail::MakeFinding& make) {
    if (!t.not_found.empty()) {
        const std::vector<Prefix> first(t.not_found.begin(), t.not_found.begin() + std::min<std::ptrdiff_t>(20, std::ssize(t.not_found)));
        findings.push_back(make("RPKI-NOT-FOUND",
                                fmt::format("{} of the {} prefixes {} announces {} no ROA: {}", t.not_found.size(), t.total, t.name,
                                            t.not_found.size() == 1 ? "has" : "have", prefix_list(t.not_found, 5)),
                                {{"prefixes", rpki_detail::prefixes_json(t.not_found)}, {"vrp_source", data.vrps->info().source}},
                                fmt::format("Publish ROAs for origin {}, one per prefix with maxLength equal to its length:\n{}",
                                            t.name, minimal_roas(first, t.asn))));
    }
    const auto share = rpki_detail::address_share(t.valid, t.announced);
    auto round4 = [](double x) { return std::round(x * 10000) / 10000; };
    Json c{{"valid", t.valid.size()}, {"total", t.total}, {"address_share", round4(share.combined)}};
    if (share.ipv4 >= 0) c["ipv4_share"] = round4(share.ipv4);
    if (share.ipv6 >= 0) c["ipv6_share"] = round4(share.ipv6);
    c["invalid"] = t.invalid.size();
    c["not_found"] = t.not_found_count;
    const std::string& source = data.routes->info().source;
    if (t.total == 0) {
        findings.push_back(make("RPKI-NO-ROUTE", fmt::format("{} originates no prefix in {}", t.name, source), {{"route_source", source}},
                                fmt::format("Check the AS number; if {} should announce prefixes, the routing data ({}) may be "
                                            "old or incomplete.", t.name, source)));
        return c;
    }
    findings.push_back(make("RPKI-COVERAGE",
                            fmt::format("{} originates {} prefixes: {} valid, {} invalid, {} not found; ROA coverage {:.1f} % by "
                                        "count, {:.1f} % by address space", t.name, t.total, t.valid.size(), t.invalid.size(),
                                        t.not_found_count, 100.0 * static_cast<double>(t.valid.size()) / static_cast<double>(t.total),
                                        100.0 * share.combined),
                            c, ""));
    return c;
}

/// The AS's own ROAs: unused ones, and maxLength looser than what is announced (RFC 9319).
void roa_hygiene(const rpki::RoutingData& data, const AsTally& t, std::vector<Finding>& findings, const rpki_detail::MakeFinding& make) {
    const std::set<Prefix> announced(t.announced.begin(), t.announced.end());
    for (const Vrp& vrp : data.vrps->of_asn(t.asn)) {
        const auto used = authorised(vrp, t.announced);
        Json evidence{{"vrp", rpki_detail::vrp_json(vrp)}, {"announced", rpki_detail::prefixes_json(used)},
                      {"vrp_source", data.vrps->info().source}};
        if (used.empty()) {
            findings.push_back(make("ROA-UNUSED", fmt::format("ROA {} authorises routes {} does not announce", vrp.to_string(), t.name),
                                    evidence,
                                    fmt::format("Remove the ROA {} if {} no longer originates {} (while it stays, a forged "
                                                "announcement with origin {} is RPKI-valid), or announce the prefix.",
                                                vrp.to_string(), t.name, vrp.prefix.to_string(), t.name)));
            continue;
        }
        if (vrp.max_length == vrp.prefix.length || static_cast<double>(used.size()) >= allowed_count(vrp)) continue;
        const auto examples = unannounced_examples(vrp, announced, 3);
        evidence["unannounced_examples"] = rpki_detail::prefixes_json(examples);
        const std::vector<Prefix> first(used.begin(), used.begin() + std::min<std::ptrdiff_t>(20, std::ssize(used)));
        findings.push_back(make("ROA-MAXLENGTH-LOOSE",
                                fmt::format("ROA {} allows more-specifics up to /{} that {} does not announce (e.g. {})", vrp.to_string(),
                                            vrp.max_length, t.name, examples.empty() ? "" : examples.front().to_string()),
                                evidence,
                                fmt::format("Replace ROA {} by minimal ROAs for exactly the announced prefixes (RFC 9319 §5):\n{}",
                                            vrp.to_string(), minimal_roas(first, t.asn))));
    }
}

/// RPKI-NO-ROUTE for a prefix target that is not announced as such (maybe inside a less specific).
Finding prefix_not_announced(const Prefix& prefix, const std::optional<rpki::Route>& covering, const std::string& source,
                             Json& facts, const rpki_detail::MakeFinding& make) {
    Json evidence{{"prefix", prefix.to_string()}, {"route_source", source}};
    if (covering) {
        std::vector<std::string> origins;
        for (const auto& o : covering->origins) origins.push_back(o.to_string());
        evidence["covering_route"] = {{"prefix", covering->prefix.to_string()}, {"origins", origins}};
        facts["covering_route"] = evidence["covering_route"];
    }
    return make("RPKI-NO-ROUTE",
                covering ? fmt::format("{} is not announced as such; the less specific {} covers it", prefix.to_string(),
                                       covering->prefix.to_string())
                         : fmt::format("no announced route covers {} in {}", prefix.to_string(), source),
                std::move(evidence),
                fmt::format("Check the prefix; if {} should be reachable on its own, have it announced and publish a ROA "
                            "for it.", prefix.to_string()));
}

/// The verdict of each origin of a prefix target's own route.
void prefix_verdicts(const rpki::VrpTable& vrps, const rpki::Route& route, Json& facts, std::vector<Finding>& findings,
                     const rpki_detail::MakeFinding& make) {
    const auto verdicts = rpki_detail::validate(vrps, route);
    for (const Verdict& v : verdicts) {
        for (std::uint32_t asn : v.origin.asns) {
            Json entry{{"prefix", v.prefix.to_string()}, {"origin", rpki::asn_string(asn)}, {"state", rpki::to_string(v.validation.state)}};
            if (v.origin.as_set) entry["as_set"] = v.origin.to_string();
            facts["routes"].push_back(std::move(entry));
        }
        Json evidence{{"route", {{"prefix", v.prefix.to_string()}, {"origin", v.origin.to_string()}}},
                      {"vrps", rpki_detail::vrps_json(v.validation.vrps)}, {"vrp_source", vrps.info().source}};
        const std::string on = fmt::format("{} from {}", v.prefix.to_string(), v.origin.to_string());
        if (v.validation.state == rpki::State::invalid)
            findings.push_back(make("RPKI-INVALID", fmt::format("{} is RPKI-invalid: {}", on, rpki_detail::why_invalid(v)), evidence,
                                    rpki_detail::invalid_remedy(v, "this prefix")));
        else if (v.validation.state == rpki::State::not_found)
            findings.push_back(make("RPKI-NOT-FOUND", fmt::format("{}: no ROA covers it", on), evidence, rpki_detail::not_found_remedy(v)));
        else
            findings.push_back(make("RPKI-VALID", fmt::format("{} is RPKI-valid (ROA {})", on, rpki_detail::vrps_text(v.validation.vrps, 1)),
                                    evidence, ""));
        if (rpki_detail::covered_by_as0(v))
            findings.push_back(make("ROA-AS0", fmt::format("an AS0 ROA covers {}", v.prefix.to_string()), evidence, ""));
    }
    if (verdicts.size() <= 1) return;
    Json origins = Json::array();
    for (const Verdict& v : verdicts) origins.push_back({{"origin", v.origin.to_string()}, {"state", rpki::to_string(v.validation.state)}});
    findings.push_back(make("RPKI-MOAS", fmt::format("{} is announced by {} origins", route.prefix.to_string(), verdicts.size()),
                            {{"prefix", route.prefix.to_string()}, {"origins", origins}},
                            fmt::format("Confirm that each origin of {} is legitimate; publish a ROA for each legitimate origin "
                                        "and have any other announcement withdrawn.", route.prefix.to_string())));
}

}  // namespace

CheckResult RpkiCheck::run_as(const Target& target, Context& context, const rpki::RoutingData& data) const {
    const auto asn = rpki::parse_asn(target.name);
    if (!asn) return failed(fmt::format("'{}' is not an AS number", target.name));
    const rpki_detail::MakeFinding make = [this](std::string_view id, std::string message, Json evidence, std::string remedy) {
        return finding(id, std::move(message), std::move(evidence), std::move(remedy));
    };
    AsTally tally;
    tally.asn = *asn;
    tally.name = rpki::asn_string(*asn);
    std::vector<Finding> findings;
    tally_routes(data, tally, findings, make);
    Json facts{{"routes", std::move(tally.routes)}, {"coverage", coverage(data, tally, findings, make)}};
    roa_hygiene(data, tally, findings, make);
    if (auto stale = staleness(context, data)) findings.push_back(std::move(*stale));
    return result(std::move(findings), std::move(facts));
}


CheckResult RpkiCheck::run_prefix(const Target& target, Context& context, const rpki::RoutingData& data) const {
    std::string why;
    const auto prefix = rpki::parse_prefix(target.name, &why);
    if (!prefix) return failed(fmt::format("'{}': {}", target.name, why));
    const rpki_detail::MakeFinding make = [this](std::string_view id, std::string message, Json evidence, std::string remedy) {
        return finding(id, std::move(message), std::move(evidence), std::move(remedy));
    };
    std::optional<rpki::Route> route;
    std::string source;
    if (data.routes) {
        source = data.routes->info().source;
        route = data.routes->exact(*prefix);
        if (!route) route = data.routes->lookup(*prefix);  // a covering, less specific route
    } else {
        source = "origin zone " + data.origin_zone->zone();
        rpki::Prefix first = *prefix;
        first.length = static_cast<std::uint8_t>(first.width());
        auto found = data.origin_zone->lookup(context.resolver(), {first});
        if (!found[0].error.empty()) return failed(found[0].error);
        route = found[0].route;
        if (route && !route->prefix.contains(*prefix)) route.reset();  // only a more specific is announced
    }
    std::vector<Finding> findings;
    Json facts{{"routes", Json::array()}, {"vrps", rpki_detail::vrps_json(data.vrps->covering(*prefix))}};
    if (!route || route->prefix != *prefix) findings.push_back(prefix_not_announced(*prefix, route, source, facts, make));
    else prefix_verdicts(*data.vrps, *route, facts, findings, make);
    if (auto stale = staleness(context, data)) findings.push_back(std::move(*stale));
    return result(std::move(findings), std::move(facts));
}

}  // namespace mamori::checks
