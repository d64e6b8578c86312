/// \file tests/unit/test_spf_record.cpp — the SPF record parser: every mechanism and modifier, macros, errors with offsets, hostile input.
#include "checks/spf/spf_record.h"

#include <doctest/doctest.h>

#include <random>
#include <string>

namespace mamori::spf {
namespace {

Record parsed(const std::string& text) {
    auto r = parse_record(text);
    INFO(text, " → ", r.error ? r.error->describe() : std::string());
    REQUIRE(r.ok());
    return *r.record;
}

ParseError error_of(const std::string& text) {
    auto r = parse_record(text);
    INFO(text);
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.error.has_value());
    return *r.error;
}

}  // namespace

TEST_CASE("spf record: the version must be v=spf1 (any case) followed by a space or the end") {
    CHECK(is_spf_record("v=spf1"));
    CHECK(is_spf_record("v=spf1 -all"));
    CHECK(is_spf_record("V=SpF1 mx"));
    CHECK_FALSE(is_spf_record("v=spf10"));
    CHECK_FALSE(is_spf_record("v=spf1mx"));
    CHECK_FALSE(is_spf_record(" v=spf1 -all"));
    CHECK_FALSE(is_spf_record("v=spf2.0/pra"));
    CHECK_FALSE(is_spf_record(""));
    CHECK(error_of("v=spf2 -all").offset == 1);
    CHECK(parsed("v=spf1").mechanisms.empty());
    CHECK(parsed("v=spf1   mx    -all   ").mechanisms.size() == 2);  // several spaces, trailing spaces
}

TEST_CASE("spf record: every mechanism with qualifiers, domains and CIDR lengths") {
    const Record r = parsed("v=spf1 +all -include:_spf.example.jp ~a ?a:mail.example.jp a/24 a:x.example.jp/24//64 a//64 "
                            "mx mx:mx.example.jp/28 ptr ptr:example.jp ip4:192.0.2.0/24 ip4:192.0.2.1 ip6:2001:db8::/32 "
                            "ip6:2001:db8::1 exists:%{i}.bl.example.jp");
    REQUIRE(r.mechanisms.size() == 16);
    const auto& m = r.mechanisms;
    CHECK(m[0].kind == MechanismKind::all);
    CHECK(m[0].qualifier == Qualifier::pass);
    CHECK(m[1].kind == MechanismKind::include);
    CHECK(m[1].qualifier == Qualifier::fail);
    CHECK(m[1].domain_spec == "_spf.example.jp");
    CHECK(m[2].kind == MechanismKind::a);
    CHECK(m[2].qualifier == Qualifier::softfail);
    CHECK(m[2].domain_spec.empty());
    CHECK(m[3].qualifier == Qualifier::neutral);
    CHECK(m[3].domain_spec == "mail.example.jp");
    CHECK(m[4].cidr4 == 24);
    CHECK(m[4].cidr6 == 128);
    CHECK(m[5].domain_spec == "x.example.jp");
    CHECK(m[5].cidr4 == 24);
    CHECK(m[5].cidr6 == 64);
    CHECK(m[6].cidr4 == 32);
    CHECK(m[6].cidr6 == 64);
    CHECK(m[7].kind == MechanismKind::mx);
    CHECK(m[8].domain_spec == "mx.example.jp");
    CHECK(m[8].cidr4 == 28);
    CHECK(m[9].kind == MechanismKind::ptr);
    CHECK(m[10].domain_spec == "example.jp");
    CHECK(m[11].kind == MechanismKind::ip4);
    CHECK(m[11].network.to_string() == "192.0.2.0");
    CHECK(m[11].cidr4 == 24);
    CHECK(m[12].cidr4 == 32);
    CHECK(m[13].kind == MechanismKind::ip6);
    CHECK(m[13].network.to_string() == "2001:db8::");
    CHECK(m[13].cidr6 == 32);
    CHECK(m[14].cidr6 == 128);
    CHECK(m[15].kind == MechanismKind::exists);
    CHECK(m[15].target.has_macros());
    CHECK(m[15].text == "exists:%{i}.bl.example.jp");
    int queries = 0;
    for (const auto& x : m) queries += x.queries_dns() ? 1 : 0;
    CHECK(queries == 11);
    CHECK(r.all() == &m[0]);
}

TEST_CASE("spf record: mechanism names and modifiers are case-insensitive; offsets are 1-based") {
    const Record r = parsed("v=spf1 MX -ALL Redirect=_spf.example.jp EXP=exp.example.jp Foo.Bar-x_y=anything%%");
    REQUIRE(r.mechanisms.size() == 2);
    CHECK(r.mechanisms[0].offset == 8);
    CHECK(r.mechanisms[1].offset == 11);
    REQUIRE(r.redirect.has_value());
    CHECK(r.redirect->name == "redirect");
    CHECK(r.redirect->value == "_spf.example.jp");
    CHECK(r.redirect->offset == 16);
    REQUIRE(r.exp.has_value());
    CHECK(r.exp->value == "exp.example.jp");
    REQUIRE(r.unknown_modifiers.size() == 1);
    CHECK(r.unknown_modifiers[0].name == "foo.bar-x_y");
    CHECK(r.dns_terms() == 1);  // redirect never takes effect beside all
    CHECK(parsed("v=spf1 mx redirect=x.example.jp").dns_terms() == 2);
}

TEST_CASE("spf record: errors name the term and its offset") {
    struct Case {
        const char* record;
        const char* term;
        std::size_t offset;
        const char* words;
    };
    const Case cases[] = {
        {"v=spf1 a:foo-bar -all", "a:foo-bar", 8, "top-level"},
        {"v=spf1 mx  ip4:192.0.2.300 -all", "ip4:192.0.2.300", 12, "IPv4"},
        {"v=spf1 ip4:1.2.3.4 -all moo", "moo", 25, "unknown mechanism"},
        {"v=spf1 -all.", "-all.", 8, "unknown mechanism"},
        {"v=spf1 -all:foo", "-all:foo", 8, "no argument"},
        {"v=spf1 -all/8", "-all/8", 8, "no argument"},
        {"v=spf1 a/33", "a/33", 8, "IPv4 CIDR"},
        {"v=spf1 a//129", "a//129", 8, "IPv6 CIDR"},
        {"v=spf1 a/24/64", "a/24/64", 8, "CIDR"},
        {"v=spf1 ip4:1.2.3.4/032", "ip4:1.2.3.4/032", 8, "CIDR"},
        {"v=spf1 ip4:1.2.3.4//32", "ip4:1.2.3.4//32", 8, "IPv4"},
        {"v=spf1 ip4:1.2.3", "ip4:1.2.3", 8, "IPv4"},
        {"v=spf1 ip4:01.2.3.4", "ip4:01.2.3.4", 8, "IPv4"},
        {"v=spf1 ip4", "ip4", 8, "needs"},
        {"v=spf1 ip6::CAFE::BABE", "ip6::CAFE::BABE", 8, "IPv6"},
        {"v=spf1 ip6:::1/129", "ip6:::1/129", 8, "CIDR"},
        {"v=spf1 ptr/0", "ptr/0", 8, "ptr"},
        {"v=spf1 include", "include", 8, "needs"},
        {"v=spf1 include:", "include:", 8, "empty"},
        {"v=spf1 include:ip5.example.com/24", "include:ip5.example.com/24", 8, "top-level"},
        {"v=spf1 exists", "exists", 8, "needs"},
        {"v=spf1 a:museum", "a:museum", 8, "top-level"},
        {"v=spf1 a:museum.", "a:museum.", 8, "top-level"},
        {"v=spf1 a:111.222.33.44", "a:111.222.33.44", 8, "top-level"},
        {"v=spf1 a:example.-com", "a:example.-com", 8, "top-level"},
        {"v=spf1 a:example.com:8080", "a:example.com:8080", 8, "top-level"},
        {"v=spf1 redirect:x.example.com", "redirect:x.example.com", 8, "unknown mechanism"},
        {"v=spf1 =all", "=all", 8, "missing modifier name"},
        {"v=spf1 1up=foo", "1up=foo", 8, "invalid modifier name"},
        {"v=spf1 moo.cow/far_out=man:dog/cat", "moo.cow/far_out=man:dog/cat", 8, "unknown mechanism"},
        {"v=spf1 -all foo=%abc", "foo=%abc", 13, "'%'"},
        {"v=spf1 exp= -all", "exp=", 8, "empty"},
        {"v=spf1 exp=-all", "exp=-all", 8, "top-level"},
        {"v=spf1 ?all redirect=", "redirect=", 13, "empty"},
        {"v=spf1 exp=a.example.com exp=b.example.com", "exp=b.example.com", 26, "more than once"},
        {"v=spf1 redirect=a.example.com -all redirect=a.example.com", "redirect=a.example.com", 36, "more than once"},
        {"v=spf1 -all exp=%{r}.example.com", "exp=%{r}.example.com", 13, "explanation text"},
        {"v=spf1 a:%{a}.example.com", "a:%{a}.example.com", 8, "unknown macro letter"},
        {"v=spf1 exists:%{d0}.example.com", "exists:%{d0}.example.com", 8, "zero"},
        {"v=spf1 exists:%(ir).sbl.example.com", "exists:%(ir).sbl.example.com", 8, "'%'"},
        {"v=spf1 exists:foo%.sbl.example.com", "exists:foo%.sbl.example.com", 8, "'%'"},
        {"v=spf1 exists:%{ir.sbl.example.com", "exists:%{ir.sbl.example.com", 8, "macro"},
        {"v=spf1 a:ctrl.example.com\rptr -all", "a:ctrl.example.com\rptr", 8, "\\x0D"},
        {"v=spf1 ip4:192.0.2.5\n include:x.example.com", "ip4:192.0.2.5\n", 8, "\\x0A"},
        {"v=spf1 a:foo.example.com\xEF\xBB\xBF", "a:foo.example.com\xEF\xBB\xBF", 8, "\\xEF"},
        {"v=spf1 +", "+", 8, "missing mechanism"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.record);
        const ParseError e = error_of(c.record);
        CHECK(e.term == c.term);
        CHECK(e.offset == c.offset);
        const std::string text = e.describe();
        CHECK(text.find(c.words) != std::string::npos);
        CHECK(text.find("offset " + std::to_string(c.offset)) != std::string::npos);
        for (char ch : text) CHECK((static_cast<unsigned char>(ch) >= 0x20 || ch == ' '));  // printable
    }
}

TEST_CASE("spf record: domain-specs and top labels (§7.1)") {
    MacroError e;
    CHECK(parse_domain_spec("example.jp", &e));
    CHECK(parse_domain_spec("example.jp.", &e));
    CHECK(parse_domain_spec("foo.example.xn--zckzah", &e));
    CHECK(parse_domain_spec("foo:bar/baz.example.com", &e));
    CHECK(parse_domain_spec("%{d}", &e));
    CHECK(parse_domain_spec("_spfh.%{d2}", &e));
    CHECK(parse_domain_spec("mail.example...com", &e));  // valid syntax; not a usable name
    CHECK(parse_domain_spec("a.123-456", &e));           // the second toplabel form needs no letter
    CHECK_FALSE(parse_domain_spec("", &e));
    CHECK_FALSE(parse_domain_spec("%{d}x", &e));
    CHECK_FALSE(parse_domain_spec("example.-com", &e));
    CHECK_FALSE(parse_domain_spec("example.com-", &e));
    CHECK_FALSE(parse_domain_spec("abc.123", &e));
    CHECK(e.message.find("top-level label") != std::string::npos);
}

TEST_CASE("spf record: macro-strings: letters, transformers, delimiters, escapes") {
    MacroError e;
    auto m = parse_macro_string("%{L2r+-}.%{d}%%%_%-x", MacroUse::domain_spec, &e);
    REQUIRE(m.has_value());
    REQUIRE(m->tokens.size() == 7);
    CHECK(m->tokens[0].kind == MacroToken::Kind::macro);
    CHECK(m->tokens[0].letter == 'l');
    CHECK(m->tokens[0].url_escape);
    CHECK(m->tokens[0].digits == 2);
    CHECK(m->tokens[0].reverse);
    CHECK(m->tokens[0].delimiters == "+-");
    CHECK(m->tokens[1].text == ".");
    CHECK_FALSE(m->tokens[2].url_escape);
    CHECK(m->tokens[3].kind == MacroToken::Kind::percent);
    CHECK(m->tokens[4].kind == MacroToken::Kind::space);
    CHECK(m->tokens[5].kind == MacroToken::Kind::url_space);
    CHECK(m->tokens[6].text == "x");
    for (char letter : std::string("slodiphvSLODIPHV")) CHECK(parse_macro_string(std::string("%{") + letter + "}", MacroUse::domain_spec, &e));
    for (char letter : std::string("crtCRT")) {
        CHECK_FALSE(parse_macro_string(std::string("%{") + letter + "}", MacroUse::domain_spec, &e));
        CHECK(parse_explanation(std::string("%{") + letter + "}", &e));
    }
    CHECK_FALSE(parse_macro_string("%{x}", MacroUse::explanation, &e));
    CHECK(parse_explanation("Mail from %{i} refused; see http://x/%{l}", &e));
    CHECK_FALSE(parse_macro_string("has space", MacroUse::domain_spec, &e));
    CHECK_FALSE(parse_explanation("The %{x}-files.", &e));
    CHECK_FALSE(parse_explanation("bad \x01 control", &e));
    CHECK_FALSE(parse_macro_string("%", MacroUse::domain_spec, &e));
    CHECK_FALSE(parse_macro_string("%{", MacroUse::domain_spec, &e));
    CHECK_FALSE(parse_macro_string("%{d", MacroUse::domain_spec, &e));
    CHECK_FALSE(parse_macro_string("%{d2x}", MacroUse::domain_spec, &e));
    CHECK(e.position == 4);
    auto big = parse_macro_string("%{d999999999999}", MacroUse::domain_spec, &e);  // saturates, never overflows
    REQUIRE(big.has_value());
    CHECK(big->tokens[0].digits == 1000);
}

TEST_CASE("spf record: addresses and CIDR matching; IPv4-mapped clients are IPv4") {
    auto v4 = Address::parse("192.0.2.100");
    auto mapped = Address::parse("::FFFF:192.0.2.100");
    auto v6 = Address::parse("2001:db8:1234::cafe");
    REQUIRE(v4);
    REQUIRE(mapped);
    REQUIRE(v6);
    CHECK(*v4 == *mapped);
    CHECK_FALSE(mapped->v6);
    CHECK(v6->v6);
    CHECK(v6->to_string() == "2001:db8:1234::cafe");
    auto net = parse_record("v=spf1 ip4:192.0.2.64/26 ip6:2001:db8:1234::/48").record;
    REQUIRE(net);
    CHECK(v4->in(net->mechanisms[0].network, 26));
    CHECK_FALSE(v4->in(net->mechanisms[0].network, 27));
    CHECK(v4->in(net->mechanisms[0].network, 0));
    CHECK_FALSE(v6->in(net->mechanisms[0].network, 0));  // families never match
    CHECK(v6->in(net->mechanisms[1].network, 48));
    CHECK_FALSE(Address::parse("192.0.2"));
    CHECK_FALSE(Address::parse("example.jp"));
    CHECK_FALSE(Address::parse(""));
}

TEST_CASE("spf record: hostile input never crashes and always yields a record or an error") {
    std::mt19937 rng(7208);
    static const char letters[] = "v=spf1 :/%{}.-+~?aimxptr46lsodhcv_0123456789\x00\xff\r\nincludeexistsredirectexp";
    const std::string alphabet(letters, sizeof letters - 1);
    for (int i = 0; i < 3000; ++i) {
        std::string text = "v=spf1 ";
        const int len = static_cast<int>(rng() % 80);
        for (int j = 0; j < len; ++j) text.push_back(alphabet[rng() % alphabet.size()]);
        auto r = parse_record(text);
        CHECK(r.ok() != r.error.has_value());
        if (r.error) CHECK(r.error->offset >= 1);
    }
    std::string huge = "v=spf1";
    for (int i = 0; i < 5000; ++i) huge += " ip4:192.0.2." + std::to_string(i % 256);
    CHECK(parse_record(huge).ok());
    static const char nul[] = "v=spf1 a:\0x.example.com";
    CHECK_FALSE(parse_record(std::string(nul, sizeof nul - 1)).ok());
    CHECK_FALSE(parse_record("v=spf1 " + std::string(100000, '%')).ok());
}

}  // namespace mamori::spf
