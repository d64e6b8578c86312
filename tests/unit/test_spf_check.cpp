/// \file tests/unit/test_spf_check.cpp — the spf check on canned answers: one case per finding, facts, the static tree.
#include "check_support.h"
#include "canned_resolver.h"
#include "checks/spf/spf_check.h"
#include "core/profile.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace mamori {
namespace {

using test::ids;

const Finding& only(const CheckResult& r, const std::string& id) {
    auto it = std::find_if(r.findings.begin(), r.findings.end(), [&](const Finding& f) { return f.id == id; });
    REQUIRE(it != r.findings.end());
    return *it;
}

CheckResult run_spf(test::CannedResolver& resolver, const std::string& domain, const Profile& profile = Profile::load("baseline"),
                    TargetKind kind = TargetKind::domain) {
    static const checks::SpfCheck check;
    AuditSettings settings;
    Context context(resolver, settings, profile);
    Target t;
    t.kind = kind;
    t.name = domain;
    return check.run(t, context);
}

using Ids = std::vector<std::string>;

}  // namespace

TEST_CASE("spf check: a clean record passes with the adoption facts") {
    test::CannedResolver r;
    r.add(R"(good.go.jp. TXT "v=spf1 mx -all")").add("good.go.jp. MX 10 mail.good.go.jp.").add("mail.good.go.jp. A 192.0.2.10");
    auto result = run_spf(r, "good.go.jp");
    CHECK(ids(result).empty());
    CHECK(result.status == Status::pass);
    CHECK(result.facts == Json{{"record", "v=spf1 mx -all"}, {"all", "-all"}, {"lookups", 1}, {"void_lookups", 0}, {"result", "fail"}});
    for (const auto& f : checks::SpfCheck().describe().findings) CHECK(std::string(f.ref).rfind("RFC 7208", 0) == 0);
}

TEST_CASE("spf check: missing record; with no MX the parked-domain record is recommended") {
    test::CannedResolver r;
    r.add("mail.go.jp. MX 10 mx.mail.go.jp.").add("mx.mail.go.jp. A 192.0.2.10");
    auto with_mx = run_spf(r, "mail.go.jp");
    CHECK(ids(with_mx) == Ids{"SPF-MISSING"});
    CHECK(with_mx.facts["all"] == "none");
    CHECK(with_mx.facts["result"] == "none");
    CHECK(with_mx.findings[0].remedy.find("mail.go.jp. TXT \"v=spf1 mx -all\"") != std::string::npos);
    r.add("parked.go.jp. A 192.0.2.1").add("nullmx.go.jp. MX 0 .");
    for (const char* d : {"parked.go.jp", "nullmx.go.jp"}) {
        auto none = run_spf(r, d);
        CHECK(ids(none) == Ids{"SPF-MISSING", "SPF-NULL-RECOMMENDED"});
        CHECK(only(none, "SPF-NULL-RECOMMENDED").remedy == std::string("publish ") + d + ". TXT \"v=spf1 -all\"");
        CHECK(only(none, "SPF-MISSING").severity == Severity::error);
    }
}

TEST_CASE("spf check: the qualifier of all, following redirect") {
    struct Case {
        const char* record;
        Ids ids;
        const char* all;
    };
    const Case cases[] = {
        {"v=spf1 mx +all", {"SPF-ALL-PASS"}, "+all"},
        {"v=spf1 mx all", {"SPF-ALL-PASS"}, "+all"},
        {"v=spf1 mx ?all", {"SPF-ALL-NEUTRAL"}, "?all"},
        {"v=spf1 mx ~all", {"SPF-SOFTFAIL-ALL"}, "~all"},
        {"v=spf1 mx", {"SPF-NO-ALL"}, "none"},
        {"v=spf1 mx -all", {}, "-all"},
        {"v=spf1 redirect=_spf.x.go.jp", {"SPF-SOFTFAIL-ALL"}, "~all"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.record);
        test::CannedResolver r;
        r.add(std::string("x.go.jp. TXT \"") + c.record + "\"").add("x.go.jp. MX 10 mail.x.go.jp.").add("mail.x.go.jp. A 192.0.2.1");
        r.add(R"(_spf.x.go.jp. TXT "v=spf1 ip4:192.0.2.0/24 ~all")");
        auto result = run_spf(r, "x.go.jp");
        CHECK(ids(result) == c.ids);
        CHECK(result.facts["all"] == c.all);
        for (const auto& f : result.findings) {
            CHECK(f.remedy.find("-all") != std::string::npos);
            CHECK_FALSE(f.evidence.empty());
        }
    }
}

TEST_CASE("spf check: an include whose policy ends in +all authorises everyone") {
    test::CannedResolver r;
    r.add(R"(z.go.jp. TXT "v=spf1 include:open.example.net -all")").add(R"(open.example.net. TXT "v=spf1 +all")");
    auto result = run_spf(r, "z.go.jp");
    CHECK(ids(result) == Ids{"SPF-ALL-PASS"});
    CHECK(only(result, "SPF-ALL-PASS").evidence["term"] == "include:open.example.net");
    CHECK(result.facts["all"] == "-all");
}

TEST_CASE("spf check: several records, syntax errors and broken includes are permerrors") {
    test::CannedResolver r;
    r.add(R"(multi.go.jp. TXT "v=spf1 mx -all")")
        .add(R"(multi.go.jp. TXT "v=spf1 -all")")
        .add(R"(syntax.go.jp. TXT "v=spf1 mx ip4:192.0.2.300 -all")")
        .add(R"(deep.go.jp. TXT "v=spf1 include:_spf.deep.go.jp -all")")
        .add(R"(_spf.deep.go.jp. TXT "v=spf1 a:foo-bar -all")")
        .add(R"(incnone.go.jp. TXT "v=spf1 include:nospf.incnone.go.jp -all")")
        .add("nospf.incnone.go.jp. A 192.0.2.1")
        .add(R"(loop.go.jp. TXT "v=spf1 include:_a.loop.go.jp -all")")
        .add(R"(_a.loop.go.jp. TXT "v=spf1 redirect=loop.go.jp")");
    auto multi = run_spf(r, "multi.go.jp");
    CHECK(ids(multi) == Ids{"SPF-MULTIPLE"});
    CHECK_FALSE(multi.facts.contains("all"));
    CHECK(multi.facts["result"] == "permerror");
    auto syntax = run_spf(r, "syntax.go.jp");
    CHECK(ids(syntax) == Ids{"SPF-SYNTAX"});
    const Finding& s = only(syntax, "SPF-SYNTAX");
    CHECK(s.evidence["term"] == "ip4:192.0.2.300");
    CHECK(s.evidence["error"].get<std::string>().find("offset 11") != std::string::npos);
    CHECK(s.message.find("ip4:192.0.2.300") != std::string::npos);
    CHECK_FALSE(syntax.facts.contains("all"));
    auto deep = run_spf(r, "deep.go.jp");
    CHECK(ids(deep) == Ids{"SPF-SYNTAX"});
    CHECK(only(deep, "SPF-SYNTAX").evidence["domain"] == "_spf.deep.go.jp");
    auto none = run_spf(r, "incnone.go.jp");
    CHECK(ids(none) == Ids{"SPF-INCLUDE-NONE"});
    CHECK(only(none, "SPF-INCLUDE-NONE").evidence["term"] == "include:nospf.incnone.go.jp");
    auto loop = run_spf(r, "loop.go.jp");
    CHECK(ids(loop) == Ids{"SPF-LOOP"});
    CHECK(only(loop, "SPF-LOOP").evidence["chain"] == "loop.go.jp → _a.loop.go.jp → loop.go.jp");
    CHECK(loop.facts["result"] == "permerror");
}

TEST_CASE("spf check: lookups are counted over the whole tree, whatever the client") {
    test::CannedResolver r;
    r.add("big.go.jp. TXT \"v=spf1 include:_a.big.go.jp include:_b.big.go.jp mx -all\"")
        .add("big.go.jp. MX 10 mail.big.go.jp.")
        .add("mail.big.go.jp. A 192.0.2.30")
        .add("_a.big.go.jp. TXT \"v=spf1 ip4:192.0.2.0/24 a:h1.big.go.jp a:h2.big.go.jp include:_c.big.go.jp -all\"")
        .add("_b.big.go.jp. TXT \"v=spf1 a:h3.big.go.jp a:h4.big.go.jp mx:big.go.jp -all\"")
        .add("_c.big.go.jp. TXT \"v=spf1 a:h5.big.go.jp a:h6.big.go.jp a:h7.big.go.jp -all\"");
    for (int i = 1; i <= 7; ++i) r.add("h" + std::to_string(i) + ".big.go.jp. A 192.0.2." + std::to_string(30 + i));
    auto result = run_spf(r, "big.go.jp");
    CHECK(ids(result) == Ids{"SPF-LOOKUP-LIMIT"});
    CHECK(result.facts["lookups"] == 12);
    CHECK_FALSE(result.facts.contains("all"));
    const Finding& f = only(result, "SPF-LOOKUP-LIMIT");
    CHECK(f.evidence["lookups"] == 12);
    CHECK(f.evidence["limit"] == 10);
    const Json& tree = f.evidence["tree"];
    CHECK(tree["domain"] == "big.go.jp");
    CHECK(tree["lookups"] == 3);
    CHECK(tree["subtree_lookups"] == 12);
    REQUIRE(tree["children"].size() == 2);
    CHECK(tree["children"][0]["via"] == "include:_a.big.go.jp");
    CHECK(tree["children"][0]["subtree_lookups"] == 6);
    CHECK(tree["children"][0]["children"][0]["domain"] == "_c.big.go.jp");
    CHECK(tree["children"][1]["lookups"] == 3);
}

TEST_CASE("spf check: void lookups, MX names, ptr and its PTR names") {
    test::CannedResolver r;
    r.add(R"(void.go.jp. TXT "v=spf1 a:g1.void.go.jp a:g2.void.go.jp mx:g3.void.go.jp -all")")
        .add(R"(void2.go.jp. TXT "v=spf1 a:g1.void.go.jp a:g2.void.go.jp -all")")
        .add(R"(mx.go.jp. TXT "v=spf1 mx -all")")
        .add(R"(ptr.go.jp. TXT "v=spf1 ptr -all")")
        .add("ptr.go.jp. A 192.0.2.21");
    for (int i = 1; i <= 11; ++i) {
        r.add("mx.go.jp. MX " + std::to_string(i) + " m" + std::to_string(i) + ".mx.go.jp.");
        r.add("21.2.0.192.in-addr.arpa. PTR n" + std::to_string(i) + ".ptr.go.jp.");
    }
    auto v = run_spf(r, "void.go.jp");
    CHECK(ids(v) == Ids{"SPF-VOID-LIMIT"});
    CHECK(v.facts["void_lookups"] == 3);
    CHECK(only(v, "SPF-VOID-LIMIT").evidence["terms"].size() == 3);
    CHECK(ids(run_spf(r, "void2.go.jp")).empty());
    auto mx = run_spf(r, "mx.go.jp");
    CHECK(ids(mx) == Ids{"SPF-MX-LIMIT"});
    CHECK(mx.facts["result"] == "permerror");
    auto ptr = run_spf(r, "ptr.go.jp");
    CHECK(ids(ptr) == Ids{"SPF-PTR", "SPF-PTR-LIMIT"});
    const Finding& pl = only(ptr, "SPF-PTR-LIMIT");
    CHECK(pl.evidence["address"] == "192.0.2.21");
    CHECK(pl.evidence["names"].size() == 11);
    CHECK(ptr.facts["all"] == "-all");
}

TEST_CASE("spf check: over-broad ranges follow the profile's thresholds") {
    test::CannedResolver r;
    r.add(R"(wide.go.jp. TXT "v=spf1 ip4:10.0.0.0/8 ip4:192.0.2.0/20 ip6:2001:db8::/24 ip6:2001:db8:1::/48 -all")");
    auto result = run_spf(r, "wide.go.jp");
    CHECK(ids(result) == Ids{"SPF-OVERBROAD"});
    CHECK(only(result, "SPF-OVERBROAD").evidence["ranges"].size() == 2);
    const Profile strict = Profile::parse(R"({"name":"strict","thresholds":{"spf_overbroad_ipv4":24,"spf_overbroad_ipv6":56}})", "test");
    auto tight = run_spf(r, "wide.go.jp", strict);
    CHECK(only(tight, "SPF-OVERBROAD").evidence["ranges"].size() == 4);
}

TEST_CASE("spf check: type 99 records and answers over 512 bytes") {
    test::CannedResolver r;
    r.add(R"(t99.go.jp. TXT "v=spf1 -all")").add(R"(t99.go.jp. SPF "v=spf1 -all")");
    auto t99 = run_spf(r, "t99.go.jp");
    CHECK(ids(t99) == Ids{"SPF-RR-TYPE99"});
    std::string record = "v=spf1";
    for (int i = 1; i <= 35; ++i) record += " ip4:192.0.2." + std::to_string(100 + i);
    record += " -all";
    std::string rr = "long.go.jp. TXT";
    for (std::size_t i = 0; i < record.size(); i += 250) rr += " \"" + record.substr(i, 250) + "\"";
    r.add(rr);
    auto longer = run_spf(r, "long.go.jp");
    CHECK(ids(longer) == Ids{"SPF-TOO-LONG"});
    CHECK(only(longer, "SPF-TOO-LONG").evidence["bytes"].get<int>() > 512);
    CHECK(longer.facts["record"] == record);
}

TEST_CASE("spf check: lookup failures are operational errors, not findings") {
    test::CannedResolver r;
    r.fail("lame.go.jp", dns::Outcome::timeout)
        .add(R"(inc.go.jp. TXT "v=spf1 include:slow.example.net -all")")
        .fail("slow.example.net", dns::Outcome::answer, LDNS_RCODE_SERVFAIL);
    auto lame = run_spf(r, "lame.go.jp");
    CHECK(lame.status == Status::error);
    CHECK(lame.error.find("lame.go.jp") != std::string::npos);
    CHECK_FALSE(lame.facts.contains("all"));
    auto inc = run_spf(r, "inc.go.jp");
    CHECK(inc.status == Status::error);
    CHECK(inc.error.find("slow.example.net") != std::string::npos);
    auto gone = run_spf(r, "gone.go.jp");
    CHECK(gone.status == Status::error);
    CHECK(gone.error.find("NXDOMAIN") != std::string::npos);
}

TEST_CASE("spf check: checking a zone file offline, includes outside it are not followed") {
    test::CannedResolver r;
    r.add(R"(z.go.jp. TXT "v=spf1 include:_spf.example.net -all")")
        .fail("_spf.example.net", dns::Outcome::answer, LDNS_RCODE_REFUSED);
    auto zone = run_spf(r, "z.go.jp", Profile::load("baseline"), TargetKind::zone);
    CHECK(zone.status == Status::pass);
    CHECK(zone.facts["lookups"] == 1);
    CHECK(zone.facts["all"] == "-all");
    CHECK(run_spf(r, "z.go.jp").status == Status::error);  // online, the same failure is operational
}

}  // namespace mamori
