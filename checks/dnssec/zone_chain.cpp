/// \file checks/dnssec/zone_chain.cpp — completeness of a zone file's NSEC chain (RFC 4035 §2.3) and NSEC3 chain (RFC 5155 §7.1).
#include "checks/dnssec/zone_detail.h"

#include "dns/records.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace mamori::checks::dnssec {
namespace {

std::string types_text(const std::set<ldns_rr_type>& types) {
    std::string out;
    for (auto t : types) out += (out.empty() ? "" : " ") + type_name(t);
    return out.empty() ? "(none)" : out;
}

/// A name that must have its own NSEC/NSEC3 record: authoritative, with data or a delegation.
bool needs_denial_record(const ZoneName& n) {
    if (n.occluded) return false;
    return std::any_of(n.rrsets.begin(), n.rrsets.end(), [](const auto& entry) {
        return entry.first != LDNS_RR_TYPE_NSEC && entry.first != LDNS_RR_TYPE_NSEC3;
    });
}

std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

std::string rdf_text(const ldns_rdf* rdf) {
    if (rdf == nullptr) return {};
    char* str = ldns_rdf2str(rdf);
    std::string s = str != nullptr ? str : "";
    std::free(str);
    while (!s.empty() && s.back() == '.') s.pop_back();
    return lower(s);
}

/// The first label of an NSEC3 owner name: the hash in base32hex.
std::string first_label(const ldns_rdf* name) {
    const std::string text = rdf_text(name);
    return text.substr(0, text.find('.'));
}

void check_bitmap(const ZoneName& n, const ldns_rr* record, std::size_t field, bool nsec,
                  std::vector<ChainProblem>& out) {
    const auto want = n.bitmap_types(nsec, LDNS_RR_TYPE_NSEC);
    const auto have = bitmap_of(ldns_rr_rd_count(record) > field ? ldns_rr_rdf(record, field) : nullptr);
    if (want == have) return;
    out.push_back({fmt::format("wrong type bitmap of the {} for {}: it lists {}, the name has {}", nsec ? "NSEC" : "NSEC3",
                               n.text(), types_text(have), types_text(want)),
                   n.text()});
}

}  // namespace

std::vector<ChainProblem> check_nsec_chain(const ZoneIndex& index) {
    std::vector<ChainProblem> out;
    std::vector<const ZoneName*> chain;
    for (const auto& n : index.names) {
        if (needs_denial_record(n)) chain.push_back(&n);
        else if (!n.occluded && !n.has(LDNS_RR_TYPE_NSEC) &&
                 std::any_of(n.rrsigs.begin(), n.rrsigs.end(),
                             [](const ldns_rr* sig) { return rrsig_covered(sig) == LDNS_RR_TYPE_NSEC; }))
            out.push_back({fmt::format("missing NSEC at {}: only its RRSIG is in the zone", n.text()), n.text()});
        else if (n.has(LDNS_RR_TYPE_NSEC))
            out.push_back({fmt::format("superfluous NSEC at {}, which is {}", n.text(),
                                       n.occluded ? "not authoritative (below a zone cut or outside the zone)"
                                                  : "a name without data"),
                           n.text()});
    }
    for (std::size_t i = 0; i < chain.size(); ++i) {
        const ZoneName& n = *chain[i];
        const ZoneName& next = *chain[(i + 1) % chain.size()];
        auto it = n.rrsets.find(LDNS_RR_TYPE_NSEC);
        if (it == n.rrsets.end()) {
            out.push_back({fmt::format("missing NSEC at {}", n.text()), n.text()});
            continue;
        }
        if (it->second.size() > 1) out.push_back({fmt::format("{} NSEC records at {}", it->second.size(), n.text()), n.text()});
        const ldns_rr* nsec = it->second.front();
        const ldns_rdf* pointer = ldns_rr_rd_count(nsec) > 0 ? ldns_rr_rdf(nsec, 0) : nullptr;
        if (canonical_key(pointer) != next.key)
            out.push_back({fmt::format("inconsistent NSEC chain: the NSEC at {} points to {}, the next name is {}", n.text(),
                                       pointer != nullptr ? dns::canonical_name(dns::name_to_string(pointer)) : "?",
                                       next.text()),
                           n.text()});
        check_bitmap(n, nsec, 1, true, out);
    }
    return out;
}

namespace {

struct Nsec3Params {
    std::uint8_t algorithm = 1;
    std::uint16_t iterations = 0;
    std::vector<std::uint8_t> salt;

    static Nsec3Params of(const ldns_rr* rr) {
        Nsec3Params p;
        p.algorithm = rdf_u8(rr, 0);
        p.iterations = rdf_u16(rr, 2);
        if (ldns_rr_rd_count(rr) > 3) {
            const ldns_rdf* s = ldns_rr_rdf(rr, 3);
            const std::uint8_t* d = ldns_rdf_data(s);
            if (ldns_rdf_size(s) > 0 && std::size_t{d[0]} + 1 <= ldns_rdf_size(s)) p.salt.assign(d + 1, d + 1 + d[0]);
        }
        return p;
    }
    bool operator==(const Nsec3Params&) const = default;

    std::string hash(const ldns_rdf* name) const {
        auto hashed = own(ldns_nsec3_hash_name(name, algorithm, iterations, static_cast<std::uint8_t>(salt.size()),
                                               salt.empty() ? nullptr : const_cast<std::uint8_t*>(salt.data())));
        return hashed ? first_label(hashed.get()) : std::string();
    }
};

struct Expected {
    const ZoneName* name = nullptr;  ///< null for an empty non-terminal
    std::string text;
    bool required = true;
};

/// Every name the chain must (or, under opt-out, may) cover, keyed by its hash.
std::unordered_map<std::string, Expected> expected_hashes(const ZoneIndex& index, const Nsec3Params& params) {
    std::unordered_map<std::string, Expected> out;
    std::unordered_set<std::string> existing;
    for (const auto& n : index.names) existing.insert(n.key);
    for (const auto& n : index.names) {
        if (!needs_denial_record(n) || n.has(LDNS_RR_TYPE_NSEC3)) continue;
        const bool required = !(n.delegation && !n.has(LDNS_RR_TYPE_DS));
        out[params.hash(n.owner)] = {&n, n.text(), required};
        // Empty non-terminals between the name and the apex need records too.
        RdfPtr walk = own(ldns_dname_left_chop(n.owner));
        while (walk && ldns_dname_label_count(walk.get()) > 0) {
            const std::string key = canonical_key(walk.get());
            if (key.size() <= index.origin_key.size() || existing.contains(key)) break;
            const std::string hash = params.hash(walk.get());
            auto& e = out[hash];
            if (e.text.empty()) e = {nullptr, dns::canonical_name(dns::name_to_string(walk.get())), required};
            else e.required = e.required || required;
            walk = own(ldns_dname_left_chop(walk.get()));
        }
    }
    return out;
}

void check_nsec3_links(const std::vector<std::pair<std::string, const ldns_rr*>>& records, std::vector<ChainProblem>& out) {
    for (std::size_t i = 0; i < records.size(); ++i) {
        const ldns_rr* rr = records[i].second;
        const std::string next = records[(i + 1) % records.size()].first;
        const std::string pointer = ldns_rr_rd_count(rr) > 4 ? rdf_text(ldns_rr_rdf(rr, 4)) : std::string();
        if (pointer != next)
            out.push_back({fmt::format("inconsistent NSEC3 chain: the NSEC3 {} points to {}, the next hash is {}",
                                       records[i].first, pointer, next),
                           owner_of(rr)});
    }
}

}  // namespace

std::vector<ChainProblem> check_nsec3_chain(const ZoneIndex& index, const ldns_rr* nsec3param, bool& optout) {
    std::vector<ChainProblem> out;
    std::vector<std::pair<std::string, const ldns_rr*>> records;  // hash → NSEC3
    std::unordered_map<std::string, const ldns_rr*> by_hash;
    for (const auto& n : index.names) {
        auto it = n.rrsets.find(LDNS_RR_TYPE_NSEC3);
        if (it == n.rrsets.end()) continue;
        for (const ldns_rr* rr : it->second) {
            records.emplace_back(first_label(n.owner), rr);
            by_hash.emplace(records.back().first, rr);
            optout = optout || (rdf_u8(rr, 1) & 1) != 0;
        }
    }
    if (records.empty()) return {{"the zone has an NSEC3PARAM record but no NSEC3 records", index.origin}};
    std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    // The NSEC3 whose span covers `hash`: under opt-out, only its flag excuses a missing record.
    auto covering = [&](const std::string& hash) {
        auto it = std::upper_bound(records.begin(), records.end(), hash,
                                   [](const std::string& h, const auto& r) { return h < r.first; });
        return it == records.begin() ? records.back().second : std::prev(it)->second;
    };
    if (nsec3param == nullptr) out.push_back({"NSEC3 records without an NSEC3PARAM record at the apex", index.origin});
    else if (rdf_u8(nsec3param, 1) != 0)
        out.push_back({fmt::format("invalid flags in NSEC3PARAM: {} (must be 0)", rdf_u8(nsec3param, 1)), index.origin});
    const Nsec3Params params = Nsec3Params::of(nsec3param != nullptr ? nsec3param : records.front().second);
    for (const auto& [hash, rr] : records)
        if (!(Nsec3Params::of(rr) == params))
            out.push_back({fmt::format("the NSEC3 {} uses other parameters than the NSEC3PARAM", hash), owner_of(rr)});
    const auto expected = expected_hashes(index, params);
    for (const auto& [hash, e] : expected) {
        auto it = by_hash.find(hash);
        if (it == by_hash.end()) {
            if (e.required || (rdf_u8(covering(hash), 1) & 1) == 0)
                out.push_back({fmt::format("missing NSEC3 for {} (hash {})", e.text, hash), e.text});
            continue;
        }
        if (e.name != nullptr) check_bitmap(*e.name, it->second, 5, false, out);
        else if (!bitmap_of(ldns_rr_rd_count(it->second) > 5 ? ldns_rr_rdf(it->second, 5) : nullptr).empty())
            out.push_back({fmt::format("wrong type bitmap of the NSEC3 for the empty non-terminal {}", e.text), e.text});
    }
    for (const auto& [hash, rr] : records)
        if (!expected.contains(hash))
            out.push_back({fmt::format("superfluous NSEC3 {}: it matches no authoritative name of the zone", hash),
                           owner_of(rr)});
    check_nsec3_links(records, out);
    return out;
}

}  // namespace mamori::checks::dnssec
