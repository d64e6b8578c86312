/// \file rpki/vrp_file.h — VRP files: rpki-client JSON, Routinator JSON/jsonext/CSV, RIPE validator CSV.
///
/// The format is detected from the content: a JSON object with a "roas" array (rpki-client,
/// Routinator json and jsonext, StayRTR's input), a bare JSON array of {prefix, maxLength,
/// asn}, or CSV whose header names the columns ASN, IP Prefix and Max Length (Routinator
/// csv/csvext/csvcompat, RIPE validator exports). Garbage is a DataError naming file and line.
#pragma once

#include "rpki/vrp_table.h"

#include <string>
#include <vector>

namespace mamori::rpki {

struct VrpFile {
    std::vector<Vrp> vrps;  ///< in file order, duplicates kept
    VrpInfo info;           ///< source = the file name, format, build time, entries
};

/// Reads and parses a VRP file (gzip allowed). Throws DataError.
VrpFile read_vrp_file(const std::string& path);

/// Parses VRP data held in memory; `name` stands for the file in messages. Throws DataError.
VrpFile parse_vrps(std::string text, const std::string& name);

}  // namespace mamori::rpki
