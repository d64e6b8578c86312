/// \file rpki/route_file.h — route tables from files: CAIDA pfx2as, bgpdump -m, pyasn, RIS whois dumps.
///
/// The format is detected from the first data line and then required of every line:
///   CAIDA routeviews pfx2as  "192.0.2.0<TAB>24<TAB>64500_64501,64502" ('_' = several origins, ',' = AS_SET)
///   bgpdump -m               "TABLE_DUMP2|ts|B|peer|peer-as|192.0.2.0/24|64496 64500|IGP|..." (also BGP4MP A)
///   pyasn .dat (gzip too)    "192.0.2.0/24<TAB>64500" after ';' comment lines
///   RIS whois dump           "64500<TAB>192.0.2.0/24<TAB>peers" after '%' comment lines
#pragma once

#include "rpki/route_table.h"

#include <memory>
#include <string>
#include <string_view>

namespace mamori::rpki {

/// Reads a route file (gzip allowed). Throws DataError naming the file and line.
std::shared_ptr<const RouteTable> read_route_file(const std::string& path);

/// Parses route data held in memory; `name` stands for the file in messages.
std::shared_ptr<const RouteTable> parse_routes(std::string_view text, const std::string& name);

}  // namespace mamori::rpki
