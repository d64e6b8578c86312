/// \file tests/unit/test_dns_server.cpp — Server::parse, system_servers, Answer accessors, canonical_name.
#include "dns/records.h"
#include "dns/resolver.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

using mamori::dns::Answer;
using mamori::dns::Outcome;
using mamori::dns::Server;

TEST_CASE("Server::parse accepts the documented forms") {
    auto s = Server::parse("192.0.2.1");
    REQUIRE(s);
    CHECK(s->address == "192.0.2.1");
    CHECK(s->port == 53);
    CHECK(s->to_string() == "192.0.2.1@53");

    s = Server::parse("192.0.2.1@5353");
    REQUIRE(s);
    CHECK(s->port == 5353);

    s = Server::parse("2001:DB8:0::1");
    REQUIRE(s);
    CHECK(s->address == "2001:db8::1");  // canonical, so equal servers compare equal
    CHECK(s->port == 53);

    s = Server::parse("[2001:db8::1]:853");
    REQUIRE(s);
    CHECK(s->address == "2001:db8::1");
    CHECK(s->port == 853);

    s = Server::parse("2001:db8::1@53");
    REQUIRE(s);
    CHECK(s->port == 53);

    s = Server::parse("[::1]");
    REQUIRE(s);
    CHECK(s->address == "::1");

    CHECK(*Server::parse("127.0.0.1@65535") == Server{"127.0.0.1", 65535});
}

TEST_CASE("Server::parse rejects everything else") {
    for (const char* bad : {"", "example.jp", "192.0.2", "192.0.2.1@", "192.0.2.1@0", "192.0.2.1@65536",
                            "192.0.2.1@-1", "192.0.2.1@+53", "192.0.2.1@53x", "192.0.2.1@ 53", "192.0.2.1:53",
                            "[2001:db8::1", "[2001:db8::1]x", "[192.0.2.1]:53", "2001:db8::1:53:1:2:3:4:5",
                            "fe80::1%eth0", " 192.0.2.1", "192.0.2.1 ", "256.0.0.1", "@53", "[]:53",
                            "192.0.2.1@99999999999999999999"}) {
        CAPTURE(bad);
        CHECK_FALSE(Server::parse(bad));
    }
}

TEST_CASE("system_servers reads nameserver lines and ignores garbage") {
    char path[] = "/tmp/mamori-resolv-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    {
        std::ofstream out(path);
        out << "# comment\n"
               "search example.jp\n"
               "nameserver 192.0.2.53\n"
               "nameserver\t2001:db8::53   # trailing comment\n"
               "nameserver not-an-address\n"
               "nameservers 192.0.2.99\n"
               "nameserver 192.0.2.53\n"  // duplicate
               "  nameserver 198.51.100.1\r\n"
               "; nameserver 203.0.113.1\n"
               "nameserver\n"
               "\x01\x02\xff garbage\n";
    }
    const auto servers = mamori::dns::system_servers(path);
    std::remove(path);
    REQUIRE(servers.size() == 3);
    CHECK(servers[0].to_string() == "192.0.2.53@53");
    CHECK(servers[1].to_string() == "2001:db8::53@53");
    CHECK(servers[2].to_string() == "198.51.100.1@53");
    CHECK(mamori::dns::system_servers("/nonexistent/resolv.conf").empty());
}

TEST_CASE("Answer accessors are safe without a packet") {
    Answer a;
    CHECK_FALSE(a.ok());
    CHECK(a.rcode() == LDNS_RCODE_SERVFAIL);
    CHECK_FALSE(a.authenticated());
    CHECK_FALSE(a.authoritative());
    CHECK_FALSE(a.truncated());
    CHECK_FALSE(a.nxdomain());
    CHECK(mamori::dns::to_string(Outcome::timeout) == "timeout");
    CHECK(mamori::dns::to_string(Outcome::network_error) == "network error");
    CHECK(mamori::dns::adopt(nullptr) == nullptr);

    ldns_pkt* raw = ldns_pkt_new();
    REQUIRE(raw);
    ldns_pkt_set_aa(raw, true);
    ldns_pkt_set_ad(raw, true);
    ldns_pkt_set_rcode(raw, LDNS_RCODE_NXDOMAIN);
    a.outcome = Outcome::answer;
    a.packet = mamori::dns::adopt(raw);
    CHECK(a.ok());
    CHECK(a.nxdomain());
    CHECK(a.authoritative());
    CHECK(a.authenticated());
    CHECK_FALSE(a.truncated());
}

TEST_CASE("canonical_name lower-cases and adds the final dot once") {
    using mamori::dns::canonical_name;
    CHECK(canonical_name("Mail.Example.JP") == "mail.example.jp.");
    CHECK(canonical_name("mail.example.jp.") == "mail.example.jp.");
    CHECK(canonical_name("") == ".");
    CHECK(canonical_name(".") == ".");
    CHECK(canonical_name("a\\.") == "a\\..");  // an escaped dot is part of the label
    CHECK(canonical_name("a\\\\.") == "a\\\\.");
}

TEST_CASE("rcode_name names known codes and numbers unknown ones") {
    CHECK(mamori::dns::rcode_name(LDNS_RCODE_NXDOMAIN) == "NXDOMAIN");
    CHECK(mamori::dns::rcode_name(LDNS_RCODE_SERVFAIL) == "SERVFAIL");
    CHECK(mamori::dns::rcode_name(static_cast<ldns_pkt_rcode>(15)) == "RCODE15");
}
