/// \file tests/unit/test_dnssec_sign.h — keys made and zones signed in memory with ldns, for the dnssec unit tests.
#pragma once

#include "dns/zone_resolver.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace mamori::test {

/// A signing key and its DNSKEY record.
class TestKey {
public:
    explicit TestKey(const std::string& owner, std::uint16_t flags = 257,
                     ldns_signing_algorithm algorithm = LDNS_SIGN_ECDSAP256SHA256, std::uint16_t bits = 256)
        : key_(ldns_key_new_frm_algorithm(algorithm, bits), &ldns_key_deep_free), rr_(nullptr, &ldns_rr_free) {
        if (!key_) throw std::runtime_error("cannot make a test key");
        ldns_key_set_pubkey_owner(key_.get(), ldns_dname_new_frm_str(owner.c_str()));
        ldns_key_set_flags(key_.get(), flags);
        rr_.reset(ldns_key2rr(key_.get()));
        ldns_key_set_keytag(key_.get(), ldns_calc_keytag(rr_.get()));
    }
    ldns_key* key() const { return key_.get(); }
    const ldns_rr* dnskey() const { return rr_.get(); }
    std::uint16_t tag() const { return ldns_calc_keytag(rr_.get()); }
    std::string dnskey_text() const { return text(rr_.get()); }
    /// The DS record (SHA-256 unless told) a parent publishes for this key.
    std::string ds(ldns_hash hash = LDNS_SHA256) const {
        std::unique_ptr<ldns_rr, decltype(&ldns_rr_free)> ds(ldns_key_rr2ds(rr_.get(), hash), &ldns_rr_free);
        return text(ds.get());
    }

    static std::string text(const ldns_rr* rr) {
        char* s = ldns_rr2str(rr);
        std::string out = s != nullptr ? s : "";
        std::free(s);
        return out;
    }

private:
    std::unique_ptr<ldns_key, decltype(&ldns_key_deep_free)> key_;
    std::unique_ptr<ldns_rr, decltype(&ldns_rr_free)> rr_;
};

/// 2026-01-01T00:00:00Z and 2036-12-31T00:00:00Z: the test world's signature window.
inline constexpr std::time_t kInception = 1767225600;
inline constexpr std::time_t kExpiration = 2114208000;
inline constexpr std::time_t kNow = 1780272000;  // 2026-06-01T00:00:00Z

/// Signs `text` (a zone file without DNSKEYs) with `keys` (their DNSKEYs are added) and
/// returns the signed zone as text. `nsec3_iterations` < 0: NSEC; else NSEC3 with that count.
inline std::string sign_zone(const std::string& origin, const std::string& text, const std::vector<const TestKey*>& keys,
                             std::time_t inception = kInception, std::time_t expiration = kExpiration,
                             int nsec3_iterations = -1) {
    std::string copy = text;
    std::FILE* in = fmemopen(copy.data(), copy.size(), "r");
    ldns_rdf* origin_rdf = ldns_dname_new_frm_str(origin.c_str());
    ldns_zone* zone = nullptr;
    const ldns_status status = ldns_zone_new_frm_fp(&zone, in, origin_rdf, 3600, LDNS_RR_CLASS_IN);
    std::fclose(in);
    ldns_rdf_deep_free(origin_rdf);
    if (status != LDNS_STATUS_OK) throw std::runtime_error(std::string("bad test zone: ") + ldns_get_errorstr_by_id(status));
    ldns_key_list* list = ldns_key_list_new();
    for (const TestKey* k : keys) {
        ldns_zone_push_rr(zone, ldns_rr_clone(k->dnskey()));
        ldns_key_set_inception(k->key(), static_cast<std::uint32_t>(inception));
        ldns_key_set_expiration(k->key(), static_cast<std::uint32_t>(expiration));
        ldns_key_list_push_key(list, k->key());
    }
    ldns_zone* signed_zone = nsec3_iterations < 0
        ? ldns_zone_sign(zone, list)
        : ldns_zone_sign_nsec3(zone, list, 1, 0, static_cast<std::uint16_t>(nsec3_iterations), 0, nullptr);
    ldns_key_list_set_key_count(list, 0);  // ldns_key_list_free frees the keys it holds: they are not its own
    ldns_key_list_free(list);
    ldns_zone_deep_free(zone);
    if (signed_zone == nullptr) throw std::runtime_error("signing the test zone failed");
    char* buffer = nullptr;
    std::size_t size = 0;
    std::FILE* out = open_memstream(&buffer, &size);
    ldns_zone_print(out, signed_zone);
    std::fclose(out);
    std::string result(buffer, size);
    std::free(buffer);
    ldns_zone_deep_free(signed_zone);
    return result;
}

/// A minimal zone body: SOA, NS and an address, below `origin` (with trailing dot).
inline std::string zone_body(const std::string& origin, const std::string& extra = {}) {
    return "$ORIGIN " + origin + "\n$TTL 3600\n@ IN SOA ns1 hostmaster 2026010101 3600 900 1209600 3600\n"
           "@ IN NS ns1\nns1 IN A 192.0.2.53\n@ IN A 192.0.2.1\nwww IN A 192.0.2.2\n" + extra;
}

/// Drops every line for which `drop(line)` is true.
template <typename Pred>
std::string without_lines(const std::string& text, Pred drop) {
    std::string out, line;
    for (std::size_t at = 0; at < text.size();) {
        const std::size_t end = text.find('\n', at);
        line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
        at = end == std::string::npos ? text.size() : end + 1;
        if (!drop(line)) out += line + "\n";
    }
    return out;
}

}  // namespace mamori::test
