/// \file report/text.cpp — the human report for a terminal ("text" format, the default).
///
/// Every string taken from the model goes through terminal_safe(): messages and evidence
/// quote DNS data, and a TXT record must not be able to move the cursor, retitle the
/// window or fake a line of this report.
#include "report/escape.h"
#include "report/renderer_detail.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::report {
namespace {

constexpr std::string_view sgr_bold = "1";
constexpr std::string_view sgr_dim = "2";
constexpr std::string_view sgr_red = "31";
constexpr std::string_view sgr_green = "32";
constexpr std::string_view sgr_yellow = "33";
constexpr std::string_view sgr_magenta = "35";

constexpr std::size_t check_width = 8;  // longest id today: "mta-sts"

std::string_view status_colour(Status s) {
    switch (s) {
        case Status::pass: return sgr_green;
        case Status::warn: return sgr_yellow;
        case Status::fail: return sgr_red;
        case Status::error: return sgr_magenta;
        case Status::skip: return sgr_dim;
    }
    return {};
}

std::string_view severity_colour(Severity s) {
    switch (s) {
        case Severity::error: return sgr_red;
        case Severity::warning: return sgr_yellow;
        case Severity::info: return {};
    }
    return {};
}

/// A JSON count read defensively: the summary is data, not a promise about its types.
std::uint64_t count_of(const Json& j) {
    if (j.is_number_unsigned()) return j.get<std::uint64_t>();
    if (j.is_number_integer()) return static_cast<std::uint64_t>(std::max<std::int64_t>(0, j.get<std::int64_t>()));
    return 0;
}

/// `j[key]`, or null when `j` is not an object or lacks the key (value() would throw).
const Json& member(const Json& j, const std::string& key) {
    static const Json none;
    if (!j.is_object()) return none;
    const auto it = j.find(key);
    return it == j.end() ? none : *it;
}

/// A JSON key or string value from the summary, escaped for the terminal.
std::string safe_string(const Json& j) {
    return terminal_safe(j.is_string() ? j.get_ref<const std::string&>() : detail::dump_json(j));
}

class TextRenderer final : public Renderer {
public:
    TextRenderer(std::ostream& out, const RenderOptions& options) : out_(out), colour_(options.colour) {}

    void begin(const RunInfo& run) override {
        out_ << paint(fmt::format("mamori {}", terminal_safe(run.version)), sgr_bold);
        if (!run.profile.empty()) out_ << "  profile " << terminal_safe(run.profile);
        if (!run.now.empty()) out_ << "  clock " << terminal_safe(run.now);
        out_ << "\n\n";
    }

    void target(const TargetReport& report) override {
        write_header(report);
        for (const auto& check : report.checks) write_check(check);
        out_ << '\n';
        out_.flush();
    }

    void end(const Json& summary) override {
        out_ << paint("Summary", sgr_bold) << '\n';
        out_ << "  targets audited: " << count_of(member(summary, "targets")) << '\n';
        write_status_counts(member(summary, "by_check"));
        write_adoption(member(summary, "adoption"));
        write_top_findings(member(summary, "top_findings"));
        out_.flush();
    }

private:
    /// Colours are added after padding, so escape sequences never upset the alignment.
    std::string paint(std::string_view text, std::string_view sgr) const {
        if (!colour_ || sgr.empty()) return std::string(text);
        return fmt::format("\x1b[{}m{}\x1b[0m", sgr, text);
    }

    void write_header(const TargetReport& report) {
        std::string name = terminal_safe(report.target.name);
        if (!report.target.input.empty() && report.target.input != report.target.name)
            name += fmt::format(" ({})", terminal_safe(report.target.input));
        out_ << paint(name, sgr_bold) << "  score " << report.score;
        if (!report.grade.empty()) out_ << "  grade " << terminal_safe(report.grade);
        out_ << '\n';
    }

    void write_check(const CheckResult& check) {
        std::string after;
        if (check.status == Status::error && !check.error.empty()) after = terminal_safe(check.error);
        else if (check.status != Status::skip) after = fmt::format("score {}", check.score);
        // Padded only when something follows, so no line ends in blanks.
        const std::string status = after.empty() ? std::string(to_string(check.status))
                                                  : fmt::format("{:<5}", to_string(check.status));
        out_ << "  " << fmt::format("{:<{}}", terminal_safe(check.check), check_width) << ' '
             << paint(status, status_colour(check.status));
        if (!after.empty()) out_ << "  " << after;
        out_ << '\n';
        for (const auto& f : check.findings) write_finding(f);
    }

    void write_finding(const Finding& f) {
        const std::string severity = fmt::format("{:<7}", to_string(f.severity));
        out_ << "    " << terminal_safe(f.id) << "  " << paint(severity, severity_colour(f.severity)) << "  "
             << terminal_safe(f.message) << '\n';
        if (!f.evidence.is_null() && !(f.evidence.is_object() && f.evidence.empty()))
            out_ << "      evidence: " << terminal_safe(detail::dump_json(f.evidence)) << '\n';
        if (!f.remedy.empty()) write_remedy(f.remedy);
    }

    /// Remedies may span lines (a zone snippet to paste); continuation lines line up under
    /// the first, and each line is escaped on its own so no line can start at column 0.
    void write_remedy(std::string_view remedy) {
        while (!remedy.empty() && (remedy.back() == '\n' || remedy.back() == '\r')) remedy.remove_suffix(1);
        std::string_view prefix = "      fix: ";
        for (std::size_t start = 0; start <= remedy.size();) {
            std::size_t end = remedy.find('\n', start);
            if (end == std::string_view::npos) end = remedy.size();
            std::string_view line = remedy.substr(start, end - start);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            out_ << prefix << terminal_safe(line) << '\n';
            prefix = "           ";
            start = end + 1;
        }
    }

    void write_status_counts(const Json& by_check) {
        if (!by_check.is_object() || by_check.empty()) return;
        static constexpr const char* statuses[] = {"pass", "warn", "fail", "error", "skip"};
        out_ << '\n' << fmt::format("  {:<{}}", "check", check_width);
        for (const char* s : statuses) out_ << fmt::format(" {:>6}", s);
        out_ << '\n';
        for (const auto& [check, counts] : by_check.items()) {
            out_ << fmt::format("  {:<{}}", terminal_safe(check), check_width);
            for (const char* s : statuses)
                out_ << fmt::format(" {:>6}", count_of(member(counts, s)));
            out_ << '\n';
        }
    }

    /// Each table as counts and shares of its own total, like the government's adoption tables.
    void write_adoption(const Json& adoption) {
        if (!adoption.is_object() || adoption.empty()) return;
        out_ << "\n  adoption\n";
        for (const auto& [table, counts] : adoption.items()) {
            if (!counts.is_object()) continue;
            std::uint64_t total = 0;
            for (const auto& [key, n] : counts.items()) total += count_of(n);
            out_ << fmt::format("    {:<14}", terminal_safe(table));
            for (const auto& [key, n] : counts.items()) {
                const double share = total == 0 ? 0.0 : 100.0 * static_cast<double>(count_of(n)) / static_cast<double>(total);
                out_ << fmt::format("  {} {} ({:.1f}%)", terminal_safe(key), count_of(n), share);
            }
            out_ << '\n';
        }
    }

    void write_top_findings(const Json& top) {
        if (!top.is_array() || top.empty()) return;
        out_ << "\n  top findings\n";
        for (const auto& entry : top) {
            out_ << fmt::format("    {:<24} {:>6}\n", safe_string(member(entry, "id")),
                                count_of(member(entry, "count")));
        }
    }

    std::ostream& out_;
    bool colour_;
};

}  // namespace

namespace detail {

std::unique_ptr<Renderer> make_text_renderer(std::ostream& out, const RenderOptions& options) {
    return std::make_unique<TextRenderer>(out, options);
}

}  // namespace detail
}  // namespace mamori::report
