/// \file dns/zone_resolver.h — answers questions from local zone files, as their authoritative server would.
///
/// Used by the offline `zone` command: the same checks that run against the network run
/// against a zone file before it is published. Answers are real ldns packets (question
/// section filled, AA set for authoritative data), so checks cannot tell the difference.
#pragma once

#include "dns/resolver.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::dns {

/// A zone file that could not be loaded. what() is "FILE:LINE: message" (or "FILE: message"
/// when no line applies, e.g. the file cannot be opened). Loading is an input error that
/// the cli reports and exits 2 on, so it is an exception rather than a value.
class ZoneError : public std::runtime_error {
public:
    ZoneError(std::string file, int line, const std::string& message);
    const std::string& file() const { return file_; }
    int line() const { return line_; }  ///< 0 when the error is not about one line

private:
    std::string file_;
    int line_ = 0;
};

using ZonePtr = std::shared_ptr<const ldns_zone>;

/// One loaded zone: the records exactly as read (for offline checks) and where they came from.
struct LoadedZone {
    std::string file;    ///< as given to the loader (for messages)
    std::string origin;  ///< canonical: lower-cased, trailing dot ("example.go.jp.")
    ZonePtr zone;        ///< never null; ldns_zone_soa() may be null when the file has no SOA
};

/// Loads a zone file (class IN, default TTL 3600 unless $TTL says otherwise). `origin` is
/// the zone's name; when empty, the owner of the SOA record is used. Throws ZoneError for a
/// file that cannot be read, a syntax error (with its line), a missing origin, or an SOA
/// whose owner is not `origin`.
LoadedZone load_zone(const std::string& path, std::string_view origin = {});

/// The same, from text in memory; `name` stands in for the file name in messages.
LoadedZone parse_zone(std::string_view text, std::string_view origin = {}, const std::string& name = "<zone>");

/// A resolver answering from `zones` with authoritative semantics: exact match (AA),
/// CNAME in place of data (followed within the loaded zones), NODATA and NXDOMAIN with the
/// SOA in the authority section, referrals below delegations (NS, glue, AA clear), wildcard
/// synthesis (RFC 4592), REFUSED outside every zone. With dnssec_ok the RRSIGs of returned
/// RRsets and the NSEC records that prove a denial are included (NSEC3 proofs are not).
/// Question.server is ignored. Answers are produced synchronously inside submit().
std::unique_ptr<Resolver> make_zone_resolver(std::vector<LoadedZone> zones);

}  // namespace mamori::dns
