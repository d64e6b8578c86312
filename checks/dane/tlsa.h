/// \file checks/dane/tlsa.h — TLSA records (RFC 6698) and what DANE for SMTP accepts of them (RFC 7672, RFC 7671).
#pragma once

#include "dns/resolver.h"

#include <string>
#include <vector>

namespace mamori::checks {

struct Tlsa {
    unsigned usage = 0;      ///< 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE
    unsigned selector = 0;   ///< 0 full certificate, 1 SubjectPublicKeyInfo
    unsigned matching = 0;   ///< 0 full data, 1 SHA2-256, 2 SHA2-512
    std::string data;        ///< certificate association data, raw bytes
    std::string text;        ///< "3 1 1 ABCD…" for evidence
};

/// The TLSA records of an answer (following a CNAME chain); rdata of the wrong shape is skipped.
std::vector<Tlsa> tlsa_records(const dns::Answer& answer);

/// Why the record cannot be used at all: unknown parameter values, a digest of the wrong
/// length, full data that is not a certificate / SubjectPublicKeyInfo. Empty when sane.
std::vector<std::string> tlsa_syntax_problems(const Tlsa& t);

/// Usage 2 or 3 with sane parameters: a record SMTP clients use (RFC 7672 §3.1).
bool usable_for_smtp(const Tlsa& t);

}  // namespace mamori::checks
