/// \file rpki/input.h — reading routing-data files whole (gzip or plain) and naming places in them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mamori::rpki {

/// The whole content of `path`, gunzipped when it is gzip (pyasn ships .dat.gz), with
/// `padding` spare zero bytes after the end (simdjson reads a little past it).
/// Throws DataError naming the file when it cannot be read.
std::string read_input(const std::string& path, std::size_t padding = 0);

/// The 1-based line number of byte `offset` in `text`.
std::size_t line_of(std::string_view text, std::size_t offset);

/// Untrusted text shown in a message: control bytes escaped, cut after `max` bytes.
std::string printable(std::string_view text, std::size_t max = 80);

}  // namespace mamori::rpki
