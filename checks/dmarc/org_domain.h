/// \file checks/dmarc/org_domain.h — the organizational domain of RFC 7489 §3.2, from the Public Suffix List.
#pragma once

#include <string>
#include <string_view>

namespace mamori::checks {

/// The registrable domain of `domain` per the Public Suffix List (libpsl with the system's
/// list, e.g. Debian's /usr/share/publicsuffix): "soumu.go.jp" for "www.soumu.go.jp", as
/// "go.jp" is a public suffix. A public suffix itself, or a name the list knows nothing
/// of, is its own organizational domain. Lower-case A-labels in and out, no trailing dot.
std::string organizational_domain(std::string_view domain);

/// Where the list came from, for messages ("/usr/share/publicsuffix/public_suffix_list.dafsa").
std::string public_suffix_source();

}  // namespace mamori::checks
