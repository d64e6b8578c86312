/// \file tests/unit/test_dnssec_ns.cpp — the ns check against canned servers that answer one by one.
#include "checks/ns/ns_check.h"
#include "core/profile.h"
#include "dns/records.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>

namespace mamori {
namespace {

/// A canned view of one zone: what the recursive resolver says, and what each server says when asked directly.
class ServerWorld final : public dns::Resolver {
public:
    struct Server {
        bool answers = true;
        bool authoritative = true;
        std::uint32_t serial = 2026010101;
        std::string dnskey = "example. 3600 IN DNSKEY 257 3 13 kXKkvWU3vGYfTJGl3qBd4qhiWp5aRs7YtkCJxD2d+t7KXqwahww5IgJtxJT2yFItlggazyfXqJEVOmMJ3qT0tQ==";
    };

    std::vector<std::string> recursive;      ///< records the recursive resolver knows
    std::map<std::string, Server> servers;   ///< address → behaviour

    void submit(dns::Question q, dns::Callback done) override {
        ++stats_.questions;
        done(q.server ? direct(q) : recursion(q));
    }
    dns::Stats stats() const override { return stats_; }

private:
    static dns::Answer packet(const dns::Question& q, const std::vector<std::string>& rrs, bool aa,
                              ldns_pkt_rcode rcode = LDNS_RCODE_NOERROR) {
        ldns_pkt* pkt = ldns_pkt_new();
        ldns_pkt_set_qr(pkt, true);
        ldns_pkt_set_aa(pkt, aa);
        ldns_rr* question = ldns_rr_new();
        ldns_rr_set_owner(question, ldns_dname_new_frm_str(q.name.c_str()));
        ldns_rr_set_type(question, q.type);
        ldns_rr_set_question(question, true);
        ldns_pkt_push_rr(pkt, LDNS_SECTION_QUESTION, question);
        for (const auto& text : rrs) {
            ldns_rr* rr = nullptr;
            REQUIRE(ldns_rr_new_frm_str(&rr, text.c_str(), 3600, nullptr, nullptr) == LDNS_STATUS_OK);
            ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, rr);
        }
        ldns_pkt_set_rcode(pkt, static_cast<std::uint8_t>(rcode));
        dns::Answer a;
        a.outcome = dns::Outcome::answer;
        a.packet = dns::adopt(pkt);
        return a;
    }

    dns::Answer recursion(const dns::Question& q) const {
        std::vector<std::string> rrs;
        for (const auto& text : recursive) {
            ldns_rr* rr = nullptr;
            if (ldns_rr_new_frm_str(&rr, text.c_str(), 3600, nullptr, nullptr) != LDNS_STATUS_OK) continue;
            const bool match = dns::canonical_name(dns::name_to_string(ldns_rr_owner(rr))) == dns::canonical_name(q.name) &&
                               ldns_rr_get_type(rr) == q.type;
            ldns_rr_free(rr);
            if (match) rrs.push_back(text);
        }
        return packet(q, rrs, false);
    }

    dns::Answer direct(const dns::Question& q) const {
        CHECK_FALSE(q.recursion_desired);  // servers are asked as an authoritative server would be
        auto it = servers.find(q.server->address);
        if (it == servers.end() || !it->second.answers) {
            dns::Answer a;
            a.outcome = dns::Outcome::timeout;
            a.error = "no response from " + q.server->to_string();
            return a;
        }
        const Server& s = it->second;
        if (q.type == LDNS_RR_TYPE_SOA)
            return packet(q, {"example. 3600 IN SOA ns1.example. h.example. " + std::to_string(s.serial) + " 1 2 3 4"},
                          s.authoritative);
        return packet(q, {s.dnskey}, s.authoritative);
    }

    dns::Stats stats_;
};

struct Run {
    std::vector<std::string> ids;
    CheckResult result;
};

Run run_ns(ServerWorld& world, std::vector<std::string> tcp_fails = {}) {
    checks::NsCheck check([tcp_fails](const dns::Server& s, const std::string&) -> std::optional<std::string> {
        if (std::find(tcp_fails.begin(), tcp_fails.end(), s.address) != tcp_fails.end()) return "connection refused";
        return std::nullopt;
    });
    AuditSettings settings;
    Profile profile = Profile::load("baseline");
    Context context(world, settings, profile);
    Target t;
    t.name = "example";
    Run r;
    r.result = check.run(t, context);
    for (const auto& f : r.result.findings) r.ids.push_back(f.id);
    std::sort(r.ids.begin(), r.ids.end());
    return r;
}

ServerWorld two_servers(const std::string& second = "198.51.100.2") {
    ServerWorld w;
    w.recursive = {"example. IN NS ns1.example.", "example. IN NS ns2.other.", "ns1.example. IN A 192.0.2.1",
                   "ns2.other. IN A " + second};
    w.servers["192.0.2.1"] = {};
    w.servers[second] = {};
    return w;
}

}  // namespace

TEST_CASE("ns: two healthy servers in two networks pass") {
    auto w = two_servers();
    auto r = run_ns(w);
    CHECK(r.ids.empty());
    CHECK(r.result.status == Status::pass);
    CHECK(r.result.facts["servers"].size() == 2);
    CHECK(r.result.facts["servers"][0]["tcp"] == true);
}

TEST_CASE("ns: a server that answers without AA, or not at all, is lame") {
    auto w = two_servers();
    w.servers["198.51.100.2"].authoritative = false;
    auto r = run_ns(w);
    CHECK(r.ids == std::vector<std::string>{"NS-LAME"});
    CHECK(r.result.findings[0].evidence["address"] == "198.51.100.2");
    w.servers["198.51.100.2"] = {.answers = false};
    r = run_ns(w);
    CHECK(r.ids == std::vector<std::string>{"NS-LAME"});
    CHECK(r.result.findings[0].message.find("no response") != std::string::npos);
}

TEST_CASE("ns: different serials and different DNSKEY sets are NS-INCONSISTENT") {
    auto w = two_servers();
    w.servers["198.51.100.2"].serial = 2026010102;
    auto r = run_ns(w);
    CHECK(r.ids == std::vector<std::string>{"NS-INCONSISTENT"});
    CHECK(r.result.findings[0].severity == Severity::warning);
    w.servers["198.51.100.2"].serial = 2026010101;
    w.servers["198.51.100.2"].dnskey = "example. 3600 IN DNSKEY 256 3 13 oJMRESz5E4gYzS/q6XDrvU1qMPYIjCWzJaOau8XNEZeqCYKD5ar0IRd8KqXXFJkqmVfRvMGPmM1x8fGAa2XhSA==";
    r = run_ns(w);
    CHECK(r.ids == std::vector<std::string>{"NS-INCONSISTENT"});
    CHECK(r.result.findings[0].severity == Severity::error);
}

TEST_CASE("ns: one server is NS-SINGLE; two in one /24 are NS-NO-DIVERSITY") {
    ServerWorld one;
    one.recursive = {"example. IN NS ns1.example.", "ns1.example. IN A 192.0.2.1"};
    one.servers["192.0.2.1"] = {};
    CHECK(run_ns(one).ids == std::vector<std::string>{"NS-SINGLE"});
    auto same = two_servers("192.0.2.200");
    auto r = run_ns(same);
    CHECK(r.ids == std::vector<std::string>{"NS-NO-DIVERSITY"});
    CHECK(r.result.findings[0].evidence["networks"] == Json::array({"192.0.2.0/24"}));
}

TEST_CASE("ns: a server that refuses TCP is NS-NO-TCP") {
    auto w = two_servers();
    auto r = run_ns(w, {"192.0.2.1"});
    CHECK(r.ids == std::vector<std::string>{"NS-NO-TCP"});
    CHECK(r.result.status == Status::fail);
}

TEST_CASE("ns: a name without NS records is skipped, not failed") {
    ServerWorld w;
    w.recursive = {"example. IN A 192.0.2.1"};
    auto r = run_ns(w);
    CHECK(r.ids.empty());
    CHECK(r.result.status == Status::skip);
}

}  // namespace mamori
