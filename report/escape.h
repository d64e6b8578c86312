/// \file report/escape.h — making untrusted text (DNS data, messages quoting it) safe to show.
///
/// Every string in the model may carry bytes an attacker put in a TXT record. These helpers
/// are public so that anything else showing model text (`mamori spf` traces, `mamori explain`,
/// error messages, the CSV cells) escapes it the same way as the text report.
#pragma once

#include <string>
#include <string_view>

namespace mamori::report {

/// `text` with everything that could drive a terminal made visible: C0 controls (newline and
/// tab included), DEL, ANSI ESC and invalid UTF-8 bytes become `\xNN`; C1 controls become
/// the `\xNN\xNN` of their UTF-8 bytes; bidirectional overrides and the Unicode line and
/// paragraph separators become `\uNNNN`. Everything else, Japanese included, passes as is.
/// With `keep_layout`, TAB, CR and LF are kept (for formats that quote them, such as CSV).
std::string terminal_safe(std::string_view text, bool keep_layout = false);

/// `text` with each invalid UTF-8 byte replaced by U+FFFD, so the result is valid UTF-8.
std::string valid_utf8(std::string_view text);

}  // namespace mamori::report
