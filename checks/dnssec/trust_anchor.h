/// \file checks/dnssec/trust_anchor.h — DNSSEC trust anchors: the built-in root KSKs and `--trust-anchor FILE`.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::checks::dnssec {

/// A trust-anchor file that cannot be used; what() is "FILE:LINE: message" or "FILE: message".
class TrustAnchorError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The root zone's KSK-2017 (key tag 20326) and KSK-2024 (key tag 38696) as DS records.
std::vector<std::string> builtin_trust_anchor();

/// Reads DS and/or DNSKEY records (zone-file format; comments, $ORIGIN and $TTL allowed) and
/// returns them in presentation form. Every record must be DS or DNSKEY and all must share
/// one owner (the zone where validation starts). Throws TrustAnchorError.
std::vector<std::string> load_trust_anchor(const std::string& path);
/// The same from text; `name` stands for the file in messages.
std::vector<std::string> parse_trust_anchor(std::string_view text, const std::string& name);

}  // namespace mamori::checks::dnssec
