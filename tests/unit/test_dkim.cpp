/// \file tests/unit/test_dkim.cpp — DKIM key records, key decoding with OpenSSL, selectors and the dkim check on canned answers.
#include "check_support.h"
#include "canned_resolver.h"
#include "checks/dkim/dkim_check.h"
#include "checks/dkim/dkim_key.h"
#include "checks/dkim/dkim_selectors.h"
#include "core/profile.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace mamori {
namespace {

// Real public keys (SubjectPublicKeyInfo, base64) from fixtures/world: 2048, 1024 and 512-bit RSA, Ed25519 raw.
const std::string rsa2048 =
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvjJE0jvOPOvQO+D9QJ9J4lebpk7Kj0FgWdnemCkL0yDEjM9B1dm06raDJCG22SVcM2MW7"
    "IoEWe2Q8fOGgoOlT/spqbKnhbFKa/GDMcpgGnYaw2p+f8NJDCSFXhJpe40AzeIpTT6x6dnaSXo3KSfxv/oeWMjL80ofQ99GTUsiDq69SAL4/nxw7"
    "YCHfiXsoxKkwwKVIAl70qMH+cAHRreYYjTNqNzZy2nuTJw/IkZFKc9KjcJGjZZdoE3lnMKgvLH6M0Q/j4aaZmde2cyfQ2DauMSPzrmesk/6LS3f5"
    "mdM3KDiLLZIp5Z3kibXgC/D+e8s654RBYJSFg+CEPp0FFzeLwIDAQAB";
const std::string rsa1024 =
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC5M5gi0AcwMXxp73mffVcIEo07WHkb+vl08gFOOKou9JTyvJK/TT8r/GWGGKfEL5SjYpfFzdLJa"
    "O6yo2BbHAv8WHLbnv3Z4E//h3CQh7ADq8i32oynlOrLKYLbFrplClbmCTRuJLellG+GwBRkTvnN3LC6/lmQxK3AlkaBuCo62QIDAQAB";
const std::string rsa512 =
    "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBALpd3BT1DTXVFeK8kFJgHIeZ+pX1EXuxD9uBsipnZjD3hjYkraDLoGcdpUlfX9QKqmugH4K9UaChJ1tEtZGSjgsCAwEAAQ==";
const std::string ed25519 = "KvVPaP6fVr0DuEPUdwJw1i9KSX92jV78I6kqbHU30/s=";

/// A TXT record in presentation form, split into 200-byte strings (one string holds at most 255).
std::string txt(const std::string& owner, const std::string& text) {
    std::string out = owner + " TXT";
    for (std::size_t i = 0; i < text.size(); i += 200) out += " \"" + text.substr(i, 200) + "\"";
    return out;
}

using test::ids;

CheckResult run_dkim(test::CannedResolver& resolver, const std::string& domain, const Profile& profile,
                     std::vector<std::string> selectors = {}) {
    static const checks::DkimCheck check;
    AuditSettings settings;
    settings.dkim_selectors = std::move(selectors);
    Context context(resolver, settings, profile);
    Target t;
    t.name = domain;
    return check.run(t, context);
}

CheckResult run_dkim(test::CannedResolver& resolver, const std::string& domain) {
    static const Profile profile = Profile::load("baseline");
    return run_dkim(resolver, domain, profile);
}

/// A domain with SPF and the _domainkey node (the canned resolver knows no empty non-terminals).
test::CannedResolver& base(test::CannedResolver& r, const std::string& domain) {
    r.add(domain + ". TXT \"v=spf1 mx -all\"").add("_domainkey." + domain + ". TXT \"o=~\"");
    return r;
}

}  // namespace

TEST_CASE("dkim key: RSA 2048 SubjectPublicKeyInfo decodes with its size") {
    auto k = checks::parse_dkim_key("v=DKIM1; k=rsa; p=" + rsa2048);
    CHECK(k.usable());
    REQUIRE(k.bits.has_value());
    CHECK(*k.bits == 2048);
    CHECK(k.encoding == "spki");
    CHECK(*checks::parse_dkim_key("p=" + rsa1024).bits == 1024);
    CHECK(*checks::parse_dkim_key("p=" + rsa512).bits == 512);
}

TEST_CASE("dkim key: folding white space inside p= is allowed") {
    std::string folded = rsa1024.substr(0, 50) + " \t" + rsa1024.substr(50, 30) + "\r\n " + rsa1024.substr(80);
    auto k = checks::parse_dkim_key("v=DKIM1; p=" + folded);
    CHECK(k.usable());
    CHECK(*k.bits == 1024);
}

TEST_CASE("dkim key: Ed25519 is the raw 32-byte key (RFC 8463)") {
    auto k = checks::parse_dkim_key("v=DKIM1; k=ed25519; p=" + ed25519);
    CHECK(k.usable());
    CHECK(k.encoding == "raw");
    CHECK(*k.bits == 256);
    auto spki = checks::parse_dkim_key("v=DKIM1; k=ed25519; p=MCowBQYDK2VwAyEAKvVPaP6fVr0DuEPUdwJw1i9KSX92jV78I6kqbHU30/s=");
    REQUIRE_FALSE(spki.usable());
    CHECK(spki.problems[0].find("SubjectPublicKeyInfo") != std::string::npos);
    auto wrong = checks::parse_dkim_key("k=rsa; p=" + ed25519);
    CHECK_FALSE(wrong.usable());
}

TEST_CASE("dkim key: revoked, flags, hashes, services") {
    auto revoked = checks::parse_dkim_key("v=DKIM1; p=");
    CHECK(revoked.revoked);
    CHECK(revoked.problems.empty());
    CHECK_FALSE(revoked.usable());
    auto t = checks::parse_dkim_key("v=DKIM1; t=y:s; h=sha1; p=" + rsa2048);
    CHECK(t.testing);
    CHECK(t.strict);
    CHECK(t.sha1_only());
    CHECK_FALSE(checks::parse_dkim_key("h=sha1:sha256; p=" + rsa2048).sha1_only());
    CHECK_FALSE(checks::parse_dkim_key("s=*; p=" + rsa2048).problems.size());
    CHECK(checks::parse_dkim_key("s=tlsrpt; p=" + rsa2048).problems.size() == 1);
}

TEST_CASE("dkim key: every way to be unusable is named") {
    auto problems = [](const std::string& text) { return checks::parse_dkim_key(text).problems; };
    CHECK(problems("v=DKIM1; k=rsa").at(0).find("no p=") != std::string::npos);
    CHECK(problems("v=DKIM2; p=" + rsa2048).at(0).find("DKIM2") != std::string::npos);
    CHECK(problems("k=rsa; v=DKIM1; p=" + rsa2048).at(0).find("first") != std::string::npos);
    CHECK(problems("k=dsa; p=" + rsa2048).at(0).find("dsa") != std::string::npos);
    CHECK(problems("p=!!!notbase64").at(0).find("base64") != std::string::npos);
    CHECK(problems("p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAbm90IGEga2V5").at(0).find("does not decode") !=
          std::string::npos);
    CHECK(problems("p=" + rsa2048 + "; p=" + rsa2048).at(0).find("more than once") != std::string::npos);
}

TEST_CASE("dkim key: base64 decoding is strict about bytes and padding") {
    CHECK(checks::decode_base64("TWFu") == "Man");
    CHECK(checks::decode_base64("TWE=") == "Ma");
    CHECK(checks::decode_base64("TWE") == "Ma");
    CHECK(checks::decode_base64("T W\tE =") == "Ma");
    CHECK_FALSE(checks::decode_base64("TWE=x").has_value());
    CHECK_FALSE(checks::decode_base64("T").has_value());
    CHECK_FALSE(checks::decode_base64("TW-u").has_value());
    CHECK_FALSE(checks::decode_base64("TQ===").has_value());
}

TEST_CASE("dkim selectors: given first, then the built-in list, validated and unique") {
    AuditSettings s;
    s.dkim_selectors = {"Custom", "selector1", "bad..name", "x.y"};
    auto list = checks::dkim_selectors(s);
    CHECK(list[0] == "custom");
    CHECK(list[1] == "selector1");
    CHECK(list[2] == "x.y");
    CHECK(std::count(list.begin(), list.end(), "selector1") == 1);
    CHECK(list.size() == checks::builtin_dkim_selectors().size() + 2);
    CHECK(checks::valid_dkim_selector("s-1_a.b"));
    CHECK_FALSE(checks::valid_dkim_selector(""));
    CHECK_FALSE(checks::valid_dkim_selector("a b"));
    CHECK_FALSE(checks::valid_dkim_selector(".a"));
}

TEST_CASE("dkim: a good 2048-bit key passes with the facts") {
    test::CannedResolver r;
    base(r, "good.go.jp").add(txt("selector1._domainkey.good.go.jp.", "v=DKIM1; k=rsa; p=" + rsa2048));
    auto res = run_dkim(r, "good.go.jp");
    CHECK(res.findings.empty());
    CHECK(res.status == Status::pass);
    CHECK(res.facts["selectors"]["selector1"] ==
          Json({{"key", "rsa"}, {"bits", 2048}, {"revoked", false}, {"testing", false}, {"valid", true}}));
}

TEST_CASE("dkim: NXDOMAIN at _domainkey ends the search (RFC 8020)") {
    test::CannedResolver r;
    r.add("n.jp. TXT \"v=spf1 mx -all\"");
    auto res = run_dkim(r, "n.jp");
    REQUIRE(ids(res) == std::vector<std::string>{"DKIM-NOT-FOUND"});
    CHECK(res.findings[0].severity == Severity::warning);
    CHECK(res.facts["domainkey"] == "nxdomain");
    CHECK(r.asked().size() == 2);  // n.jp TXT (is it parked?) and _domainkey.n.jp TXT: no selector asked
}

TEST_CASE("dkim: the profile sets DKIM-NOT-FOUND's severity; a parked domain needs no key") {
    test::CannedResolver r;
    base(r, "n.jp");
    Profile p = Profile::parse(R"({"name":"t","thresholds":{"dkim_not_found":"info"}})", "test");
    auto res = run_dkim(r, "n.jp", p);
    REQUIRE(ids(res) == std::vector<std::string>{"DKIM-NOT-FOUND"});
    CHECK(res.findings[0].severity == Severity::info);
    CHECK(res.facts["tried"] == checks::builtin_dkim_selectors().size());

    test::CannedResolver parked;
    parked.add("p.jp. TXT \"v=spf1 -all\"");
    CHECK(run_dkim(parked, "p.jp").findings.empty());
}

TEST_CASE("dkim: given selectors are tried, CNAMEs followed") {
    test::CannedResolver r;
    base(r, "c.jp")
        .add("mysel._domainkey.c.jp. CNAME mysel._domainkey.provider.example.")
        .add(txt("mysel._domainkey.provider.example.", "v=DKIM1; p=" + rsa2048));
    Profile p = Profile::load("baseline");
    auto res = run_dkim(r, "c.jp", p, {"mysel"});
    CHECK(res.findings.empty());
    CHECK(res.facts["selectors"].contains("mysel"));
}

TEST_CASE("dkim: each key finding") {
    test::CannedResolver r;
    base(r, "k.jp")
        .add(txt("selector1._domainkey.k.jp.", "v=DKIM1; p=" + rsa1024))
        .add(txt("selector2._domainkey.k.jp.", "v=DKIM1; p=" + rsa512))
        .add(txt("k1._domainkey.k.jp.", "v=DKIM1; t=y; p=" + rsa2048))
        .add(txt("k2._domainkey.k.jp.", "v=DKIM1; h=sha1; p=" + rsa2048))
        .add(txt("s1._domainkey.k.jp.", "v=DKIM1; k=ed25519; p=" + ed25519))
        .add(txt("s2._domainkey.k.jp.", "v=DKIM1; p="))
        .add(txt("mail._domainkey.k.jp.", "v=DKIM1; p=AAAA"))
        .add(txt("dkim._domainkey.k.jp.", "some unrelated text"));
    auto res = run_dkim(r, "k.jp");
    CHECK(ids(res) == std::vector<std::string>{"DKIM-ED25519", "DKIM-KEY-INVALID", "DKIM-KEY-REVOKED", "DKIM-RSA-WEAK",
                                               "DKIM-RSA-WEAK", "DKIM-SHA1", "DKIM-TESTING"});
    for (const auto& f : res.findings) {
        if (f.id == "DKIM-RSA-WEAK")
            CHECK(f.severity == (f.evidence["bits"] == 512 ? Severity::error : Severity::warning));
        if (f.id == "DKIM-KEY-REVOKED") CHECK(f.severity == Severity::info);  // other keys work
        CHECK_FALSE(f.remedy.empty());
        CHECK_FALSE(f.ref.empty());
    }
    CHECK_FALSE(res.facts["selectors"].contains("dkim"));  // not a key record: ignored
    CHECK(res.facts["selectors"]["s1"]["key"] == "ed25519");
    CHECK(res.status == Status::fail);
}

TEST_CASE("dkim: a lone revoked key is a warning; failed look-ups are an error") {
    test::CannedResolver r;
    base(r, "rv.jp").add("selector1._domainkey.rv.jp. TXT \"v=DKIM1; p=\"");
    auto res = run_dkim(r, "rv.jp");
    REQUIRE(ids(res) == std::vector<std::string>{"DKIM-KEY-REVOKED"});
    CHECK(res.findings[0].severity == Severity::warning);

    test::CannedResolver f;
    base(f, "f.jp").fail("default._domainkey.f.jp", dns::Outcome::timeout);
    auto failed = run_dkim(f, "f.jp");
    CHECK(failed.status == Status::error);
    CHECK(failed.error.find("default._domainkey.f.jp") != std::string::npos);
}

}  // namespace mamori
