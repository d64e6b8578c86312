/// \file tests/unit/test_dnssec.cpp — the dnssec check on a small signed hierarchy (". → example.") built in memory.
#include "check_support.h"
#include "checks/dnssec/dnssec_check.h"
#include "checks/dnssec/dnssec_detail.h"
#include "checks/dnssec/hygiene.h"
#include "checks/dnssec/trust_anchor.h"
#include "core/profile.h"
#include "test_dnssec_sign.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace mamori {
namespace {

using test::TestKey;

using test::ids;

const Finding* find(const CheckResult& r, const std::string& id) {
    for (const auto& f : r.findings)
        if (f.id == id) return &f;
    return nullptr;
}

/// A root and one child zone "example.", each signed with one key, served by the zone-file resolver.
struct Hierarchy {
    TestKey root_key{"."};
    TestKey child_key{"example."};
    std::string child_extra;               ///< more records for the child zone
    std::vector<std::string> parent_ds;    ///< DS records at the root for example. (default: the child key's)
    bool child_signed = true;
    std::time_t child_inception = test::kInception, child_expiration = test::kExpiration;
    int child_nsec3 = -1;

    CheckResult run(std::vector<std::string> anchor = {}, std::time_t now = test::kNow) {
        std::string root = "$ORIGIN .\n$TTL 3600\n@ IN SOA a.root hostmaster 2026010101 3600 900 1209600 3600\n"
                           "@ IN NS a.root\na.root IN A 192.0.2.1\nexample. IN NS ns1.example.\n"
                           "ns1.example. IN A 192.0.2.53\n";
        if (parent_ds.empty() && child_signed) parent_ds.push_back(child_key.ds());
        for (const auto& ds : parent_ds) root += ds;
        std::vector<dns::LoadedZone> zones;
        zones.push_back(dns::parse_zone(test::sign_zone(".", root, {&root_key}), "."));
        const std::string child = test::zone_body("example.", child_extra);
        zones.push_back(dns::parse_zone(child_signed ? test::sign_zone("example.", child, {&child_key}, child_inception,
                                                                       child_expiration, child_nsec3)
                                                     : child,
                                        "example."));
        auto resolver = dns::make_zone_resolver(std::move(zones));
        AuditSettings settings;
        settings.now = std::chrono::system_clock::from_time_t(now);
        settings.trust_anchor = anchor.empty() ? std::vector<std::string>{root_key.ds()} : anchor;
        Profile profile = Profile::load("baseline");
        Context context(*resolver, settings, profile);
        Target target;
        target.name = "example";
        static const checks::DnssecCheck check;
        return check.run(target, context);
    }
};

}  // namespace

// The zone-file resolver serves NSEC proofs but not NSEC3 ones, so these zones use NSEC
// (and carry the informational DNSSEC-NSEC-WALKABLE); NSEC3 is covered by the world's zones.
const std::vector<std::string> walkable{"DNSSEC-NSEC-WALKABLE"};

TEST_CASE("dnssec: a correctly signed chain is secure, with its facts") {
    Hierarchy h;
    auto r = h.run();
    CHECK(ids(r) == walkable);
    CHECK(r.status == Status::pass);
    CHECK(r.facts["state"] == "secure");
    CHECK(r.facts["algorithms"] == Json::array({13}));
    CHECK(r.facts["ds_digests"] == Json::array({2}));
    CHECK(r.facts["nsec"] == "nsec");
    REQUIRE(r.facts["chain"].size() == 2);
    CHECK(r.facts["chain"][1]["zone"] == "example.");
}

TEST_CASE("dnssec: a DS that matches no key is DNSSEC-DS-MISMATCH naming both key tags") {
    Hierarchy h;
    TestKey other("example.");
    h.parent_ds = {other.ds()};
    auto r = h.run();
    CHECK(ids(r) == std::vector<std::string>{"DNSSEC-BOGUS", "DNSSEC-DS-MISMATCH"});
    CHECK(r.facts["state"] == "bogus");
    const Finding* f = find(r, "DNSSEC-DS-MISMATCH");
    REQUIRE(f != nullptr);
    CHECK(f->message.find(std::to_string(other.tag())) != std::string::npos);
    CHECK(f->message.find(std::to_string(h.child_key.tag())) != std::string::npos);
}

TEST_CASE("dnssec: a stale DS beside a working one is DNSSEC-DS-ORPHAN only") {
    Hierarchy h;
    TestKey old("example.");
    h.parent_ds = {h.child_key.ds(), old.ds()};
    auto r = h.run();
    CHECK(ids(r) == std::vector<std::string>{"DNSSEC-DS-ORPHAN", "DNSSEC-NSEC-WALKABLE"});
    CHECK(r.facts["state"] == "secure");
    CHECK(find(r, "DNSSEC-DS-ORPHAN")->message.find(std::to_string(old.tag())) != std::string::npos);
}

TEST_CASE("dnssec: expired and future signatures name the key and the window") {
    Hierarchy h;
    h.child_inception = 1735689600;   // 2025-01-01
    h.child_expiration = 1738368000;  // 2025-02-01
    auto r = h.run();
    CHECK(ids(r) == std::vector<std::string>{"DNSSEC-BOGUS", "DNSSEC-SIG-EXPIRED"});
    const Finding* f = find(r, "DNSSEC-SIG-EXPIRED");
    REQUIRE(f != nullptr);
    CHECK(f->message.find("expired at 2025-02-01T00:00:00Z") != std::string::npos);
    CHECK(f->message.find(std::to_string(h.child_key.tag())) != std::string::npos);

    Hierarchy future;
    future.child_inception = 1893456000;  // 2030-01-01
    future.child_expiration = 1924992000;
    CHECK(ids(future.run()) == std::vector<std::string>{"DNSSEC-BOGUS", "DNSSEC-SIG-NOT-YET-VALID"});
}

TEST_CASE("dnssec: the validation clock decides, not the machine's") {
    Hierarchy h;
    CHECK(ids(h.run({}, test::kExpiration + 86400)) ==
          std::vector<std::string>{"DNSSEC-BOGUS", "DNSSEC-SIG-EXPIRED"});
    Hierarchy soon;
    CHECK(ids(soon.run({}, test::kExpiration - 3 * 86400)) ==
          std::vector<std::string>{"DNSSEC-NSEC-WALKABLE", "DNSSEC-SIG-EXPIRING"});
}

TEST_CASE("dnssec: an unsigned child with a proven absent DS is DNSSEC-UNSIGNED") {
    Hierarchy h;
    h.child_signed = false;
    auto r = h.run();
    CHECK(ids(r) == std::vector<std::string>{"DNSSEC-UNSIGNED"});
    CHECK(r.facts["state"] == "insecure");
    CHECK(r.facts["algorithms"].empty());
}

TEST_CASE("dnssec: a trust anchor that matches no root key breaks the chain at the top") {
    Hierarchy h;
    TestKey stranger(".");
    auto r = h.run({stranger.ds()});
    CHECK(ids(r) == std::vector<std::string>{"DNSSEC-BOGUS", "DNSSEC-DS-MISMATCH"});
    const Finding* f = find(r, "DNSSEC-DS-MISMATCH");
    REQUIRE(f != nullptr);
    CHECK(f->message.find("the trust anchor") != std::string::npos);
    // A DNSKEY anchor works as well as a DS one.
    Hierarchy k;
    CHECK(ids(k.run({k.root_key.dnskey_text()})) == walkable);
}

TEST_CASE("dnssec: signing hygiene from the child's own records") {
    Hierarchy h;
    TestKey cds_stranger("example.");
    h.child_extra = cds_stranger.ds().replace(cds_stranger.ds().find("\tDS\t"), 4, "\tCDS\t");
    auto r = h.run();
    CHECK(ids(r) == std::vector<std::string>{"DNSSEC-CDS", "DNSSEC-NSEC-WALKABLE"});
    CHECK(r.status == Status::warn);
}

TEST_CASE("dnssec: hygiene rules on parsed records") {
    using namespace checks::dnssec;
    auto rr = [](const char* text) {
        ldns_rr* out = nullptr;
        REQUIRE(ldns_rr_new_frm_str(&out, text, 3600, nullptr, nullptr) == LDNS_STATUS_OK);
        return own(out);
    };
    TestKey rsa("example.", 257, LDNS_SIGN_RSASHA1, 1024);
    auto key = rr(rsa.dnskey_text().c_str());
    auto param = rr("example. 0 IN NSEC3PARAM 1 0 150 abcd");
    auto delete_cds = rr("example. 3600 IN CDS 0 0 0 00");
    auto delete_cdnskey = rr("example. 3600 IN CDNSKEY 0 3 0 AA==");
    ZoneMaterial z;
    z.zone = "example.";
    z.dnskeys = {key.get()};
    z.nsec3 = param.get();
    z.cds = {delete_cds.get()};
    z.cdnskey = {delete_cdnskey.get()};
    auto issues = hygiene(z, HygieneLimits{});
    std::vector<std::string> got;
    for (const auto& i : issues) got.push_back(i.id);
    std::sort(got.begin(), got.end());
    CHECK(got == std::vector<std::string>{"DNSSEC-ALGO-DEPRECATED", "DNSSEC-CDS", "DNSSEC-NSEC3-ITERATIONS",
                                          "DNSSEC-NSEC3-SALT", "DNSSEC-RSA-SHORT"});
    for (const auto& i : issues) {
        if (i.id == "DNSSEC-NSEC3-ITERATIONS") CHECK(i.severity == Severity::error);
        if (i.id == "DNSSEC-CDS") CHECK(i.severity == Severity::info);  // a well-formed delete request
    }
    // A delete CDS alone, or mixed with a real one, is not well-formed (RFC 8078 §4).
    z.cdnskey.clear();
    z.nsec3 = nullptr;
    z.dnskeys.clear();
    issues = hygiene(z, HygieneLimits{});
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].id == "DNSSEC-CDS");
    CHECK(!issues[0].severity);
    CHECK(issues[0].message.find("CDS without CDNSKEY") != std::string::npos);

    auto few = rr("example. 0 IN NSEC3PARAM 1 0 5 -");
    z = ZoneMaterial{};
    z.zone = "example.";
    z.nsec3 = few.get();
    issues = hygiene(z, HygieneLimits{});
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].id == "DNSSEC-NSEC3-ITERATIONS");
    CHECK(!issues[0].severity);  // 5 > 0: the catalogue's warning
}

TEST_CASE("dnssec: DS matching, serial time and algorithm names") {
    using namespace checks::dnssec;
    TestKey k("example.");
    ldns_rr* ds = nullptr;
    REQUIRE(ldns_rr_new_frm_str(&ds, k.ds().c_str(), 3600, nullptr, nullptr) == LDNS_STATUS_OK);
    auto ds_rr = own(ds);
    CHECK(ds_matches(ds_rr.get(), k.dnskey()));
    TestKey other("example.");
    CHECK_FALSE(ds_matches(ds_rr.get(), other.dnskey()));
    // RFC 4034 §3.1.5: a 32-bit time field wraps; the time closest to now is meant.
    CHECK(serial_time(static_cast<std::uint32_t>(test::kNow + 10), test::kNow) == test::kNow + 10);
    CHECK(serial_time(5, static_cast<std::time_t>(4294967290LL)) == static_cast<std::time_t>(4294967301LL));
    CHECK(algorithm_name(13) == "ECDSAP256SHA256 (13)");
    CHECK(algorithm_deprecated(5));
    CHECK_FALSE(algorithm_deprecated(8));
    CHECK(utc(0) == "1970-01-01T00:00:00Z");
}

TEST_CASE("dnssec: trust anchor files") {
    using checks::dnssec::parse_trust_anchor;
    using checks::dnssec::TrustAnchorError;
    CHECK(checks::dnssec::builtin_trust_anchor().size() == 2);
    CHECK(checks::dnssec::builtin_trust_anchor()[0].find("20326 8 2 E06D44B8") != std::string::npos);
    CHECK(checks::dnssec::builtin_trust_anchor()[1].find("38696 8 2 683D2D0A") != std::string::npos);
    auto two = parse_trust_anchor("; comment\n$TTL 100\n. IN DS 20326 8 2 ( E06D44B80B8F1D39A95C0B0D7C65D084\n"
                                  "   58E880409BBC683457104237C7F8EC8D )\n. IN DS 1 8 2 AB\n",
                                  "anchor.ds");
    CHECK(two.size() == 2);
    auto message = [](const std::string& text) {
        try {
            parse_trust_anchor(text, "a.ds");
        } catch (const TrustAnchorError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(message(". IN DS 1 8 2 AB\n\n; note\nnot a record\n").starts_with("a.ds:4: "));
    CHECK(message("example. IN MX 10 mail.example.\n") == "a.ds:1: a trust anchor is a DS or DNSKEY record, not MX");
    CHECK(message(". IN DS 1 8 2 AB\njp. IN DS 2 8 2 AB\n").starts_with("a.ds:2: every record must belong to one zone"));
    CHECK(message("; nothing\n") == "a.ds: no DS or DNSKEY record");
    CHECK(message("") == "a.ds: no DS or DNSKEY record");
}

}  // namespace mamori
