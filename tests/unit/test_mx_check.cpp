/// \file tests/unit/test_mx_check.cpp — the mx check on canned answers, one case per finding.
#include "check_support.h"
#include "canned_resolver.h"
#include "checks/mx/mx_check.h"
#include "core/engine.h"
#include "core/profile.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace mamori {
namespace {

using test::ids;

CheckResult run_mx(test::CannedResolver& resolver, const std::string& domain) {
    static const checks::MxCheck check;
    AuditSettings settings;
    Profile profile = Profile::load("baseline");
    Context context(resolver, settings, profile);
    Target t;
    t.name = domain;
    return check.run(t, context);
}

}  // namespace

TEST_CASE("mx: a domain with a resolvable MX passes with no finding") {
    test::CannedResolver r;
    r.add("good.go.jp. MX 10 mail.good.go.jp.").add("mail.good.go.jp. A 192.0.2.10");
    auto result = run_mx(r, "good.go.jp");
    CHECK(result.status == Status::pass);
    CHECK(result.findings.empty());
    CHECK(result.facts["hosts"] == Json::array({"mail.good.go.jp"}));
    CHECK(result.facts["null_mx"] == false);
    CHECK(result.facts["records"][0]["addresses"] == Json::array({"192.0.2.10"}));
}

TEST_CASE("mx: no MX reports MX-NONE with the implicit MX address and the parked-domain set") {
    test::CannedResolver r;
    r.add("nomx.go.jp. A 192.0.2.2");
    auto result = run_mx(r, "nomx.go.jp");
    REQUIRE(ids(result) == std::vector<std::string>{"MX-NONE"});
    CHECK(result.status == Status::warn);
    const auto& f = result.findings[0];
    CHECK(f.evidence["implicit_mx_addresses"] == Json::array({"192.0.2.2"}));
    CHECK(f.remedy.find("nomx.go.jp. MX 0 .") != std::string::npos);
    CHECK(f.remedy.find("_dmarc.nomx.go.jp. TXT \"v=DMARC1; p=reject\"") != std::string::npos);
    CHECK(result.facts["hosts"].empty());
}

TEST_CASE("mx: a lone null MX is MX-NULL and passes") {
    test::CannedResolver r;
    r.add("nullmx.go.jp. MX 0 .");
    auto result = run_mx(r, "nullmx.go.jp");
    CHECK(ids(result) == std::vector<std::string>{"MX-NULL"});
    CHECK(result.status == Status::pass);
    CHECK(result.facts["null_mx"] == true);
}

TEST_CASE("mx: null MX beside a real MX is MX-NULL-MIXED") {
    test::CannedResolver r;
    r.add("mixed.go.jp. MX 0 .").add("mixed.go.jp. MX 10 mail.good.go.jp.").add("mail.good.go.jp. A 192.0.2.10");
    auto result = run_mx(r, "mixed.go.jp");
    CHECK(ids(result) == std::vector<std::string>{"MX-NULL-MIXED"});
    CHECK(result.status == Status::fail);
}

TEST_CASE("mx: target without address, alias target and address-literal target") {
    test::CannedResolver r;
    r.add("bad.go.jp. MX 10 nowhere.bad.go.jp.")
        .add("nowhere.bad.go.jp. TXT \"no address here\"")
        .add("bad.go.jp. MX 20 alias.bad.go.jp.")
        .add("alias.bad.go.jp. CNAME mail.good.go.jp.")
        .add("mail.good.go.jp. A 192.0.2.10")
        .add("bad.go.jp. MX 30 192.0.2.25.")
        .add("bad.go.jp. MX 40 missing.bad.go.jp.");
    auto result = run_mx(r, "bad.go.jp");
    CHECK(ids(result) == std::vector<std::string>{"MX-TARGET-CNAME", "MX-TARGET-IP", "MX-TARGET-NOADDR", "MX-TARGET-NOADDR"});
    CHECK(result.status == Status::fail);
    for (const auto& f : result.findings) {
        CHECK_FALSE(f.remedy.empty());
        CHECK_FALSE(f.ref.empty());
        if (f.id == "MX-TARGET-CNAME") CHECK(f.evidence["cname_chain"] == Json::array({"mail.good.go.jp."}));
    }
    // The address literal is never looked up as a host name.
    for (const auto& [name, type] : r.asked()) CHECK(name != "192.0.2.25.");
}

TEST_CASE("mx: a timeout is an error status naming the failure, not a finding") {
    test::CannedResolver r;
    r.fail("lame.go.jp", dns::Outcome::timeout);
    auto result = run_mx(r, "lame.go.jp");
    CHECK(result.status == Status::error);
    CHECK(result.findings.empty());
    CHECK(result.error.find("lame.go.jp") != std::string::npos);
}

TEST_CASE("mx: SERVFAIL for an MX target's address makes the check an error, keeping other findings") {
    test::CannedResolver r;
    r.add("half.go.jp. MX 0 .").add("half.go.jp. MX 10 mail.broken.jp.");
    r.fail("mail.broken.jp", dns::Outcome::answer, LDNS_RCODE_SERVFAIL);
    auto result = run_mx(r, "half.go.jp");
    CHECK(result.status == Status::error);
    CHECK(ids(result) == std::vector<std::string>{"MX-NULL-MIXED"});
    CHECK(result.error.find("mail.broken.jp") != std::string::npos);
}

TEST_CASE("engine: targets come out in input order and are scored") {
    test::CannedResolver r;
    r.add("a.jp. MX 0 .").add("b.jp. A 192.0.2.1").add("c.jp. MX 0 .").add("c.jp. MX 5 c.jp.").add("c.jp. A 192.0.2.3");
    static const checks::MxCheck check;
    std::vector<const Check*> checks{&check};
    std::vector<Target> targets;
    for (const char* n : {"a.jp", "b.jp", "c.jp", "d.jp"}) {
        Target t;
        t.name = n;
        t.index = targets.size();
        targets.push_back(t);
    }
    AuditSettings settings;
    Profile profile = Profile::load("baseline");
    std::vector<TargetReport> out;
    EngineOptions options;
    options.concurrency = 4;
    run_audit(targets, checks, r, settings, profile, options, [&](TargetReport&& rep) { out.push_back(std::move(rep)); });
    REQUIRE(out.size() == 4);
    for (std::size_t i = 0; i < out.size(); ++i) CHECK(out[i].target.index == i);
    CHECK(out[0].score == 100);                      // null MX: info only
    CHECK(out[1].score == 100 - profile.penalty_warning);  // MX-NONE
    CHECK(out[2].score == 100 - profile.penalty_error);    // MX-NULL-MIXED
    CHECK(out[3].checks[0].status == Status::error);       // NXDOMAIN
    CHECK(out[3].score == 0);
}

}  // namespace mamori
