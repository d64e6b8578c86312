/// \file tests/unit/test_rpki_data.cpp — prefixes, the VRP table, VRP files, route files and the prefix trie.
#include "core/clock.h"
#include "rpki/error.h"
#include "rpki/prefix.h"
#include "rpki/route_file.h"
#include "rpki/rtrlib_glue.h"
#include "rpki/vrp_file.h"
#include "rpki/vrp_table.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>

namespace mamori::rpki {
namespace {

Prefix P(const std::string& text) {
    auto p = parse_prefix(text);
    REQUIRE_MESSAGE(p.has_value(), text);
    return *p;
}

Prefix A(const std::string& text) {
    auto p = parse_address(text);
    REQUIRE_MESSAGE(p.has_value(), text);
    return *p;
}

/// The message of the DataError `parse` throws ("" when it throws none).
template <typename F>
std::string data_error(F&& parse) {
    try {
        parse();
    } catch (const DataError& e) {
        return e.what();
    }
    return "";
}

std::shared_ptr<const VrpTable> world_vrps() {
    return VrpTable::build({{P("127.53.30.0/24"), 24, 64501}, {P("127.53.60.0/22"), 22, 64503},
                            {P("127.53.0.0/22"), 24, 64497}, {P("127.53.99.0/24"), 24, 0},
                            {P("2001:db8::/32"), 48, 64500}, {P("127.53.20.0/24"), 24, 64500},
                            {P("127.53.20.0/24"), 24, 64500}},
                           VrpInfo{"test", "test", std::nullopt, 7});
}

}  // namespace

TEST_CASE("rpki prefix: parsing, printing and containment") {
    CHECK(P("192.0.2.0/24").to_string() == "192.0.2.0/24");
    CHECK(P("2001:DB8::/32").to_string() == "2001:db8::/32");
    CHECK(P("0.0.0.0/0").length == 0);
    CHECK(P("192.0.2.0/24").contains(A("192.0.2.200")));
    CHECK_FALSE(P("192.0.2.0/24").contains(A("192.0.3.1")));
    CHECK_FALSE(P("192.0.2.0/24").contains(A("2001:db8::1")));
    CHECK(P("2001:db8::/32").contains(P("2001:db8:1::/48")));
    CHECK(P("192.0.2.0/24").size() == 256);
    std::string why;
    CHECK_FALSE(parse_prefix("192.0.2.1/24", &why));
    CHECK(why.find("host bits") != std::string::npos);
    CHECK(parse_prefix("192.0.2.1/24", nullptr, true)->to_string() == "192.0.2.0/24");
    CHECK_FALSE(parse_prefix("192.0.2.0/33"));
    CHECK_FALSE(parse_prefix("192.0.2.0/"));
    CHECK_FALSE(parse_prefix("192.0.2/24"));
    CHECK_FALSE(parse_prefix("256.0.2.0/24"));
    CHECK_FALSE(parse_prefix("1.2.3.4.5/32"));
    CHECK_FALSE(parse_prefix("2001:db8::/129"));
    CHECK_FALSE(parse_prefix("garbage"));
    CHECK(parse_asn("AS64500") == 64500u);
    CHECK(parse_asn("as64500") == 64500u);
    CHECK(parse_asn("64500") == 64500u);
    CHECK(parse_asn("1.10") == 65546u);
    CHECK(parse_asn("4294967295") == 4294967295u);
    CHECK_FALSE(parse_asn("4294967296"));
    CHECK_FALSE(parse_asn("AS"));
    CHECK_FALSE(parse_asn("-1"));
    CHECK_FALSE(parse_asn("64500x"));
}

TEST_CASE("rpki prefix: conversion to RTRlib's addresses agrees with RTRlib's own parser") {
    for (const char* text : {"127.53.30.7", "0.0.0.0", "255.255.255.255", "2001:db8:1::1", "::1", "fe80::1:2:3:4"}) {
        lrtr_ip_addr theirs{};
        REQUIRE(lrtr_ip_str_to_addr(text, &theirs) == 0);
        const lrtr_ip_addr ours = to_lrtr(A(text));
        CHECK(lrtr_ip_addr_equal(ours, theirs));
        CHECK(from_lrtr(theirs, A(text).length) == A(text));
    }
}

TEST_CASE("rpki vrp table: RFC 6811 states with the VRPs that decided them") {
    auto t = world_vrps();
    CHECK(t->size() == 6);  // the duplicate is dropped
    auto valid = t->validate(P("127.53.20.0/24"), 64500);
    CHECK(valid.state == State::valid);
    REQUIRE(valid.vrps.size() == 1);
    CHECK(valid.vrps[0].to_string() == "127.53.20.0/24-24 AS64500");

    auto origin = t->validate(P("127.53.30.0/24"), 64502);
    CHECK(origin.state == State::invalid);
    REQUIRE(origin.vrps.size() == 1);
    CHECK(origin.vrps[0].asn == 64501);

    auto length = t->validate(P("127.53.61.0/24"), 64503);
    CHECK(length.state == State::invalid);
    REQUIRE(length.vrps.size() == 1);
    CHECK(length.vrps[0].to_string() == "127.53.60.0/22-22 AS64503");
    CHECK(t->validate(P("127.53.60.0/22"), 64503).state == State::valid);

    CHECK(t->validate(P("127.53.40.0/24"), 64504).state == State::not_found);
    CHECK(t->validate(P("127.53.40.0/24"), 64504).vrps.empty());
    CHECK(t->validate(P("127.53.99.0/24"), 64506).state == State::invalid);
    CHECK(t->validate(P("127.53.2.0/24"), 64497).state == State::valid);
    CHECK(t->validate(P("2001:db8:1::/48"), 64500).state == State::valid);
    CHECK(t->validate(P("2001:db8:1:1::/64"), 64500).state == State::invalid);
    CHECK(t->validate(P("2001:db8:2::/48"), 64502).state == State::invalid);
    CHECK(t->state(P("127.53.30.0/24"), 64501) == State::valid);
}

TEST_CASE("rpki vrp table: AS_SET origins, covering VRPs and per-AS lists") {
    auto t = world_vrps();
    CHECK(t->validate_as_set(P("127.53.20.0/24")).state == State::invalid);
    CHECK(t->validate_as_set(P("127.53.51.0/24")).state == State::not_found);
    auto cover = t->covering(P("127.53.1.0/24"));
    REQUIRE(cover.size() == 1);
    CHECK(cover[0].asn == 64497);
    CHECK(t->of_asn(64500).size() == 2);
    CHECK(t->of_asn(64501).size() == 1);
    CHECK(t->of_asn(65000).empty());
    CHECK(t->of_asn(0).size() == 1);
}

TEST_CASE("rpki vrp files: every format gives the same VRPs") {
    const std::string client = R"({"metadata": {"buildtime": "2026-11-22T00:00:00Z"},
  "roas": [
    { "asn": 64501, "prefix": "127.53.30.0/24", "maxLength": 24, "ta": "test", "expires": 2114380800 },
    { "asn": 64500, "prefix": "2001:db8::/32", "maxLength": 48, "ta": "test", "expires": 2114380800 }
  ]})";
    const std::string routinator = R"({"metadata": {"generated": 1795305600, "generatedTime": "2026-11-22T00:00:00Z"},
  "roas": [{"asn": "AS64501", "prefix": "127.53.30.0/24", "maxLength": 24, "ta": "test"},
           {"asn": "AS64500", "prefix": "2001:db8::/32", "maxLength": 48, "ta": "test"}]})";
    const std::string jsonext = R"({"metadata": {"generatedTime": "2026-11-22T00:00:00Z"},
  "roas": [{"asn": "AS64501", "prefix": "127.53.30.0/24", "maxLength": 24, "source": [{"type": "roa", "tal": "test"}]},
           {"asn": "AS64500", "prefix": "2001:db8::/32", "maxLength": 48, "source": [{"type": "roa", "tal": "test"}]}]})";
    const std::string array = R"([{"prefix":"127.53.30.0/24","maxLength":24,"asn":"64501"},
                                  {"prefix":"2001:db8::/32","maxLength":48,"asn":"64500"}])";
    const std::string csv = "ASN,IP Prefix,Max Length,Trust Anchor\nAS64501,127.53.30.0/24,24,test\nAS64500,2001:db8::/32,48,test\n";
    const std::string ripe = "\xEF\xBB\xBF\"ASN\",\"IP Prefix\",\"Max Length\",\"Trust Anchor\"\r\n"
                             "\"AS64501\",\"127.53.30.0/24\",\"24\",\"test\"\r\n\"AS64500\",\"2001:db8::/32\",\"48\",\"test\"\r\n";
    const std::vector<Vrp> expected{{P("127.53.30.0/24"), 24, 64501}, {P("2001:db8::/32"), 48, 64500}};
    const auto buildtime = *parse_rfc3339("2026-11-22T00:00:00Z");
    struct Case { const std::string* text; const char* format; bool timed; };
    for (const Case& c : {Case{&client, "rpki-client JSON", true}, Case{&routinator, "Routinator JSON", true},
                          Case{&jsonext, "Routinator jsonext", true}, Case{&array, "JSON array of VRPs", false},
                          Case{&csv, "CSV (4 columns)", false}, Case{&ripe, "CSV (4 columns)", false}}) {
        CAPTURE(c.format);
        VrpFile f = parse_vrps(*c.text, "test");
        CHECK(f.vrps == expected);
        CHECK(f.info.format == c.format);
        CHECK(f.info.entries == 2);
        CHECK(f.info.build_time.has_value() == c.timed);
        if (c.timed) CHECK(*f.info.build_time == buildtime);
    }
}

TEST_CASE("rpki vrp files: garbage is an error naming the file and line") {
    auto e = data_error([] { parse_vrps("{\"roas\": [\n{\"asn\": 1, \"prefix\": \"10.0.0.0/8\", \"maxLength\": 8},\n{\"asn\": 2, \"pre", "v.json"); });
    CHECK(e.starts_with("v.json:3:"));
    e = data_error([] { parse_vrps("{\"roas\": [\n{\"asn\": 1, \"prefix\": \"10.0.0.0/8\", \"maxLength\": 8},\n"
                                   "{\"asn\": 2, \"prefix\": \"10.0.0.1/8\", \"maxLength\": 8}]}", "v.json"); });
    CHECK(e.starts_with("v.json:3:"));
    CHECK(e.find("host bits") != std::string::npos);
    e = data_error([] { parse_vrps("{\"roas\": [\n\n{\"asn\": 1, \"prefix\": \"10.0.0.0/16\", \"maxLength\": 8}]}", "v.json"); });
    CHECK(e.starts_with("v.json:3:"));
    CHECK(e.find("maxLength 8") != std::string::npos);
    e = data_error([] { parse_vrps("{\"roas\": [{\"asn\": \"ASX\", \"prefix\": \"10.0.0.0/8\", \"maxLength\": 8}]}", "v.json"); });
    CHECK(e.find("not an AS number") != std::string::npos);
    e = data_error([] { parse_vrps("{\"roas\": [{\"asn\": 1, \"prefix\": \"10.0.0.0/8\"}]}", "v.json"); });
    CHECK(e.find("without \"maxLength\"") != std::string::npos);
    CHECK(data_error([] { parse_vrps("{\"metadata\": {}}", "v.json"); }).find("no \"roas\"") != std::string::npos);
    CHECK(data_error([] { parse_vrps("{\"roas\": []} x", "v.json"); }).find("v.json:1:") == 0);
    CHECK(data_error([] { parse_vrps("", "v.json"); }) == "v.json: empty VRP file");
    CHECK(data_error([] { parse_vrps("[{\"prefix\": 7}]", "v.json"); }).find("\"prefix\" is not a string") != std::string::npos);
    CHECK(data_error([] { parse_vrps("{\"metadata\": {\"buildtime\": \"yesterday\"}, \"roas\": []}", "v.json"); })
              .find("not an RFC 3339 time") != std::string::npos);

    e = data_error([] { parse_vrps("ASN,IP Prefix,Max Length\nAS1,10.0.0.0/8,8\nAS2,10.1.0.0/16\n", "v.csv"); });
    CHECK(e == "v.csv:3: expected 3 comma-separated fields, found 2");
    e = data_error([] { parse_vrps("ASN,IP Prefix,Max Length\nASx,10.0.0.0/8,8\n", "v.csv"); });
    CHECK(e == "v.csv:2: 'ASx' is not an AS number");
    e = data_error([] { parse_vrps("ASN,IP Prefix,Max Length\n\nAS1,10.0.0.0/8,33\n", "v.csv"); });
    CHECK(e.starts_with("v.csv:3: max length '33'"));
    e = data_error([] { parse_vrps("hello world\n", "v.txt"); });
    CHECK(e.starts_with("v.txt:1: not a VRP file"));
    e = data_error([] { parse_vrps("ASN,IP Prefix,Max Length\n\"AS1,10.0.0.0/8,8\n", "v.csv"); });
    CHECK(e == "v.csv:2: unclosed quote");
}

TEST_CASE("rpki route files: CAIDA pfx2as with multi-origin and AS_SET entries") {
    auto t = parse_routes("192.0.2.0\t24\t64500\n198.51.100.0\t24\t64500_64505\n203.0.113.0\t24\t64500,64505\n"
                          "2001:db8::\t32\t64500_64501,64502\n", "r.pfx2as");
    CHECK(t->size() == 4);
    CHECK(t->info().format == "CAIDA pfx2as");
    auto moas = t->exact(P("198.51.100.0/24"));
    REQUIRE(moas);
    REQUIRE(moas->origins.size() == 2);
    CHECK(moas->origins[0].to_string() == "AS64500");
    CHECK(moas->origins[1].to_string() == "AS64505");
    auto set = t->lookup(A("203.0.113.9"));
    REQUIRE(set);
    REQUIRE(set->origins.size() == 1);
    CHECK(set->origins[0].as_set);
    CHECK(set->origins[0].to_string() == "{AS64500,AS64505}");
    auto v6 = t->lookup(A("2001:db8:ffff::1"));
    REQUIRE(v6);
    REQUIRE(v6->origins.size() == 2);
    CHECK(v6->origins[1].to_string() == "{AS64501,AS64502}");
    CHECK_FALSE(t->lookup(A("192.0.3.1")));
    CHECK(t->originated_by(64500).size() == 4);
    CHECK(t->originated_by(64502).size() == 1);
    CHECK(t->originated_by(1).empty());
}

TEST_CASE("rpki route files: bgpdump -m, pyasn and RIS dumps") {
    auto b = parse_routes("TABLE_DUMP2|1700000000|B|192.0.2.1|64496|198.51.100.0/24|64496 64500|IGP|192.0.2.1|0|0||NAG||\n"
                          "TABLE_DUMP2|1700000000|B|192.0.2.2|64497|198.51.100.0/24|64497 64500|IGP|192.0.2.2|0|0||NAG||\n"
                          "TABLE_DUMP2|1700000000|B|192.0.2.2|64497|198.51.100.0/24|64497 64505|IGP|192.0.2.2|0|0||NAG||\n"
                          "TABLE_DUMP2|1700000000|B|192.0.2.2|64497|203.0.113.0/24|64497 {64501,64502}|IGP|192.0.2.2|0|0||NAG||\n"
                          "BGP4MP|1700000000|W|192.0.2.2|64497|203.0.114.0/24\n"
                          "BGP4MP|1700000000|A|192.0.2.2|64497|2001:db8::/32|64497 64510|IGP|2001:db8::1|0|0||NAG||\n",
                          "rib.txt");
    CHECK(b->info().format == "bgpdump -m");
    CHECK(b->size() == 3);
    auto moas = b->exact(P("198.51.100.0/24"));
    REQUIRE(moas);
    CHECK(moas->origins.size() == 2);  // 64500 seen twice, 64505 once
    CHECK(b->exact(P("203.0.113.0/24"))->origins[0].to_string() == "{AS64501,AS64502}");
    CHECK(b->exact(P("2001:db8::/32"))->origins[0].asns == std::vector<std::uint32_t>{64510});

    auto p = parse_routes("; IP-ASN32-DAT file\n; Prefixes : 2\n;\n1.0.0.0/24\t15169\n2001::/32\t6939\n", "ipasn.dat");
    CHECK(p->info().format == "pyasn");
    CHECK(p->size() == 2);
    CHECK(p->lookup(A("1.0.0.1"))->origins[0].asns[0] == 15169);

    auto r = parse_routes("% RIS dump\n%\n6830\t0.0.0.0/0\t1\n3356\t0.0.0.0/0\t1\n2914\t2001:218:3004:200::/56\t21\n", "ris.txt");
    CHECK(r->info().format == "RIS whois dump");
    CHECK(r->size() == 2);
    CHECK(r->exact(P("0.0.0.0/0"))->origins.size() == 2);
    CHECK(r->lookup(A("8.8.8.8"))->prefix == P("0.0.0.0/0"));
}

TEST_CASE("rpki route files: garbage is an error naming the file and line") {
    auto e = data_error([] { parse_routes("192.0.2.0\t24\t64500\n192.0.3.0\t24\n", "r.pfx2as"); });
    CHECK(e == "r.pfx2as:2: expected prefix<TAB>length<TAB>origin, found '192.0.3.0\\x0924'");
    e = data_error([] { parse_routes("192.0.2.0\t24\t64500\n\n192.0.3.0\t24\tAS-FOO\n", "r.pfx2as"); });
    CHECK(e == "r.pfx2as:3: 'AS-FOO' is not an origin AS");
    e = data_error([] { parse_routes("192.0.2.0\t24\t64500\n192.0.3.1\t24\t64500\n", "r.pfx2as"); });
    CHECK(e.starts_with("r.pfx2as:2: '192.0.3.1/24' has host bits set"));
    e = data_error([] { parse_routes("192.0.2.0\t24\t64500_\n", "r.pfx2as"); });
    CHECK(e.starts_with("r.pfx2as:1:"));
    e = data_error([] { parse_routes("192.0.2.0\t40\t64500\n", "r.pfx2as"); });
    CHECK(e.starts_with("r.pfx2as:1: prefix length 40"));
    e = data_error([] { parse_routes("TABLE_DUMP2|1|B|x|1|10.0.0.0/8\n", "rib.txt"); });
    CHECK(e == "rib.txt:1: bgpdump line with fewer than 7 '|' fields");
    e = data_error([] { parse_routes("<html>\n", "r.pfx2as"); });
    CHECK(e.starts_with("r.pfx2as:1: not a route table"));
    CHECK(data_error([] { parse_routes("; only comments\n", "r.pfx2as"); }) == "r.pfx2as: no routes in the file");
    CHECK(data_error([] { parse_routes("1.0.0.0/24\t15169\n2.0.0.0\t8\t1\n", "mixed"); }).starts_with("mixed:2:"));
}

TEST_CASE("rpki route table: longest-prefix match agrees with a linear scan on random tables") {
    std::mt19937_64 random(20261122);
    for (Family family : {Family::ipv4, Family::ipv6}) {
        const unsigned width = family == Family::ipv4 ? 32 : 128;
        RouteTable::Builder builder;
        std::vector<std::pair<Prefix, std::uint32_t>> routes;
        for (std::uint32_t i = 0; i < 3000; ++i) {
            Prefix p;
            p.family = family;
            // Few distinct top bits, so that prefixes nest and share paths.
            p.bits = (uint128{random()} << 64 | random()) & (prefix_mask(8) >> 3 | prefix_mask(width) >> 12);
            p.length = static_cast<std::uint8_t>(random() % (width + 1));
            p.bits &= prefix_mask(p.length);
            builder.add(p, Origin{{i + 1}, false});
            if (std::none_of(routes.begin(), routes.end(), [&](const auto& r) { return r.first == p; })) routes.emplace_back(p, i + 1);
        }
        auto table = builder.finish({});
        CHECK(table->size() == routes.size());
        for (int probe = 0; probe < 3000; ++probe) {
            Prefix a;
            a.family = family;
            a.length = static_cast<std::uint8_t>(width);
            a.bits = (uint128{random()} << 64 | random()) & (prefix_mask(8) >> 3 | prefix_mask(width) >> 12);
            a.bits &= prefix_mask(width);
            const std::pair<Prefix, std::uint32_t>* best = nullptr;
            for (const auto& r : routes)
                if (r.first.contains(a) && (best == nullptr || r.first.length > best->first.length)) best = &r;
            auto found = table->lookup(a);
            REQUIRE(found.has_value() == (best != nullptr));
            if (best != nullptr) {
                CHECK(found->prefix == best->first);
                CHECK(found->origins[0].asns[0] == best->second);
            }
        }
    }
}

}  // namespace mamori::rpki
