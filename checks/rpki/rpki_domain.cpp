/// \file checks/rpki/rpki_domain.cpp — a domain's servers (apex, www, MX, NS) → addresses → routes → RFC 6811 verdicts.
#include "checks/rpki/rpki_check.h"
#include "checks/rpki/rpki_detail.h"
#include "rpki/routing_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace mamori::checks {
namespace {

using rpki_detail::Verdict;

std::string without_dot(std::string name) {
    if (name.size() > 1 && name.back() == '.') name.pop_back();
    return name;
}

bool definitive(const dns::Answer& a) {
    return a.ok() && (a.rcode() == LDNS_RCODE_NOERROR || a.rcode() == LDNS_RCODE_NXDOMAIN);
}

std::string lookup_failure(const dns::Answer& a) {
    if (!a.ok()) return a.error.empty() ? std::string(dns::to_string(a.outcome)) : a.error;
    return dns::rcode_name(a.rcode());
}

/// One address of the domain's servers and what it serves.
struct Place {
    std::string address;
    rpki::Prefix prefix;  ///< the address as a full-length prefix
    std::vector<std::pair<std::string, std::string>> uses;  ///< (role, host name), in role order
};

std::string role_words(const std::string& role) {
    if (role == "apex") return "the domain's address";
    if (role == "www") return "web server";
    if (role == "mx") return "mail server";
    return "name server";
}

std::string who(const std::vector<const Place*>& places) {
    std::vector<std::string> parts;
    for (const Place* p : places)
        for (const auto& [role, host] : p->uses) {
            std::string text = role == "apex" ? fmt::format("{} ({})", role_words(role), p->address)
                                              : fmt::format("{} {} ({})", role_words(role), host, p->address);
            if (std::find(parts.begin(), parts.end(), text) == parts.end()) parts.push_back(text);
        }
    return fmt::format("{}", fmt::join(parts, ", "));
}

/// "... is on route" or "... are on route".
std::string who_is(const std::vector<const Place*>& places) {
    std::size_t uses = 0;
    for (const Place* p : places) uses += p->uses.size();
    return who(places) + (uses > 1 ? " are" : " is");
}

Json addresses_json(const std::vector<const Place*>& places) {
    Json out = Json::array();
    for (const Place* p : places) {
        Json roles = Json::array(), hosts = Json::array();
        for (const auto& [role, host] : p->uses) {
            if (std::find(roles.begin(), roles.end(), role) == roles.end()) roles.push_back(role);
            if (std::find(hosts.begin(), hosts.end(), host) == hosts.end()) hosts.push_back(host);
        }
        out.push_back({{"address", p->address}, {"roles", roles}, {"hosts", hosts}});
    }
    return out;
}

/// The addresses of the apex, www, every MX target and every NS target, in that order.
struct Addresses {
    std::vector<Place> places;
    std::vector<std::string> unresolved;  ///< lookups that failed (not: names without addresses)
    std::string fatal;                    ///< the domain itself could not be looked up
};

void add_use(Addresses& out, const std::string& address, const std::string& role, const std::string& host) {
    auto it = std::find_if(out.places.begin(), out.places.end(), [&](const Place& p) { return p.address == address; });
    if (it == out.places.end()) {
        auto prefix = rpki::parse_address(address);
        if (!prefix) return;
        out.places.push_back(Place{address, *prefix, {}});
        it = out.places.end() - 1;
    }
    std::pair<std::string, std::string> use{role, host};
    if (std::find(it->uses.begin(), it->uses.end(), use) == it->uses.end()) it->uses.push_back(use);
}

Addresses collect_addresses(const std::string& domain, Context& context) {
    Addresses out;
    std::vector<std::pair<std::string, std::string>> names{{domain, "apex"}, {"www." + domain, "www"}};
    const MxSet& mx = context.mx(domain);
    if (!definitive(mx.answer)) out.unresolved.push_back(fmt::format("{} MX ({})", domain, lookup_failure(mx.answer)));
    for (const auto& r : mx.records) {
        std::string host = without_dot(r.exchange);
        if (host == ".") continue;
        if (rpki::parse_address(host)) add_use(out, host, "mx", host);  // an address literal (MX-TARGET-IP)
        else names.emplace_back(host, "mx");
    }
    const dns::Answer ns = context.ask(domain, LDNS_RR_TYPE_NS);
    if (!definitive(ns)) out.unresolved.push_back(fmt::format("{} NS ({})", domain, lookup_failure(ns)));
    auto ns_names = dns::ns_records(ns);
    std::sort(ns_names.begin(), ns_names.end());  // servers answer in any order; reports should not
    for (const auto& n : ns_names) names.emplace_back(without_dot(n), "ns");

    std::vector<dns::Question> questions;
    for (const auto& [host, role] : names) {
        questions.push_back({.name = host, .type = LDNS_RR_TYPE_A});
        questions.push_back({.name = host, .type = LDNS_RR_TYPE_AAAA});
    }
    const auto answers = context.resolver().query_all(questions);
    if (!definitive(answers[0]) || !definitive(answers[1])) {
        out.fatal = fmt::format("address lookup of {} failed: {}", domain,
                                lookup_failure(definitive(answers[0]) ? answers[1] : answers[0]));
        return out;
    }
    if (answers[0].nxdomain()) {
        out.fatal = fmt::format("{} does not exist (NXDOMAIN)", domain);
        return out;
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
        for (const dns::Answer* a : {&answers[2 * i], &answers[2 * i + 1]}) {
            if (!definitive(*a)) {
                out.unresolved.push_back(fmt::format("{} ({})", names[i].first, lookup_failure(*a)));
                continue;
            }
            for (const auto& address : dns::addresses(*a)) add_use(out, address, names[i].second, names[i].first);
        }
    }
    return out;
}

/// The route of each place, from the route table or the DNS origin service.
std::vector<std::optional<rpki::Route>> find_routes(const std::vector<Place>& places, const rpki::RoutingData& data,
                                                    Context& context, std::vector<std::string>& unresolved) {
    std::vector<std::optional<rpki::Route>> routes(places.size());
    if (data.routes) {
        for (std::size_t i = 0; i < places.size(); ++i) routes[i] = data.routes->lookup(places[i].prefix);
        return routes;
    }
    std::vector<rpki::Prefix> prefixes;
    for (const auto& p : places) prefixes.push_back(p.prefix);
    const auto results = data.origin_zone->lookup(context.resolver(), prefixes);
    for (std::size_t i = 0; i < places.size(); ++i) {
        if (!results[i].error.empty()) unresolved.push_back(results[i].error);
        routes[i] = results[i].route;
    }
    return routes;
}

std::string route_source(const rpki::RoutingData& data) {
    return data.routes ? data.routes->info().source : "origin zone " + data.origin_zone->zone();
}

using Groups = std::map<std::string, std::pair<Verdict, std::vector<const Place*>>>;
using Moas = std::map<std::string, std::pair<std::vector<Verdict>, std::vector<const Place*>>>;

/// One finding per route and origin (naming every address on it), and one per multi-origin route.
void route_findings(const std::vector<std::string>& order, const Groups& groups, const Moas& moas, const rpki::RoutingData& data,
                    std::vector<Finding>& findings, const rpki_detail::MakeFinding& make) {
    for (const auto& key : order) {
        const auto& [v, places] = groups.at(key);
        Json evidence{{"route", {{"prefix", v.prefix.to_string()}, {"origin", v.origin.to_string()}}},
                      {"addresses", addresses_json(places)},
                      {"vrps", rpki_detail::vrps_json(v.validation.vrps)},
                      {"vrp_source", data.vrps->info().source}};
        const std::string on = fmt::format("{} on route {} from {}", who_is(places), v.prefix.to_string(), v.origin.to_string());
        switch (v.validation.state) {
            case rpki::State::invalid:
                findings.push_back(make("RPKI-INVALID", fmt::format("{}, which is RPKI-invalid: {}", on, rpki_detail::why_invalid(v)),
                                           evidence, rpki_detail::invalid_remedy(v, who(places))));
                break;
            case rpki::State::not_found:
                findings.push_back(make("RPKI-NOT-FOUND", fmt::format("{}, which no ROA covers", on), evidence,
                                           rpki_detail::not_found_remedy(v)));
                break;
            case rpki::State::valid:
                findings.push_back(make("RPKI-VALID",
                                           fmt::format("{}, which is RPKI-valid (ROA {})", on, rpki_detail::vrps_text(v.validation.vrps, 1)),
                                           evidence, ""));
                break;
        }
        if (rpki_detail::covered_by_as0(v))
            findings.push_back(make("ROA-AS0", fmt::format("an AS0 ROA covers route {} of {}", v.prefix.to_string(), who(places)),
                                       evidence, ""));
    }
    for (const auto& [prefix, m] : moas) {
        Json origins = Json::array();
        std::vector<std::string> text;
        for (const Verdict& v : m.first) {
            origins.push_back({{"origin", v.origin.to_string()}, {"state", rpki::to_string(v.validation.state)}});
            text.push_back(fmt::format("{} ({})", v.origin.to_string(), rpki::to_string(v.validation.state)));
        }
        findings.push_back(make("RPKI-MOAS",
                                   fmt::format("route {} of {} is announced by {} origins: {}", prefix, who(m.second),
                                               m.first.size(), fmt::join(text, ", ")),
                                   {{"prefix", prefix}, {"origins", origins}, {"addresses", addresses_json(m.second)}},
                                   fmt::format("Confirm that each origin of {} is legitimate (anycast, a migration); "
                                               "publish a ROA for each legitimate origin and have any other "
                                               "announcement withdrawn.", prefix)));
    }
}

}  // namespace

CheckResult RpkiCheck::run_domain(const Target& target, Context& context, const rpki::RoutingData& data) const {
    const rpki_detail::MakeFinding make = [this](std::string_view id, std::string message, Json evidence, std::string remedy) {
        return finding(id, std::move(message), std::move(evidence), std::move(remedy));
    };
    Addresses found = collect_addresses(target.name, context);
    if (!found.fatal.empty()) return failed(found.fatal);
    const auto routes = find_routes(found.places, data, context, found.unresolved);

    std::vector<Finding> findings;
    Json facts_routes = Json::array(), no_route = Json::array();
    // Findings go per route and origin, naming every address on it; facts per address and origin.
    Groups groups;
    std::vector<std::string> order;
    Moas moas;
    for (std::size_t i = 0; i < found.places.size(); ++i) {
        const Place& place = found.places[i];
        if (!routes[i]) {
            no_route.push_back(place.address);
            findings.push_back(finding("RPKI-NO-ROUTE",
                                       fmt::format("{}: no announced route covers {} in {}", who({&place}),
                                                   place.address, route_source(data)),
                                       {{"addresses", addresses_json({&place})}, {"route_source", route_source(data)}},
                                       fmt::format("Check that {} is the right address; if the server should be "
                                                   "reachable from the Internet, have its network announce a prefix "
                                                   "covering it and publish a ROA for that prefix, or use fresher "
                                                   "routing data than {}.", place.address, route_source(data))));
            continue;
        }
        const auto verdicts = rpki_detail::validate(*data.vrps, *routes[i]);
        Json roles = Json::array(), hosts = Json::array();
        for (const auto& [role, host] : place.uses) {
            if (std::find(roles.begin(), roles.end(), role) == roles.end()) roles.push_back(role);
            if (std::find(hosts.begin(), hosts.end(), host) == hosts.end()) hosts.push_back(host);
        }
        for (const Verdict& v : verdicts) {
            for (std::uint32_t asn : v.origin.asns) {
                Json entry{{"address", place.address}, {"role", place.uses.front().first},
                           {"prefix", v.prefix.to_string()}, {"origin", rpki::asn_string(asn)},
                           {"state", rpki::to_string(v.validation.state)}, {"roles", roles}, {"hosts", hosts}};
                if (v.origin.as_set) entry["as_set"] = v.origin.to_string();
                facts_routes.push_back(std::move(entry));
            }
            const std::string key = v.prefix.to_string() + " " + v.origin.to_string();
            auto [it, fresh] = groups.try_emplace(key, v, std::vector<const Place*>{});
            if (fresh) order.push_back(key);
            it->second.second.push_back(&place);
        }
        if (verdicts.size() > 1) {
            auto& m = moas[routes[i]->prefix.to_string()];
            if (m.first.empty()) m.first = verdicts;
            m.second.push_back(&place);
        }
    }

    route_findings(order, groups, moas, data, findings, make);
    if (auto stale = staleness(context, data)) findings.push_back(std::move(*stale));

    Json facts{{"routes", facts_routes}, {"no_route", no_route}};
    if (!found.unresolved.empty()) {
        CheckResult r = failed(fmt::format("could not look up: {}", fmt::join(found.unresolved, ", ")), std::move(facts));
        r.findings = std::move(findings);
        return r;
    }
    return result(std::move(findings), std::move(facts));
}

}  // namespace mamori::checks
