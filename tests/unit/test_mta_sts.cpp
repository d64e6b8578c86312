/// \file tests/unit/test_mta_sts.cpp — MTA-STS records, policies, MX patterns and the mta-sts check with canned DNS and HTTPS.
#include "check_support.h"
#include "canned_resolver.h"
#include "checks/mta_sts/mta_sts_check.h"
#include "checks/mta_sts/mta_sts_policy.h"
#include "core/profile.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace mamori {
namespace {

using test::ids;

const std::string good_policy = "version: STSv1\r\nmode: enforce\r\nmx: mail.s.jp\r\nmax_age: 1209600\r\n";

/// Serves `body` with `status`, or fails with `failure`; records what it was asked.
struct CannedFetch {
    checks::HttpsResponse response;
    std::vector<checks::HttpsRequest> requests;

    checks::HttpsFetcher fetcher() {
        return [this](const checks::HttpsRequest& r) {
            requests.push_back(r);
            return response;
        };
    }
};

checks::HttpsResponse ok(std::string body, std::string type = "text/plain") {
    checks::HttpsResponse r;
    r.status = 200;
    r.body = std::move(body);
    r.content_type = std::move(type);
    r.peer = "192.0.2.43";
    return r;
}

/// s.jp: MX mail.s.jp, _mta-sts record, policy host at 192.0.2.43.
test::CannedResolver& base(test::CannedResolver& r, const std::string& txt = "v=STSv1; id=20260101") {
    r.add("s.jp. MX 10 mail.s.jp.").add("mail.s.jp. A 192.0.2.25").add("mta-sts.s.jp. A 192.0.2.43");
    if (!txt.empty()) r.add("_mta-sts.s.jp. TXT \"" + txt + "\"");
    return r;
}

CheckResult run_sts(test::CannedResolver& resolver, CannedFetch& fetch, const std::string& domain = "s.jp") {
    checks::MtaStsCheck check(fetch.fetcher());
    AuditSettings settings;
    settings.ca_file = "/tmp/ca.pem";
    Profile profile = Profile::load("baseline");
    Context context(resolver, settings, profile);
    Target t;
    t.name = domain;
    return check.run(t, context);
}

}  // namespace

TEST_CASE("mta-sts record: RFC 8461 §3.1 grammar") {
    CHECK(checks::parse_sts_record("v=STSv1; id=20260101").valid());
    CHECK(checks::parse_sts_record("v=STSv1;id=abc;ext_1=x ;").valid());
    CHECK(checks::parse_sts_record("v=STSv1; id=20260101").id == "20260101");
    CHECK_FALSE(checks::parse_sts_record("v=STSv1").valid());                      // no id
    CHECK_FALSE(checks::parse_sts_record("v=STSv1; id=2026-01-01").valid());       // not alphanumeric
    CHECK_FALSE(checks::parse_sts_record("v=STSv1; id=" + std::string(33, 'a')).valid());
    CHECK_FALSE(checks::parse_sts_record("v=STSv1; id=1; id=2").valid());
    CHECK_FALSE(checks::parse_sts_record("v=STSv1;; id=1").valid());
    CHECK(checks::starts_with_sts_version("v=STSv1 ; id=1"));
    CHECK_FALSE(checks::starts_with_sts_version("v=STSv10; id=1"));
    CHECK_FALSE(checks::starts_with_sts_version("id=1; v=STSv1"));
}

TEST_CASE("mta-sts policy: fields, line ends and problems") {
    auto p = checks::parse_sts_policy("version: STSv1\nmode: testing\nmx: Mail.S.JP.\nmx: *.backup.s.jp\nmax_age: 86400\nfoo: bar\n");
    CHECK(p.usable());
    CHECK(p.problems.empty());
    CHECK(p.mode == "testing");
    CHECK(p.mx == std::vector<std::string>{"mail.s.jp", "*.backup.s.jp"});
    CHECK(*p.max_age == 86400);
    CHECK(p.extensions == std::vector<std::string>{"foo"});
    CHECK(checks::parse_sts_policy(good_policy).usable());

    auto bad = checks::parse_sts_policy("version: STSv2\nmode: enforcing\nmx: bad_host!\nmax_age: 99999999999\njunk\n");
    CHECK_FALSE(bad.usable());
    CHECK(bad.problems.size() >= 5);
    CHECK(bad.problems[0].line == 1);
    CHECK(checks::parse_sts_policy("version: STSv1\nmode: enforce\nmax_age: 1\n").problems.back().problem.find("no mx") !=
          std::string::npos);
    CHECK(checks::parse_sts_policy("version: STSv1\nmode: none\nmax_age: 1\n").usable());  // none needs no mx
    CHECK(checks::parse_sts_policy("version: STSv1\nmode: none\nmax_age: 31557601\n").usable() == false);
    auto twice = checks::parse_sts_policy("version: STSv1\nmode: none\nmode: enforce\nmax_age: 1\n");
    CHECK(twice.usable());
    CHECK(twice.problems.size() == 1);
    CHECK_FALSE(checks::parse_sts_policy("").usable());
}

TEST_CASE("mta-sts: mx patterns match like RFC 8461 §4.1 says") {
    CHECK(checks::mx_matches("mail.s.jp", "mail.s.jp"));
    CHECK(checks::mx_matches("MAIL.s.jp.", "mail.S.jp"));
    CHECK(checks::mx_matches("mx1.s.jp", "*.s.jp"));
    CHECK_FALSE(checks::mx_matches("s.jp", "*.s.jp"));
    CHECK_FALSE(checks::mx_matches("a.mx1.s.jp", "*.s.jp"));
    CHECK_FALSE(checks::mx_matches("mail.s.jp.evil", "mail.s.jp"));
    CHECK_FALSE(checks::mx_matches("xs.jp", "*.s.jp"));
}

TEST_CASE("mta-sts: a good policy passes; the fetch goes to the resolved address with the CA file") {
    test::CannedResolver r;
    base(r);
    CannedFetch fetch{ok(good_policy), {}};
    auto res = run_sts(r, fetch);
    CHECK(res.findings.empty());
    CHECK(res.status == Status::pass);
    REQUIRE(fetch.requests.size() == 1);
    CHECK(fetch.requests[0].host == "mta-sts.s.jp");
    CHECK(fetch.requests[0].path == "/.well-known/mta-sts.txt");
    CHECK(fetch.requests[0].addresses == std::vector<std::string>{"192.0.2.43"});
    CHECK(fetch.requests[0].ca_file == "/tmp/ca.pem");
    CHECK(res.facts["mode"] == "enforce");
    CHECK(res.facts["max_age"] == 1209600);
    CHECK(res.facts["id"] == "20260101");
}

TEST_CASE("mta-sts: no record is MTASTS-MISSING with the policy to serve; null MX skips") {
    test::CannedResolver r;
    base(r, "");
    CannedFetch fetch{ok(good_policy), {}};
    auto res = run_sts(r, fetch);
    REQUIRE(ids(res) == std::vector<std::string>{"MTASTS-MISSING"});
    CHECK(res.findings[0].severity == Severity::info);
    CHECK(res.findings[0].remedy.find("mx: mail.s.jp") != std::string::npos);
    CHECK(fetch.requests.empty());

    test::CannedResolver n;
    n.add("n.jp. MX 0 .");
    CHECK(run_sts(n, fetch, "n.jp").status == Status::skip);
}

TEST_CASE("mta-sts: bad or multiple records") {
    CannedFetch fetch{ok(good_policy), {}};
    test::CannedResolver r;
    base(r, "v=STSv1; id=not valid");
    CHECK(ids(run_sts(r, fetch)) == std::vector<std::string>{"MTASTS-TXT-SYNTAX"});
    test::CannedResolver m;
    base(m).add("_mta-sts.s.jp. TXT \"v=STSv1; id=2\"");
    CHECK(ids(run_sts(m, fetch)) == std::vector<std::string>{"MTASTS-TXT-SYNTAX"});
    test::CannedResolver w;
    base(w, "id=1; v=STSv1");
    CHECK(ids(run_sts(w, fetch)) == std::vector<std::string>{"MTASTS-TXT-SYNTAX"});
    CHECK(fetch.requests.empty());
}

TEST_CASE("mta-sts: fetch failures") {
    test::CannedResolver r;
    base(r);
    checks::HttpsResponse cert;
    cert.failure = checks::HttpsFailure::certificate;
    cert.error = "SSL: no alternative certificate subject name matches target host name 'mta-sts.s.jp'";
    CannedFetch bad_cert{cert, {}};
    auto c = run_sts(r, bad_cert);
    REQUIRE(ids(c) == std::vector<std::string>{"MTASTS-CERT-INVALID"});
    CHECK(c.findings[0].evidence["error"] == cert.error);

    checks::HttpsResponse refused;
    refused.failure = checks::HttpsFailure::connect;
    refused.error = "Failed to connect";
    CannedFetch conn{refused, {}};
    CHECK(ids(run_sts(r, conn)) == std::vector<std::string>{"MTASTS-POLICY-UNREACHABLE"});

    checks::HttpsResponse redirect = ok("");
    redirect.status = 301;
    redirect.location = "https://www.s.jp/mta-sts.txt";
    CannedFetch moved{redirect, {}};
    auto m = run_sts(r, moved);
    REQUIRE(ids(m) == std::vector<std::string>{"MTASTS-POLICY-UNREACHABLE"});
    CHECK(m.findings[0].message.find("redirect") != std::string::npos);

    test::CannedResolver noaddr;
    noaddr.add("s.jp. MX 10 mail.s.jp.").add("mail.s.jp. A 192.0.2.25").add("_mta-sts.s.jp. TXT \"v=STSv1; id=1\"");
    CannedFetch never{ok(good_policy), {}};
    auto na = run_sts(noaddr, never);
    CHECK(ids(na) == std::vector<std::string>{"MTASTS-POLICY-UNREACHABLE"});
    CHECK(never.requests.empty());
}

TEST_CASE("mta-sts: policy findings") {
    auto run_policy = [](const std::string& body, const std::string& type = "text/plain") {
        test::CannedResolver r;
        base(r);
        CannedFetch fetch{ok(body, type), {}};
        return run_sts(r, fetch);
    };
    auto syntax = run_policy("version: STSv1\nmode: enforcing\nmx: mail.s.jp\nmax_age: 1209600\n");
    REQUIRE(ids(syntax) == std::vector<std::string>{"MTASTS-POLICY-SYNTAX"});
    CHECK(syntax.findings[0].severity == Severity::error);
    auto type = run_policy(good_policy, "text/html; charset=utf-8");
    REQUIRE(ids(type) == std::vector<std::string>{"MTASTS-POLICY-SYNTAX"});
    CHECK(type.findings[0].severity == Severity::warning);
    CHECK(run_policy(good_policy, "Text/Plain; charset=utf-8").findings.empty());
    CHECK(ids(run_policy("version: STSv1\nmode: testing\nmx: mail.s.jp\nmax_age: 86400\n")) ==
          std::vector<std::string>{"MTASTS-MODE-TESTING"});
    CHECK(ids(run_policy("version: STSv1\nmode: none\nmax_age: 86400\n")) ==
          std::vector<std::string>{"MTASTS-MODE-NONE"});
    CHECK(ids(run_policy("version: STSv1\nmode: enforce\nmx: mail.s.jp\nmax_age: 86400\n")) ==
          std::vector<std::string>{"MTASTS-MAX-AGE-SHORT"});
    auto mismatch = run_policy("version: STSv1\nmode: enforce\nmx: *.other.jp\nmax_age: 1209600\n");
    REQUIRE(ids(mismatch) == std::vector<std::string>{"MTASTS-MX-MISMATCH"});
    CHECK(mismatch.findings[0].severity == Severity::error);
    CHECK(mismatch.findings[0].evidence["uncovered"] == Json::array({"mail.s.jp"}));
    auto testing = run_policy("version: STSv1\nmode: testing\nmx: other.jp\nmax_age: 1209600\n");
    CHECK(ids(testing) == std::vector<std::string>{"MTASTS-MODE-TESTING", "MTASTS-MX-MISMATCH"});
    for (const auto& f : testing.findings) CHECK(f.severity == Severity::warning);
}

TEST_CASE("mta-sts: a failing TXT or MX look-up is an error") {
    test::CannedResolver r;
    r.add("s.jp. MX 10 mail.s.jp.").fail("_mta-sts.s.jp", dns::Outcome::timeout);
    CannedFetch fetch{ok(good_policy), {}};
    auto res = run_sts(r, fetch);
    CHECK(res.status == Status::error);
    CHECK(res.error.find("_mta-sts.s.jp") != std::string::npos);
}

}  // namespace mamori
