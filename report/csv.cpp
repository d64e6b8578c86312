/// \file report/csv.cpp — one row per (target, check), safe to open in a spreadsheet.
#include "report/escape.h"
#include "report/renderer_detail.h"

#include <optional>
#include <string>
#include <string_view>

namespace mamori::report {
namespace {

// RFC 4180 §2: records end with CRLF.
constexpr std::string_view row_end = "\r\n";

/// One field. Controls and invalid UTF-8 are shown as `\xNN` as in the text report: they mean
/// nothing in a spreadsheet, a NUL makes some CSV readers reject the whole file, and the CSV
/// is often `cat` to a terminal. Then a leading quote when a spreadsheet would take the cell
/// for a formula (OWASP "CSV injection": = + - @ TAB CR), then RFC 4180 quoting.
std::string csv_cell(std::string_view raw) {
    std::string cell = terminal_safe(raw, true);
    if (!cell.empty() && std::string_view("=+-@\t\r").find(cell.front()) != std::string_view::npos)
        cell.insert(cell.begin(), '\'');
    if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
    std::string quoted = "\"";
    for (char c : cell) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

std::optional<Severity> worst_severity(const CheckResult& check) {
    std::optional<Severity> worst;
    for (const auto& f : check.findings)
        if (!worst || f.severity > *worst) worst = f.severity;  // declared info < warning < error
    return worst;
}

/// The findings' messages; for a check that could not run, its error comes first.
std::string check_message(const CheckResult& check) {
    std::string message;
    auto add = [&message](const std::string& part) {
        if (part.empty()) return;
        if (!message.empty()) message += " | ";
        message += part;
    };
    if (check.status == Status::error) add(check.error);
    for (const auto& f : check.findings) add(f.message);
    return message;
}

/// Rows go out as targets arrive (the engine delivers them in input order), so a batch of
/// thousands never sits in memory.
class CsvRenderer final : public Renderer {
public:
    explicit CsvRenderer(std::ostream& out) : out_(out) {}

    void begin(const RunInfo&) override {
        out_ << "target,kind,check,status,score,severity,finding_ids,message" << row_end;
    }

    void target(const TargetReport& report) override {
        for (const auto& check : report.checks) {
            std::string ids;
            for (const auto& f : check.findings) ids += (ids.empty() ? "" : " ") + f.id;
            const auto worst = worst_severity(check);
            out_ << csv_cell(report.target.name) << ',' << csv_cell(to_string(report.target.kind)) << ','
                 << csv_cell(check.check) << ',' << csv_cell(to_string(check.status)) << ','
                 << csv_cell(std::to_string(check.score)) << ','
                 << csv_cell(worst ? to_string(*worst) : std::string_view()) << ',' << csv_cell(ids) << ','
                 << csv_cell(check_message(check)) << row_end;
        }
        out_.flush();
    }

    void end(const Json&) override { out_.flush(); }

private:
    std::ostream& out_;
};

}  // namespace

namespace detail {

std::unique_ptr<Renderer> make_csv_renderer(std::ostream& out, const RenderOptions&) {
    return std::make_unique<CsvRenderer>(out);
}

}  // namespace detail
}  // namespace mamori::report
