/// \file checks/dnssec/key_cache.cpp — RRSIG verification with public keys decoded once (ECDSA, Ed25519) for large zones.
///
/// ldns decodes the DNSKEY into an OpenSSL key for every signature it checks; for a zone of
/// hundreds of thousands of signatures by the same two keys that is a third of the work. The
/// signed data is built exactly as ldns builds it (RFC 4034 §3.1.8.1, §6.2), and a signature
/// this path rejects is checked again by ldns, so the verdicts are ldns's own.
#include "checks/dnssec/dnssec_detail.h"

#include <openssl/evp.h>

namespace mamori::checks::dnssec {
namespace {

using BufferPtr = std::unique_ptr<ldns_buffer, decltype(&ldns_buffer_free)>;
using ListPtr = std::unique_ptr<ldns_rr_list, decltype(&ldns_rr_list_deep_free)>;

EVP_PKEY* decode(const ldns_rr* key) {
    if (!is_dnskey(key)) return nullptr;
    const ldns_rdf* data = ldns_rr_rdf(key, 3);
    const std::uint8_t algorithm = rdf_u8(key, 2);
    if (algorithm == LDNS_ECDSAP256SHA256 || algorithm == LDNS_ECDSAP384SHA384)
        return ldns_ecdsa2pkey_raw(ldns_rdf_data(data), ldns_rdf_size(data), algorithm);
    if (algorithm == LDNS_ED25519) return ldns_ed255192pkey_raw(ldns_rdf_data(data), ldns_rdf_size(data));
    return nullptr;
}

/// The owner a signature covers: a wildcard's "*.<rest>" when the RRSIG has fewer labels.
void use_signed_owner(ldns_rr* rr, std::uint8_t labels) {
    if (labels >= ldns_dname_label_count(ldns_rr_owner(rr))) return;
    RdfPtr rest = own(ldns_rdf_clone(ldns_rr_owner(rr)));
    while (rest && labels < ldns_dname_label_count(rest.get())) rest = own(ldns_dname_left_chop(rest.get()));
    ldns_rdf* wildcard = nullptr;
    if (!rest || ldns_str2rdf_dname(&wildcard, "*") != LDNS_STATUS_OK) return;
    ldns_dname_cat(wildcard, rest.get());
    ldns_rdf_deep_free(ldns_rr_owner(rr));
    ldns_rr_set_owner(rr, wildcard);
}

/// RRSIG RDATA without the signature, then the RRset in canonical form and order (RFC 4034 §3.1.8.1).
bool signed_data(std::span<const ldns_rr* const> rrset, const ldns_rr* rrsig, ldns_buffer* out) {
    if (ldns_rrsig2buffer_wire(out, rrsig) != LDNS_STATUS_OK) return false;
    ListPtr list(ldns_rr_list_new(), &ldns_rr_list_deep_free);
    for (const ldns_rr* rr : rrset) {
        ldns_rr* copy = ldns_rr_clone(rr);
        if (copy == nullptr) return false;
        use_signed_owner(copy, rdf_u8(rrsig, 2));
        ldns_rr_set_ttl(copy, rdf_u32(rrsig, 3));
        ldns_rr2canonical(copy);
        ldns_rr_list_push_rr(list.get(), copy);
    }
    ldns_rr_list_sort(list.get());
    return ldns_rr_list2buffer_wire(out, list.get()) == LDNS_STATUS_OK;
}

}  // namespace

KeyCache::KeyCache(std::span<const ldns_rr* const> keys) {
    for (const ldns_rr* key : keys)
        if (EVP_PKEY* pkey = decode(key)) keys_.emplace_back(key, pkey);
}

KeyCache::~KeyCache() {
    for (auto& [key, pkey] : keys_) EVP_PKEY_free(pkey);
}

bool KeyCache::verifies(std::span<const ldns_rr* const> rrset, const ldns_rr* rrsig, const ldns_rr* key) const {
    EVP_PKEY* pkey = nullptr;
    for (const auto& [k, p] : keys_)
        if (k == key) pkey = p;
    if (pkey == nullptr || !is_rrsig(rrsig) || rrset.empty()) return false;
    const std::uint8_t algorithm = rdf_u8(rrsig, 1);
    if (algorithm != rdf_u8(key, 2)) return false;
    BufferPtr data(ldns_buffer_new(512), &ldns_buffer_free);
    BufferPtr signature(ldns_buffer_new(128), &ldns_buffer_free);
    if (!data || !signature || !signed_data(rrset, rrsig, data.get())) return false;
    const ldns_rdf* raw = ldns_rr_rdf(rrsig, 8);
    const EVP_MD* md = nullptr;
    if (algorithm == LDNS_ED25519) {
        ldns_buffer_write(signature.get(), ldns_rdf_data(raw), ldns_rdf_size(raw));
    } else {
        md = algorithm == LDNS_ECDSAP256SHA256 ? EVP_sha256() : EVP_sha384();
        if (ldns_convert_ecdsa_rrsig_rdf2asn1(signature.get(), raw) != LDNS_STATUS_OK) return false;
    }
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, pkey) != 1) return false;
    return EVP_DigestVerify(ctx.get(), ldns_buffer_begin(signature.get()), ldns_buffer_position(signature.get()),
                            ldns_buffer_begin(data.get()), ldns_buffer_position(data.get())) == 1;
}

}  // namespace mamori::checks::dnssec
