/// \file checks/dkim/tag_list.h — the tag=value list of DKIM (RFC 6376 §3.2), which DMARC reuses (RFC 7489 §6.4).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::checks {

struct Tag {
    std::string name;         ///< as written
    std::string value;        ///< folding white space around it removed; inner white space kept
    std::size_t offset = 0;   ///< where the tag name starts in the record (0-based)
};

/// A part of the list that does not follow the grammar.
struct TagListError {
    std::size_t offset = 0;
    std::string message;      ///< names the offending text
};

struct TagList {
    std::vector<Tag> tags;
    std::vector<TagListError> errors;  ///< empty when the whole list follows RFC 6376 §3.2

    /// The first tag called `name`; DKIM tag names are case-sensitive (RFC 6376 §3.2),
    /// DMARC's are not (RFC 7489 §6.4 uses ABNF strings).
    const Tag* find(std::string_view name, bool ignore_case = false) const;
};

/// Splits `text` into tags. Never throws; every byte is untrusted. Empty tag-specs
/// (";;", a trailing ";") are skipped as real parsers do; a tag without "=", a bad tag
/// name, a character outside VALCHAR and a repeated tag name are errors.
TagList parse_tag_list(std::string_view text, bool ignore_case = false);

/// `s` without leading and trailing spaces and tabs (WSP).
std::string_view trim_wsp(std::string_view s);

/// The `;`-separated fields of an MTA-STS (RFC 8461 §3.1) or TLS-RPT (RFC 8460 §3) TXT
/// record, each trimmed of WSP; the optional trailing delimiter is dropped, empty fields
/// in between are kept (so the caller can name them). Never empty.
std::vector<std::string_view> split_fields(std::string_view text);

/// Whether `text` starts with the version field `version` ("v=STSv1", "v=TLSRPTv1"),
/// followed only by WSP up to the first `;` or the end.
bool starts_with_version(std::string_view text, std::string_view version);

/// `text` with control and non-ASCII bytes written as \xNN, cut to `limit` bytes (for messages).
std::string printable(std::string_view text, std::size_t limit = 80);

}  // namespace mamori::checks
