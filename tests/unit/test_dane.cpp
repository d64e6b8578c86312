/// \file tests/unit/test_dane.cpp — TLSA parameters and the dane check on canned answers, secure (AD) or not.
#include "check_support.h"
#include "canned_resolver.h"
#include "checks/dane/dane_check.h"
#include "checks/dane/tlsa.h"
#include "core/profile.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

namespace mamori {
namespace {

const std::string digest = "306bb708a30d148ec82aebfd60b3eebcc0071f6d8eab17d2e75e9d7c8be7b312";
const std::string spki =
    "3059301306072a8648ce3d020106082a8648ce3d03010703420004a03177e6556d32626d37970c10b02c01535e02d9884b84917cfcc9ea97"
    "a441a87bef0b3764a6e908c1229242de35bdb91b6ea3ea48c4789eb1164bbb27337d17";

/// Sets the AD bit on answers for names in `secure`, as a validating resolver does for signed zones.
class Validating final : public dns::Resolver {
public:
    Validating(test::CannedResolver& inner, std::set<std::string> secure) : inner_(inner), secure_(std::move(secure)) {}
    void submit(dns::Question q, dns::Callback done) override {
        const bool ad = secure_.count(dns::canonical_name(q.name)) > 0;
        inner_.submit(q, [&, ad](dns::Answer a) {
            if (ad && a.ok()) {
                ldns_pkt* copy = ldns_pkt_clone(a.packet.get());
                ldns_pkt_set_ad(copy, true);
                a.packet = dns::adopt(copy);
            }
            done(std::move(a));
        });
    }
    dns::Stats stats() const override { return inner_.stats(); }

private:
    test::CannedResolver& inner_;
    std::set<std::string> secure_;
};

using test::ids;

CheckResult run_dane(dns::Resolver& resolver, const std::string& domain = "d.jp") {
    static const checks::DaneCheck check;
    AuditSettings settings;
    Profile profile = Profile::load("baseline");
    Context context(resolver, settings, profile);
    Target t;
    t.name = domain;
    return check.run(t, context);
}

/// d.jp with MX mail.d.jp and the given TLSA rdata, all DNSSEC-secure.
CheckResult run_tlsa(const std::vector<std::string>& rdata, bool secure = true) {
    test::CannedResolver r;
    r.add("d.jp. MX 10 mail.d.jp.").add("mail.d.jp. A 192.0.2.25");
    for (const auto& d : rdata) r.add("_25._tcp.mail.d.jp. TLSA " + d);
    std::set<std::string> names;
    if (secure) names = {"_25._tcp.mail.d.jp.", "mail.d.jp."};
    Validating v(r, names);
    return run_dane(v);
}

checks::Tlsa tlsa(unsigned u, unsigned s, unsigned m, std::size_t bytes) {
    checks::Tlsa t;
    t.usage = u;
    t.selector = s;
    t.matching = m;
    t.data.assign(bytes, '\x01');
    return t;
}

}  // namespace

TEST_CASE("tlsa: parameters RFC 6698 defines, digest lengths, full data") {
    CHECK(checks::tlsa_syntax_problems(tlsa(3, 1, 1, 32)).empty());
    CHECK(checks::tlsa_syntax_problems(tlsa(2, 0, 2, 64)).empty());
    CHECK(checks::tlsa_syntax_problems(tlsa(4, 1, 1, 32)).size() == 1);
    CHECK(checks::tlsa_syntax_problems(tlsa(3, 2, 1, 32)).size() == 1);
    CHECK(checks::tlsa_syntax_problems(tlsa(3, 1, 3, 32)).size() == 1);
    CHECK(checks::tlsa_syntax_problems(tlsa(3, 1, 1, 20)).size() == 1);
    CHECK(checks::tlsa_syntax_problems(tlsa(3, 1, 2, 32)).size() == 1);
    CHECK(checks::tlsa_syntax_problems(tlsa(3, 1, 0, 40)).size() == 1);  // not an SPKI
    CHECK(checks::tlsa_syntax_problems(tlsa(3, 0, 0, 40)).size() == 1);  // not a certificate
    CHECK(checks::usable_for_smtp(tlsa(3, 1, 1, 32)));
    CHECK_FALSE(checks::usable_for_smtp(tlsa(1, 1, 1, 32)));
}

TEST_CASE("dane: a secure 3 1 1 record passes with its facts") {
    auto res = run_tlsa({"3 1 1 " + digest});
    CHECK(res.findings.empty());
    CHECK(res.status == Status::pass);
    CHECK(res.facts["dane"] == true);
    CHECK(res.facts["hosts"]["mail.d.jp"]["secure"] == true);
    CHECK(res.facts["hosts"]["mail.d.jp"]["tlsa"][0].get<std::string>().rfind("3 1 1 306BB708", 0) == 0);
}

TEST_CASE("dane: each parameter finding") {
    auto usage = run_tlsa({"1 1 1 " + digest});
    REQUIRE(ids(usage) == std::vector<std::string>{"DANE-USAGE"});
    CHECK(usage.findings[0].severity == Severity::error);  // nothing usable left
    auto mixed = run_tlsa({"0 1 1 " + digest, "3 1 1 " + digest});
    REQUIRE(ids(mixed) == std::vector<std::string>{"DANE-USAGE"});
    CHECK(mixed.findings[0].severity == Severity::warning);
    CHECK(ids(run_tlsa({"3 1 0 " + spki})) == std::vector<std::string>{"DANE-MATCHING-FULL"});
    CHECK(ids(run_tlsa({"3 1 1 " + digest.substr(0, 40)})) == std::vector<std::string>{"DANE-SYNTAX"});
    CHECK(ids(run_tlsa({"3 1 1 " + digest}, false)) == std::vector<std::string>{"DANE-INEFFECTIVE"});
}

TEST_CASE("dane: none, partial, implicit MX, null MX, failures") {
    test::CannedResolver none;
    none.add("d.jp. MX 10 mail.d.jp.").add("mail.d.jp. A 192.0.2.25");
    auto n = run_dane(none);
    REQUIRE(ids(n) == std::vector<std::string>{"DANE-NONE"});
    CHECK(n.findings[0].remedy.find("_25._tcp.mail.d.jp. TLSA 3 1 1") != std::string::npos);

    test::CannedResolver partial;
    partial.add("d.jp. MX 10 mail.d.jp.").add("d.jp. MX 20 backup.d.jp.").add("mail.d.jp. A 192.0.2.25")
        .add("backup.d.jp. A 192.0.2.26").add("_25._tcp.mail.d.jp. TLSA 3 1 1 " + digest);
    Validating pv(partial, {"_25._tcp.mail.d.jp.", "mail.d.jp."});
    auto p = run_dane(pv);
    REQUIRE(ids(p) == std::vector<std::string>{"DANE-PARTIAL"});
    CHECK(p.findings[0].evidence["without_tlsa"] == Json::array({"backup.d.jp"}));

    test::CannedResolver implicit;  // no MX: the domain itself is the mail host (RFC 7672 §2.2.1)
    implicit.add("i.jp. A 192.0.2.1").add("_25._tcp.i.jp. TLSA 3 1 1 " + digest);
    Validating iv(implicit, {"_25._tcp.i.jp.", "i.jp."});
    auto i = run_dane(iv, "i.jp");
    CHECK(i.findings.empty());
    CHECK(i.facts["hosts"].contains("i.jp"));

    test::CannedResolver null_mx;
    null_mx.add("n.jp. MX 0 .");
    CHECK(run_dane(null_mx, "n.jp").status == Status::skip);

    test::CannedResolver f;
    f.add("d.jp. MX 10 mail.d.jp.").fail("_25._tcp.mail.d.jp", dns::Outcome::answer, LDNS_RCODE_SERVFAIL);
    auto e = run_dane(f);
    CHECK(e.status == Status::error);
    CHECK(e.error.find("_25._tcp.mail.d.jp") != std::string::npos);
}

}  // namespace mamori
