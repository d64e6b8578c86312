/// \file tests/unit/test_spf_evaluator.cpp — check_host() on canned answers: mechanisms, macros, limits, include/redirect, exp=.
#include "canned_resolver.h"
#include "checks/spf/spf_evaluator.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace mamori::spf {
namespace {

Evaluation eval(test::CannedResolver& r, const std::string& ip, const std::string& sender, const std::string& helo = "mail.example.jp") {
    Request q;
    q.ip = ip;
    q.sender = sender;
    q.helo = helo;
    q.now = std::chrono::system_clock::time_point(std::chrono::seconds(1795000000));
    return Evaluator(r).check_host(q);
}

bool trace_has(const Evaluation& e, const std::string& step, const std::string& text) {
    return std::any_of(e.trace.begin(), e.trace.end(), [&](const TraceStep& s) {
        return s.step == step && (s.detail.find(text) != std::string::npos || s.term.find(text) != std::string::npos);
    });
}

MacroEnv rfc_env(const std::string& ip) {
    MacroEnv env;
    env.ip = *Address::parse(ip);
    env.sender = "strong-bad@email.example.com";
    env.local_part = "strong-bad";
    env.sender_domain = "email.example.com";
    env.domain = "email.example.com";
    env.helo = "mx.example.org";
    env.receiver = "mx.example.net";
    env.now = 1795000000;
    return env;
}

std::string expand(const std::string& text, const MacroEnv& env, MacroUse use = MacroUse::explanation) {
    MacroError e;
    auto m = parse_macro_string(text, use, &e);
    INFO(text, ": ", e.message);
    REQUIRE(m.has_value());
    return expand_macros(*m, env);
}

}  // namespace

TEST_CASE("spf eval: the macro examples of RFC 7208 §7.4") {
    const MacroEnv env = rfc_env("192.0.2.3");
    CHECK(expand("%{s}", env) == "strong-bad@email.example.com");
    CHECK(expand("%{o}", env) == "email.example.com");
    CHECK(expand("%{d}", env) == "email.example.com");
    CHECK(expand("%{d4}", env) == "email.example.com");
    CHECK(expand("%{d3}", env) == "email.example.com");
    CHECK(expand("%{d2}", env) == "example.com");
    CHECK(expand("%{d1}", env) == "com");
    CHECK(expand("%{dr}", env) == "com.example.email");
    CHECK(expand("%{d2r}", env) == "example.email");
    CHECK(expand("%{l}", env) == "strong-bad");
    CHECK(expand("%{l-}", env) == "strong.bad");
    CHECK(expand("%{lr}", env) == "strong-bad");
    CHECK(expand("%{lr-}", env) == "bad.strong");
    CHECK(expand("%{l1r-}", env) == "strong");
    CHECK(expand("%{ir}.%{v}._spf.%{d2}", env) == "3.2.0.192.in-addr._spf.example.com");
    CHECK(expand("%{lr-}.lp._spf.%{d2}", env) == "bad.strong.lp._spf.example.com");
    CHECK(expand("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", env) == "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
    CHECK(expand("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", env) == "3.2.0.192.in-addr.strong.lp._spf.example.com");
    CHECK(expand("%{d2}.trusted-domains.example.net", env) == "example.com.trusted-domains.example.net");
    const MacroEnv env6 = rfc_env("2001:db8::cb01");
    CHECK(expand("%{ir}.%{v}._spf.%{d2}", env6) ==
          "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com");
    CHECK(expand("%{c} %{r} %{t} %{h}", env6) == "2001:db8::cb01 mx.example.net 1795000000 mx.example.org");
    CHECK(expand("%{p}", env) == "unknown");
    CHECK(expand("a%%b%_c%-d", env) == "a%b c%20d");
    MacroEnv odd = env;
    odd.local_part = "~jack&jill=up-a_b3.c";
    CHECK(expand("%{L}", odd) == "~jack%26jill%3Dup-a_b3.c");
    odd.local_part = "foo-bar+zip+quux";
    CHECK(expand("%{l2r+-}", odd) == "bar.foo");
}

TEST_CASE("spf eval: target names: trailing dot, truncation to 253, unusable labels") {
    CHECK(target_name("example.jp.") == "example.jp");
    std::string longer = "x." + std::string(60, 'a') + "." + std::string(60, 'b') + "." + std::string(60, 'c') + "." +
                         std::string(60, 'd') + ".example.jp";
    auto t = target_name(longer);
    REQUIRE(t.has_value());
    CHECK(t->size() <= 253);
    CHECK(t->rfind("example.jp") == t->size() - 10);
    CHECK_FALSE(target_name("mail.example...com"));
    CHECK_FALSE(target_name(std::string(64, 'a') + ".example.com"));
    CHECK_FALSE(target_name(""));
    CHECK(presentation_name("a b%.example.com") == "a\\032b\\037.example.com.");
}

TEST_CASE("spf eval: record selection: none, one, several, version case, timeouts") {
    test::CannedResolver r;
    r.add(R"(one.example.jp. TXT "v=spf1 -all")")
        .add(R"(one.example.jp. TXT "some-verification=abc")")
        .add(R"(two.example.jp. TXT "v=spf1 -all")")
        .add(R"(two.example.jp. TXT "V=SPF1 +all")")
        .add(R"(other.example.jp. TXT "v=spf10 +all")")
        .add(R"(split.example.jp. TXT "v=spf1 ip4:" "192.0.2.5 -all")")
        .add(R"(nospace.example.jp. TXT "v=spf1" "mx")")
        .fail("slow.example.jp", dns::Outcome::timeout)
        .fail("broken.example.jp", dns::Outcome::answer, LDNS_RCODE_SERVFAIL);
    CHECK(eval(r, "192.0.2.1", "a@one.example.jp").result == Result::fail);
    CHECK(eval(r, "192.0.2.1", "a@two.example.jp").result == Result::permerror);
    CHECK(eval(r, "192.0.2.1", "a@other.example.jp").result == Result::none);
    CHECK(eval(r, "192.0.2.1", "a@nxdomain.example.jp").result == Result::none);
    CHECK(eval(r, "192.0.2.5", "a@split.example.jp").result == Result::pass);
    CHECK(eval(r, "192.0.2.5", "a@nospace.example.jp").result == Result::none);
    CHECK(eval(r, "192.0.2.1", "a@slow.example.jp").result == Result::temperror);
    CHECK(eval(r, "192.0.2.1", "a@broken.example.jp").result == Result::temperror);
    CHECK(eval(r, "192.0.2.1", "a@[192.0.2.1]").result == Result::none);
    CHECK(eval(r, "192.0.2.1", "a@single-label").result == Result::none);
    CHECK(eval(r, "192.0.2.1", "a@" + std::string(64, 'x') + ".example.jp").result == Result::none);
    // No sender: the HELO identity, postmaster@helo.
    CHECK(eval(r, "192.0.2.1", "", "one.example.jp").result == Result::fail);
    CHECK(eval(r, "not-an-ip", "a@one.example.jp").result == Result::permerror);
}

TEST_CASE("spf eval: a and mx match by address family with dual CIDR lengths; IPv4-mapped clients are IPv4") {
    test::CannedResolver r;
    r.add(R"(d.example.jp. TXT "v=spf1 a/24//64 -all")")
        .add("d.example.jp. A 192.0.2.5")
        .add("d.example.jp. AAAA 2001:db8:1234::dead:beef")
        .add(R"(m.example.jp. TXT "v=spf1 mx//0 -all")")
        .add("m.example.jp. MX 10 mail.m.example.jp.")
        .add("mail.m.example.jp. AAAA 2001:db8::25")
        .add(R"(n.example.jp. TXT "v=spf1 mx ?all")")
        .add("n.example.jp. A 192.0.2.9");
    CHECK(eval(r, "192.0.2.200", "a@d.example.jp").result == Result::pass);
    CHECK(eval(r, "192.0.3.1", "a@d.example.jp").result == Result::fail);
    CHECK(eval(r, "2001:db8:1234::1", "a@d.example.jp").result == Result::pass);
    CHECK(eval(r, "2001:db8:1235::1", "a@d.example.jp").result == Result::fail);
    CHECK(eval(r, "::ffff:192.0.2.200", "a@d.example.jp").result == Result::pass);
    CHECK(eval(r, "2001:db8:ffff::1", "a@m.example.jp").result == Result::pass);  // //0 matches any AAAA
    CHECK(eval(r, "192.0.2.1", "a@m.example.jp").result == Result::fail);         // no A: no match
    CHECK(eval(r, "::ffff:192.0.2.1", "a@m.example.jp").result == Result::fail);
    // No MX: no fallback to the A record (§5.4).
    CHECK(eval(r, "192.0.2.9", "a@n.example.jp").result == Result::neutral);
}

TEST_CASE("spf eval: include and redirect semantics, exp= of the deciding record only") {
    test::CannedResolver r;
    r.add(R"(ip5.example.jp. TXT "v=spf1 ip4:192.0.2.5 -all")")
        .add(R"(soft.example.jp. TXT "v=spf1 ~all")")
        .add(R"(inc.example.jp. TXT "v=spf1 include:ip5.example.jp -all exp=why.example.jp")")
        .add(R"(why.example.jp. TXT "%{i} may not send as %{d}; at %{t}")")
        .add(R"(incsoft.example.jp. TXT "v=spf1 include:soft.example.jp ?all")")
        .add(R"(incnone.example.jp. TXT "v=spf1 include:nothing.example.jp -all")")
        .add("nothing.example.jp. A 192.0.2.1")
        .add(R"(inctemp.example.jp. TXT "v=spf1 include:slow.example.jp -all")")
        .fail("slow.example.jp", dns::Outcome::timeout)
        .add(R"(red.example.jp. TXT "v=spf1 exp=no.example.jp redirect=ip5.example.jp")")
        .add(R"(rednone.example.jp. TXT "v=spf1 redirect=nothing.example.jp")");
    auto pass = eval(r, "192.0.2.5", "a@inc.example.jp");
    CHECK(pass.result == Result::pass);
    CHECK(pass.lookups == 1);
    REQUIRE(pass.tree.children.size() == 1);
    CHECK(pass.tree.children[0].domain == "ip5.example.jp");
    CHECK(pass.tree.children[0].via == "include:ip5.example.jp");
    auto fail = eval(r, "192.0.2.6", "a@inc.example.jp");
    CHECK(fail.result == Result::fail);
    CHECK(fail.explanation == "192.0.2.6 may not send as inc.example.jp; at 1795000000");
    CHECK(eval(r, "192.0.2.6", "a@incsoft.example.jp").result == Result::neutral);
    auto none = eval(r, "192.0.2.6", "a@incnone.example.jp");
    CHECK(none.result == Result::permerror);
    CHECK(none.reason.find("no SPF record") != std::string::npos);
    CHECK(eval(r, "192.0.2.6", "a@inctemp.example.jp").result == Result::temperror);
    auto red = eval(r, "192.0.2.6", "a@red.example.jp");
    CHECK(red.result == Result::fail);
    CHECK(red.explanation.empty());  // the redirecting record's exp= is not used (§6.2)
    CHECK(red.lookups == 1);
    CHECK(eval(r, "192.0.2.5", "a@red.example.jp").result == Result::pass);
    CHECK(eval(r, "192.0.2.6", "a@rednone.example.jp").result == Result::permerror);
}

TEST_CASE("spf eval: exp= problems only drop the explanation") {
    test::CannedResolver r;
    r.add(R"(e1.example.jp. TXT "v=spf1 -all exp=two.example.jp")")
        .add(R"(two.example.jp. TXT "one")")
        .add(R"(two.example.jp. TXT "two")")
        .add(R"(e2.example.jp. TXT "v=spf1 -all exp=bad.example.jp")")
        .add(R"(bad.example.jp. TXT "The %{x}-files")")
        .add(R"(e3.example.jp. TXT "v=spf1 -all exp=gone.example.jp")")
        .add(R"(e4.example.jp. TXT "v=spf1 -all exp=slow.example.jp")")
        .fail("slow.example.jp", dns::Outcome::timeout)
        .add(R"(e5.example.jp. TXT "v=spf1 -all exp=url.example.jp")")
        .add(R"(url.example.jp. TXT "see http://example.jp/why?s=%{S}&i=%{C}")");
    for (const char* d : {"e1", "e2", "e3", "e4"}) {
        auto e = eval(r, "192.0.2.1", std::string("a@") + d + ".example.jp");
        CHECK(e.result == Result::fail);
        CHECK(e.explanation.empty());
        CHECK(trace_has(e, "explanation", "(§6.2)"));
    }
    auto e5 = eval(r, "2001:db8::1", "a b@e5.example.jp");
    CHECK(e5.explanation == "see http://example.jp/why?s=a%20b%40e5.example.jp&i=2001%3Adb8%3A%3A1");
}

TEST_CASE("spf eval: the limit of 10 DNS-querying terms counts the whole tree, lazily") {
    test::CannedResolver r;
    r.add(R"(at.example.jp. TXT "v=spf1 a include:inc.example.jp ip4:192.0.2.4 mx -all")")
        .add("at.example.jp. A 192.0.2.1")
        .add(R"(inc.example.jp. TXT "v=spf1 a a a a a a a a")")
        .add("inc.example.jp. A 192.0.2.10")
        .add(R"(over.example.jp. TXT "v=spf1 a include:inc.example.jp a ip4:192.0.2.4 -all")")
        .add("over.example.jp. A 192.0.2.21")
        .add(R"(loop.example.jp. TXT "v=spf1 ip4:198.51.100.1 redirect=loop.example.jp")");
    auto at = eval(r, "192.0.2.4", "a@at.example.jp");
    CHECK(at.result == Result::pass);
    CHECK(at.lookups == 10);
    CHECK(at.tree.subtree_lookups() == 10);
    auto over = eval(r, "192.0.2.4", "a@over.example.jp");
    CHECK(over.result == Result::permerror);
    CHECK(over.lookups == 11);
    CHECK(trace_has(over, "limit", "exceeds the limit of 10"));
    auto loop = eval(r, "192.0.2.4", "a@loop.example.jp");
    CHECK(loop.result == Result::permerror);
    CHECK(loop.lookups == 11);
}

TEST_CASE("spf eval: void lookups, MX names and PTR names are limited") {
    test::CannedResolver r;
    r.add(R"(v2.example.jp. TXT "v=spf1 a:gone1.example.jp a:gone2.example.jp ?all")")
        .add(R"(v3.example.jp. TXT "v=spf1 a:gone1.example.jp a:gone2.example.jp a:gone3.example.jp ?all")")
        .add(R"(mx11.example.jp. TXT "v=spf1 mx")")
        .add(R"(ptr.example.jp. TXT "v=spf1 ptr")");
    for (int i = 0; i < 11; ++i) {
        r.add("mx11.example.jp. MX " + std::to_string(i) + " h" + std::to_string(i) + ".example.jp.");
        r.add("h" + std::to_string(i) + ".example.jp. A 192.0.2.5");
        r.add("5.2.0.192.in-addr.arpa. PTR h" + std::to_string(i) + ".example.jp.");
    }
    r.add("ptr.example.jp. A 192.0.2.5");
    r.add("5.2.0.192.in-addr.arpa. PTR ptr.example.jp.");  // the 12th name: never checked
    auto v2 = eval(r, "192.0.2.1", "a@v2.example.jp");
    CHECK(v2.result == Result::neutral);
    CHECK(v2.void_lookups == 2);
    auto v3 = eval(r, "192.0.2.1", "a@v3.example.jp");
    CHECK(v3.result == Result::permerror);
    CHECK(v3.void_lookups == 3);
    auto mx = eval(r, "192.0.2.5", "a@mx11.example.jp");
    CHECK(mx.result == Result::permerror);
    CHECK(trace_has(mx, "limit", "11 MX records"));
    auto ptr = eval(r, "192.0.2.5", "a@ptr.example.jp");
    CHECK(ptr.result == Result::neutral);
    CHECK(trace_has(ptr, "limit", "only the first 10"));
}

TEST_CASE("spf eval: ptr validates names; %{p} prefers the domain's own names; lookup errors skip") {
    test::CannedResolver r;
    r.add(R"(p.example.jp. TXT "v=spf1 ptr -all exp=msg.example.jp")")
        .add(R"(msg.example.jp. TXT "connect from %{p}")")
        .add("40.2.0.192.in-addr.arpa. PTR mx.example.net.")
        .add("40.2.0.192.in-addr.arpa. PTR mx.p.example.jp.")
        .add("40.2.0.192.in-addr.arpa. PTR fake.p.example.jp.")
        .add("mx.example.net. A 192.0.2.40")
        .add("mx.p.example.jp. A 192.0.2.40")
        .add("fake.p.example.jp. A 192.0.2.99")
        .add("41.2.0.192.in-addr.arpa. PTR liar.p.example.jp.")
        .add("liar.p.example.jp. A 192.0.2.99")
        .add("42.2.0.192.in-addr.arpa. PTR broken.p.example.jp.")
        .fail("broken.p.example.jp", dns::Outcome::timeout);
    CHECK(eval(r, "192.0.2.40", "a@p.example.jp").result == Result::pass);
    auto liar = eval(r, "192.0.2.41", "a@p.example.jp");
    CHECK(liar.result == Result::fail);
    CHECK(liar.explanation == "connect from unknown");
    CHECK(eval(r, "192.0.2.42", "a@p.example.jp").result == Result::fail);  // not temperror (§5.5)
    r.add(R"(q.example.jp. TXT "v=spf1 -all exp=msg.example.jp")");
    CHECK(eval(r, "192.0.2.40", "a@q.example.jp").explanation == "connect from mx.example.net");
    CHECK(eval(r, "192.0.2.40", "a@p.example.jp", "x").explanation.empty());  // pass: no explanation
}

TEST_CASE("spf eval: exists always asks A; temperror on failures; the JSON shape") {
    test::CannedResolver r;
    r.add(R"(x.example.jp. TXT "v=spf1 exists:%{ir}.bl.example.jp -all")")
        .add("1.2.0.192.bl.example.jp. A 127.0.0.2")
        .add(R"(t.example.jp. TXT "v=spf1 exists:slow.example.jp -all")")
        .fail("slow.example.jp", dns::Outcome::answer, LDNS_RCODE_SERVFAIL);
    auto e = eval(r, "192.0.2.1", "a@x.example.jp");
    CHECK(e.result == Result::pass);
    CHECK(eval(r, "192.0.2.2", "a@x.example.jp").result == Result::fail);
    CHECK(eval(r, "2001:db8::1", "a@x.example.jp").result == Result::fail);
    CHECK(eval(r, "192.0.2.1", "a@t.example.jp").result == Result::temperror);
    const auto asked = r.asked();
    CHECK(std::count(asked.begin(), asked.end(), std::make_pair(std::string("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example.jp."),
                                                                LDNS_RR_TYPE_A)) == 1);
    const Json j = e.to_json();
    CHECK(j["result"] == "pass");
    CHECK(j["explanation"] == "");
    CHECK(j["lookups"] == 1);
    CHECK(j["void_lookups"] == 0);
    REQUIRE(j["trace"].is_array());
    CHECK(j.size() == 5);
    CHECK(j["trace"][0].contains("step"));
    CHECK(e.tree.to_json()["subtree_lookups"] == 1);
}

}  // namespace mamori::spf
