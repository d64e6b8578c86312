/// \file tests/unit/test_tlsrpt.cpp — TLS-RPT records and the tlsrpt check on canned answers.
#include "check_support.h"
#include "canned_resolver.h"
#include "checks/tlsrpt/tlsrpt_check.h"
#include "checks/tlsrpt/tlsrpt_record.h"
#include "core/profile.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace mamori {
namespace {

using test::ids;

CheckResult run_tlsrpt(test::CannedResolver& resolver, const std::string& domain = "t.jp") {
    static const checks::TlsRptCheck check;
    AuditSettings settings;
    Profile profile = Profile::load("baseline");
    Context context(resolver, settings, profile);
    Target t;
    t.name = domain;
    return check.run(t, context);
}

test::CannedResolver& base(test::CannedResolver& r) {
    r.add("t.jp. MX 10 mail.t.jp.").add("mail.t.jp. A 192.0.2.25");
    return r;
}

}  // namespace

TEST_CASE("tlsrpt record: RFC 8460 §3 grammar") {
    auto r = checks::parse_tlsrpt("v=TLSRPTv1; rua=mailto:tls@t.jp, https://reports.t.jp/tlsrpt;");
    CHECK(r.valid());
    CHECK(r.rua == std::vector<std::string>{"mailto:tls@t.jp", "https://reports.t.jp/tlsrpt"});
    CHECK(checks::parse_tlsrpt("v=TLSRPTv1;rua=mailto:a@t.jp;ext.x=1").valid());
    CHECK_FALSE(checks::parse_tlsrpt("v=TLSRPTv1").valid());                         // no rua
    CHECK_FALSE(checks::parse_tlsrpt("v=TLSRPTv1; rua=tls@t.jp").valid());           // not a URI
    CHECK_FALSE(checks::parse_tlsrpt("v=TLSRPTv1; rua=http://t.jp/r").valid());      // only https
    CHECK_FALSE(checks::parse_tlsrpt("v=TLSRPTv1; rua=mailto:a@t.jp; rua=mailto:b@t.jp").valid());
    CHECK_FALSE(checks::parse_tlsrpt("v=TLSRPTv1; rua=mailto:a@t.jp; bad=x=y").valid());
    CHECK(checks::starts_with_tlsrpt_version("v=TLSRPTv1 ;rua=mailto:a@t.jp"));
    CHECK_FALSE(checks::starts_with_tlsrpt_version("v=TLSRPTv10; rua=mailto:a@t.jp"));
    CHECK_FALSE(checks::starts_with_tlsrpt_version("rua=mailto:a@t.jp; v=TLSRPTv1"));
}

TEST_CASE("tlsrpt: a valid record passes with its facts") {
    test::CannedResolver r;
    base(r).add("_smtp._tls.t.jp. TXT \"v=TLSRPTv1; rua=mailto:tls@t.jp\"");
    auto res = run_tlsrpt(r);
    CHECK(res.findings.empty());
    CHECK(res.facts["rua"] == Json::array({"mailto:tls@t.jp"}));
}

TEST_CASE("tlsrpt: missing is info, a warning once MTA-STS or DANE is deployed") {
    test::CannedResolver r;
    base(r);
    auto res = run_tlsrpt(r);
    REQUIRE(ids(res) == std::vector<std::string>{"TLSRPT-MISSING"});
    CHECK(res.findings[0].severity == Severity::info);
    CHECK(res.findings[0].remedy == "_smtp._tls.t.jp. TXT \"v=TLSRPTv1; rua=mailto:tls-reports@t.jp\"");

    test::CannedResolver sts;
    base(sts).add("_mta-sts.t.jp. TXT \"v=STSv1; id=1\"");
    auto s = run_tlsrpt(sts);
    REQUIRE(ids(s) == std::vector<std::string>{"TLSRPT-MISSING"});
    CHECK(s.findings[0].severity == Severity::warning);

    test::CannedResolver dane;
    base(dane).add("_25._tcp.mail.t.jp. TLSA 3 1 1 306bb708a30d148ec82aebfd60b3eebcc0071f6d8eab17d2e75e9d7c8be7b312");
    auto d = run_tlsrpt(dane);
    REQUIRE(ids(d) == std::vector<std::string>{"TLSRPT-MISSING"});
    CHECK(d.findings[0].evidence["deployed"] == Json::array({"DANE"}));
}

TEST_CASE("tlsrpt: syntax, misplaced version, multiple; null MX skips; failures are errors") {
    test::CannedResolver s;
    base(s).add("_smtp._tls.t.jp. TXT \"v=TLSRPTv1; rua=tls@t.jp\"");
    CHECK(ids(run_tlsrpt(s)) == std::vector<std::string>{"TLSRPT-SYNTAX"});
    test::CannedResolver v;
    base(v).add("_smtp._tls.t.jp. TXT \"rua=mailto:tls@t.jp; v=TLSRPTv1\"");
    CHECK(ids(run_tlsrpt(v)) == std::vector<std::string>{"TLSRPT-SYNTAX"});
    test::CannedResolver m;
    base(m).add("_smtp._tls.t.jp. TXT \"v=TLSRPTv1; rua=mailto:a@t.jp\"").add("_smtp._tls.t.jp. TXT \"v=TLSRPTv1; rua=mailto:b@t.jp\"");
    CHECK(ids(run_tlsrpt(m)) == std::vector<std::string>{"TLSRPT-MULTIPLE"});
    test::CannedResolver n;
    n.add("n.jp. MX 0 .");
    CHECK(run_tlsrpt(n, "n.jp").status == Status::skip);
    test::CannedResolver f;
    base(f).fail("_smtp._tls.t.jp", dns::Outcome::answer, LDNS_RCODE_SERVFAIL);
    auto e = run_tlsrpt(f);
    CHECK(e.status == Status::error);
    CHECK(e.error.find("SERVFAIL") != std::string::npos);
}

}  // namespace mamori
