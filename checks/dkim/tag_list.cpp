/// \file checks/dkim/tag_list.cpp — tag=value list parsing (RFC 6376 §3.2).
#include "checks/dkim/tag_list.h"

#include <fmt/format.h>

#include <algorithm>

namespace mamori::checks {
namespace {

bool is_fws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
/// VALCHAR = %x21-3A / %x3C-7E: printable ASCII except ";".
bool is_valchar(char c) { return c >= 0x21 && c <= 0x7e && c != ';'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_name(std::string_view a, std::string_view b, bool ignore_case) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ignore_case ? lower(a[i]) != lower(b[i]) : a[i] != b[i]) return false;
    return true;
}

/// Bounds of `text` without folding white space at either end, as [begin, end).
std::pair<std::size_t, std::size_t> trimmed(std::string_view text, std::size_t begin, std::size_t end) {
    while (begin < end && is_fws(text[begin])) ++begin;
    while (end > begin && is_fws(text[end - 1])) --end;
    return {begin, end};
}

bool valid_name(std::string_view name) {
    if (name.empty() || !is_alpha(name[0])) return false;
    return std::all_of(name.begin(), name.end(), [](char c) { return is_alpha(c) || is_digit(c) || c == '_'; });
}

/// Parses one tag-spec text[begin, end) (without its ";") into `out`.
void parse_spec(std::string_view text, std::size_t begin, std::size_t end, bool ignore_case, TagList& out) {
    auto [b, e] = trimmed(text, begin, end);
    if (b == e) return;  // empty tag-spec: tolerated
    std::string_view spec = text.substr(b, e - b);
    std::size_t eq = spec.find('=');
    if (eq == std::string_view::npos) {
        out.errors.push_back({b, fmt::format("'{}' has no '=' (expected tag=value)", printable(spec))});
        return;
    }
    auto [nb, ne] = trimmed(text, b, b + eq);
    auto [vb, ve] = trimmed(text, b + eq + 1, e);
    Tag tag{std::string(text.substr(nb, ne - nb)), std::string(text.substr(vb, ve - vb)), nb};
    if (!valid_name(tag.name)) {
        out.errors.push_back({nb, fmt::format("'{}' is not a tag name (a letter, then letters, digits or '_')",
                                              printable(tag.name))});
        return;
    }
    for (std::size_t i = 0; i < tag.value.size(); ++i) {
        char c = tag.value[i];
        if (is_valchar(c) || is_fws(c)) continue;
        out.errors.push_back({vb + i, fmt::format("tag {}: byte 0x{:02x} at offset {} is not allowed in a value",
                                                  tag.name, static_cast<unsigned char>(c), vb + i)});
        return;
    }
    if (out.find(tag.name, ignore_case) != nullptr) {
        out.errors.push_back({nb, fmt::format("tag {} appears more than once", tag.name)});
        return;
    }
    out.tags.push_back(std::move(tag));
}

}  // namespace

const Tag* TagList::find(std::string_view name, bool ignore_case) const {
    for (const auto& t : tags)
        if (same_name(t.name, name, ignore_case)) return &t;
    return nullptr;
}

TagList parse_tag_list(std::string_view text, bool ignore_case) {
    TagList out;
    std::size_t begin = 0;
    while (begin <= text.size()) {
        std::size_t end = text.find(';', begin);
        if (end == std::string_view::npos) end = text.size();
        parse_spec(text, begin, end, ignore_case, out);
        begin = end + 1;
    }
    return out;
}

std::string_view trim_wsp(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool starts_with_version(std::string_view text, std::string_view version) {
    if (text.substr(0, version.size()) != version) return false;
    std::string_view rest = trim_wsp(text.substr(version.size()));
    return rest.empty() || rest.front() == ';';
}

std::vector<std::string_view> split_fields(std::string_view text) {
    std::vector<std::string_view> fields;
    std::size_t begin = 0;
    while (begin <= text.size()) {
        std::size_t end = std::min(text.find(';', begin), text.size());
        fields.push_back(trim_wsp(text.substr(begin, end - begin)));
        begin = end + 1;
    }
    if (fields.size() > 1 && fields.back().empty()) fields.pop_back();  // the optional trailing delimiter
    return fields;
}

std::string printable(std::string_view text, std::size_t limit) {
    std::string out;
    for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c >= 0x7f) out += fmt::format("\\x{:02x}", c);
        else out += static_cast<char>(c);
    }
    if (text.size() > limit) out += "…";
    return out;
}

}  // namespace mamori::checks
