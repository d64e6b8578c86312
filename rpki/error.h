/// \file rpki/error.h — what goes wrong while loading routing data, kept apart by whose fault it is.
#pragma once

#include <stdexcept>
#include <string>

namespace mamori::rpki {

/// The user's data is bad or unreadable: the message names the file and, where there is
/// one, the line ("vrps.json:12: ..."). The CLI ends with exit code 2.
class DataError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The environment failed: an RTR cache unreachable or silent. The CLI ends with exit code 3.
class SourceError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace mamori::rpki
