/// \file checks/tlsrpt/tlsrpt_record.h — SMTP TLS Reporting records (RFC 8460 §3).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mamori::checks {

struct TlsRptRecord {
    std::string text;
    std::vector<std::string> rua;       ///< report destinations (mailto: or https:)
    std::vector<std::string> problems;  ///< empty when it follows RFC 8460 §3
    bool valid() const { return problems.empty(); }
};

/// Records that begin with "v=TLSRPTv1" are the candidates (RFC 8460 §3); others are ignored.
bool starts_with_tlsrpt_version(std::string_view text);
/// Parses one record. Never throws.
TlsRptRecord parse_tlsrpt(std::string_view text);

}  // namespace mamori::checks
