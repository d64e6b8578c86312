/// \file checks/dnssec/validate.cpp — record fields, algorithm registries, DS matching and RRSIG verdicts (ldns + OpenSSL).
#include "checks/dnssec/dnssec_detail.h"

#include "dns/records.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace mamori::checks::dnssec {
namespace {

const ldns_rdf* field(const ldns_rr* rr, std::size_t index) {
    if (rr == nullptr || ldns_rr_rd_count(rr) <= index) return nullptr;
    return ldns_rr_rdf(rr, index);
}

bool has_fields(const ldns_rr* rr, std::initializer_list<ldns_rr_type> types, std::size_t count) {
    if (rr == nullptr || ldns_rr_rd_count(rr) < count) return false;
    return std::find(types.begin(), types.end(), ldns_rr_get_type(rr)) != types.end();
}

SigState state_of(ldns_status status) {
    switch (status) {
        case LDNS_STATUS_OK: return SigState::valid;
        case LDNS_STATUS_CRYPTO_SIG_EXPIRED: return SigState::expired;
        case LDNS_STATUS_CRYPTO_SIG_NOT_INCEPTED: return SigState::not_yet_valid;
        case LDNS_STATUS_CRYPTO_UNKNOWN_ALGO:
        case LDNS_STATUS_CRYPTO_ALGO_NOT_IMPL: return SigState::unsupported;
        case LDNS_STATUS_CRYPTO_NO_MATCHING_KEYTAG_DNSKEY: return SigState::no_key;
        default: return SigState::invalid;
    }
}

/// Which of two failures tells the operator more: a good signature at the wrong time beats a bad one.
int telling(SigState s) {
    switch (s) {
        case SigState::valid: return 6;
        case SigState::expired: return 5;
        case SigState::not_yet_valid: return 4;
        case SigState::invalid: return 3;
        case SigState::unsupported: return 2;
        case SigState::no_key: return 1;
    }
    return 0;
}

}  // namespace

std::uint8_t rdf_u8(const ldns_rr* rr, std::size_t index) {
    const ldns_rdf* rdf = field(rr, index);
    return rdf != nullptr && ldns_rdf_size(rdf) == 1 ? ldns_rdf2native_int8(rdf) : 0;
}

std::uint16_t rdf_u16(const ldns_rr* rr, std::size_t index) {
    const ldns_rdf* rdf = field(rr, index);
    return rdf != nullptr && ldns_rdf_size(rdf) == 2 ? ldns_rdf2native_int16(rdf) : 0;
}

std::uint32_t rdf_u32(const ldns_rr* rr, std::size_t index) {
    const ldns_rdf* rdf = field(rr, index);
    return rdf != nullptr && ldns_rdf_size(rdf) == 4 ? ldns_rdf2native_int32(rdf) : 0;
}

std::string owner_of(const ldns_rr* rr) { return dns::canonical_name(dns::name_to_string(ldns_rr_owner(rr))); }

bool same_name(const ldns_rdf* a, const ldns_rdf* b) {
    return a != nullptr && b != nullptr && ldns_dname_compare(a, b) == 0;
}

bool owned_by(const ldns_rr* rr, const std::string& name) { return owner_of(rr) == dns::canonical_name(name); }

bool is_dnskey(const ldns_rr* rr) {
    return has_fields(rr, {LDNS_RR_TYPE_DNSKEY, LDNS_RR_TYPE_CDNSKEY}, 4) && ldns_rdf_size(ldns_rr_rdf(rr, 0)) == 2 &&
           ldns_rdf_size(ldns_rr_rdf(rr, 1)) == 1 && ldns_rdf_size(ldns_rr_rdf(rr, 2)) == 1;
}

bool is_ds(const ldns_rr* rr) {
    return has_fields(rr, {LDNS_RR_TYPE_DS, LDNS_RR_TYPE_CDS}, 4) && ldns_rdf_size(ldns_rr_rdf(rr, 0)) == 2 &&
           ldns_rdf_size(ldns_rr_rdf(rr, 1)) == 1 && ldns_rdf_size(ldns_rr_rdf(rr, 2)) == 1;
}

bool is_rrsig(const ldns_rr* rr) {
    if (!has_fields(rr, {LDNS_RR_TYPE_RRSIG}, 9)) return false;
    const ldns_rdf* signer = ldns_rr_rdf(rr, 7);
    return ldns_rdf_size(ldns_rr_rdf(rr, 0)) == 2 && ldns_rdf_size(ldns_rr_rdf(rr, 1)) == 1 &&
           ldns_rdf_size(ldns_rr_rdf(rr, 4)) == 4 && ldns_rdf_size(ldns_rr_rdf(rr, 5)) == 4 &&
           ldns_rdf_size(ldns_rr_rdf(rr, 6)) == 2 && ldns_rdf_get_type(signer) == LDNS_RDF_TYPE_DNAME;
}

ldns_rr_type rrsig_covered(const ldns_rr* rrsig) {
    const ldns_rdf* rdf = field(rrsig, 0);
    if (rdf == nullptr || ldns_rdf_size(rdf) != 2) return LDNS_RR_TYPE_NULL;
    return ldns_rdf2rr_type(rdf);
}

std::string rrsig_signer(const ldns_rr* rrsig) {
    const ldns_rdf* rdf = field(rrsig, 7);
    if (rdf == nullptr || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME) return {};
    return dns::canonical_name(dns::name_to_string(rdf));
}

namespace {

/// A CDNSKEY as the DNSKEY it stands for (ldns computes tags and digests of DNSKEY records only).
RrPtr as_dnskey(const ldns_rr* rr) {
    RrPtr copy = own(ldns_rr_clone(rr));
    if (copy) ldns_rr_set_type(copy.get(), LDNS_RR_TYPE_DNSKEY);
    return copy;
}

}  // namespace

std::uint16_t key_tag(const ldns_rr* dnskey) {
    if (!is_dnskey(dnskey)) return 0;
    if (ldns_rr_get_type(dnskey) == LDNS_RR_TYPE_DNSKEY) return ldns_calc_keytag(dnskey);
    return ldns_calc_keytag(as_dnskey(dnskey).get());
}

bool is_revoked(const ldns_rr* dnskey) { return (rdf_u16(dnskey, 0) & LDNS_KEY_REVOKE_KEY) != 0; }

std::size_t key_bits(const ldns_rr* dnskey) {
    if (!is_dnskey(dnskey) || ldns_rdf_size(ldns_rr_rdf(dnskey, 3)) == 0) return 0;
    return ldns_rr_dnskey_key_size(dnskey);
}

std::string algorithm_name(std::uint8_t algorithm) {
    static const std::array<std::string_view, 17> names{
        "DELETE", "RSAMD5", "DH", "DSA", "RESERVED", "RSASHA1", "DSA-NSEC3-SHA1", "RSASHA1-NSEC3-SHA1",
        "RSASHA256", "RESERVED", "RSASHA512", "RESERVED", "ECC-GOST", "ECDSAP256SHA256", "ECDSAP384SHA384",
        "ED25519", "ED448"};
    if (algorithm < names.size()) return fmt::format("{} ({})", names[algorithm], algorithm);
    return fmt::format("algorithm {}", algorithm);
}

bool algorithm_deprecated(std::uint8_t algorithm) {
    return algorithm == 1 || algorithm == 3 || algorithm == 5 || algorithm == 6 || algorithm == 7 || algorithm == 12;
}

bool algorithm_rsa(std::uint8_t algorithm) {
    return algorithm == 1 || algorithm == 5 || algorithm == 7 || algorithm == 8 || algorithm == 10;
}

std::string digest_name(std::uint8_t digest_type) {
    switch (digest_type) {
        case 1: return "SHA-1 (1)";
        case 2: return "SHA-256 (2)";
        case 3: return "GOST R 34.11-94 (3)";
        case 4: return "SHA-384 (4)";
        default: return fmt::format("digest type {}", digest_type);
    }
}

bool ds_matches(const ldns_rr* ds, const ldns_rr* dnskey) {
    if (!is_ds(ds) || !is_dnskey(dnskey)) return false;
    if (rdf_u16(ds, 0) != key_tag(dnskey) || rdf_u8(ds, 1) != rdf_u8(dnskey, 2)) return false;
    if (!same_name(ldns_rr_owner(ds), ldns_rr_owner(dnskey))) return false;
    const RrPtr key = as_dnskey(dnskey);
    auto computed = own(key ? ldns_key_rr2ds(key.get(), static_cast<ldns_hash>(rdf_u8(ds, 2))) : nullptr);
    if (!computed || ldns_rr_rd_count(computed.get()) < 4) return false;
    const ldns_rdf* want = ldns_rr_rdf(ds, 3);
    const ldns_rdf* got = ldns_rr_rdf(computed.get(), 3);
    return ldns_rdf_size(want) == ldns_rdf_size(got) &&
           std::equal(ldns_rdf_data(want), ldns_rdf_data(want) + ldns_rdf_size(want), ldns_rdf_data(got));
}

std::string ds_summary(const ldns_rr* ds) {
    return fmt::format("{} {} {} {} {}", owner_of(ds), type_name(ldns_rr_get_type(ds)), rdf_u16(ds, 0), rdf_u8(ds, 1),
                       rdf_u8(ds, 2));
}

std::string key_summary(const ldns_rr* dnskey) {
    const std::uint16_t flags = rdf_u16(dnskey, 0);
    return fmt::format("key {} ({}, {}{})", key_tag(dnskey), algorithm_name(rdf_u8(dnskey, 2)),
                       (flags & LDNS_KEY_SEP_KEY) != 0 ? "KSK" : "ZSK", is_revoked(dnskey) ? ", revoked" : "");
}

std::string type_name(ldns_rr_type type) {
    const ldns_rr_descriptor* d = ldns_rr_descript(static_cast<std::uint16_t>(type));
    if (d != nullptr && d->_name != nullptr) return d->_name;
    return fmt::format("TYPE{}", static_cast<unsigned>(type));
}

std::string_view to_string(SigState s) {
    switch (s) {
        case SigState::valid: return "valid";
        case SigState::invalid: return "invalid";
        case SigState::expired: return "expired";
        case SigState::not_yet_valid: return "not yet valid";
        case SigState::no_key: return "no matching DNSKEY";
        case SigState::unsupported: return "unsupported algorithm";
    }
    return "?";
}

std::time_t serial_time(std::uint32_t field_value, std::time_t now) {
    const auto now32 = static_cast<std::uint32_t>(static_cast<std::uint64_t>(now));
    const auto delta = static_cast<std::int32_t>(field_value - now32);
    return now + delta;
}

std::string utc(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                       tm.tm_min, tm.tm_sec);
}

SigCheck check_rrsig(std::span<const ldns_rr* const> rrset, const ldns_rr* rrsig,
                     std::span<const ldns_rr* const> keys, std::time_t now, const KeyCache* cache) {
    SigCheck c;
    if (!is_rrsig(rrsig) || rrset.empty()) {
        c.detail = "malformed RRSIG";
        return c;
    }
    c.algorithm = rdf_u8(rrsig, 1);
    c.key_tag = rdf_u16(rrsig, 6);
    c.rrsig = rrsig;
    c.expiration = serial_time(rdf_u32(rrsig, 4), now);
    c.inception = serial_time(rdf_u32(rrsig, 5), now);
    std::unique_ptr<ldns_rr_list, decltype(&ldns_rr_list_free)> list(ldns_rr_list_new(), &ldns_rr_list_free);
    for (const ldns_rr* rr : rrset) ldns_rr_list_push_rr(list.get(), const_cast<ldns_rr*>(rr));
    c.state = SigState::no_key;
    std::unique_ptr<ldns_rr_list, decltype(&ldns_rr_list_free)> one_key(ldns_rr_list_new(), &ldns_rr_list_free);
    for (const ldns_rr* key : keys) {
        if (!is_dnskey(key) || key_tag(key) != c.key_tag || rdf_u8(key, 2) != c.algorithm || is_revoked(key)) continue;
        // The signature without its times (ldns compares RRSIG times as signed 32-bit numbers and
        // rejects windows that end after 2038), then the window in RFC 4034 §3.1.5 serial arithmetic.
        ldns_rr_list_set_rr_count(one_key.get(), 0);
        ldns_rr_list_push_rr(one_key.get(), const_cast<ldns_rr*>(key));
        ldns_status status = cache != nullptr && cache->verifies(rrset, rrsig, key)
                                 ? LDNS_STATUS_OK
                                 : ldns_verify_rrsig_keylist_notime(list.get(), rrsig, one_key.get(), nullptr);
        if (status == LDNS_STATUS_OK && now < c.inception) status = LDNS_STATUS_CRYPTO_SIG_NOT_INCEPTED;
        else if (status == LDNS_STATUS_OK && now > c.expiration) status = LDNS_STATUS_CRYPTO_SIG_EXPIRED;
        const SigState s = state_of(status);
        if (telling(s) > telling(c.state) || c.state == SigState::no_key) {
            c.state = s;
            c.detail = s == SigState::valid ? std::string() : ldns_get_errorstr_by_id(status);
        }
        if (s == SigState::valid) break;
    }
    if (c.state == SigState::no_key) c.detail = fmt::format("no DNSKEY with tag {} and algorithm {}", c.key_tag, c.algorithm);
    return c;
}

bool RrsetCheck::secure() const {
    return std::any_of(sigs.begin(), sigs.end(), [](const SigCheck& s) { return s.state == SigState::valid; });
}

bool RrsetCheck::unsigned_by_keys() const {
    return std::all_of(sigs.begin(), sigs.end(), [](const SigCheck& s) { return s.state == SigState::no_key; });
}

std::string RrsetCheck::issue_id() const {
    if (unsigned_by_keys()) return "DNSSEC-RRSIG-MISSING";
    SigState best = SigState::no_key;
    for (const auto& s : sigs)
        if (telling(s.state) > telling(best)) best = s.state;
    switch (best) {
        case SigState::expired: return "DNSSEC-SIG-EXPIRED";
        case SigState::not_yet_valid: return "DNSSEC-SIG-NOT-YET-VALID";
        default: return "DNSSEC-SIG-INVALID";
    }
}

std::string RrsetCheck::explain(std::time_t now) const {
    const std::string what = fmt::format("{} {}", owner, type_name(type));
    if (sigs.empty()) return fmt::format("{} has no RRSIG", what);
    if (unsigned_by_keys()) {
        std::string tags;
        for (const auto& s : sigs) tags += fmt::format("{}{}", tags.empty() ? "" : ", ", s.key_tag);
        return fmt::format("{} has no RRSIG by a key in the trusted DNSKEY set (its RRSIGs name key(s) {})", what, tags);
    }
    const SigCheck* best = &sigs.front();
    for (const auto& s : sigs)
        if (telling(s.state) > telling(best->state)) best = &s;
    const std::string window = fmt::format("valid {} … {}", utc(best->inception), utc(best->expiration));
    switch (best->state) {
        case SigState::expired:
            return fmt::format("the RRSIG over {} by key {} (algorithm {}) expired at {} ({}; now {})", what,
                               best->key_tag, best->algorithm, utc(best->expiration), window, utc(now));
        case SigState::not_yet_valid:
            return fmt::format("the RRSIG over {} by key {} (algorithm {}) is not valid before {} ({}; now {})", what,
                               best->key_tag, best->algorithm, utc(best->inception), window, utc(now));
        case SigState::no_key:
            return fmt::format("the RRSIG over {} names key {} (algorithm {}), which is not in the trusted DNSKEY set",
                               what, best->key_tag, best->algorithm);
        default:
            return fmt::format("the RRSIG over {} by key {} (algorithm {}) does not verify: {}", what, best->key_tag,
                               best->algorithm, best->detail);
    }
}

Json RrsetCheck::evidence(std::time_t now) const {
    Json sigs_json = Json::array();
    for (const auto& s : sigs) {
        sigs_json.push_back({{"key_tag", s.key_tag}, {"algorithm", s.algorithm}, {"signer", rrsig_signer(s.rrsig)},
                             {"inception", utc(s.inception)}, {"expiration", utc(s.expiration)},
                             {"verdict", std::string(to_string(s.state))}});
        if (!s.detail.empty()) sigs_json.back()["detail"] = s.detail;
    }
    return {{"rrset", fmt::format("{} {}", owner, type_name(type))}, {"now", utc(now)}, {"rrsigs", sigs_json}};
}

RrsetCheck check_rrset(std::span<const ldns_rr* const> rrset, std::span<const ldns_rr* const> rrsigs,
                       std::span<const ldns_rr* const> keys, const std::string& signer, std::time_t now) {
    RrsetCheck r;
    if (rrset.empty()) return r;
    r.owner = owner_of(rrset.front());
    r.type = ldns_rr_get_type(rrset.front());
    for (const ldns_rr* sig : rrsigs) {
        if (!is_rrsig(sig) || rrsig_covered(sig) != r.type || owner_of(sig) != r.owner) continue;
        if (!signer.empty() && rrsig_signer(sig) != signer) continue;
        r.sigs.push_back(check_rrsig(rrset, sig, keys, now));
        if (r.sigs.back().state == SigState::valid) break;  // one valid signature is enough
    }
    return r;
}

}  // namespace mamori::checks::dnssec
