/// \file rpki/route_file.cpp — line parsers of the route-table formats, written for million-line files.
#include "rpki/route_file.h"
#include "rpki/error.h"
#include "rpki/input.h"

#include <fmt/format.h>

#include <vector>

namespace mamori::rpki {
namespace {

enum class Format { caida, bgpdump, pyasn, ris };

std::string_view format_name(Format f) {
    switch (f) {
        case Format::caida: return "CAIDA pfx2as";
        case Format::bgpdump: return "bgpdump -m";
        case Format::pyasn: return "pyasn";
        case Format::ris: return "RIS whois dump";
    }
    return "";
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/// Splits on runs of blanks; at most `max` fields (the rest are counted in `extra`).
std::size_t split_blank(std::string_view line, std::string_view* out, std::size_t max) {
    std::size_t n = 0, i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_space(line[i])) ++i;
        if (i == line.size()) break;
        const std::size_t start = i;
        while (i < line.size() && !is_space(line[i])) ++i;
        if (n < max) out[n] = line.substr(start, i - start);
        ++n;
    }
    return n;
}

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

/// "64500", "64500_64505" (MOAS), "64500,64505" or "{64500,64505}" (AS_SET), mixed.
bool parse_origins(std::string_view text, std::vector<Origin>& out) {
    out.clear();
    while (!text.empty()) {
        const std::size_t cut = text.find('_');
        std::string_view group = text.substr(0, cut);
        text = cut == std::string_view::npos ? std::string_view{} : text.substr(cut + 1);
        if (cut != std::string_view::npos && text.empty()) return false;
        Origin o;
        if (group.size() >= 2 && group.front() == '{' && group.back() == '}') {
            group = group.substr(1, group.size() - 2);
            o.as_set = true;
        }
        while (true) {
            const std::size_t comma = group.find(',');
            auto asn = parse_asn(group.substr(0, comma));
            if (!asn) return false;
            o.asns.push_back(*asn);
            if (comma == std::string_view::npos) break;
            group = group.substr(comma + 1);
        }
        o.as_set = o.as_set || o.asns.size() > 1;
        out.push_back(std::move(o));
    }
    return !out.empty();
}

std::optional<Format> detect(std::string_view line) {
    if ((line.starts_with("TABLE_DUMP") || line.starts_with("BGP4MP")) && line.find('|') != std::string_view::npos)
        return Format::bgpdump;
    std::string_view f[4];
    const std::size_t n = split_blank(line, f, 4);
    if (n == 3 && f[0].find('/') == std::string_view::npos && all_digits(f[1])) return Format::caida;
    if (n == 2 && f[0].find('/') != std::string_view::npos) return Format::pyasn;
    if (n == 3 && f[1].find('/') != std::string_view::npos) return Format::ris;
    return std::nullopt;
}

class Parser {
public:
    explicit Parser(const std::string& name) : name_(name) {}

    void line(std::string_view text, std::size_t number) {
        if (!format_) {
            format_ = detect(text);
            if (!format_)
                fail(number, fmt::format("not a route table: expected CAIDA pfx2as (prefix<TAB>length<TAB>AS), "
                                         "bgpdump -m, pyasn or RIS dump lines, found '{}'", printable(text)));
        }
        ++lines_;
        switch (*format_) {
            case Format::caida: caida(text, number); break;
            case Format::bgpdump: bgpdump(text, number); break;
            case Format::pyasn: pyasn(text, number); break;
            case Format::ris: ris(text, number); break;
        }
    }

    std::shared_ptr<const RouteTable> finish() {
        if (!format_) throw DataError(fmt::format("{}: no routes in the file", name_));
        return builder_.finish(RouteInfo{name_, std::string(format_name(*format_)), lines_});
    }

private:
    [[noreturn]] void fail(std::size_t number, const std::string& what) const {
        throw DataError(fmt::format("{}:{}: {}", name_, number, what));
    }

    void add(const Prefix& p, std::string_view origins, std::size_t number) {
        if (!parse_origins(origins, origins_)) fail(number, fmt::format("'{}' is not an origin AS", printable(origins)));
        for (const Origin& o : origins_) builder_.add(p, o);
    }

    Prefix prefix(std::string_view text, std::size_t number) const {
        std::string why;
        auto p = parse_prefix(text, &why);
        if (!p) fail(number, why);
        return *p;
    }

    void caida(std::string_view text, std::size_t number) {
        std::string_view f[3];
        if (split_blank(text, f, 3) != 3)
            fail(number, fmt::format("expected prefix<TAB>length<TAB>origin, found '{}'", printable(text)));
        if (!all_digits(f[1]) || f[1].size() > 3) fail(number, fmt::format("'{}' is not a prefix length", printable(f[1])));
        unsigned length = 0;
        for (char c : f[1]) length = length * 10 + static_cast<unsigned>(c - '0');
        std::string why;
        auto p = make_prefix(f[0], length, &why);
        if (!p) fail(number, why);
        add(*p, f[2], number);
    }

    void pyasn(std::string_view text, std::size_t number) {
        std::string_view f[2];
        if (split_blank(text, f, 2) != 2) fail(number, fmt::format("expected prefix<TAB>origin, found '{}'", printable(text)));
        add(prefix(f[0], number), f[1], number);
    }

    void ris(std::string_view text, std::size_t number) {
        std::string_view f[3];
        if (split_blank(text, f, 3) != 3)
            fail(number, fmt::format("expected origin<TAB>prefix<TAB>peers, found '{}'", printable(text)));
        add(prefix(f[1], number), f[0], number);
    }

    /// TABLE_DUMP2|1700000000|B|192.0.2.1|64496|198.51.100.0/24|64496 64500 {64501,64502}|IGP|...
    void bgpdump(std::string_view text, std::size_t number) {
        std::string_view f[8];
        std::size_t n = 0;
        for (std::size_t start = 0; n < 8;) {
            const std::size_t bar = text.find('|', start);
            f[n++] = text.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start);
            if (bar == std::string_view::npos) break;
            start = bar + 1;
        }
        if (n < 3 || !(f[0].starts_with("TABLE_DUMP") || f[0].starts_with("BGP4MP")))
            fail(number, fmt::format("not a bgpdump -m line: '{}'", printable(text)));
        if (f[2] != "B" && f[2] != "A") return;  // withdrawals and state changes carry no route
        if (n < 7) fail(number, "bgpdump line with fewer than 7 '|' fields");
        const Prefix p = prefix(f[5], number);
        std::string_view path = f[6];
        while (!path.empty() && is_space(path.back())) path.remove_suffix(1);
        const std::size_t last_space = path.find_last_of(' ');
        std::string_view origin = last_space == std::string_view::npos ? path : path.substr(last_space + 1);
        if (origin.empty()) origin = f[4];  // empty AS path: the peer originated it
        if (origin.size() >= 2 && (origin.front() == '(' || origin.front() == '[')) origin = origin.substr(1, origin.size() - 2);
        add(p, origin, number);
    }

    const std::string& name_;
    std::optional<Format> format_;
    RouteTable::Builder builder_;
    std::vector<Origin> origins_;
    std::size_t lines_ = 0;
};

}  // namespace

std::shared_ptr<const RouteTable> parse_routes(std::string_view text, const std::string& name) {
    Parser parser(name);
    std::size_t number = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++number;
        while (!line.empty() && is_space(line.back())) line.remove_suffix(1);
        while (!line.empty() && is_space(line.front())) line.remove_prefix(1);
        if (line.empty() || line.front() == ';' || line.front() == '%' || line.front() == '#') continue;
        parser.line(line, number);
    }
    return parser.finish();
}

std::shared_ptr<const RouteTable> read_route_file(const std::string& path) {
    const std::string text = read_input(path);
    return parse_routes(text, path);
}

}  // namespace mamori::rpki
