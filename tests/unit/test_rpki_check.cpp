/// \file tests/unit/test_rpki_check.cpp — the rpki check on canned DNS and in-memory routing data, one case per finding.
#include "check_support.h"
#include "canned_resolver.h"
#include "checks/rpki/rpki_check.h"
#include "core/clock.h"
#include "core/profile.h"
#include "rpki/origin_zone.h"
#include "rpki/route_file.h"
#include "rpki/routing_data.h"
#include "rpki/vrp_file.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace mamori {
namespace {

const char* const vrps_json = R"({"metadata": {"buildtime": "2026-11-22T00:00:00Z"}, "roas": [
  {"asn": 64500, "prefix": "192.0.2.0/24", "maxLength": 24},
  {"asn": 64501, "prefix": "198.51.100.0/24", "maxLength": 24},
  {"asn": 64503, "prefix": "203.0.112.0/22", "maxLength": 22},
  {"asn": 64500, "prefix": "2001:db8::/32", "maxLength": 48},
  {"asn": 0, "prefix": "100.64.0.0/24", "maxLength": 24},
  {"asn": 64500, "prefix": "10.10.0.0/22", "maxLength": 24},
  {"asn": 64500, "prefix": "10.99.0.0/24", "maxLength": 24}]})";

const char* const routes_text =
    "192.0.2.0\t24\t64500\n"          // valid
    "198.51.100.0\t24\t64502\n"       // invalid: origin
    "203.0.113.0\t24\t64503\n"        // invalid: length
    "203.0.112.0\t22\t64503\n"        // valid
    "233.252.0.0\t24\t64504\n"        // not found
    "192.0.2.128\t25\t64500_64505\n"  // multi-origin (and invalid for both: too long)
    "2001:db8:1::\t48\t64500\n"       // valid IPv6
    "100.64.0.0\t24\t64506\n"         // AS0
    "10.10.1.0\t24\t64500\n"          // under a loose ROA
    "10.20.0.0\t24\t64500,64505\n";   // AS_SET

std::shared_ptr<const rpki::RoutingData> routing(bool with_routes = true) {
    auto data = std::make_shared<rpki::RoutingData>();
    auto file = rpki::parse_vrps(vrps_json, "vrps.json");
    data->vrps = rpki::VrpTable::build(std::move(file.vrps), file.info);
    if (with_routes) data->routes = rpki::parse_routes(routes_text, "routes.pfx2as");
    return data;
}

struct Run {
    AuditSettings settings;
    Profile profile = Profile::load("baseline");
    test::CannedResolver resolver;

    Run() { settings.now = *parse_rfc3339("2026-11-22T06:00:00Z"); }

    CheckResult operator()(TargetKind kind, const std::string& name) {
        static const checks::RpkiCheck check;
        Context context(resolver, settings, profile);
        Target t;
        t.kind = kind;
        t.name = name;
        return check.run(t, context);
    }
};

using test::ids;

const Finding& first(const CheckResult& r, const std::string& id) {
    auto it = std::find_if(r.findings.begin(), r.findings.end(), [&](const Finding& f) { return f.id == id; });
    REQUIRE(it != r.findings.end());
    return *it;
}

void add_domain(test::CannedResolver& r) {
    r.add("example.jp. A 192.0.2.1")
        .add("example.jp. AAAA 2001:db8:1::1")
        .add("www.example.jp. A 203.0.113.80")
        .add("example.jp. MX 10 mail.example.jp.")
        .add("mail.example.jp. A 198.51.100.25")
        .add("example.jp. NS ns1.example.jp.")
        .add("ns1.example.jp. A 233.252.0.53");
}

}  // namespace

TEST_CASE("rpki check: a domain's servers get one verdict per address and origin") {
    Run run;
    run.settings.routing = routing();
    add_domain(run.resolver);
    auto r = run(TargetKind::domain, "example.jp");
    CHECK(r.status == Status::fail);
    CHECK(ids(r) == std::vector<std::string>{"RPKI-INVALID", "RPKI-INVALID", "RPKI-NOT-FOUND", "RPKI-VALID", "RPKI-VALID"});
    const Json& routes = r.facts["routes"];
    REQUIRE(routes.size() == 5);
    CHECK(routes[0] == Json{{"address", "192.0.2.1"}, {"role", "apex"}, {"prefix", "192.0.2.0/24"}, {"origin", "AS64500"},
                            {"state", "valid"}, {"roles", {"apex"}}, {"hosts", {"example.jp"}}});
    auto mail = std::find_if(routes.begin(), routes.end(), [](const Json& j) { return j["role"] == "mx"; });
    REQUIRE(mail != routes.end());
    CHECK((*mail)["state"] == "invalid");
    CHECK((*mail)["origin"] == "AS64502");
    CHECK(r.facts["no_route"].empty());

    const auto& invalid = std::find_if(r.findings.begin(), r.findings.end(), [](const Finding& f) {
        return f.id == "RPKI-INVALID" && f.evidence["route"]["prefix"] == "198.51.100.0/24";
    });
    REQUIRE(invalid != r.findings.end());
    CHECK(invalid->severity == Severity::error);
    CHECK(invalid->evidence["vrps"] == Json::array({{{"prefix", "198.51.100.0/24"}, {"max_length", 24}, {"asn", "AS64501"}}}));
    CHECK(invalid->message.find("mail server mail.example.jp (198.51.100.25)") != std::string::npos);
    CHECK(invalid->remedy.find("prefix 198.51.100.0/24, maxLength 24, origin AS64502") != std::string::npos);
    CHECK(invalid->ref == "RFC 6811 §2");
    const Finding& not_found = first(r, "RPKI-NOT-FOUND");
    CHECK(not_found.remedy.find("prefix 233.252.0.0/24, maxLength 24, origin AS64504") != std::string::npos);
    CHECK(not_found.severity == Severity::warning);
}

TEST_CASE("rpki check: too-long routes, multi-origin, no route and AS0") {
    Run run;
    run.settings.routing = routing();
    run.resolver.add("moas.jp. A 192.0.2.200").add("moas.jp. A 100.64.0.1").add("www.moas.jp. A 172.16.0.1");
    auto r = run(TargetKind::domain, "moas.jp");
    CHECK(ids(r) == std::vector<std::string>{"ROA-AS0", "RPKI-INVALID", "RPKI-INVALID", "RPKI-INVALID", "RPKI-MOAS", "RPKI-NO-ROUTE"});
    CHECK(r.facts["no_route"] == Json::array({"172.16.0.1"}));
    const Finding& moas = first(r, "RPKI-MOAS");
    CHECK(moas.evidence["origins"].size() == 2);
    CHECK(moas.evidence["prefix"] == "192.0.2.128/25");
    auto length = std::find_if(r.findings.begin(), r.findings.end(), [](const Finding& f) {
        return f.id == "RPKI-INVALID" && f.evidence["route"]["origin"] == "AS64500";
    });
    REQUIRE(length != r.findings.end());
    CHECK(length->message.find("longer than the maxLength 24 of ROA 192.0.2.0/24-24 AS64500") != std::string::npos);
    CHECK(first(r, "ROA-AS0").evidence["vrps"][0]["asn"] == "AS0");
    CHECK(first(r, "RPKI-NO-ROUTE").evidence["addresses"][0]["address"] == "172.16.0.1");
}

TEST_CASE("rpki check: failures and missing data") {
    Run run;
    auto r = run(TargetKind::domain, "example.jp");
    CHECK(r.status == Status::skip);
    CHECK(r.facts["skipped"].get<std::string>().find("--vrps") != std::string::npos);
    run.settings.routing = routing(false);
    CHECK(run(TargetKind::domain, "example.jp").status == Status::skip);
    CHECK(run(TargetKind::as, "AS64500").facts["skipped"].get<std::string>().find("--pfx2as") != std::string::npos);

    run.settings.routing = routing();
    run.resolver.fail("broken.jp", dns::Outcome::timeout);
    r = run(TargetKind::domain, "broken.jp");
    CHECK(r.status == Status::error);
    CHECK(r.error.find("broken.jp") != std::string::npos);
    CHECK(run(TargetKind::domain, "missing.jp").error == "missing.jp does not exist (NXDOMAIN)");
    add_domain(run.resolver);
    run.resolver.fail("mail.example.jp", dns::Outcome::timeout);
    r = run(TargetKind::domain, "example.jp");
    CHECK(r.status == Status::error);
    CHECK(r.error.find("mail.example.jp") != std::string::npos);
    CHECK_FALSE(r.findings.empty());  // what could be checked is still reported
}

TEST_CASE("rpki check: an AS's coverage, loose maxLength, unused ROAs and AS_SET routes") {
    Run run;
    run.settings.routing = routing();
    auto r = run(TargetKind::as, "AS64500");
    const Json& coverage = r.facts["coverage"];
    // 192.0.2.0/24 valid, 192.0.2.128/25 invalid, 2001:db8:1::/48 valid, 10.10.1.0/24 valid, 10.20.0.0/24 AS_SET not found
    CHECK(coverage["valid"] == 3);
    CHECK(coverage["total"] == 5);
    CHECK(coverage["invalid"] == 1);
    CHECK(coverage["not_found"] == 1);
    CHECK(coverage["ipv6_share"] == 1.0);
    CHECK(coverage["ipv4_share"] == doctest::Approx(0.6667));  // 512 valid addresses of 768 (the /25 nests in the /24)
    CHECK(first(r, "RPKI-COVERAGE").message.find("3 valid, 1 invalid, 1 not found") != std::string::npos);
    std::vector<std::string> loose, unused;
    for (const auto& f : r.findings) {
        if (f.id == "ROA-MAXLENGTH-LOOSE") loose.push_back(f.evidence["vrp"]["prefix"]);
        if (f.id == "ROA-UNUSED") unused.push_back(f.evidence["vrp"]["prefix"]);
    }
    CHECK(loose == std::vector<std::string>{"10.10.0.0/22", "2001:db8::/32"});
    CHECK(unused == std::vector<std::string>{"10.99.0.0/24"});
    const Finding& as_set = first(r, "RPKI-NOT-FOUND");
    CHECK(as_set.message.find("AS_SET") != std::string::npos);
    CHECK(first(r, "ROA-MAXLENGTH-LOOSE").remedy.find("prefix 10.10.1.0/24, maxLength 24, origin AS64500") != std::string::npos);

    r = run(TargetKind::as, "AS64501");
    CHECK(ids(r) == std::vector<std::string>{"ROA-UNUSED", "RPKI-NO-ROUTE"});
    r = run(TargetKind::as, "AS64506");
    CHECK(ids(r) == std::vector<std::string>{"ROA-AS0", "RPKI-COVERAGE", "RPKI-INVALID"});
}

TEST_CASE("rpki check: prefix targets and stale data") {
    Run run;
    run.settings.routing = routing();
    auto r = run(TargetKind::prefix, "203.0.113.0/24");
    CHECK(ids(r) == std::vector<std::string>{"RPKI-INVALID"});
    CHECK(r.facts["routes"][0]["state"] == "invalid");
    CHECK(r.facts["vrps"][0]["prefix"] == "203.0.112.0/22");
    r = run(TargetKind::prefix, "203.0.114.0/24");
    CHECK(ids(r) == std::vector<std::string>{"RPKI-NO-ROUTE"});
    CHECK(r.facts["covering_route"]["prefix"] == "203.0.112.0/22");

    run.settings.now = *parse_rfc3339("2026-11-24T00:00:00Z");
    r = run(TargetKind::prefix, "192.0.2.0/24");
    CHECK(ids(r) == std::vector<std::string>{"RPKI-VALID", "RPKI-VRPS-STALE"});
    CHECK(first(r, "RPKI-VRPS-STALE").evidence["age_hours"] == 48.0);
    run.profile.thresholds["vrp_stale_hours"] = 72;
    CHECK(ids(run(TargetKind::prefix, "192.0.2.0/24")) == std::vector<std::string>{"RPKI-VALID"});
}

TEST_CASE("rpki origin zone: Team Cymru names and answers") {
    rpki::OriginZone zone("origin.asn.cymru.com");
    CHECK(zone.query_name(*rpki::parse_address("192.0.2.1")) == "1.2.0.192.origin.asn.cymru.com.");
    CHECK(zone.query_name(*rpki::parse_address("2001:db8::1")) ==
          "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.origin6.asn.cymru.com.");
    test::CannedResolver r;
    r.add("1.2.0.192.origin.asn.cymru.com. TXT \"64500 | 192.0.2.0/24 | JP | apnic | 2001-01-01\"")
        .add("2.2.0.192.origin.asn.cymru.com. TXT \"64500 64505 | 192.0.2.0/24 | JP | apnic | 2001-01-01\"")
        .add("3.2.0.192.origin.asn.cymru.com. TXT \"{64500,64505} | 192.0.2.0/24 | JP | apnic |\"")
        .add("4.2.0.192.origin.asn.cymru.com. TXT \"64500 | 198.51.100.0/24 | JP | apnic |\"")
        .add("5.2.0.192.origin.asn.cymru.com. TXT \"64500 | 192.0.0.0/16 | JP | apnic |\"")
        .add("5.2.0.192.origin.asn.cymru.com. TXT \"64501 | 192.0.2.0/24 | JP | apnic |\"");
    r.fail("6.2.0.192.origin.asn.cymru.com", dns::Outcome::answer, LDNS_RCODE_SERVFAIL);
    std::vector<rpki::Prefix> addresses;
    for (int i = 1; i <= 7; ++i) addresses.push_back(*rpki::parse_address("192.0.2." + std::to_string(i)));
    auto results = zone.lookup(r, addresses);
    REQUIRE(results[0].route);
    CHECK(results[0].route->prefix.to_string() == "192.0.2.0/24");
    CHECK(results[0].route->origins[0].to_string() == "AS64500");
    CHECK(results[1].route->origins.size() == 2);
    CHECK(results[2].route->origins[0].as_set);
    CHECK_FALSE(results[3].route);  // a prefix that does not cover the address is garbage
    CHECK(results[3].error.find("no usable answer") != std::string::npos);
    CHECK(results[4].route->origins[0].to_string() == "AS64501");  // the more specific wins
    CHECK(results[5].error.find("SERVFAIL") != std::string::npos);
    CHECK_FALSE(results[6].route);  // NXDOMAIN: no route
    CHECK(results[6].error.empty());
}

}  // namespace mamori
