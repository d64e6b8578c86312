/// \file rpki/vrp_file.cpp — VRP file formats, detected from content; JSON through simdjson's On-Demand API.
#include "rpki/vrp_file.h"
#include "core/clock.h"
#include "rpki/error.h"
#include "rpki/input.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>

namespace mamori::rpki {
namespace {

namespace od = simdjson::ondemand;

/// Reads VRP JSON: {"metadata": {...}, "roas": [...]} or a bare array of ROA objects.
class JsonVrpReader {
public:
    JsonVrpReader(std::string& text, const std::string& name) : text_(text), name_(name) {
        text_.reserve(text_.size() + simdjson::SIMDJSON_PADDING);
    }

    VrpFile read() {
        try {
            return read_document();
        } catch (const simdjson::simdjson_error& e) {
            check(e.error(), "malformed JSON");
            throw;  // not reached: check() throws for every error
        }
    }

private:
    [[noreturn]] void fail(const std::string& what, bool at_end = false) {
        std::size_t offset = end_offset();
        if (const char* at = nullptr; !at_end && doc_ready_ && doc_.current_location().get(at) == simdjson::SUCCESS)
            offset = static_cast<std::size_t>(at - text_.data());
        throw DataError(fmt::format("{}:{}: {}", name_, line_of(text_, offset), what));
    }

    /// Where the data ends (its last non-blank byte): the place of a truncated file's error.
    std::size_t end_offset() const {
        std::size_t end = text_.size();
        while (end > 0 && std::isspace(static_cast<unsigned char>(text_[end - 1]))) --end;
        return end > 0 ? end - 1 : 0;
    }

    void check(simdjson::error_code e, std::string_view what) {
        if (e == simdjson::INCOMPLETE_ARRAY_OR_OBJECT)
            fail("the JSON ends in the middle of an object or array (a truncated file?)", true);
        if (e != simdjson::SUCCESS) fail(fmt::format("{} ({})", what, simdjson::error_message(e)));
    }

    VrpFile read_document() {
        check(parser_.iterate(simdjson::padded_string_view(text_.data(), text_.size(), text_.capacity())).get(doc_),
              "malformed JSON");
        doc_ready_ = true;
        od::json_type type{};
        check(doc_.type().get(type), "malformed JSON");
        if (type == od::json_type::array) {
            file_.info.format = "JSON array of VRPs";
            od::array roas;
            check(doc_.get_array().get(roas), "malformed JSON");
            read_roas(roas);
        } else {
            od::object top;
            check(doc_.get_object().get(top), "expected a JSON object or array");
            read_top(top);
        }
        if (const char* at = nullptr; doc_.current_location().get(at) == simdjson::SUCCESS)
            fail("unexpected content after the JSON document");
        file_.info.source = name_;
        file_.info.entries = file_.vrps.size();
        return std::move(file_);
    }

    void read_top(od::object& top) {
        bool have_roas = false;
        for (auto member : top) {
            od::field field;
            check(std::move(member).get(field), "malformed JSON");
            std::string_view key;
            check(field.unescaped_key().get(key), "malformed JSON key");
            if (key == "metadata") {
                read_metadata(field.value());
            } else if (key == "roas") {
                od::array roas;
                check(field.value().get_array().get(roas), "\"roas\" is not an array");
                read_roas(roas);
                have_roas = true;
            }
        }
        if (!have_roas) fail("not a VRP file: the JSON object has no \"roas\" array");
        if (file_.info.format.empty()) file_.info.format = "VRP JSON";
        if (file_.info.format == "Routinator JSON" && saw_source_) file_.info.format = "Routinator jsonext";
    }

    void read_metadata(od::value meta) {
        od::object object;
        check(meta.get_object().get(object), "\"metadata\" is not an object");
        for (auto member : object) {
            od::field field;
            check(std::move(member).get(field), "malformed JSON");
            std::string_view key;
            check(field.unescaped_key().get(key), "malformed JSON key");
            if (key == "buildtime" || key == "generatedTime") {
                std::string_view text;
                check(field.value().get_string().get(text), fmt::format("metadata.{} is not a string", key));
                auto t = parse_rfc3339(text);
                if (!t) fail(fmt::format("metadata.{} '{}' is not an RFC 3339 time", key, printable(text)));
                file_.info.build_time = *t;
                file_.info.format = key == "buildtime" ? "rpki-client JSON" : "Routinator JSON";
            } else if (key == "generated" && !file_.info.build_time) {
                std::uint64_t seconds = 0;
                if (field.value().get_uint64().get(seconds) == simdjson::SUCCESS && seconds < (1ull << 40)) {
                    file_.info.build_time = std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
                    file_.info.format = "Routinator JSON";
                }
            }
        }
    }

    void read_roas(od::array& roas) {
        for (auto element : roas) {
            od::object roa;
            check(element.get_object().get(roa), "a \"roas\" entry is not an object");
            file_.vrps.push_back(read_roa(roa));
        }
    }

    Vrp read_roa(od::object& roa) {
        std::optional<std::uint32_t> asn;
        std::optional<Prefix> prefix;
        std::optional<std::uint64_t> max_length;
        for (auto member : roa) {
            od::field field;
            check(std::move(member).get(field), "malformed JSON");
            std::string_view key;
            check(field.unescaped_key().get(key), "malformed JSON key");
            if (key == "asn") asn = read_asn(field.value());
            else if (key == "prefix") prefix = read_prefix(field.value());
            else if (key == "maxLength" || key == "max_length" || key == "maxlength") max_length = read_number(field.value(), key);
            else if (key == "source") saw_source_ = true;
        }
        if (!asn) fail("ROA without \"asn\"");
        if (!prefix) fail("ROA without \"prefix\"");
        if (!max_length) fail(fmt::format("ROA {} without \"maxLength\"", prefix->to_string()));
        if (*max_length < prefix->length || *max_length > prefix->width())
            fail(fmt::format("ROA {}: maxLength {} is outside /{}../{}", prefix->to_string(), *max_length,
                             prefix->length, prefix->width()));
        return Vrp{*prefix, static_cast<std::uint8_t>(*max_length), *asn};
    }

    std::uint32_t read_asn(od::value value) {
        od::json_type type{};
        check(value.type().get(type), "malformed JSON");
        if (type == od::json_type::number) {
            std::uint64_t n = 0;
            if (value.get_uint64().get(n) != simdjson::SUCCESS || n > 0xffffffffu) fail("\"asn\" is not an AS number");
            return static_cast<std::uint32_t>(n);
        }
        std::string_view text;
        if (value.get_string().get(text) != simdjson::SUCCESS) fail("\"asn\" is neither a number nor a string");
        auto asn = parse_asn(text);
        if (!asn) fail(fmt::format("\"asn\" '{}' is not an AS number", printable(text)));
        return *asn;
    }

    Prefix read_prefix(od::value value) {
        std::string_view text;
        if (value.get_string().get(text) != simdjson::SUCCESS) fail("\"prefix\" is not a string");
        std::string why;
        auto p = parse_prefix(text, &why);
        if (!p) fail(why);
        return *p;
    }

    std::uint64_t read_number(od::value value, std::string_view key) {
        std::uint64_t n = 0;
        if (value.get_uint64().get(n) == simdjson::SUCCESS) return n;
        std::string_view text;  // older rpki-client wrote some numbers as strings
        unsigned parsed = 0;
        if (value.get_string().get(text) == simdjson::SUCCESS && !text.empty() && text.size() <= 3 &&
            std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            for (char c : text) parsed = parsed * 10 + static_cast<unsigned>(c - '0');
            return parsed;
        }
        fail(fmt::format("\"{}\" is not a number", key));
    }

    std::string& text_;
    const std::string& name_;
    od::parser parser_;
    od::document doc_;
    bool doc_ready_ = false;
    bool saw_source_ = false;
    VrpFile file_;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

/// One CSV row; fields may be quoted ("AS13335","1.0.0.0/24",...). Returns false on an unclosed quote.
bool split_csv(std::string_view line, std::vector<std::string_view>& fields) {
    fields.clear();
    std::size_t i = 0;
    for (;;) {
        std::size_t start = i;
        std::string_view field;
        if (i < line.size() && line[i] == '"') {
            const std::size_t close = line.find('"', i + 1);
            if (close == std::string_view::npos) return false;
            field = line.substr(i + 1, close - i - 1);
            i = close + 1;
            while (i < line.size() && line[i] != ',') ++i;
        } else {
            while (i < line.size() && line[i] != ',') ++i;
            field = trim(line.substr(start, i - start));
        }
        fields.push_back(field);
        if (i >= line.size()) return true;
        ++i;  // the comma
    }
}

std::string column_key(std::string_view header) {
    std::string key;
    for (char c : header)
        if (std::isalnum(static_cast<unsigned char>(c))) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return key;
}

struct CsvColumns {
    std::size_t count = 0, asn = SIZE_MAX, prefix = SIZE_MAX, max_length = SIZE_MAX;
};

CsvColumns csv_header(const std::vector<std::string_view>& fields) {
    CsvColumns c;
    c.count = fields.size();
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string key = column_key(fields[i]);
        if (key == "asn" || key == "originas") c.asn = i;
        else if (key == "ipprefix" || key == "prefix") c.prefix = i;
        else if (key == "maxlength" || key == "maxlen") c.max_length = i;
    }
    return c;
}

Vrp csv_row(const std::vector<std::string_view>& f, const CsvColumns& c, const std::string& where) {
    if (f.size() != c.count)
        throw DataError(fmt::format("{}: expected {} comma-separated fields, found {}", where, c.count, f.size()));
    auto asn = parse_asn(trim(f[c.asn]));
    if (!asn) throw DataError(fmt::format("{}: '{}' is not an AS number", where, printable(f[c.asn])));
    std::string why;
    auto prefix = parse_prefix(trim(f[c.prefix]), &why);
    if (!prefix) throw DataError(fmt::format("{}: {}", where, why));
    std::string_view ml = trim(f[c.max_length]);
    unsigned max_length = 0;
    bool ok = !ml.empty() && ml.size() <= 3 && std::all_of(ml.begin(), ml.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    for (char ch : ml) max_length = max_length * 10 + static_cast<unsigned>(ch - '0');
    if (!ok || max_length < prefix->length || max_length > prefix->width())
        throw DataError(fmt::format("{}: max length '{}' is not a number from {} to {}", where, printable(ml),
                                    prefix->length, prefix->width()));
    return Vrp{*prefix, static_cast<std::uint8_t>(max_length), *asn};
}

VrpFile parse_csv(std::string_view text, const std::string& name) {
    VrpFile file;
    std::vector<std::string_view> fields;
    CsvColumns columns;
    bool have_header = false;
    std::size_t number = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = trim(text.substr(pos, end - pos));
        pos = end + 1;
        ++number;
        if (line.empty() || line.front() == '#') continue;
        const std::string where = fmt::format("{}:{}", name, number);
        if (!split_csv(line, fields)) throw DataError(where + ": unclosed quote");
        if (!have_header) {
            columns = csv_header(fields);
            if (columns.asn == SIZE_MAX || columns.prefix == SIZE_MAX || columns.max_length == SIZE_MAX)
                throw DataError(fmt::format("{}: not a VRP file: expected JSON, or CSV with the header "
                                            "ASN,IP Prefix,Max Length (found '{}')", where, printable(line)));
            have_header = true;
            continue;
        }
        file.vrps.push_back(csv_row(fields, columns, where));
    }
    if (!have_header) throw DataError(fmt::format("{}: empty VRP file", name));
    file.info.source = name;
    file.info.format = fmt::format("CSV ({} columns)", columns.count);
    file.info.entries = file.vrps.size();
    return file;
}

}  // namespace

VrpFile parse_vrps(std::string text, const std::string& name) {
    if (text.starts_with("\xEF\xBB\xBF")) text.replace(0, 3, 3, ' ');  // a BOM; offsets stay as they were
    std::size_t start = 0;
    while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
    if (start == text.size()) throw DataError(fmt::format("{}: empty VRP file", name));
    if (text[start] == '{' || text[start] == '[') return JsonVrpReader(text, name).read();
    return parse_csv(text, name);
}

VrpFile read_vrp_file(const std::string& path) {
    return parse_vrps(read_input(path, simdjson::SIMDJSON_PADDING), path);
}

}  // namespace mamori::rpki
