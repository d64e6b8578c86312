/// \file checks/dmarc/lookup.h — reading DNS answers the same way in the mail checks (dmarc, dkim, mta-sts, tlsrpt, dane, bimi).
#pragma once

#include "dns/records.h"

#include <string>

namespace mamori::checks {

/// The answer says something about the name: NOERROR (data or none) or NXDOMAIN.
inline bool definitive(const dns::Answer& a) {
    return a.ok() && (a.rcode() == LDNS_RCODE_NOERROR || a.rcode() == LDNS_RCODE_NXDOMAIN);
}

/// Why a lookup told us nothing: "timeout asking 127.0.0.1@53", "SERVFAIL", "REFUSED".
inline std::string lookup_failure(const dns::Answer& a) {
    if (!a.ok()) return a.error.empty() ? std::string(dns::to_string(a.outcome)) : a.error;
    return dns::rcode_name(a.rcode());
}

/// "NXDOMAIN" or "NOERROR, no TXT records" — what a negative answer was, for evidence.
inline std::string negative_answer(const dns::Answer& a, const char* type) {
    return a.nxdomain() ? std::string("NXDOMAIN") : std::string("NOERROR, no ") + type + " records";
}

/// A host name without its trailing dot, lower-cased.
inline std::string bare_name(std::string name) {
    if (name.size() > 1 && name.back() == '.') name.pop_back();
    for (auto& c : name)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return name;
}

}  // namespace mamori::checks
