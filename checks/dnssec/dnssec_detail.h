/// \file checks/dnssec/dnssec_detail.h — internals of the dnssec check: signature verdicts, DS matching, names.
///
/// Everything here takes records straight from DNS answers or zone files, so every accessor
/// checks the record's shape first and never trusts a field to be present.
#pragma once

#include "core/model.h"
#include "dns/resolver.h"

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mamori::checks::dnssec {

using RrPtr = std::unique_ptr<ldns_rr, decltype(&ldns_rr_free)>;
using RdfPtr = std::unique_ptr<ldns_rdf, decltype(&ldns_rdf_deep_free)>;

inline RrPtr own(ldns_rr* rr) { return RrPtr(rr, &ldns_rr_free); }
inline RdfPtr own(ldns_rdf* rdf) { return RdfPtr(rdf, &ldns_rdf_deep_free); }

/// A finding to be: the check turns it into a Finding with its catalogue entry.
struct Issue {
    std::string id;
    std::string message;
    Json evidence = Json::object();
    std::string remedy;                  ///< empty: the catalogue's
    std::optional<Severity> severity{};  ///< set: overrides the catalogue's (e.g. NSEC3 iterations > 100)
};

// ---- record fields (0 / empty when the record has the wrong shape) -------------------------

std::uint8_t rdf_u8(const ldns_rr* rr, std::size_t index);
std::uint16_t rdf_u16(const ldns_rr* rr, std::size_t index);
std::uint32_t rdf_u32(const ldns_rr* rr, std::size_t index);

/// "good.go.jp." — lower-cased owner with a trailing dot.
std::string owner_of(const ldns_rr* rr);
bool same_name(const ldns_rdf* a, const ldns_rdf* b);
bool owned_by(const ldns_rr* rr, const std::string& name);

bool is_dnskey(const ldns_rr* rr);   ///< DNSKEY (or CDNSKEY) with its four fields
bool is_ds(const ldns_rr* rr);       ///< DS (or CDS) with its four fields
bool is_rrsig(const ldns_rr* rr);    ///< RRSIG with its nine fields
ldns_rr_type rrsig_covered(const ldns_rr* rrsig);
std::string rrsig_signer(const ldns_rr* rrsig);

std::uint16_t key_tag(const ldns_rr* dnskey);
bool is_revoked(const ldns_rr* dnskey);
/// Key size in bits (RSA modulus, curve size…); 0 when unknown.
std::size_t key_bits(const ldns_rr* dnskey);

// ---- algorithms and digests (IANA registries, RFC 8624 / RFC 9905) ---------------------------

std::string algorithm_name(std::uint8_t algorithm);   ///< "ECDSAP256SHA256 (13)"
bool algorithm_deprecated(std::uint8_t algorithm);    ///< RSAMD5, DSA, RSASHA1, DSA-NSEC3-SHA1, RSASHA1-NSEC3-SHA1, ECC-GOST
bool algorithm_rsa(std::uint8_t algorithm);
std::string digest_name(std::uint8_t digest_type);    ///< "SHA-256 (2)"

/// True when the DS (or CDS) record is the digest of this DNSKEY (owner, tag, algorithm, digest).
bool ds_matches(const ldns_rr* ds, const ldns_rr* dnskey);
/// "good.go.jp. DS 3449 13 2" — the parts of a DS that a person compares.
std::string ds_summary(const ldns_rr* ds);
/// "key 3449 (ECDSAP256SHA256 (13), KSK)"
std::string key_summary(const ldns_rr* dnskey);

// ---- signatures ----------------------------------------------------------------------------

enum class SigState { valid, invalid, expired, not_yet_valid, no_key, unsupported };

std::string_view to_string(SigState);

/// The verdict on one RRSIG.
struct SigCheck {
    SigState state = SigState::invalid;
    std::uint16_t key_tag = 0;
    std::uint8_t algorithm = 0;
    const ldns_rr* rrsig = nullptr;  ///< the signature itself (the signer name is read from it for evidence)
    std::time_t inception = 0;   ///< resolved against the validation clock (RFC 4034 §3.1.5 serial arithmetic)
    std::time_t expiration = 0;
    std::string detail;          ///< ldns's reason when not valid
};

/// An RRSIG's 32-bit time field as the absolute time closest to `now`.
std::time_t serial_time(std::uint32_t field, std::time_t now);
std::string utc(std::time_t t);  ///< "2026-01-01T00:00:00Z"

/// Public keys converted once to OpenSSL form, for verifying many signatures by the same keys
/// (ECDSA and Ed25519; other algorithms, and any signature this path rejects, go through ldns).
class KeyCache {
public:
    explicit KeyCache(std::span<const ldns_rr* const> keys);
    ~KeyCache();
    KeyCache(const KeyCache&) = delete;
    KeyCache& operator=(const KeyCache&) = delete;
    /// True when the signature verifies with `key`; false when it does not or the key is not cached.
    bool verifies(std::span<const ldns_rr* const> rrset, const ldns_rr* rrsig, const ldns_rr* key) const;

private:
    std::vector<std::pair<const ldns_rr*, EVP_PKEY*>> keys_;
};

/// Verifies one RRSIG over `rrset` with the keys among `keys` whose tag and algorithm match
/// (through `cache` first when given: thread-safe, read-only).
SigCheck check_rrsig(std::span<const ldns_rr* const> rrset, const ldns_rr* rrsig,
                     std::span<const ldns_rr* const> keys, std::time_t now, const KeyCache* cache = nullptr);

/// The verdict on one RRset: each RRSIG's check, and whether any of them validates.
struct RrsetCheck {
    std::string owner;
    ldns_rr_type type = LDNS_RR_TYPE_NULL;
    std::vector<SigCheck> sigs;

    bool secure() const;
    /// No RRSIG at all, or only RRSIGs naming keys outside the trusted set.
    bool unsigned_by_keys() const;
    /// The most telling failure when not secure: a signature that is only out of its time
    /// window beats a bad one, and no signature at all is RRSIG-MISSING.
    std::string issue_id() const;
    /// "the RRSIG over good.go.jp. A by key 3449 (13) expired at 2025-02-01T00:00:00Z (valid …)"
    std::string explain(std::time_t now) const;
    Json evidence(std::time_t now) const;
};

/// Checks every RRSIG in `rrsigs` covering `type` at the RRset's owner, signed by `signer`.
RrsetCheck check_rrset(std::span<const ldns_rr* const> rrset, std::span<const ldns_rr* const> rrsigs,
                       std::span<const ldns_rr* const> keys, const std::string& signer, std::time_t now);

std::string type_name(ldns_rr_type type);  ///< "DNSKEY"

}  // namespace mamori::checks::dnssec
