/// \file tests/unit/test_zone_verify.cpp — offline verification of zone files signed in memory (`mamori zone`).
#include "checks/dnssec/dnssec_detail.h"
#include "checks/dnssec/zone_verify.h"
#include "test_dnssec_sign.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <regex>

namespace mamori {
namespace {

using checks::dnssec::ChainState;
using test::TestKey;

struct Verified {
    checks::dnssec::ZoneVerification v;
    std::vector<std::string> ids;
    const checks::dnssec::Issue* find(const std::string& id) const {
        for (const auto& i : v.issues)
            if (i.id == id) return &i;
        return nullptr;
    }
};

Verified verify(const std::string& text, std::time_t now = test::kNow, unsigned threads = 2) {
    checks::dnssec::ZoneVerifyOptions options;
    options.now = now;
    options.threads = threads;
    Verified out;
    out.v = checks::dnssec::verify_zone(dns::parse_zone(text, "example."), options);
    for (const auto& i : out.v.issues) out.ids.push_back(i.id);
    std::sort(out.ids.begin(), out.ids.end());
    return out;
}

std::string body() {
    return test::zone_body("example.", "@ IN MX 10 mail\nmail IN A 192.0.2.25\n@ IN TXT \"v=spf1 mx -all\"\n"
                                       "a.b.c IN A 192.0.2.9\nsub IN NS ns.sub\nns.sub IN A 192.0.2.77\n");
}

bool is_record(const std::string& line, const std::string& owner, const std::string& type) {
    return std::regex_search(line, std::regex("^" + owner + "\\s+\\d+\\s+IN\\s+" + type + "\\s"));
}

}  // namespace

TEST_CASE("zone: a signed NSEC zone verifies; only the walkable note remains") {
    TestKey key("example.");
    auto r = verify(test::sign_zone("example.", body(), {&key}));
    CHECK(r.ids == std::vector<std::string>{"DNSSEC-NSEC-WALKABLE"});
    CHECK(r.v.state == ChainState::secure);
    CHECK(r.v.facts["nsec"] == "nsec");
    CHECK(r.v.facts["signatures_verified"].get<int>() >= 10);
}

TEST_CASE("zone: a signed NSEC3 zone (with its empty non-terminals) verifies with no finding") {
    TestKey key("example.");
    auto r = verify(test::sign_zone("example.", body(), {&key}, test::kInception, test::kExpiration, 0));
    CHECK(r.ids.empty());
    CHECK(r.v.facts["nsec"] == "nsec3");
    // One thread or many: the same verdict.
    auto single = verify(test::sign_zone("example.", body(), {&key}, test::kInception, test::kExpiration, 0),
                         test::kNow, 1);
    CHECK(single.ids.empty());
}

TEST_CASE("zone: an unsigned zone is DNSSEC-UNSIGNED") {
    auto r = verify(body());
    CHECK(r.ids == std::vector<std::string>{"DNSSEC-UNSIGNED"});
    CHECK(r.v.state == ChainState::insecure);
}

TEST_CASE("zone: a record changed after signing is DNSSEC-SIG-INVALID") {
    TestKey key("example.");
    std::string text = test::sign_zone("example.", body(), {&key});
    const auto at = text.find("192.0.2.25");
    REQUIRE(at != std::string::npos);
    text.replace(at, 10, "192.0.2.26");
    auto r = verify(text);
    CHECK(r.ids == std::vector<std::string>{"DNSSEC-NSEC-WALKABLE", "DNSSEC-SIG-INVALID"});
    CHECK(r.find("DNSSEC-SIG-INVALID")->message.find("mail.example. A") != std::string::npos);
    CHECK(r.v.state == ChainState::bogus);
}

TEST_CASE("zone: expired and not-yet-valid signatures against --now") {
    TestKey key("example.");
    const std::string text = test::sign_zone("example.", body(), {&key});
    auto late = verify(text, test::kExpiration + 1);
    CHECK(late.ids == std::vector<std::string>{"DNSSEC-NSEC-WALKABLE", "DNSSEC-SIG-EXPIRED"});
    CHECK(late.find("DNSSEC-SIG-EXPIRED")->evidence["rrsets"].get<int>() >= 10);
    auto early = verify(text, test::kInception - 1);
    CHECK(early.ids == std::vector<std::string>{"DNSSEC-NSEC-WALKABLE", "DNSSEC-SIG-NOT-YET-VALID"});
    auto soon = verify(text, test::kExpiration - 86400);
    CHECK(soon.ids == std::vector<std::string>{"DNSSEC-NSEC-WALKABLE", "DNSSEC-SIG-EXPIRING"});
}

TEST_CASE("zone: every RRset must be signed with every algorithm of the DNSKEY set") {
    TestKey ecdsa("example.");
    TestKey rsa("example.", 257, LDNS_SIGN_RSASHA256, 2048);
    std::string text = test::sign_zone("example.", body(), {&ecdsa, &rsa});
    CHECK(verify(text).ids == std::vector<std::string>{"DNSSEC-NSEC-WALKABLE"});
    // Drop the RSA signature over www.example. A: ECDSA alone no longer covers the DNSKEY set.
    text = test::without_lines(text, [](const std::string& line) {
        return is_record(line, "www\\.example\\.", "RRSIG") && line.find("\tA 8 ") != std::string::npos;
    });
    auto r = verify(text);
    CHECK(r.ids == std::vector<std::string>{"DNSSEC-NSEC-WALKABLE", "DNSSEC-RRSIG-MISSING"});
    CHECK(r.find("DNSSEC-RRSIG-MISSING")->message.find("RSASHA256 (8)") != std::string::npos);
}

TEST_CASE("zone: a missing NSEC breaks the chain") {
    TestKey key("example.");
    std::string text = test::sign_zone("example.", body(), {&key});
    text = test::without_lines(text, [](const std::string& line) {
        return is_record(line, "www\\.example\\.", "NSEC") ||
               (is_record(line, "www\\.example\\.", "RRSIG") && line.find("\tNSEC ") != std::string::npos);
    });
    auto r = verify(text);
    CHECK(r.ids == std::vector<std::string>{"DNSSEC-NSEC-CHAIN", "DNSSEC-NSEC-WALKABLE"});
    const auto* chain = r.find("DNSSEC-NSEC-CHAIN");
    CHECK(chain->message == "missing NSEC at www.example.");
    CHECK(chain->evidence["problems"] == 1);
}

TEST_CASE("zone: a missing NSEC3 breaks the chain") {
    TestKey key("example.");
    std::string text = test::sign_zone("example.", body(), {&key}, test::kInception, test::kExpiration, 0);
    // Remove the first NSEC3 record that is not the apex's.
    bool removed = false;
    text = test::without_lines(text, [&](const std::string& line) {
        if (removed || line.find("\tNSEC3\t") == std::string::npos || line.find("NSEC3PARAM") != std::string::npos) return false;
        if (line.find(" SOA ") != std::string::npos) return false;
        removed = true;
        return true;
    });
    REQUIRE(removed);
    auto r = verify(text);
    CHECK(std::find(r.ids.begin(), r.ids.end(), "DNSSEC-NSEC-CHAIN") != r.ids.end());
    CHECK(r.find("DNSSEC-NSEC-CHAIN")->message.find("missing NSEC3 for") != std::string::npos);
}

TEST_CASE("zone: the decoded-key path verifies what ldns verifies, wildcards included") {
    using namespace checks::dnssec;
    for (auto algorithm : {LDNS_SIGN_ECDSAP256SHA256, LDNS_SIGN_ECDSAP384SHA384, LDNS_SIGN_ED25519}) {
        TestKey key("example.", 257, algorithm, algorithm == LDNS_SIGN_ECDSAP384SHA384 ? 384 : 256);
        const auto zone = dns::parse_zone(test::sign_zone("example.", body() + "*.wild IN TXT \"any\"\n", {&key}), "example.");
        // The records as a resolver would answer them: www (plain) and x.wild (synthesised from *.wild).
        for (const std::string name : {"www.example.", "*.wild.example."}) {
            std::vector<const ldns_rr*> rrset;
            const ldns_rr* sig = nullptr;
            const ldns_rr_list* rrs = ldns_zone_rrs(zone.zone.get());
            for (std::size_t i = 0; i < ldns_rr_list_rr_count(rrs); ++i) {
                const ldns_rr* rr = ldns_rr_list_rr(rrs, i);
                if (owner_of(rr) != name) continue;
                const ldns_rr_type t = ldns_rr_get_type(rr);
                if (t == LDNS_RR_TYPE_A || t == LDNS_RR_TYPE_TXT) rrset.push_back(rr);
                if (t == LDNS_RR_TYPE_RRSIG && (rrsig_covered(rr) == LDNS_RR_TYPE_A || rrsig_covered(rr) == LDNS_RR_TYPE_TXT)) sig = rr;
            }
            REQUIRE(rrset.size() == 1);
            REQUIRE(sig != nullptr);
            std::unique_ptr<ldns_rr, decltype(&ldns_rr_free)> expanded(ldns_rr_clone(rrset[0]), &ldns_rr_free);
            if (name.starts_with("*")) {
                ldns_rdf_deep_free(ldns_rr_owner(expanded.get()));
                ldns_rr_set_owner(expanded.get(), ldns_dname_new_frm_str("x.wild.example."));
            }
            const ldns_rr* keys[] = {key.dnskey()};
            KeyCache cache(keys);
            const ldns_rr* answer[] = {expanded.get()};
            CHECK(cache.verifies(answer, sig, key.dnskey()));
            CHECK(check_rrsig(answer, sig, keys, test::kNow).state == SigState::valid);  // ldns agrees
            // Changed data fails on both paths.
            ldns_rr_set_ttl(expanded.get(), 1);  // the TTL is not signed (the RRSIG's original TTL is)
            CHECK(cache.verifies(answer, sig, key.dnskey()));
            ldns_rdf* other = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_DNAME, "other.example.");
            ldns_rdf_deep_free(ldns_rr_owner(expanded.get()));
            ldns_rr_set_owner(expanded.get(), other);
            CHECK_FALSE(cache.verifies(answer, sig, key.dnskey()));
            CHECK(check_rrsig(answer, sig, keys, test::kNow, &cache).state == SigState::invalid);
        }
    }
}

TEST_CASE("zone: garbage never crashes the verifier") {
    // RRSIGs that name no key, a DNSKEY with an empty key, records outside the zone.
    const std::string text = body() +
                             "example. IN DNSKEY 257 3 13 AA==\n"
                             "www.example. IN RRSIG A 13 2 3600 20361231000000 20260101000000 1 example. AAAA\n"
                             "other.test. IN A 192.0.2.1\n";
    auto r = verify(text);
    CHECK(r.v.state == ChainState::bogus);
    CHECK(!r.ids.empty());
}

}  // namespace mamori
