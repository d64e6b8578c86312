/// \file checks/ns/ns_check.cpp — every NS of a domain asked directly (RD clear, UDP and TCP) and compared.
#include "checks/ns/ns_check.h"

#include "dns/records.h"
#include "rpki/prefix.h"
#include "rpki/routing_data.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace mamori::checks {
namespace {

struct ServerView {
    std::string ns;                       ///< the NS name, without trailing dot
    std::string address;                  ///< empty: the name has no address
    std::optional<std::string> lame;      ///< why the server is not usable
    std::optional<std::uint32_t> serial;
    std::string dnskeys;                  ///< "13/257/3449 13/256/1234", sorted
    std::optional<std::string> tcp_error;
};

std::string without_dot(std::string name) {
    if (name.size() > 1 && name.back() == '.') name.pop_back();
    return name;
}

std::string failure_text(const dns::Answer& a) {
    if (!a.ok()) return a.error.empty() ? std::string(dns::to_string(a.outcome)) : a.error;
    return dns::rcode_name(a.rcode());
}

/// "127.53.10.0/24" or "2001:db8:1::/48": the network the address sits in, for diversity.
std::string network_of(const std::string& address) {
    unsigned char buf[16] = {};
    if (inet_pton(AF_INET, address.c_str(), buf) == 1) return fmt::format("{}.{}.{}.0/24", buf[0], buf[1], buf[2]);
    if (inet_pton(AF_INET6, address.c_str(), buf) != 1) return address;
    std::fill(buf + 6, buf + 16, 0);
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, buf, text, sizeof text);
    return std::string(text) + "/48";
}

std::string dnskey_set(const dns::Answer& a, const std::string& zone) {
    std::vector<std::string> keys;
    for (const ldns_rr* rr : dns::answer_records(a, LDNS_RR_TYPE_DNSKEY)) {
        if (ldns_rr_rd_count(rr) < 4 || dns::canonical_name(dns::name_to_string(ldns_rr_owner(rr))) != zone) continue;
        keys.push_back(fmt::format("{}/{}/{}", ldns_rdf2native_int8(ldns_rr_rdf(rr, 2)),
                                   ldns_rdf2native_int16(ldns_rr_rdf(rr, 0)), ldns_calc_keytag(rr)));
    }
    std::sort(keys.begin(), keys.end());
    std::string out;
    for (const auto& k : keys) out += (out.empty() ? "" : " ") + k;
    return out;
}

/// Reads one server's SOA and DNSKEY answers: lame, or its serial and key set.
void judge(ServerView& s, const dns::Answer& soa, const dns::Answer& dnskey, const std::string& zone) {
    if (!soa.ok() || soa.rcode() != LDNS_RCODE_NOERROR) {
        s.lame = fmt::format("no authoritative answer ({})", failure_text(soa));
        return;
    }
    if (!soa.authoritative()) {
        s.lame = "answers without the AA bit: it does not serve the zone";
        return;
    }
    for (const ldns_rr* rr : dns::answer_records(soa, LDNS_RR_TYPE_SOA))
        if (ldns_rr_rd_count(rr) >= 7 && dns::canonical_name(dns::name_to_string(ldns_rr_owner(rr))) == zone)
            s.serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
    if (!s.serial) {
        s.lame = "its authoritative answer holds no SOA for the zone";
        return;
    }
    if (dnskey.ok() && dnskey.rcode() == LDNS_RCODE_NOERROR) s.dnskeys = dnskey_set(dnskey, zone);
}

dns::Question direct(const std::string& zone, ldns_rr_type type, const std::string& address) {
    dns::Question q{.name = zone, .type = type, .dnssec_ok = type == LDNS_RR_TYPE_DNSKEY, .recursion_desired = false};
    q.server = dns::Server::parse(address);
    return q;
}

std::vector<ServerView> servers_of(Context& context, const std::vector<std::string>& names) {
    std::vector<dns::Question> questions;
    for (const auto& n : names) {
        // CD: a zone whose DNSSEC is broken still has nameservers worth checking.
        questions.push_back({.name = n, .type = LDNS_RR_TYPE_A, .checking_disabled = true});
        questions.push_back({.name = n, .type = LDNS_RR_TYPE_AAAA, .checking_disabled = true});
    }
    const auto answers = context.resolver().query_all(questions);
    std::vector<ServerView> out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        std::vector<std::string> addrs = dns::addresses(answers[2 * i]);
        for (const auto& a : dns::addresses(answers[2 * i + 1])) addrs.push_back(a);
        if (addrs.empty()) {
            ServerView s;
            s.ns = without_dot(names[i]);
            s.lame = fmt::format("the name has no address ({})", answers[2 * i].ok() && answers[2 * i].rcode() == LDNS_RCODE_NOERROR
                                                                    ? std::string("no A/AAAA record")
                                                                    : failure_text(answers[2 * i]));
            out.push_back(std::move(s));
        }
        for (const auto& a : addrs) {
            ServerView s;
            s.ns = without_dot(names[i]);
            s.address = a;
            out.push_back(std::move(s));
        }
    }
    return out;
}

/// The origin AS of every address, when prefix→origin data is loaded (rpki/); empty otherwise
/// or when any address has no route (diversity by AS cannot then be judged).
std::set<std::string> origin_ases(Context& context, const std::vector<ServerView>& servers) {
    std::set<std::string> ases;
    const auto& routing = context.settings().routing;
    if (!routing || !routing->has_routes()) return ases;
    std::vector<rpki::Prefix> addresses;
    for (const auto& s : servers) {
        auto p = rpki::parse_address(s.address);
        if (!p) return {};
        addresses.push_back(*p);
    }
    std::vector<std::optional<rpki::Route>> routes;
    if (routing->routes) {
        for (const auto& p : addresses) routes.push_back(routing->routes->lookup(p));
    } else {
        for (auto& r : routing->origin_zone->lookup(context.resolver(), addresses)) routes.push_back(r.route);
    }
    for (const auto& r : routes) {
        if (!r || r->origins.empty()) return {};
        for (const auto& o : r->origins) ases.insert(o.to_string());
    }
    return ases;
}

/// A finding to be, before the check gives it its catalogue entry.
struct Draft {
    std::string id;
    std::string message;
    Json evidence;
    std::string remedy;
    std::optional<Severity> severity{};
};

std::string zone_text(const std::string& zone) { return without_dot(zone); }

void lame_and_tcp(const std::string& zone, const std::vector<ServerView>& servers, std::vector<Draft>& out) {
    for (const auto& s : servers) {
        const std::string where = s.address.empty() ? s.ns : fmt::format("{} ({})", s.ns, s.address);
        if (s.lame) {
            out.push_back({"NS-LAME", fmt::format("nameserver {} is lame for {}: {}", where, zone_text(zone), *s.lame),
                           {{"ns", s.ns}, {"address", s.address}, {"reason", *s.lame}},
                           fmt::format("Make {0} serve {1} authoritatively, or remove \"{1}. NS {0}.\" from the zone "
                                       "and from its parent.", s.ns, zone_text(zone))});
        } else if (s.tcp_error) {
            out.push_back({"NS-NO-TCP", fmt::format("nameserver {} does not answer {} over TCP: {}", where,
                                                    zone_text(zone), *s.tcp_error),
                           {{"ns", s.ns}, {"address", s.address}, {"reason", *s.tcp_error}},
                           fmt::format("Open TCP port 53 on {} and make it answer queries for {} over TCP.", where,
                                       zone_text(zone))});
        }
    }
}

void consistency(const std::string& zone, const std::vector<ServerView>& servers, std::vector<Draft>& out) {
    std::map<std::uint32_t, std::vector<std::string>> serials;
    std::map<std::string, std::vector<std::string>> keysets;
    for (const auto& s : servers) {
        if (s.lame) continue;
        serials[*s.serial].push_back(fmt::format("{} ({})", s.ns, s.address));
        keysets[s.dnskeys].push_back(fmt::format("{} ({})", s.ns, s.address));
    }
    if (serials.size() > 1) {
        Json ev = Json::object();
        std::string list;
        for (const auto& [serial, where] : serials) {
            ev[std::to_string(serial)] = where;
            list += fmt::format("{}{} at {}", list.empty() ? "" : ", ", serial, where.front());
        }
        out.push_back({"NS-INCONSISTENT", fmt::format("the nameservers of {} serve different SOA serials: {}",
                                                      zone_text(zone), list),
                       {{"serials", ev}},
                       fmt::format("Make every nameserver of {} serve the current zone: check NOTIFY and zone "
                                   "transfers (IXFR/AXFR) from the primary to each secondary.", zone_text(zone))});
    }
    if (keysets.size() > 1) {
        Json ev = Json::object();
        for (const auto& [keys, where] : keysets) ev[keys.empty() ? "(none)" : keys] = where;
        out.push_back({"NS-INCONSISTENT", fmt::format("the nameservers of {} serve different DNSKEY sets", zone_text(zone)),
                       {{"dnskey_sets", ev}},
                       fmt::format("Make every nameserver of {} serve the same signed zone (same DNSKEY RRset).",
                                   zone_text(zone)),
                       Severity::error});
    }
}

void redundancy(const std::string& zone, const std::vector<std::string>& names, const std::vector<ServerView>& servers,
                const std::set<std::string>& ases, std::vector<Draft>& out) {
    if (names.size() < 2) {
        out.push_back({"NS-SINGLE", fmt::format("{} has only one nameserver: {}", zone_text(zone), without_dot(names.front())),
                       {{"ns", without_dot(names.front())}},
                       fmt::format("Add a second nameserver in another network to the zone and at the parent:\n{0}. NS "
                                   "ns2.<another provider>.", zone_text(zone))});
        return;
    }
    std::set<std::string> networks;
    Json addresses = Json::array();
    for (const auto& s : servers) {
        if (s.address.empty()) continue;
        networks.insert(network_of(s.address));
        addresses.push_back(s.address);
    }
    if (addresses.size() < 2) return;
    const bool one_net = networks.size() == 1;
    const bool one_as = ases.size() == 1;
    if (!one_net && !one_as) return;
    Json ev{{"addresses", addresses}, {"networks", Json(std::vector<std::string>(networks.begin(), networks.end()))}};
    if (!ases.empty()) ev["origin_as"] = Json(std::vector<std::string>(ases.begin(), ases.end()));
    const std::string where = one_net ? "network " + *networks.begin() : "AS " + *ases.begin();
    out.push_back({"NS-NO-DIVERSITY",
                   fmt::format("all {} nameserver addresses of {} are in one {}", addresses.size(), zone_text(zone), where),
                   ev,
                   fmt::format("Add a nameserver for {} in another network{} (e.g. a secondary DNS service), and list it "
                               "in the zone and at the parent.", zone_text(zone), one_as ? " and another AS" : "")});
}

Json server_facts(const std::vector<ServerView>& servers) {
    Json out = Json::array();
    for (const auto& s : servers) {
        Json j{{"name", s.ns}, {"address", s.address}, {"authoritative", !s.lame.has_value()}};
        if (s.serial) j["serial"] = *s.serial;
        if (!s.lame) j["tcp"] = !s.tcp_error.has_value();
        out.push_back(std::move(j));
    }
    return out;
}

}  // namespace

TcpProbe ldns_tcp_probe(std::chrono::milliseconds timeout) {
    return [timeout](const dns::Server& server, const std::string& zone) -> std::optional<std::string> {
        std::unique_ptr<ldns_resolver, decltype(&ldns_resolver_deep_free)> res(ldns_resolver_new(), &ldns_resolver_deep_free);
        const bool v6 = server.address.find(':') != std::string::npos;
        ldns_rdf* address = ldns_rdf_new_frm_str(v6 ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, server.address.c_str());
        if (!res || address == nullptr) return "cannot use the address " + server.address;
        ldns_resolver_push_nameserver(res.get(), address);
        ldns_rdf_deep_free(address);
        ldns_resolver_set_port(res.get(), server.port);
        ldns_resolver_set_usevc(res.get(), true);
        ldns_resolver_set_fallback(res.get(), false);
        ldns_resolver_set_recursive(res.get(), false);
        ldns_resolver_set_retry(res.get(), 1);
        ldns_resolver_set_timeout(res.get(), {static_cast<time_t>(timeout.count() / 1000),
                                              static_cast<suseconds_t>((timeout.count() % 1000) * 1000)});
        std::unique_ptr<ldns_rdf, decltype(&ldns_rdf_deep_free)> name(ldns_dname_new_frm_str(zone.c_str()), &ldns_rdf_deep_free);
        if (!name) return "bad zone name " + zone;
        ldns_pkt* raw = nullptr;
        const ldns_status status =
            ldns_resolver_query_status(&raw, res.get(), name.get(), LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, 0);
        dns::PacketPtr packet = dns::adopt(raw);
        if (status != LDNS_STATUS_OK || !packet) return std::string("no answer over TCP: ") + ldns_get_errorstr_by_id(status);
        if (ldns_pkt_get_rcode(packet.get()) != LDNS_RCODE_NOERROR)
            return "answers " + dns::rcode_name(ldns_pkt_get_rcode(packet.get())) + " over TCP";
        return std::nullopt;
    };
}

const CheckInfo& NsCheck::describe() const {
    static const CheckInfo info{
        .id = "ns",
        .title = "Nameserver health",
        .description = "Asks each of the domain's nameservers directly (recursion off, over UDP and TCP) for the "
                       "zone's SOA and DNSKEY set, and reports servers that do not answer authoritatively, servers "
                       "that disagree, a single nameserver, and nameservers that share one network or one AS.",
        .applies_to = {TargetKind::domain},
        .needs = need_dns | need_rpki,  // prefix→origin data (--pfx2as, --origin-zone), when given, for AS diversity
        .findings = {
            {"NS-LAME", Severity::error, "a listed nameserver does not answer authoritatively",
             "Resolvers that pick a lame server wait, retry and sometimes fail: answers are slow or missing, and a "
             "lame name that lapses can be registered by someone else and serve forged data.",
             "Make the server serve the zone, or remove its NS record from the zone and from the parent.",
             "RFC 1034 §4.2.2, RFC 8499 §7"},
            {"NS-INCONSISTENT", Severity::warning, "the nameservers disagree (SOA serial or DNSKEY set)",
             "Different servers give different answers: zone transfers are failing or a server serves a stale copy; "
             "with different DNSKEY sets, validation fails at random.",
             "Fix zone transfers (NOTIFY/IXFR) so that every server serves the same serial and keys.", "RFC 1996, RFC 1034 §4.3.5"},
            {"NS-SINGLE", Severity::warning, "fewer than two nameservers",
             "One nameserver is a single point of failure: when it is down, the whole domain is gone.",
             "Add at least one more nameserver, in another network, to the zone and to the parent.",
             "RFC 1034 §4.1, RFC 2182 §5"},
            {"NS-NO-DIVERSITY", Severity::warning, "every nameserver in one network or one AS",
             "Nameservers in one /24 (/48 for IPv6) or behind one origin AS fail together: one outage, one route "
             "leak or one hijack takes the domain down.",
             "Add a nameserver in another network, ideally another AS (a secondary DNS service).", "RFC 2182 §3.1"},
            {"NS-NO-TCP", Severity::error, "a nameserver does not answer over TCP",
             "Authoritative servers must answer over TCP: large (DNSSEC) answers are truncated over UDP and "
             "resolvers retry over TCP; without it they fail.",
             "Open TCP port 53 to the server and make it answer queries over TCP.", "RFC 7766 §5, RFC 9210"},
        }};
    return info;
}

CheckResult NsCheck::run(const Target& target, Context& context) const {
    const std::string zone = dns::canonical_name(target.name);
    const dns::Answer answer =
        context.resolver().query({.name = zone, .type = LDNS_RR_TYPE_NS, .checking_disabled = true});
    if (!answer.ok() || (answer.rcode() != LDNS_RCODE_NOERROR && answer.rcode() != LDNS_RCODE_NXDOMAIN))
        return failed(fmt::format("NS query for {} failed: {}", zone, failure_text(answer)));
    if (answer.nxdomain()) return failed(fmt::format("{} does not exist (NXDOMAIN)", without_dot(zone)));
    std::vector<std::string> names;
    for (const ldns_rr* rr : dns::answer_records(answer, LDNS_RR_TYPE_NS))
        if (dns::canonical_name(dns::name_to_string(ldns_rr_owner(rr))) == zone && ldns_rr_rd_count(rr) > 0)
            names.push_back(dns::canonical_name(dns::name_to_string(ldns_rr_rdf(rr, 0))));
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    if (names.empty()) {
        CheckResult r = result({}, {{"servers", Json::array()}});
        r.status = Status::skip;
        r.error = fmt::format("{} has no NS records: it is not a zone apex", without_dot(zone));
        return r;
    }
    std::vector<ServerView> servers = servers_of(context, names);
    std::vector<dns::Question> questions;
    for (const auto& s : servers) {
        if (s.address.empty()) continue;
        questions.push_back(direct(zone, LDNS_RR_TYPE_SOA, s.address));
        questions.push_back(direct(zone, LDNS_RR_TYPE_DNSKEY, s.address));
    }
    const auto answers = context.resolver().query_all(questions);
    std::size_t at = 0;
    for (auto& s : servers) {
        if (s.address.empty()) continue;
        judge(s, answers[at], answers[at + 1], zone);
        at += 2;
        if (!s.lame) s.tcp_error = probe_(*dns::Server::parse(s.address), zone);
    }
    std::vector<Draft> drafts;
    lame_and_tcp(zone, servers, drafts);
    consistency(zone, servers, drafts);
    std::vector<ServerView> reachable;
    for (const auto& s : servers)
        if (!s.address.empty()) reachable.push_back(s);
    redundancy(zone, names, servers, origin_ases(context, reachable), drafts);
    std::vector<Finding> findings;
    for (auto& d : drafts) {
        findings.push_back(finding(d.id, std::move(d.message), std::move(d.evidence), std::move(d.remedy)));
        if (d.severity) findings.back().severity = *d.severity;
    }
    return result(std::move(findings), {{"servers", server_facts(servers)}, {"count", names.size()}});
}

}  // namespace mamori::checks
