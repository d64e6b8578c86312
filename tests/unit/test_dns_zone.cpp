/// \file tests/unit/test_dns_zone.cpp — zone-file loading errors and authoritative answers from a small zone.
#include "dns/records.h"
#include "dns/zone_resolver.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

using namespace mamori::dns;

/// A temporary file holding `text`, removed again at scope exit.
struct TempFile {
    std::string path;
    explicit TempFile(const std::string& text) {
        char name[] = "/tmp/mamori-zone-XXXXXX";
        const int fd = mkstemp(name);
        REQUIRE(fd >= 0);
        close(fd);
        path = name;
        std::ofstream(path) << text;
    }
    ~TempFile() { std::remove(path.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
};

const char* const kZone = R"($ORIGIN example.jp.
$TTL 300
@        IN SOA ns1 hostmaster 1 3600 600 86400 60
@        IN NS  ns1
@        IN MX  10 mail
ns1      IN A   192.0.2.53
www      IN A   192.0.2.1
www      IN AAAA 2001:db8::1
alias    IN CNAME www
far      IN CNAME www.elsewhere.example.
loop1    IN CNAME loop2
loop2    IN CNAME loop1
mail     IN A   192.0.2.25
a.b.c    IN TXT "deep"
sub      IN NS  ns.sub
sub      IN NS  ns.other.example.
ns.sub   IN A   192.0.2.54
*.wild   IN TXT "wildcard"
*.wild   IN MX  10 mail
signed   IN A   192.0.2.99
signed   IN RRSIG A 13 3 300 20300101000000 20200101000000 12345 example.jp. AAAA
signed   IN NSEC www.example.jp. A RRSIG NSEC
)";

Question ask(const char* name, ldns_rr_type type, bool dnssec = false) {
    Question q;
    q.name = name;
    q.type = type;
    q.dnssec_ok = dnssec;
    return q;
}

std::size_t section_count(const Answer& a, ldns_pkt_section section) {
    switch (section) {
        case LDNS_SECTION_ANSWER: return ldns_rr_list_rr_count(ldns_pkt_answer(a.packet.get()));
        case LDNS_SECTION_AUTHORITY: return ldns_rr_list_rr_count(ldns_pkt_authority(a.packet.get()));
        default: return ldns_rr_list_rr_count(ldns_pkt_additional(a.packet.get()));
    }
}

bool section_has_type(const ldns_rr_list* list, ldns_rr_type type) {
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
        if (ldns_rr_get_type(ldns_rr_list_rr(list, i)) == type) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("zone resolver: authoritative answers") {
    TempFile file(kZone);
    auto zone = load_zone(file.path, "example.jp");
    CHECK(zone.origin == "example.jp.");
    REQUIRE(zone.zone);
    CHECK(ldns_zone_soa(zone.zone.get()) != nullptr);
    CHECK(ldns_rr_list_rr_count(ldns_zone_rrs(zone.zone.get())) > 10);
    auto resolver = make_zone_resolver({zone});

    SUBCASE("exact match, question section filled, case-insensitive") {
        auto a = resolver->query(ask("WWW.Example.JP", LDNS_RR_TYPE_A));
        REQUIRE(a.ok());
        CHECK(a.authoritative());
        CHECK(a.rcode() == LDNS_RCODE_NOERROR);
        CHECK(addresses(a) == std::vector<std::string>{"192.0.2.1"});
        REQUIRE(ldns_rr_list_rr_count(ldns_pkt_question(a.packet.get())) == 1);
        CHECK(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_question(a.packet.get()), 0)) == LDNS_RR_TYPE_A);
        auto mx = resolver->query(ask("example.jp.", LDNS_RR_TYPE_MX));
        REQUIRE(mx_records(mx).size() == 1);
        CHECK(mx_records(mx)[0].exchange == "mail.example.jp.");
    }
    SUBCASE("CNAME in place of data, chased inside the zone") {
        auto a = resolver->query(ask("alias.example.jp", LDNS_RR_TYPE_AAAA));
        CHECK(a.authoritative());
        CHECK(cname_chain(a) == std::vector<std::string>{"www.example.jp."});
        CHECK(addresses(a) == std::vector<std::string>{"2001:db8::1"});
        auto c = resolver->query(ask("alias.example.jp", LDNS_RR_TYPE_CNAME));
        CHECK(section_count(c, LDNS_SECTION_ANSWER) == 1);
        auto far = resolver->query(ask("far.example.jp", LDNS_RR_TYPE_A));
        CHECK(far.rcode() == LDNS_RCODE_NOERROR);
        CHECK(section_count(far, LDNS_SECTION_ANSWER) == 1);  // the chain leaves our zones: stop there
        auto loop = resolver->query(ask("loop1.example.jp", LDNS_RR_TYPE_A));
        REQUIRE(loop.ok());
        CHECK(section_count(loop, LDNS_SECTION_ANSWER) == 2);
    }
    SUBCASE("NODATA carries the SOA with the negative TTL") {
        auto a = resolver->query(ask("www.example.jp", LDNS_RR_TYPE_MX));
        CHECK(a.rcode() == LDNS_RCODE_NOERROR);
        CHECK(a.authoritative());
        CHECK(section_count(a, LDNS_SECTION_ANSWER) == 0);
        REQUIRE(section_count(a, LDNS_SECTION_AUTHORITY) == 1);
        const ldns_rr* soa = ldns_rr_list_rr(ldns_pkt_authority(a.packet.get()), 0);
        CHECK(ldns_rr_get_type(soa) == LDNS_RR_TYPE_SOA);
        CHECK(ldns_rr_ttl(soa) == 60);
        // An empty non-terminal exists: NODATA, not NXDOMAIN (RFC 8020).
        auto ent = resolver->query(ask("c.example.jp", LDNS_RR_TYPE_A));
        CHECK(ent.rcode() == LDNS_RCODE_NOERROR);
        CHECK(section_count(ent, LDNS_SECTION_AUTHORITY) == 1);
    }
    SUBCASE("NXDOMAIN carries the SOA") {
        auto a = resolver->query(ask("nope.example.jp", LDNS_RR_TYPE_A));
        CHECK(a.nxdomain());
        CHECK(a.authoritative());
        CHECK(section_has_type(ldns_pkt_authority(a.packet.get()), LDNS_RR_TYPE_SOA));
        auto under = resolver->query(ask("x.a.b.c.example.jp", LDNS_RR_TYPE_A));
        CHECK(under.nxdomain());
    }
    SUBCASE("referral below a delegation") {
        auto a = resolver->query(ask("host.sub.example.jp", LDNS_RR_TYPE_A));
        REQUIRE(a.ok());
        CHECK_FALSE(a.authoritative());
        CHECK(a.rcode() == LDNS_RCODE_NOERROR);
        CHECK(section_count(a, LDNS_SECTION_ANSWER) == 0);
        CHECK(section_count(a, LDNS_SECTION_AUTHORITY) == 2);
        CHECK(section_count(a, LDNS_SECTION_ADDITIONAL) == 1);  // glue for ns.sub only
        auto apex = resolver->query(ask("sub.example.jp", LDNS_RR_TYPE_NS));
        CHECK_FALSE(apex.authoritative());  // the child's NS are the child's data
        auto glue = resolver->query(ask("ns.sub.example.jp", LDNS_RR_TYPE_A));
        CHECK_FALSE(glue.authoritative());  // occluded glue is never an authoritative answer
        auto ds = resolver->query(ask("sub.example.jp", LDNS_RR_TYPE_DS));
        CHECK(ds.authoritative());  // DS lives on the parent side of the cut
    }
    SUBCASE("wildcard synthesis") {
        auto a = resolver->query(ask("anything.wild.example.jp", LDNS_RR_TYPE_TXT));
        CHECK(a.authoritative());
        CHECK(txt_records(a) == std::vector<std::string>{"wildcard"});
        const ldns_rr* rr = ldns_rr_list_rr(ldns_pkt_answer(a.packet.get()), 0);
        CHECK(canonical_name(name_to_string(ldns_rr_owner(rr))) == "anything.wild.example.jp.");
        auto deeper = resolver->query(ask("a.b.wild.example.jp", LDNS_RR_TYPE_MX));
        CHECK(mx_records(deeper).size() == 1);
        auto nodata = resolver->query(ask("x.wild.example.jp", LDNS_RR_TYPE_A));
        CHECK(nodata.rcode() == LDNS_RCODE_NOERROR);
        CHECK(section_count(nodata, LDNS_SECTION_ANSWER) == 0);
        // The wildcard's parent exists (an empty non-terminal), so it is not synthesised.
        auto parent = resolver->query(ask("wild.example.jp", LDNS_RR_TYPE_TXT));
        CHECK(section_count(parent, LDNS_SECTION_ANSWER) == 0);
        CHECK_FALSE(parent.nxdomain());
    }
    SUBCASE("outside every zone: REFUSED") {
        auto a = resolver->query(ask("example.com", LDNS_RR_TYPE_A));
        REQUIRE(a.ok());
        CHECK(a.rcode() == LDNS_RCODE_REFUSED);
        CHECK_FALSE(a.authoritative());
        Question chaos = ask("www.example.jp", LDNS_RR_TYPE_TXT);
        chaos.klass = LDNS_RR_CLASS_CH;
        CHECK(resolver->query(chaos).rcode() == LDNS_RCODE_REFUSED);
    }
    SUBCASE("DNSSEC records with the DO bit") {
        auto plain = resolver->query(ask("signed.example.jp", LDNS_RR_TYPE_A));
        CHECK(section_count(plain, LDNS_SECTION_ANSWER) == 1);
        auto a = resolver->query(ask("signed.example.jp", LDNS_RR_TYPE_A, true));
        CHECK(section_count(a, LDNS_SECTION_ANSWER) == 2);
        CHECK(section_has_type(ldns_pkt_answer(a.packet.get()), LDNS_RR_TYPE_RRSIG));
        CHECK(ldns_pkt_edns_do(a.packet.get()));
        auto nodata = resolver->query(ask("signed.example.jp", LDNS_RR_TYPE_TXT, true));
        CHECK(section_has_type(ldns_pkt_authority(nodata.packet.get()), LDNS_RR_TYPE_NSEC));
        auto nx = resolver->query(ask("sz.example.jp", LDNS_RR_TYPE_TXT, true));  // between signed and www
        CHECK(nx.nxdomain());
        CHECK(section_has_type(ldns_pkt_authority(nx.packet.get()), LDNS_RR_TYPE_NSEC));
    }
    SUBCASE("invalid names are malformed questions, not crashes") {
        auto a = resolver->query(ask("a..b.example.jp", LDNS_RR_TYPE_A));
        CHECK(a.outcome == Outcome::malformed);
        CHECK(resolver->stats().questions >= 1);
    }
}

TEST_CASE("zone loading errors name the file and the line") {
    TempFile bad("$ORIGIN example.jp.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 60\nwww IN A 999.1.2.3\n");
    try {
        load_zone(bad.path);
        FAIL("a bad zone loaded");
    } catch (const ZoneError& e) {
        CHECK(e.file() == bad.path);
        CHECK(e.line() == 4);
        CHECK(std::string(e.what()).starts_with(bad.path + ":4: "));
    }
    CHECK_THROWS_AS(load_zone("/nonexistent/zone.db"), ZoneError);
    CHECK_THROWS_WITH_AS(parse_zone("www IN A 192.0.2.1\n", "", "no-origin.db"),
                         doctest::Contains("no-origin.db"), ZoneError);
    CHECK_THROWS_WITH_AS(parse_zone("$ORIGIN a.jp.\n@ IN SOA ns hm 1 2 3 4 5\n", "b.jp", "mismatch.db"),
                         doctest::Contains("not by the origin b.jp."), ZoneError);
    TempFile garbage(std::string("$ORIGIN example.jp.\n@ IN SOA ns1 hm 1 2 3 4 5\n\x01\x02\xff\xfe junk \"\n"));
    CHECK_THROWS_WITH_AS(load_zone(garbage.path), doctest::Contains((garbage.path + ":3:").c_str()), ZoneError);
    // Without an SOA but with an origin, the zone still loads (checks report the missing SOA).
    auto partial = parse_zone("www IN A 192.0.2.1\n", "example.jp", "partial.db");
    CHECK(partial.origin == "example.jp.");
    auto resolver = make_zone_resolver({partial});
    CHECK(resolver->query(ask("nope.example.jp", LDNS_RR_TYPE_A)).nxdomain());
}

TEST_CASE("zone resolver: parent and child zones together") {
    auto parent = parse_zone("$ORIGIN jp.\n@ IN SOA ns hm 1 2 3 4 5\n@ IN NS ns\nns IN A 192.0.2.1\n"
                             "example IN NS ns.example\nexample IN DS 12345 13 2 "
                             "0000000000000000000000000000000000000000000000000000000000000000\n"
                             "ns.example IN A 192.0.2.2\n",
                             "jp", "jp.db");
    auto child = parse_zone("$ORIGIN example.jp.\n@ IN SOA ns hm 1 2 3 4 5\n@ IN NS ns\nns IN A 192.0.2.2\n"
                            "www IN A 192.0.2.80\n",
                            "example.jp", "example.jp.db");
    auto resolver = make_zone_resolver({parent, child});
    auto www = resolver->query(ask("www.example.jp", LDNS_RR_TYPE_A));
    CHECK(www.authoritative());
    CHECK(addresses(www) == std::vector<std::string>{"192.0.2.80"});
    auto ds = resolver->query(ask("example.jp", LDNS_RR_TYPE_DS));
    CHECK(ds.authoritative());
    CHECK(section_count(ds, LDNS_SECTION_ANSWER) == 1);
    auto soa = resolver->query(ask("example.jp", LDNS_RR_TYPE_SOA));
    CHECK(section_count(soa, LDNS_SECTION_ANSWER) == 1);
}
