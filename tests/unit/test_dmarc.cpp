/// \file tests/unit/test_dmarc.cpp — the DMARC record parser, the organizational domain and the dmarc check on canned answers.
#include "check_support.h"
#include "canned_resolver.h"
#include "checks/dkim/tag_list.h"
#include "checks/dmarc/dmarc_check.h"
#include "checks/dmarc/dmarc_record.h"
#include "checks/dmarc/org_domain.h"
#include "checks/dmarc/spf_view.h"
#include "core/profile.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace mamori {
namespace {

using checks::DmarcPolicy;

using test::ids;

const Finding* find(const CheckResult& r, const std::string& id) {
    for (const auto& f : r.findings)
        if (f.id == id) return &f;
    return nullptr;
}

CheckResult run_dmarc(test::CannedResolver& resolver, const std::string& domain) {
    static const checks::DmarcCheck check;
    AuditSettings settings;
    Profile profile = Profile::load("baseline");
    Context context(resolver, settings, profile);
    Target t;
    t.name = domain;
    return check.run(t, context);
}

/// A domain that sends mail through SPF: the usual base for policy cases.
test::CannedResolver& with_spf(test::CannedResolver& r, const std::string& domain) {
    r.add(domain + ". TXT \"v=spf1 mx -all\"");
    return r;
}

}  // namespace

TEST_CASE("tag list: tags, offsets, white space and errors") {
    auto l = checks::parse_tag_list(" v=DKIM1 ;\tk = rsa; p=AB CD ;; ");
    REQUIRE(l.errors.empty());
    REQUIRE(l.tags.size() == 3);
    CHECK(l.tags[0].name == "v");
    CHECK(l.tags[0].offset == 1);
    CHECK(l.tags[1].value == "rsa");
    CHECK(l.tags[2].value == "AB CD");
    CHECK(l.find("K") == nullptr);
    CHECK(l.find("K", true) != nullptr);

    auto bad = checks::parse_tag_list("v=1; novalue; 9x=1; p=a\x01; v=2");
    REQUIRE(bad.errors.size() == 4);
    CHECK(bad.errors[0].message.find("novalue") != std::string::npos);
    CHECK(bad.errors[1].message.find("9x") != std::string::npos);
    CHECK(bad.errors[2].message.find("0x01") != std::string::npos);
    CHECK(bad.errors[3].message.find("more than once") != std::string::npos);
}

TEST_CASE("dmarc record: a full valid record with DMARCbis tags") {
    auto r = checks::parse_dmarc("v=DMARC1; p=Reject; sp=quarantine; np=reject; pct=100; "
                                 "rua=mailto:a@example.jp!10m, mailto:b@reports.example.jp; ruf=mailto:f@example.jp; "
                                 "adkim=s; aspf=r; fo=0:1:d:s; rf=afrf; ri=86400; psd=n; t=y");
    CHECK(r.problems.empty());
    CHECK(r.version_first);
    CHECK(r.p == DmarcPolicy::reject);
    CHECK(r.sp == DmarcPolicy::quarantine);
    CHECK(r.effective() == DmarcPolicy::reject);
    CHECK(r.effective_subdomain() == DmarcPolicy::quarantine);
    REQUIRE(r.rua.size() == 2);
    CHECK(r.rua[0].host == "example.jp");
    CHECK(r.rua[1].host == "reports.example.jp");
    CHECK(r.unknown_tags.empty());
}

TEST_CASE("dmarc record: every tag's bad value is named") {
    auto r = checks::parse_dmarc("v=DMARC1; p=block; pct=150; adkim=x; fo=2; rf=iodef; ri=-1; psd=maybe; foo=bar");
    std::vector<std::string> tags;
    for (const auto& p : r.problems) tags.push_back(p.tag);
    CHECK(tags == std::vector<std::string>{"p", "pct", "adkim", "fo", "rf", "ri", "psd", "foo"});
    CHECK(r.fatal());
    CHECK(r.unknown_tags == std::vector<std::string>{"foo"});
    CHECK_FALSE(r.effective().has_value());  // bad p= and no valid rua: no policy at all
}

TEST_CASE("dmarc record: a bad p= with a valid rua= counts as p=none (RFC 7489 §6.6.3)") {
    auto r = checks::parse_dmarc("v=DMARC1; p=maybe; rua=mailto:d@example.jp");
    CHECK(r.fatal());
    CHECK(r.effective() == DmarcPolicy::none);
}

TEST_CASE("dmarc record: version must come first, exactly") {
    CHECK(checks::starts_with_dmarc_version("v=DMARC1; p=none"));
    CHECK(checks::starts_with_dmarc_version("v = DMARC1;p=none"));
    CHECK_FALSE(checks::starts_with_dmarc_version("v=DMARC10; p=none"));
    CHECK_FALSE(checks::starts_with_dmarc_version("p=none; v=DMARC1"));
    CHECK(checks::resembles_dmarc("p=none; v=DMARC1"));
    CHECK(checks::resembles_dmarc("v=dmarc1; p=none"));
    CHECK_FALSE(checks::resembles_dmarc("v=spf1 -all"));
    auto r = checks::parse_dmarc("p=reject; v=DMARC1");
    CHECK_FALSE(r.version_first);
    CHECK_FALSE(r.effective().has_value());
    auto missing_p = checks::parse_dmarc("v=DMARC1; rua=mailto:a@b.jp");
    CHECK(missing_p.fatal());
}

TEST_CASE("dmarc uri: schemes, addresses and sizes") {
    CHECK(checks::parse_dmarc_uri("mailto:a@example.jp").valid());
    CHECK(checks::parse_dmarc_uri(" mailto:a@Example.JP.!50k ").host == "example.jp");
    CHECK_FALSE(checks::parse_dmarc_uri("a@example.jp").valid());
    CHECK_FALSE(checks::parse_dmarc_uri("mailto:example.jp").valid());
    CHECK_FALSE(checks::parse_dmarc_uri("mailto:a@exa mple.jp").valid());
    CHECK_FALSE(checks::parse_dmarc_uri("mailto:a@example.jp!lots").valid());
    CHECK_FALSE(checks::parse_dmarc_uri("https://example.jp/dmarc").valid());
    CHECK_FALSE(checks::parse_dmarc_uri("").valid());
}

TEST_CASE("organizational domain: the Public Suffix List knows go.jp") {
    CHECK(checks::organizational_domain("www.soumu.go.jp") == "soumu.go.jp");
    CHECK(checks::organizational_domain("soumu.go.jp") == "soumu.go.jp");
    CHECK(checks::organizational_domain("A.B.Example.CO.JP.") == "example.co.jp");
    CHECK(checks::organizational_domain("go.jp") == "go.jp");
    CHECK_FALSE(checks::public_suffix_source().empty());
}

TEST_CASE("spf view: which records can pass and which say 'no mail'") {
    auto view = [](std::vector<std::string> recs) {
        checks::SpfView v;
        v.answered = true;
        v.records = std::move(recs);
        return v;
    };
    CHECK(view({"v=spf1 mx -all"}).can_pass());
    CHECK(view({"v=spf1 redirect=_spf.example.jp"}).can_pass());
    CHECK(view({"v=spf1 +all"}).can_pass());
    CHECK_FALSE(view({"v=spf1 -all"}).can_pass());
    CHECK_FALSE(view({"v=spf1 ~all exp=explain.example.jp"}).can_pass());
    CHECK_FALSE(view({"v=spf1 mx -all", "v=spf1 -all"}).can_pass());
    CHECK(view({"v=spf1  -ALL"}).sends_no_mail());
    CHECK_FALSE(view({"v=spf1 ip4:192.0.2.1 -all"}).sends_no_mail());
}

TEST_CASE("dmarc: p=reject with rua passes with the facts") {
    test::CannedResolver r;
    with_spf(r, "good.go.jp").add("_dmarc.good.go.jp. TXT \"v=DMARC1; p=reject; rua=mailto:d@good.go.jp\"");
    auto res = run_dmarc(r, "good.go.jp");
    CHECK(res.findings.empty());
    CHECK(res.status == Status::pass);
    CHECK(res.facts["policy"] == "reject");
    CHECK(res.facts["subdomain_policy"] == "reject");
    CHECK(res.facts["pct"] == 100);
    CHECK(res.facts["source"] == "_dmarc.good.go.jp");
    CHECK(res.facts["record"] == "v=DMARC1; p=reject; rua=mailto:d@good.go.jp");
}

TEST_CASE("dmarc: missing, with the record to publish") {
    test::CannedResolver r;
    with_spf(r, "none.go.jp");
    auto res = run_dmarc(r, "none.go.jp");
    REQUIRE(ids(res) == std::vector<std::string>{"DMARC-MISSING"});
    CHECK(res.status == Status::fail);
    CHECK(res.facts["policy"] == "missing");
    CHECK(res.findings[0].remedy ==
          "_dmarc.none.go.jp. TXT \"v=DMARC1; p=reject; rua=mailto:dmarc-reports@none.go.jp\"");
}

TEST_CASE("dmarc: a subdomain inherits its organizational domain's policy (sp=)") {
    test::CannedResolver r;
    with_spf(r, "www.soumu.go.jp").add("_dmarc.soumu.go.jp. TXT \"v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@soumu.go.jp\"");
    auto res = run_dmarc(r, "www.soumu.go.jp");
    CHECK(ids(res) == std::vector<std::string>{"DMARC-INHERITED", "DMARC-POLICY-QUARANTINE", "DMARC-SP-WEAKER"});
    CHECK(res.facts["policy"] == "quarantine");
    CHECK(res.facts["source"] == "_dmarc.soumu.go.jp");
    CHECK(find(res, "DMARC-INHERITED")->evidence["organizational_domain"] == "soumu.go.jp");
    // go.jp is a public suffix: never asked for a policy.
    for (const auto& [name, type] : r.asked()) CHECK(name != "_dmarc.go.jp.");
}

TEST_CASE("dmarc: policy strength findings") {
    test::CannedResolver r;
    with_spf(r, "a.jp").add("_dmarc.a.jp. TXT \"v=DMARC1; p=none; rua=mailto:d@a.jp\"");
    CHECK(ids(run_dmarc(r, "a.jp")) == std::vector<std::string>{"DMARC-POLICY-NONE"});
    test::CannedResolver q;
    with_spf(q, "b.jp").add("_dmarc.b.jp. TXT \"v=DMARC1; p=quarantine; pct=20; rua=mailto:d@b.jp\"");
    auto res = run_dmarc(q, "b.jp");
    CHECK(ids(res) == std::vector<std::string>{"DMARC-PCT", "DMARC-POLICY-QUARANTINE"});
    CHECK(res.status == Status::warn);
    CHECK(res.facts["pct"] == 20);
    test::CannedResolver s;
    with_spf(s, "c.jp").add("_dmarc.c.jp. TXT \"v=DMARC1; p=reject; np=none; rua=mailto:d@c.jp\"");
    CHECK(ids(run_dmarc(s, "c.jp")) == std::vector<std::string>{"DMARC-SP-WEAKER"});
}

TEST_CASE("dmarc: multiple records and syntax errors") {
    test::CannedResolver r;
    with_spf(r, "m.jp").add("_dmarc.m.jp. TXT \"v=DMARC1; p=reject\"").add("_dmarc.m.jp. TXT \"v=DMARC1; p=none\"");
    auto res = run_dmarc(r, "m.jp");
    CHECK(ids(res) == std::vector<std::string>{"DMARC-MULTIPLE"});
    CHECK(res.facts["policy"] == "missing");

    test::CannedResolver s;
    with_spf(s, "s.jp").add("_dmarc.s.jp. TXT \"v=DMARC1; p=block; pct=150; foo=bar\"");
    auto syn = run_dmarc(s, "s.jp");
    REQUIRE(ids(syn) == std::vector<std::string>{"DMARC-SYNTAX"});
    CHECK(syn.findings[0].severity == Severity::error);
    CHECK(syn.findings[0].evidence["problems"].size() == 3);
    CHECK(syn.facts["policy"] == "missing");

    test::CannedResolver w;
    with_spf(w, "w.jp").add("_dmarc.w.jp. TXT \"v=DMARC1; p=reject; rua=mailto:d@w.jp; fo=9\"");
    auto warn = run_dmarc(w, "w.jp");
    REQUIRE(ids(warn) == std::vector<std::string>{"DMARC-SYNTAX"});
    CHECK(warn.findings[0].severity == Severity::warning);
    CHECK(warn.facts["policy"] == "reject");

    test::CannedResolver v;
    with_spf(v, "v.jp").add("_dmarc.v.jp. TXT \"p=reject; v=DMARC1\"");
    auto misplaced = run_dmarc(v, "v.jp");
    CHECK(ids(misplaced) == std::vector<std::string>{"DMARC-SYNTAX"});
    CHECK(misplaced.facts["policy"] == "missing");
}

TEST_CASE("dmarc: reporting — no rua, bad rua, external destinations") {
    test::CannedResolver r;
    with_spf(r, "n.jp").add("_dmarc.n.jp. TXT \"v=DMARC1; p=reject\"");
    auto nr = run_dmarc(r, "n.jp");
    REQUIRE(ids(nr) == std::vector<std::string>{"DMARC-NO-RUA"});
    CHECK(nr.findings[0].severity == Severity::warning);

    test::CannedResolver parked;
    parked.add("p.jp. TXT \"v=spf1 -all\"").add("_dmarc.p.jp. TXT \"v=DMARC1; p=reject\"");
    auto pk = run_dmarc(parked, "p.jp");
    REQUIRE(ids(pk) == std::vector<std::string>{"DMARC-NO-RUA"});
    CHECK(pk.findings[0].severity == Severity::info);  // a parked domain: reports optional

    test::CannedResolver bad;
    with_spf(bad, "b.jp").add("_dmarc.b.jp. TXT \"v=DMARC1; p=reject; rua=d@b.jp\"");
    CHECK(ids(run_dmarc(bad, "b.jp")) == std::vector<std::string>{"DMARC-RUA-SYNTAX"});

    test::CannedResolver ext;
    with_spf(ext, "e.jp")
        .add("_dmarc.e.jp. TXT \"v=DMARC1; p=reject; rua=mailto:d@vendor.example,mailto:x@sub.e.jp; ruf=mailto:f@ok.example\"")
        .add("e.jp._report._dmarc.ok.example. TXT \"v=DMARC1\"");
    auto ex = run_dmarc(ext, "e.jp");
    REQUIRE(ids(ex) == std::vector<std::string>{"DMARC-RUA-UNAUTHORIZED"});
    CHECK(ex.findings[0].evidence["query"] == "e.jp._report._dmarc.vendor.example TXT");
    CHECK(ex.findings[0].remedy.find("e.jp._report._dmarc.vendor.example. TXT \"v=DMARC1\"") != std::string::npos);
}

TEST_CASE("dmarc: a policy that neither SPF nor DKIM can satisfy") {
    test::CannedResolver r;
    r.add("x.jp. MX 10 mail.x.jp.").add("_dmarc.x.jp. TXT \"v=DMARC1; p=reject; rua=mailto:d@x.jp\"");
    auto res = run_dmarc(r, "x.jp");
    REQUIRE(ids(res) == std::vector<std::string>{"DMARC-NO-AUTH"});
    CHECK(res.findings[0].evidence["spf"] == "none");
    CHECK(res.findings[0].evidence["domainkey"] == "NXDOMAIN");

    test::CannedResolver k;  // a DKIM key is enough
    k.add("_dmarc.k.jp. TXT \"v=DMARC1; p=reject; rua=mailto:d@k.jp\"")
        .add("_domainkey.k.jp. TXT \"o=~\"")  // the canned resolver knows no empty non-terminals
        .add("google._domainkey.k.jp. TXT \"v=DKIM1; k=ed25519; p=KvVPaP6fVr0DuEPUdwJw1i9KSX92jV78I6kqbHU30/s=\"");
    CHECK(run_dmarc(k, "k.jp").findings.empty());

    test::CannedResolver parked;  // "v=spf1 -all" says: no mail, so nothing needs to pass
    parked.add("p.jp. TXT \"v=spf1 -all\"").add("_dmarc.p.jp. TXT \"v=DMARC1; p=reject; rua=mailto:d@p.jp\"");
    CHECK(run_dmarc(parked, "p.jp").findings.empty());
}

TEST_CASE("dmarc: failures of the domain's servers are errors, not findings") {
    test::CannedResolver r;
    r.fail("_dmarc.lame.go.jp", dns::Outcome::timeout);
    auto res = run_dmarc(r, "lame.go.jp");
    CHECK(res.status == Status::error);
    CHECK(res.findings.empty());
    CHECK(res.error.find("_dmarc.lame.go.jp") != std::string::npos);

    test::CannedResolver org;
    org.fail("_dmarc.soumu.go.jp", dns::Outcome::answer, LDNS_RCODE_SERVFAIL);
    auto o = run_dmarc(org, "www.soumu.go.jp");
    CHECK(o.status == Status::error);
    CHECK(o.error.find("SERVFAIL") != std::string::npos);
}

TEST_CASE("dmarc: hostile record text never crashes and is reported") {
    test::CannedResolver r;
    with_spf(r, "h.jp").add("_dmarc.h.jp. TXT \"v=DMARC1; p=reject; rua=mailto:\\001@\\255;;;= ;x\"");
    auto res = run_dmarc(r, "h.jp");
    auto found = ids(res);
    CHECK(std::find(found.begin(), found.end(), "DMARC-SYNTAX") != found.end());
    for (const auto& f : res.findings) CHECK(f.message.find('\x01') == std::string::npos);
}

}  // namespace mamori
