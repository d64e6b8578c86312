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

}  // namespace

CheckResult RpkiCheck::run_as(const Target& target, Context& context, const rpki::RoutingData& data) const {
    const auto asn = rpki::parse_asn(target.name);
    if (!asn) return failed(fmt::format("'{}' is not an AS number", target.name));
    const std::string as_text = rpki::asn_string(*asn);
    const auto routes = data.routes->originated_by(*asn);
    std::vector<Finding> findings;
    Json facts_routes = Json::array();
    std::vector<Prefix> announced, valid, invalid_list, not_found;
    std::size_t valid_count = 0, total = 0, not_found_count = 0;
    for (const auto& route : routes) {
        announced.push_back(route.prefix);
        for (const Verdict& v : rpki_detail::validate(*data.vrps, route)) {
            if (std::find(v.origin.asns.begin(), v.origin.asns.end(), *asn) == v.origin.asns.end()) continue;
            ++total;
            Json entry{{"prefix", v.prefix.to_string()}, {"origin", as_text}, {"state", rpki::to_string(v.validation.state)}};
            if (v.origin.as_set) entry["as_set"] = v.origin.to_string();
            if (!v.validation.vrps.empty()) entry["vrps"] = rpki_detail::vrps_json(v.validation.vrps, 10);
            facts_routes.push_back(std::move(entry));
            Json evidence{{"route", {{"prefix", v.prefix.to_string()}, {"origin", v.origin.to_string()}}},
                          {"vrps", rpki_detail::vrps_json(v.validation.vrps)}, {"vrp_source", data.vrps->info().source}};
            const std::string on = fmt::format("{} announces {}{}", as_text, v.prefix.to_string(),
                                               v.origin.as_set ? " in the AS_SET " + v.origin.to_string() : "");
            if (v.validation.state == rpki::State::valid) {
                ++valid_count;
                valid.push_back(v.prefix);
            } else if (v.validation.state == rpki::State::invalid) {
                invalid_list.push_back(v.prefix);
                findings.push_back(finding("RPKI-INVALID", fmt::format("{}, which is RPKI-invalid: {}", on, rpki_detail::why_invalid(v)),
                                           evidence, rpki_detail::invalid_remedy(v, "this prefix")));
            } else {
                ++not_found_count;
                if (!v.origin.as_set) not_found.push_back(v.prefix);  // listed together below
                else findings.push_back(finding("RPKI-NOT-FOUND", fmt::format("{}: no ROA covers it, and none can make it valid", on),
                                                evidence, rpki_detail::not_found_remedy(v)));
            }
            if (rpki_detail::covered_by_as0(v))
                findings.push_back(finding("ROA-AS0", fmt::format("an AS0 ROA covers {}, which {} announces", v.prefix.to_string(), as_text),
                                           evidence));
        }
        if (route.origins.size() > 1) {
            Json origins = Json::array();
            for (const auto& o : route.origins) origins.push_back(o.to_string());
            findings.push_back(finding("RPKI-MOAS",
                                       fmt::format("{} is announced by {} origins: {}", route.prefix.to_string(), route.origins.size(),
                                                   fmt::join(origins, ", ")),
                                       {{"prefix", route.prefix.to_string()}, {"origins", origins}},
                                       fmt::format("Confirm that every other origin of {} announces it with {}'s consent "
                                                   "(anycast, a customer); publish ROAs for the legitimate ones.",
                                                   route.prefix.to_string(), as_text)));
        }
    }
    if (!not_found.empty()) {
        findings.push_back(finding("RPKI-NOT-FOUND",
                                   fmt::format("{} of the {} prefixes {} announces {} no ROA: {}", not_found.size(), total,
                                               as_text, not_found.size() == 1 ? "has" : "have",
                                               prefix_list(not_found, 5)),
                                   {{"prefixes", rpki_detail::prefixes_json(not_found)}, {"vrp_source", data.vrps->info().source}},
                                   fmt::format("Publish ROAs for origin {}, one per prefix with maxLength equal to its length:\n{}",
                                               as_text, minimal_roas({not_found.begin(), not_found.begin() + std::min<std::ptrdiff_t>(20, std::ssize(not_found))}, *asn))));
    }
    const auto share = rpki_detail::address_share(valid, announced);
    Json coverage{{"valid", valid_count}, {"total", total}, {"address_share", std::round(share.combined * 10000) / 10000}};
    if (share.ipv4 >= 0) coverage["ipv4_share"] = std::round(share.ipv4 * 10000) / 10000;
    if (share.ipv6 >= 0) coverage["ipv6_share"] = std::round(share.ipv6 * 10000) / 10000;
    coverage["invalid"] = invalid_list.size();
    coverage["not_found"] = not_found_count;
    if (total == 0) {
        findings.push_back(finding("RPKI-NO-ROUTE", fmt::format("{} originates no prefix in {}", as_text, data.routes->info().source),
                                   {{"route_source", data.routes->info().source}},
                                   fmt::format("Check the AS number; if {} should announce prefixes, the routing data "
                                               "({}) may be old or incomplete.", as_text, data.routes->info().source)));
    } else {
        findings.push_back(finding("RPKI-COVERAGE",
                                   fmt::format("{} originates {} prefixes: {} valid, {} invalid, {} not found; ROA coverage "
                                               "{:.1f} % by count, {:.1f} % by address space", as_text, total, valid_count,
                                               invalid_list.size(), not_found_count, 100.0 * static_cast<double>(valid_count) / static_cast<double>(total),
                                               100.0 * share.combined),
                                   coverage));
    }

    // The AS's own ROAs: unused ones, and maxLength looser than what is announced (RFC 9319).
    const std::set<Prefix> announced_set(announced.begin(), announced.end());
    for (const Vrp& vrp : data.vrps->of_asn(*asn)) {
        const auto used = authorised(vrp, announced);
        Json evidence{{"vrp", rpki_detail::vrp_json(vrp)}, {"announced", rpki_detail::prefixes_json(used)},
                      {"vrp_source", data.vrps->info().source}};
        if (used.empty()) {
            findings.push_back(finding("ROA-UNUSED",
                                       fmt::format("ROA {} authorises routes {} does not announce", vrp.to_string(), as_text),
                                       evidence,
                                       fmt::format("Remove the ROA {} if {} no longer originates {} (while it stays, a "
                                                   "forged announcement with origin {} is RPKI-valid), or announce the prefix.",
                                                   vrp.to_string(), as_text, vrp.prefix.to_string(), as_text)));
            continue;
        }
        if (vrp.max_length > vrp.prefix.length && static_cast<double>(used.size()) < allowed_count(vrp)) {
            const auto examples = unannounced_examples(vrp, announced_set, 3);
            evidence["unannounced_examples"] = rpki_detail::prefixes_json(examples);
            findings.push_back(finding("ROA-MAXLENGTH-LOOSE",
                                       fmt::format("ROA {} allows more-specifics up to /{} that {} does not announce (e.g. {})",
                                                   vrp.to_string(), vrp.max_length, as_text,
                                                   examples.empty() ? "" : examples.front().to_string()),
                                       evidence,
                                       fmt::format("Replace ROA {} by minimal ROAs for exactly the announced prefixes "
                                                   "(RFC 9319 §5):\n{}", vrp.to_string(),
                                                   minimal_roas({used.begin(), used.begin() + std::min<std::ptrdiff_t>(20, std::ssize(used))}, *asn))));
        }
    }
    if (auto stale = staleness(context, data)) findings.push_back(std::move(*stale));
    return result(std::move(findings), Json{{"routes", facts_routes}, {"coverage", coverage}});
}

CheckResult RpkiCheck::run_prefix(const Target& target, Context& context, const rpki::RoutingData& data) const {
    std::string why;
    const auto prefix = rpki::parse_prefix(target.name, &why);
    if (!prefix) return failed(fmt::format("'{}': {}", target.name, why));
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
    Json facts_routes = Json::array();
    const auto covering = data.vrps->covering(*prefix);
    Json facts{{"routes", facts_routes}, {"vrps", rpki_detail::vrps_json(covering)}};
    if (!route || route->prefix != *prefix) {
        Json evidence{{"prefix", prefix->to_string()}, {"route_source", source}};
        if (route) evidence["covering_route"] = {{"prefix", route->prefix.to_string()}, {"origins", Json::array()}};
        if (route)
            for (const auto& o : route->origins) evidence["covering_route"]["origins"].push_back(o.to_string());
        if (route) facts["covering_route"] = evidence["covering_route"];
        findings.push_back(finding("RPKI-NO-ROUTE",
                                   route ? fmt::format("{} is not announced as such; the less specific {} covers it",
                                                       prefix->to_string(), route->prefix.to_string())
                                         : fmt::format("no announced route covers {} in {}", prefix->to_string(), source),
                                   std::move(evidence),
                                   fmt::format("Check the prefix; if {} should be reachable on its own, have it announced "
                                               "and publish a ROA for it.", prefix->to_string())));
    } else {
        const auto verdicts = rpki_detail::validate(*data.vrps, *route);
        for (const Verdict& v : verdicts) {
            for (std::uint32_t asn : v.origin.asns) {
                Json entry{{"prefix", v.prefix.to_string()}, {"origin", rpki::asn_string(asn)}, {"state", rpki::to_string(v.validation.state)}};
                if (v.origin.as_set) entry["as_set"] = v.origin.to_string();
                facts["routes"].push_back(std::move(entry));
            }
            Json evidence{{"route", {{"prefix", v.prefix.to_string()}, {"origin", v.origin.to_string()}}},
                          {"vrps", rpki_detail::vrps_json(v.validation.vrps)}, {"vrp_source", data.vrps->info().source}};
            const std::string on = fmt::format("{} from {}", v.prefix.to_string(), v.origin.to_string());
            if (v.validation.state == rpki::State::invalid)
                findings.push_back(finding("RPKI-INVALID", fmt::format("{} is RPKI-invalid: {}", on, rpki_detail::why_invalid(v)),
                                           evidence, rpki_detail::invalid_remedy(v, "this prefix")));
            else if (v.validation.state == rpki::State::not_found)
                findings.push_back(finding("RPKI-NOT-FOUND", fmt::format("{}: no ROA covers it", on), evidence,
                                           rpki_detail::not_found_remedy(v)));
            else
                findings.push_back(finding("RPKI-VALID", fmt::format("{} is RPKI-valid (ROA {})", on, rpki_detail::vrps_text(v.validation.vrps, 1)),
                                           evidence));
            if (rpki_detail::covered_by_as0(v))
                findings.push_back(finding("ROA-AS0", fmt::format("an AS0 ROA covers {}", v.prefix.to_string()), evidence));
        }
        if (verdicts.size() > 1) {
            Json origins = Json::array();
            for (const Verdict& v : verdicts)
                origins.push_back({{"origin", v.origin.to_string()}, {"state", rpki::to_string(v.validation.state)}});
            findings.push_back(finding("RPKI-MOAS", fmt::format("{} is announced by {} origins", prefix->to_string(), verdicts.size()),
                                       {{"prefix", prefix->to_string()}, {"origins", origins}},
                                       fmt::format("Confirm that each origin of {} is legitimate; publish a ROA for each "
                                                   "legitimate origin and have any other announcement withdrawn.", prefix->to_string())));
        }
    }
    if (auto stale = staleness(context, data)) findings.push_back(std::move(*stale));
    return result(std::move(findings), std::move(facts));
}

}  // namespace mamori::checks
