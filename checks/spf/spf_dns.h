/// \file checks/spf/spf_dns.h — how SPF sees DNS answers: found, void (NXDOMAIN/NODATA) or error; names and PTRs.
#pragma once

#include "checks/spf/spf_record.h"
#include "dns/records.h"
#include "dns/resolver.h"

#include <string>
#include <string_view>
#include <vector>

namespace mamori::spf {

/// One answer, classified the way RFC 7208 needs it.
struct Lookup {
    enum class Kind { found, empty, nxdomain, error };
    Kind kind = Kind::error;
    dns::Answer answer;
    std::string error;  ///< why, when kind == error: "SERVFAIL", "timeout …"

    /// A "void lookup" (§4.6.4): NXDOMAIN, or NOERROR with no record of the type asked.
    bool is_void() const { return kind == Kind::empty || kind == Kind::nxdomain; }
};

std::string_view to_string(Lookup::Kind kind);

/// Classifies `answer` to a question of `type`: any RCODE but NOERROR/NXDOMAIN, and every
/// timeout or network failure, is an error (temperror, §5).
Lookup classify(dns::Answer answer, ldns_rr_type type);

/// "A mail.example.jp → 192.0.2.1, 192.0.2.2" / "→ NXDOMAIN" / "→ no A records" / "→ SERVFAIL".
std::string describe(const Lookup& lookup, const std::string& name, ldns_rr_type type);

/// A presentation-form name from the DNS layer ("mail.example.jp.", with \DDD escapes) as raw
/// bytes without the trailing dot; "" for the root.
std::string raw_name(const std::string& presentation);

/// "4.3.2.1.in-addr.arpa" / the 32-nibble ip6.arpa name.
std::string reverse_name(const Address& ip);

/// The PTR names of an answer, raw, without trailing dot, in answer order.
std::vector<std::string> ptr_names(const dns::Answer& answer);

}  // namespace mamori::spf
