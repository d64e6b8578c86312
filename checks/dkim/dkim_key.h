/// \file checks/dkim/dkim_key.h — DKIM key records (RFC 6376 §3.6.1, RFC 8463): tags and the decoded public key.
#pragma once

#include "checks/dkim/tag_list.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::checks {

/// What one TXT record at <selector>._domainkey.<domain> says.
struct DkimKey {
    std::string text;                    ///< the record as published
    TagList tags;
    std::vector<std::string> problems;   ///< why verifiers cannot use this record (empty: usable)
    std::string key_type = "rsa";        ///< k= (lower-cased); "rsa" when absent
    bool revoked = false;                ///< p= present and empty (RFC 6376 §3.6.1)
    bool testing = false;                ///< t= has "y"
    bool strict = false;                 ///< t= has "s"
    std::vector<std::string> hashes;     ///< h= (empty: every hash algorithm)
    std::vector<std::string> services;   ///< s= (empty: "*")
    std::optional<int> bits;             ///< key size, when p= decodes to a key
    std::string encoding;                ///< "spki", "pkcs1" (bare RSAPublicKey) or "raw" (Ed25519)

    bool usable() const { return problems.empty() && !revoked; }
    /// h= allows only SHA-1 (RFC 8301 §3.1 forbids rsa-sha1 signatures).
    bool sha1_only() const;
};

/// Parses and decodes a key record. Never throws.
DkimKey parse_dkim_key(std::string_view text);

/// Whether a TXT record at a selector name is meant as a DKIM key record: it starts with
/// a v= tag or has a p= tag (other TXT data there, e.g. from a wildcard, is ignored).
bool looks_like_dkim_key(std::string_view text);

/// Decodes base64, skipping folding white space; nullopt for any other byte or bad padding.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace mamori::checks
