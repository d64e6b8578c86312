/// \file dns/records.h — typed views of the records in an Answer.
///
/// Every byte of a DNS answer is untrusted: these helpers never assume a record is
/// well-formed, and skip (rather than crash on) rdata of the wrong shape.
#pragma once

#include "dns/resolver.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mamori::dns {

/// A domain name in presentation form, lower-cased, with a trailing dot ("mail.example.jp.").
std::string canonical_name(std::string_view name);

/// Presentation form of an ldns name, without lower-casing, with a trailing dot.
std::string name_to_string(const ldns_rdf* name);

struct MxRecord {
    std::uint16_t preference = 0;
    std::string exchange;  ///< presentation form with trailing dot; "." for a null MX
};

/// The answer section's records of `type` owned by the question name or, when the answer
/// holds a CNAME chain for it, by the end of that chain.
std::vector<const ldns_rr*> answer_records(const Answer& answer, ldns_rr_type type);

/// The CNAME chain the answer section followed from the question name (each target), empty if none.
std::vector<std::string> cname_chain(const Answer& answer);

std::vector<MxRecord> mx_records(const Answer& answer);
/// A/AAAA addresses as text ("192.0.2.1", "2001:db8::1").
std::vector<std::string> addresses(const Answer& answer);
/// TXT records, each the concatenation of its character-strings (raw bytes, may hold anything).
std::vector<std::string> txt_records(const Answer& answer);
/// NS targets.
std::vector<std::string> ns_records(const Answer& answer);

/// A record in presentation form (for evidence); control characters escaped as \DDD by ldns.
std::string rr_to_string(const ldns_rr* rr);

/// "NXDOMAIN", "SERVFAIL", … for messages.
std::string rcode_name(ldns_pkt_rcode rcode);

}  // namespace mamori::dns
