/// \file checks/dnssec/hygiene.cpp — algorithms (RFC 8624, RFC 9905), DS digests, key sizes, NSEC3 (RFC 9276), CDS (RFC 7344, RFC 8078).
#include "checks/dnssec/hygiene.h"

#include "dns/records.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace mamori::checks::dnssec {
namespace {

std::string salt_hex(const ldns_rr* nsec3) {
    if (nsec3 == nullptr || ldns_rr_rd_count(nsec3) < 4) return {};
    const ldns_rdf* rdf = ldns_rr_rdf(nsec3, 3);
    const std::uint8_t* data = ldns_rdf_data(rdf);
    const std::size_t size = ldns_rdf_size(rdf);
    if (size == 0 || data[0] == 0 || std::size_t{data[0]} + 1 > size) return {};
    std::string hex;
    for (std::size_t i = 1; i <= data[0]; ++i) hex += fmt::format("{:02x}", data[i]);
    return hex;
}

void algorithms(const ZoneMaterial& z, std::vector<Issue>& out) {
    std::set<std::uint8_t> bad;
    Json keys = Json::array();
    for (const ldns_rr* k : z.dnskeys) {
        if (!algorithm_deprecated(rdf_u8(k, 2))) continue;
        bad.insert(rdf_u8(k, 2));
        keys.push_back(key_summary(k));
    }
    if (bad.empty()) return;
    std::string names;
    for (auto a : bad) names += (names.empty() ? "" : ", ") + algorithm_name(a);
    out.push_back({"DNSSEC-ALGO-DEPRECATED",
                   fmt::format("{} is signed with {}, which must no longer be used for signing", z.zone, names),
                   {{"zone", z.zone}, {"dnskeys", keys}},
                   fmt::format("Roll {0} over to ECDSAP256SHA256 (13) or ED25519 (15): add keys of the new algorithm and "
                               "sign with both, publish the new DS at the parent (e.g. {0} IN DS <key tag> 13 2 <SHA-256 "
                               "digest>), withdraw the old DS, then remove the old keys and signatures (RFC 6781 §4.1.4).",
                               z.zone),
                   {}});
}

void ds_digests(const ZoneMaterial& z, std::vector<Issue>& out) {
    if (z.ds.empty()) return;
    std::set<std::uint8_t> types;
    Json records = Json::array();
    for (const ldns_rr* d : z.ds) {
        types.insert(rdf_u8(d, 2));
        records.push_back(dns::rr_to_string(d));
    }
    std::string better;
    for (const ldns_rr* k : entry_keys(z.dnskeys)) better += (better.empty() ? "" : "\n") + ds_record_for(k);
    if (better.empty()) better = fmt::format("{} IN DS <key tag> <algorithm> 2 <SHA-256 digest of the KSK>", z.zone);
    if (types == std::set<std::uint8_t>{1})
        out.push_back({"DNSSEC-DS-SHA1", fmt::format("the parent publishes only SHA-1 DS records for {}", z.zone),
                       {{"ds", records}},
                       fmt::format("Ask the registrar to publish a SHA-256 DS record and then remove the SHA-1 one:\n{}",
                                   better),
                       {}});
    if (types.contains(3))
        out.push_back({"DNSSEC-DS-GOST", fmt::format("the parent publishes a GOST (digest type 3) DS record for {}", z.zone),
                       {{"ds", records}},
                       fmt::format("Replace the GOST DS record with a SHA-256 one:\n{}", better), {}});
}

void rsa_sizes(const ZoneMaterial& z, const HygieneLimits& limits, std::vector<Issue>& out) {
    Json weak = Json::array();
    std::size_t smallest = 0;
    for (const ldns_rr* k : z.dnskeys) {
        const std::size_t bits = key_bits(k);
        if (!algorithm_rsa(rdf_u8(k, 2)) || bits == 0 || bits >= static_cast<std::size_t>(limits.rsa_min_bits)) continue;
        weak.push_back({{"key", key_summary(k)}, {"bits", bits}});
        smallest = smallest == 0 ? bits : std::min(smallest, bits);
    }
    if (weak.empty()) return;
    out.push_back({"DNSSEC-RSA-SHORT",
                   fmt::format("{} has RSA key(s) of {} bits, under {}", z.zone, smallest, limits.rsa_min_bits),
                   {{"keys", weak}, {"min_bits", limits.rsa_min_bits}},
                   fmt::format("Roll the short keys of {} over to RSA keys of at least {} bits, or better to "
                               "ECDSAP256SHA256 (13) (RFC 8624 §3.1).",
                               z.zone, limits.rsa_min_bits),
                   {}});
}

void nsec3_parameters(const ZoneMaterial& z, const HygieneLimits& limits, std::vector<Issue>& out) {
    if (z.nsec) {
        out.push_back({"DNSSEC-NSEC-WALKABLE",
                       fmt::format("{} uses NSEC: every name in the zone can be listed by walking the chain", z.zone),
                       {{"zone", z.zone}, {"denial", "NSEC"}},
                       fmt::format("Nothing to fix if the names of {} are public; otherwise sign with NSEC3 "
                                   "(iterations 0, no salt) or use compact denial of existence.", z.zone),
                       {}});
    }
    if (z.nsec3 == nullptr || ldns_rr_rd_count(z.nsec3) < 4) return;
    const unsigned iterations = rdf_u16(z.nsec3, 2);
    const std::string salt = salt_hex(z.nsec3);
    const Json ev{{"zone", z.zone}, {"record", dns::rr_to_string(z.nsec3)}, {"iterations", iterations},
                  {"salt", salt.empty() ? "-" : salt}};
    const std::string fix = fmt::format("Re-sign {} with NSEC3 iterations 0 and no salt (NSEC3PARAM 1 0 0 -), as RFC 9276 "
                                        "§3.1 recommends.", z.zone);
    if (iterations > 0) {
        Issue i{"DNSSEC-NSEC3-ITERATIONS",
                fmt::format("{} uses {} extra NSEC3 iterations{}", z.zone, iterations,
                            static_cast<int>(iterations) > limits.nsec3_max_iterations
                                ? fmt::format(" (over {}: validators treat its denials as insecure or bogus)",
                                              limits.nsec3_max_iterations)
                                : ""),
                ev, fix, {}};
        if (static_cast<int>(iterations) > limits.nsec3_max_iterations) i.severity = Severity::error;
        out.push_back(std::move(i));
    }
    if (!salt.empty())
        out.push_back({"DNSSEC-NSEC3-SALT", fmt::format("{} uses an NSEC3 salt ({}), which adds nothing", z.zone, salt), ev,
                       fix, {}});
    if (z.nsec3_optout)
        out.push_back({"DNSSEC-NSEC3-OPTOUT",
                       fmt::format("{} uses NSEC3 opt-out: unsigned delegations are not proven to exist", z.zone), ev,
                       fmt::format("Fine for large delegation-only zones; for {} drop opt-out (RFC 9276 §3.1).", z.zone),
                       {}});
}

/// Algorithm 0: a request to remove the DS (RFC 8078 §4), well-formed or not.
bool is_delete(const ldns_rr* rr) {
    const bool cds = ldns_rr_get_type(rr) == LDNS_RR_TYPE_CDS;
    return cds ? rdf_u8(rr, 1) == 0 : rdf_u8(rr, 2) == 0;
}

/// RFC 8078 §4: exactly "CDS 0 0 0 00" and "CDNSKEY 0 3 0 AA==".
bool well_formed_delete(const ldns_rr* rr) {
    const ldns_rdf* last = ldns_rr_rd_count(rr) >= 4 ? ldns_rr_rdf(rr, 3) : nullptr;
    const bool single_zero = last != nullptr && ldns_rdf_size(last) == 1 && ldns_rdf_data(last)[0] == 0;
    if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CDS) return rdf_u16(rr, 0) == 0 && rdf_u8(rr, 2) == 0 && single_zero;
    return rdf_u16(rr, 0) == 0 && rdf_u8(rr, 1) == 3 && single_zero;
}

bool same_key_data(const ldns_rr* a, const ldns_rr* b) {
    for (std::size_t i = 0; i < 4; ++i)
        if (ldns_rdf_compare(ldns_rr_rdf(a, i), ldns_rr_rdf(b, i)) != 0) return false;
    return true;
}

std::vector<std::string> cds_problems(const ZoneMaterial& z) {
    std::vector<std::string> problems;
    if (z.cds.empty() != z.cdnskey.empty())
        problems.push_back(z.cds.empty() ? "CDNSKEY without CDS (publish both, matching each other)"
                                         : "CDS without CDNSKEY (publish both, matching each other)");
    for (const auto* set : {&z.cds, &z.cdnskey})
        for (const ldns_rr* rr : *set)
            if (is_delete(rr) && (!well_formed_delete(rr) || set->size() > 1))
                problems.push_back(fmt::format("invalid delete {}: RFC 8078 §4 allows only CDS 0 0 0 00 and CDNSKEY 0 3 0 "
                                               "AA==, alone in their set", type_name(ldns_rr_get_type(rr))));
    for (const ldns_rr* c : z.cds) {
        if (is_delete(c)) continue;
        if (std::none_of(z.dnskeys.begin(), z.dnskeys.end(), [&](const ldns_rr* k) { return ds_matches(c, k); }))
            problems.push_back(fmt::format("CDS {} {} {} matches no DNSKEY of the zone", rdf_u16(c, 0), rdf_u8(c, 1),
                                           rdf_u8(c, 2)));
        else if (!z.cdnskey.empty() &&
                 std::none_of(z.cdnskey.begin(), z.cdnskey.end(), [&](const ldns_rr* k) { return ds_matches(c, k); }))
            problems.push_back(fmt::format("CDS {} {} {} matches no CDNSKEY", rdf_u16(c, 0), rdf_u8(c, 1), rdf_u8(c, 2)));
    }
    for (const ldns_rr* c : z.cdnskey) {
        if (is_delete(c)) continue;
        if (std::none_of(z.dnskeys.begin(), z.dnskeys.end(), [&](const ldns_rr* k) { return same_key_data(c, k); }))
            problems.push_back(fmt::format("CDNSKEY with key tag {} is not in the DNSKEY set", key_tag(c)));
        else if (!z.cds.empty() &&
                 std::none_of(z.cds.begin(), z.cds.end(), [&](const ldns_rr* d) { return ds_matches(d, c); }))
            problems.push_back(fmt::format("CDNSKEY with key tag {} has no matching CDS", key_tag(c)));
    }
    return problems;
}

void cds_consistency(const ZoneMaterial& z, std::vector<Issue>& out) {
    if (z.cds.empty() && z.cdnskey.empty()) return;
    Json records = Json::array();
    for (const auto* set : {&z.cds, &z.cdnskey})
        for (const ldns_rr* rr : *set) records.push_back(dns::rr_to_string(rr));
    const bool deleting = std::any_of(z.cds.begin(), z.cds.end(), is_delete) ||
                          std::any_of(z.cdnskey.begin(), z.cdnskey.end(), is_delete);
    auto problems = cds_problems(z);
    if (deleting && problems.empty()) {
        Issue i{"DNSSEC-CDS", fmt::format("{} asks its parent to remove its DS records (delete CDS/CDNSKEY)", z.zone),
                {{"records", records}}, "Nothing to fix if going insecure is intended; otherwise remove the delete CDS/CDNSKEY.",
                Severity::info};
        out.push_back(std::move(i));
        return;
    }
    if (problems.empty()) return;
    std::string fix = fmt::format("Publish CDS/CDNSKEY records for the keys {} really uses, e.g.:", z.zone);
    for (const ldns_rr* k : entry_keys(z.dnskeys)) fix += "\n" + ds_record_for(k);
    out.push_back({"DNSSEC-CDS", fmt::format("{}: {}", z.zone, problems.front()),
                   {{"records", records}, {"problems", problems}}, fix, {}});
}

}  // namespace

std::vector<const ldns_rr*> entry_keys(std::span<const ldns_rr* const> dnskeys) {
    std::vector<const ldns_rr*> out;
    for (const ldns_rr* k : dnskeys)
        if ((rdf_u16(k, 0) & LDNS_KEY_SEP_KEY) != 0 && !is_revoked(k)) out.push_back(k);
    if (out.empty()) out.assign(dnskeys.begin(), dnskeys.end());
    return out;
}

std::string ds_record_for(const ldns_rr* key) {
    auto ds = own(ldns_key_rr2ds(key, LDNS_SHA256));
    if (!ds) return {};
    ldns_rr_set_ttl(ds.get(), 3600);
    return dns::rr_to_string(ds.get());
}

std::vector<Issue> hygiene(const ZoneMaterial& zone, const HygieneLimits& limits) {
    std::vector<Issue> out;
    algorithms(zone, out);
    ds_digests(zone, out);
    rsa_sizes(zone, limits, out);
    nsec3_parameters(zone, limits, out);
    cds_consistency(zone, out);
    return out;
}

std::optional<Issue> expiry_horizon(std::span<const SigCheck> valid, const std::string& zone, std::time_t now,
                                    double horizon_days, std::size_t total) {
    const SigCheck* first = nullptr;
    std::size_t count = 0;
    const auto horizon = now + static_cast<std::time_t>(horizon_days * 86400);
    for (const auto& s : valid) {
        if (s.state != SigState::valid || s.expiration > horizon) continue;
        ++count;
        if (first == nullptr || s.expiration < first->expiration) first = &s;
    }
    if (first == nullptr) return std::nullopt;
    if (total > 0) count = total;
    const double days = static_cast<double>(first->expiration - now) / 86400.0;
    return Issue{"DNSSEC-SIG-EXPIRING",
                 fmt::format("{} signature(s) of {} expire within {} days; the first, by key {}, at {} ({:.1f} days from now)",
                             count, zone, horizon_days, first->key_tag, utc(first->expiration), days),
                 {{"zone", zone}, {"expiring", count}, {"first_expiration", utc(first->expiration)},
                  {"key_tag", first->key_tag}, {"now", utc(now)}, {"horizon_days", horizon_days}},
                 fmt::format("Re-sign {} now and check that automatic re-signing runs: signatures should be refreshed "
                             "well before they expire.", zone),
                 {}};
}

}  // namespace mamori::checks::dnssec
