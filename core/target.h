/// \file core/target.h — turning what the user typed into audit targets.
#pragma once

#include "core/model.h"

#include <istream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mamori {

class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A domain (Unicode or A-label; converted with libidn2), "AS64500", or a prefix
/// ("192.0.2.0/24", "2001:db8::/32"). Throws InputError with a message naming the text.
Target parse_target(std::string_view text);

/// A domain name in A-label form, lower-cased, without trailing dot; throws InputError.
std::string to_a_label(std::string_view domain);

/// One target per line; blank lines and "#" comments skipped; a bad line throws InputError
/// naming `origin` and the line number.
std::vector<Target> read_targets(std::istream& in, const std::string& origin);

}  // namespace mamori
