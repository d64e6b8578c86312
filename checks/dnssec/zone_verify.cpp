/// \file checks/dnssec/zone_verify.cpp — every RRSIG of a zone file verified on all cores, then the denial chain and hygiene.
#include "checks/dnssec/zone_verify.h"

#include "checks/dnssec/zone_detail.h"
#include "dns/records.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

namespace mamori::checks::dnssec {
namespace {

constexpr std::size_t kExamples = 5;      // examples kept per finding id
constexpr std::size_t kChainExamples = 20;

struct RrsetTask {
    const ZoneName* name;
    ldns_rr_type type;
    const std::vector<const ldns_rr*>* rrs;
};

/// What one verification thread found; merged after the threads join.
struct Tally {
    std::size_t verified = 0;
    std::map<std::string, std::size_t> counts;        // finding id → failing RRsets
    std::map<std::string, std::vector<Issue>> examples;
    std::size_t expiring = 0;
    std::optional<SigCheck> first_expiring;

    void fail(Issue issue) {
        ++counts[issue.id];
        auto& list = examples[issue.id];
        if (list.size() < kExamples) list.push_back(std::move(issue));
    }
    void merge(Tally&& other) {
        verified += other.verified;
        for (auto& [id, n] : other.counts) counts[id] += n;
        for (auto& [id, list] : other.examples)
            for (auto& i : list)
                if (examples[id].size() < kExamples) examples[id].push_back(std::move(i));
        expiring += other.expiring;
        if (other.first_expiring && (!first_expiring || other.first_expiring->expiration < first_expiring->expiration))
            first_expiring = other.first_expiring;
    }
};

struct Verifier {
    std::vector<const ldns_rr*> keys;
    std::unique_ptr<KeyCache> cache;
    std::set<std::uint8_t> algorithms;
    std::string origin;
    RdfPtr origin_name{nullptr, &ldns_rdf_deep_free};
    std::time_t now = 0;
    std::time_t horizon = 0;

    /// Each algorithm of the DNSKEY set must have a valid RRSIG over the RRset (RFC 4035 §2.2).
    void verify(const RrsetTask& task, Tally& tally) const {
        std::vector<const ldns_rr*> sigs;
        for (const ldns_rr* sig : task.name->rrsigs)
            if (rrsig_covered(sig) == task.type && is_rrsig(sig)) sigs.push_back(sig);
        for (std::uint8_t algorithm : algorithms) {
            RrsetCheck check;
            check.type = task.type;
            bool ok = false;
            for (const ldns_rr* sig : sigs) {
                if (rdf_u8(sig, 1) != algorithm || !same_name(ldns_rr_rdf(sig, 7), origin_name.get())) continue;
                SigCheck c = check_rrsig(*task.rrs, sig, keys, now, cache.get());
                ++tally.verified;
                if (c.state == SigState::valid) {
                    ok = true;
                    note_expiry(c, tally);
                    break;
                }
                check.sigs.push_back(std::move(c));
            }
            if (!ok) {
                check.owner = task.name->text();
                tally.fail(failure(check, algorithm));
            }
        }
    }

    void note_expiry(const SigCheck& c, Tally& tally) const {
        if (c.expiration > horizon) return;
        ++tally.expiring;
        if (!tally.first_expiring || c.expiration < tally.first_expiring->expiration) tally.first_expiring = c;
    }

    Issue failure(const RrsetCheck& check, std::uint8_t algorithm) const {
        if (check.sigs.empty())
            return {"DNSSEC-RRSIG-MISSING",
                    fmt::format("{} {} has no RRSIG by {} with algorithm {}", check.owner, type_name(check.type), origin,
                                algorithm_name(algorithm)),
                    {{"rrset", fmt::format("{} {}", check.owner, type_name(check.type))}, {"algorithm", algorithm}},
                    {}, {}};
        return {check.issue_id(), check.explain(now), check.evidence(now), {}, {}};
    }
};

std::vector<RrsetTask> tasks_of(const ZoneIndex& index) {
    std::vector<RrsetTask> tasks;
    for (const auto& n : index.names) {
        if (n.occluded) continue;
        for (const auto& [type, rrs] : n.rrsets) {
            if (n.delegation && type != LDNS_RR_TYPE_DS && type != LDNS_RR_TYPE_NSEC) continue;
            tasks.push_back({&n, type, &rrs});
        }
    }
    return tasks;
}

Tally verify_all(const std::vector<RrsetTask>& tasks, const Verifier& verifier, unsigned threads) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    threads = std::min<unsigned>(threads, static_cast<unsigned>(std::max<std::size_t>(1, tasks.size() / 64)));
    std::atomic<std::size_t> next{0};
    constexpr std::size_t kChunk = 128;
    std::vector<Tally> tallies(threads);
    auto work = [&](Tally& tally) {
        for (;;) {
            const std::size_t start = next.fetch_add(kChunk);
            if (start >= tasks.size()) return;
            const std::size_t end = std::min(tasks.size(), start + kChunk);
            for (std::size_t i = start; i < end; ++i) verifier.verify(tasks[i], tally);
        }
    };
    {
        std::vector<std::jthread> pool;
        for (unsigned i = 1; i < threads; ++i) pool.emplace_back(work, std::ref(tallies[i]));
        work(tallies[0]);
    }
    for (unsigned i = 1; i < threads; ++i) tallies[0].merge(std::move(tallies[i]));
    return std::move(tallies[0]);
}

/// One issue per failing id: the count, the first example's message, and examples as evidence.
void summarize(Tally& tally, std::vector<Issue>& out) {
    for (auto& [id, list] : tally.examples) {
        const std::size_t count = tally.counts[id];
        Json examples = Json::array();
        for (auto& i : list) examples.push_back(std::move(i.evidence));
        std::string message = count == 1 ? list.front().message
                                         : fmt::format("{} RRsets fail; the first: {}", count, list.front().message);
        out.push_back({id, std::move(message), {{"rrsets", count}, {"examples", std::move(examples)}}, {}, {}});
    }
}

const std::vector<const ldns_rr*>* apex_set(const ZoneIndex& index, ldns_rr_type type) {
    if (index.apex == nullptr) return nullptr;
    auto it = index.apex->rrsets.find(type);
    return it == index.apex->rrsets.end() ? nullptr : &it->second;
}

void denial_chain(const ZoneIndex& index, ZoneMaterial& material, Json& facts, std::vector<Issue>& out) {
    const auto* param = apex_set(index, LDNS_RR_TYPE_NSEC3PARAM);
    const bool any_nsec3 = std::any_of(index.names.begin(), index.names.end(),
                                       [](const ZoneName& n) { return n.has(LDNS_RR_TYPE_NSEC3); });
    std::vector<ChainProblem> problems;
    if (param != nullptr || any_nsec3) {
        facts["nsec"] = "nsec3";
        const ldns_rr* p = param != nullptr ? param->front() : nullptr;
        problems = check_nsec3_chain(index, p, material.nsec3_optout);
        for (const auto& n : index.names)
            if (material.nsec3 == nullptr && n.has(LDNS_RR_TYPE_NSEC3)) material.nsec3 = n.rrsets.at(LDNS_RR_TYPE_NSEC3).front();
        if (p != nullptr) material.nsec3 = p;
    } else if (index.apex != nullptr && index.apex->has(LDNS_RR_TYPE_NSEC)) {
        facts["nsec"] = "nsec";
        material.nsec = true;
        problems = check_nsec_chain(index);
    } else {
        problems.push_back({"the signed zone has no NSEC or NSEC3 chain: no denial of existence can be proven",
                            index.origin});
    }
    if (problems.empty()) return;
    Json list = Json::array();
    for (std::size_t i = 0; i < problems.size() && i < kChainExamples; ++i) list.push_back(problems[i].what);
    out.push_back({"DNSSEC-NSEC-CHAIN",
                   problems.size() == 1 ? problems.front().what
                                        : fmt::format("{} problems in the denial chain; the first: {}", problems.size(),
                                                      problems.front().what),
                   {{"problems", problems.size()}, {"examples", list}}, {}, {}});
}

/// The verifier of a zone: its usable DNSKEYs, their algorithms, decoded once.
Verifier make_verifier(const ZoneIndex& index, const ZoneVerifyOptions& options) {
    Verifier verifier;
    verifier.origin = index.origin;
    verifier.origin_name = own(ldns_dname_new_frm_str(index.origin.c_str()));
    verifier.now = options.now;
    verifier.horizon = options.now + static_cast<std::time_t>(options.horizon_days * 86400);
    if (const auto* keys = apex_set(index, LDNS_RR_TYPE_DNSKEY)) {
        for (const ldns_rr* k : *keys) {
            if (!is_dnskey(k) || is_revoked(k)) continue;
            verifier.keys.push_back(k);
            verifier.algorithms.insert(rdf_u8(k, 2));
        }
    }
    verifier.cache = std::make_unique<KeyCache>(verifier.keys);
    return verifier;
}

void signatures_over_signatures(const ZoneIndex& index, Tally& tally) {
    for (const auto& n : index.names)
        for (const ldns_rr* sig : n.rrsigs)
            if (rrsig_covered(sig) == LDNS_RR_TYPE_RRSIG)
                tally.fail({"DNSSEC-SIG-INVALID",
                            fmt::format("{} has an RRSIG over RRSIG records, which are never signed (RFC 4035 §2.2)",
                                        n.text()),
                            {{"record", dns::rr_to_string(sig)}}, {}, {}});
}

Issue unsigned_zone(const std::string& origin) {
    return {"DNSSEC-UNSIGNED", fmt::format("{} is not signed: the zone file has no DNSKEY and no RRSIG", origin),
            {{"zone", origin}},
            fmt::format("Sign {0} with ECDSAP256SHA256 keys (e.g. ldns-signzone, or the signer's DNSSEC policy) and "
                        "publish its DS at the parent: {0} IN DS <key tag> 13 2 <SHA-256 digest of the KSK>", origin),
            {}};
}

}  // namespace

ZoneVerification verify_zone(const dns::LoadedZone& zone, const ZoneVerifyOptions& options) {
    ZoneVerification v;
    const ZoneIndex index = build_index(zone);
    const Verifier verifier = make_verifier(index, options);
    v.facts = {{"state", "secure"},
               {"algorithms", Json(std::vector<int>(verifier.algorithms.begin(), verifier.algorithms.end()))},
               {"ds_digests", Json::array()}, {"zone", index.origin}, {"names", index.names.size()}};
    const bool any_rrsig = std::any_of(index.names.begin(), index.names.end(),
                                       [](const ZoneName& n) { return !n.rrsigs.empty(); });
    if (verifier.keys.empty() && !any_rrsig) {
        v.state = ChainState::insecure;
        v.facts["state"] = "insecure";
        v.issues.push_back(unsigned_zone(index.origin));
        return v;
    }
    if (verifier.keys.empty())
        v.issues.push_back({"DNSSEC-SIG-INVALID",
                            fmt::format("{} carries RRSIGs but no usable DNSKEY RRset at its apex: no signature can verify",
                                        index.origin),
                            {{"zone", index.origin}}, {}, {}});
    const auto tasks = tasks_of(index);
    Tally tally = verify_all(tasks, verifier, options.threads);
    signatures_over_signatures(index, tally);
    summarize(tally, v.issues);
    v.facts["rrsets"] = tasks.size();
    v.facts["signatures_verified"] = tally.verified;

    ZoneMaterial material;
    material.zone = index.origin;
    material.dnskeys = verifier.keys;
    if (const auto* cds = apex_set(index, LDNS_RR_TYPE_CDS)) material.cds = *cds;
    if (const auto* cdnskey = apex_set(index, LDNS_RR_TYPE_CDNSKEY)) material.cdnskey = *cdnskey;
    denial_chain(index, material, v.facts, v.issues);
    if (!v.issues.empty()) {
        v.state = ChainState::bogus;
        v.facts["state"] = "bogus";
    }
    if (tally.first_expiring) {
        std::vector<SigCheck> first{*tally.first_expiring};
        if (auto i = expiry_horizon(first, index.origin, options.now, options.horizon_days, tally.expiring))
            v.issues.push_back(std::move(*i));
    }
    auto more = hygiene(material, options.limits);
    v.issues.insert(v.issues.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
    return v;
}

}  // namespace mamori::checks::dnssec
