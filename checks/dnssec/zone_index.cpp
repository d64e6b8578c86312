/// \file checks/dnssec/zone_index.cpp — a zone file's records sorted by name in canonical order, with cuts and glue marked.
#include "checks/dnssec/zone_detail.h"

#include "dns/records.h"

#include <algorithm>

namespace mamori::checks::dnssec {

std::string canonical_key(const ldns_rdf* name) {
    std::string key;
    if (name == nullptr || ldns_rdf_get_type(name) != LDNS_RDF_TYPE_DNAME) return key;
    const std::uint8_t* data = ldns_rdf_data(name);
    const std::size_t size = ldns_rdf_size(name);
    std::vector<std::pair<std::size_t, std::size_t>> labels;  // (start, length)
    for (std::size_t at = 0; at < size && data[at] != 0;) {
        const std::size_t length = data[at];
        if (at + 1 + length > size) break;
        labels.emplace_back(at + 1, length);
        at += 1 + length;
    }
    key.reserve(size * 2 + labels.size());
    for (auto it = labels.rbegin(); it != labels.rend(); ++it) {
        for (std::size_t i = it->first; i < it->first + it->second; ++i) {
            auto c = static_cast<char>(data[i]);
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
            key.push_back('\x01');  // every label byte is escaped, so the end of a label (0) sorts first
            key.push_back(c);
        }
        key.push_back('\0');
    }
    return key;
}

std::string ZoneName::text() const { return owner != nullptr ? dns::canonical_name(dns::name_to_string(owner)) : "?"; }

std::set<ldns_rr_type> ZoneName::bitmap_types(bool with_denial_type, ldns_rr_type denial_type) const {
    std::set<ldns_rr_type> types;
    if (occluded) return types;
    for (const auto& [type, rrs] : rrsets) {
        if (type == LDNS_RR_TYPE_NSEC || type == LDNS_RR_TYPE_NSEC3) continue;
        if (delegation && type != LDNS_RR_TYPE_NS && type != LDNS_RR_TYPE_DS) continue;
        types.insert(type);
    }
    const bool signed_data = !types.empty() && (!delegation || has(LDNS_RR_TYPE_DS));
    if (with_denial_type) {
        types.insert(denial_type);
        types.insert(LDNS_RR_TYPE_RRSIG);  // the NSEC record itself is signed
    } else if (signed_data) {
        types.insert(LDNS_RR_TYPE_RRSIG);
    }
    return types;
}

std::set<ldns_rr_type> bitmap_of(const ldns_rdf* bitmap) {
    std::set<ldns_rr_type> types;
    if (bitmap == nullptr) return types;
    const std::uint8_t* data = ldns_rdf_data(bitmap);
    const std::size_t size = ldns_rdf_size(bitmap);
    for (std::size_t at = 0; at + 2 <= size;) {
        const unsigned window = data[at];
        const std::size_t length = data[at + 1];
        if (length == 0 || length > 32 || at + 2 + length > size) break;
        for (std::size_t i = 0; i < length; ++i)
            for (unsigned bit = 0; bit < 8; ++bit)
                if ((data[at + 2 + i] & (0x80u >> bit)) != 0)
                    types.insert(static_cast<ldns_rr_type>(window * 256 + i * 8 + bit));
        at += 2 + length;
    }
    return types;
}

namespace {

bool under(const std::string& key, const std::string& ancestor) {
    return key.size() >= ancestor.size() && key.compare(0, ancestor.size(), ancestor) == 0;
}

void mark_cuts(ZoneIndex& index) {
    std::string cut;
    for (auto& n : index.names) {
        if (!under(n.key, index.origin_key)) {
            n.occluded = true;
            continue;
        }
        if (!cut.empty() && n.key != cut && under(n.key, cut)) {
            n.occluded = true;
            continue;
        }
        n.apex = n.key == index.origin_key;
        if (!n.apex && n.has(LDNS_RR_TYPE_NS)) {
            n.delegation = true;
            cut = n.key;
        } else if (!n.apex && n.has(LDNS_RR_TYPE_DNAME)) {
            cut = n.key;  // names below a DNAME are not served either (RFC 6672 §2.3)
        }
    }
}

}  // namespace

ZoneIndex build_index(const dns::LoadedZone& zone) {
    ZoneIndex index;
    index.origin = zone.origin;
    auto origin = own(ldns_dname_new_frm_str(zone.origin.c_str()));
    index.origin_key = canonical_key(origin.get());
    std::vector<std::pair<std::string, const ldns_rr*>> entries;
    const ldns_rr_list* rrs = ldns_zone_rrs(zone.zone.get());
    const std::size_t count = rrs != nullptr ? ldns_rr_list_rr_count(rrs) : 0;
    entries.reserve(count + 1);
    if (const ldns_rr* soa = ldns_zone_soa(zone.zone.get())) entries.emplace_back(canonical_key(ldns_rr_owner(soa)), soa);
    for (std::size_t i = 0; i < count; ++i) {
        const ldns_rr* rr = ldns_rr_list_rr(rrs, i);
        entries.emplace_back(canonical_key(ldns_rr_owner(rr)), rr);
    }
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [key, rr] : entries) {
        if (index.names.empty() || index.names.back().key != key) {
            index.names.emplace_back();
            index.names.back().key = std::move(key);
            index.names.back().owner = ldns_rr_owner(rr);
        }
        ZoneName& n = index.names.back();
        if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG) n.rrsigs.push_back(rr);
        else n.rrsets[ldns_rr_get_type(rr)].push_back(rr);
    }
    mark_cuts(index);
    for (const auto& n : index.names)
        if (n.apex) index.apex = &n;
    return index;
}

}  // namespace mamori::checks::dnssec
