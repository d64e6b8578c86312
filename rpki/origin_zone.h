/// \file rpki/origin_zone.h — a DNS origin service in the Team Cymru format, asked through dns/.
///
/// `1.2.0.192.origin.asn.cymru.com. TXT "64500 | 192.0.2.0/24 | JP | apnic | 2001-01-01"`;
/// IPv6 addresses are asked nibble by nibble under `origin6.` instead of `origin.`. The
/// first field may list several ASes (a MOAS prefix) or an AS_SET in braces.
#pragma once

#include "dns/resolver.h"
#include "rpki/route_table.h"

#include <optional>
#include <string>
#include <vector>

namespace mamori::rpki {

class OriginZone {
public:
    /// `zone` takes the place of origin.asn.cymru.com; when it starts with "origin." the
    /// IPv6 questions go to "origin6." + the rest, else to the same zone.
    explicit OriginZone(std::string zone);

    const std::string& zone() const { return zone_v4_; }
    /// The name to ask for `address` (a full-length prefix).
    std::string query_name(const Prefix& address) const;

    struct Result {
        std::optional<Route> route;  ///< none: the service knows no route for the address
        std::string error;           ///< set when the question failed or the answer was garbage
    };
    /// Reads the TXT answer for `address`.
    Result parse(const dns::Answer& answer, const Prefix& address) const;
    /// Asks for every address at once; results in the same order.
    std::vector<Result> lookup(dns::Resolver& resolver, const std::vector<Prefix>& addresses) const;

private:
    std::string zone_v4_, zone_v6_;
};

}  // namespace mamori::rpki
