/// \file tests/unit/test_report_formats.cpp — text, json, ndjson and csv renderers on hand-built, hostile reports.
#include "core/summary.h"
#include "report/escape.h"
#include "report/renderer.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace mamori {
namespace {

// What a hostile zone can put into a TXT record, and so into messages and evidence.
const std::string esc_title = "\x1b]0;owned\x07\x1b[2J";
const std::string nul_inside = std::string("nul\0byte", 8);
const std::string bad_utf8 = "bad\xff\xfe\xc3";
const std::string c1_csi = "\xc2\x9b" "31m";
const std::string bidi = "\xe2\x80\xae" "reversed";

Finding finding(std::string id, Severity severity, std::string message, Json evidence = Json::object(),
                std::string remedy = "Fix it.", std::string ref = "RFC 0000") {
    Finding f;
    f.id = std::move(id);
    f.severity = severity;
    f.message = std::move(message);
    f.evidence = std::move(evidence);
    f.remedy = std::move(remedy);
    f.ref = std::move(ref);
    return f;
}

CheckResult check(std::string id, Status status, int score, Json facts, std::vector<Finding> findings = {},
                  std::string error = {}) {
    CheckResult c;
    c.check = std::move(id);
    c.status = status;
    c.score = score;
    c.facts = std::move(facts);
    c.findings = std::move(findings);
    c.error = std::move(error);
    return c;
}

TargetReport target(std::size_t index, std::string name, int score, std::vector<CheckResult> checks,
                    std::string grade = {}, TargetKind kind = TargetKind::domain) {
    TargetReport r;
    r.target.kind = kind;
    r.target.name = name;
    r.target.input = std::move(name);
    r.target.index = index;
    r.score = score;
    r.grade = std::move(grade);
    r.checks = std::move(checks);
    r.elapsed = std::chrono::milliseconds(40 + index);
    return r;
}

/// Three targets covering every check of the facts table, an operational error, a skip,
/// and hostile strings everywhere a check could copy DNS data.
std::vector<TargetReport> sample_reports() {
    std::vector<TargetReport> reports;
    reports.push_back(target(
        0, "good.go.jp", 100,
        {check("mx", Status::pass, 100, {{"hosts", {"mail.good.go.jp"}}, {"null_mx", false}}),
         check("spf", Status::pass, 100,
               {{"record", "v=spf1 mx -all"}, {"all", "-all"}, {"lookups", 1}, {"void_lookups", 0}, {"result", "pass"}}),
         check("dmarc", Status::pass, 100,
               {{"record", "v=DMARC1; p=reject"}, {"policy", "reject"}, {"pct", 100}, {"source", "_dmarc.good.go.jp"}}),
         check("dkim", Status::pass, 100,
               {{"selectors", {{"selector1", {{"key", "rsa"}, {"bits", 2048}, {"revoked", false}, {"testing", false}}}}}}),
         check("dnssec", Status::pass, 100,
               {{"state", "secure"}, {"algorithms", {13}}, {"ds_digests", {2}}, {"nsec", "nsec3"}}),
         check("rpki", Status::pass, 100,
               {{"routes", {{{"address", "192.0.2.1"}, {"role", "apex"}, {"prefix", "192.0.2.0/24"},
                             {"origin", "AS64500"}, {"state", "valid"}}}},
                {"no_route", Json::array()}})},
        "A"));
    reports.push_back(target(
        1, "hostile.go.jp", 35,
        {check("spf", Status::warn, 60,
               {{"record", "v=spf1 " + esc_title + " ~all"}, {"all", "~all"}, {"lookups", 3}, {"void_lookups", 0}},
               {finding("SPF-SOFTFAIL-ALL", Severity::warning, "=HYPERLINK(\"http://evil\",\"x\") " + esc_title,
                        {{"record", "v=spf1 " + esc_title + nul_inside + bad_utf8 + " ~all"}},
                        "Publish:\nhostile.go.jp. TXT \"v=spf1 -all\"\n" + c1_csi + bidi, "RFC 7208 §5.1"),
                finding("SPF-TXT-GARBAGE", Severity::info, "+" + nul_inside + ", \"quoted\"\r\nnext " + bad_utf8)}),
         check("dmarc", Status::error, 0, Json::object(), {}, "timeout asking 127.0.0.1@53\n" + esc_title),
         check("mx", Status::fail, 0, {{"hosts", {"mx.hostile.go.jp"}}, {"null_mx", true}},
               {finding("MX-NULL-MIXED", Severity::error, "@SUM(1+1) null MX beside other MX records")}),
         check("dkim", Status::skip, 100, Json::object())},
        "", TargetKind::domain));
    reports.push_back(target(2, "AS64500", 50,
                             {check("rpki", Status::fail, 50,
                                    {{"routes", {{{"prefix", "198.51.100.0/24"}, {"origin", "AS64500"}, {"state", "invalid"}}}},
                                     {"coverage", {{"valid", 1}, {"total", 2}, {"address_share", 0.5}}}},
                                    {finding("ROA-INVALID", Severity::error, "-1 prefix is RPKI-invalid")})},
                             "", TargetKind::as));
    return reports;
}

report::RunInfo sample_run() {
    report::RunInfo run;
    run.version = "0.1.0";
    run.generated = "2026-01-02T03:04:05Z";
    run.now = "2026-01-02T03:04:05Z";
    run.profile = "go.jp";
    run.checks = {"mx", "spf", "dmarc", "dkim", "dnssec", "rpki"};
    return run;
}

/// Renders `reports` in the order given (the engine's completion order) and returns the output.
std::string render(std::string_view format, const std::vector<TargetReport>& reports, bool colour = false) {
    std::ostringstream out;
    report::RenderOptions options;
    options.colour = colour;
    auto renderer = report::make_renderer(format, out, options);
    REQUIRE(renderer);
    SummaryBuilder summary;
    renderer->begin(sample_run());
    for (const auto& r : reports) {
        summary.add(r);
        renderer->target(r);
    }
    renderer->end(summary.to_json());
    return out.str();
}

std::vector<std::string> split(const std::string& text, const std::string& separator) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t at; (at = text.find(separator, start)) != std::string::npos; start = at + separator.size())
        parts.push_back(text.substr(start, at - start));
    parts.push_back(text.substr(start));
    return parts;
}

std::vector<std::string> keys(const Json& object) {
    std::vector<std::string> names;
    for (const auto& [key, value] : object.items()) names.push_back(key);
    return names;
}

/// A stream buffer that records how much had been written each time it was synced (flushed).
class FlushRecorder : public std::streambuf {
public:
    std::string text;
    std::vector<std::size_t> synced_at;

protected:
    int_type overflow(int_type ch) override {
        if (!traits_type::eq_int_type(ch, traits_type::eof())) text += traits_type::to_char_type(ch);
        return traits_type::not_eof(ch);
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        text.append(s, static_cast<std::size_t>(n));
        return n;
    }
    int sync() override {
        synced_at.push_back(text.size());
        return 0;
    }
};

}  // namespace

// ---------------------------------------------------------------- registry

TEST_CASE("report formats: the four base formats are known, others are not") {
    const auto names = report::formats();
    for (const char* name : {"text", "json", "ndjson", "csv"}) {
        CHECK(std::find(names.begin(), names.end(), name) != names.end());
        std::ostringstream out;
        CHECK(report::make_renderer(name, out, {}) != nullptr);
    }
    std::ostringstream out;
    CHECK(report::make_renderer("xml", out, {}) == nullptr);
    CHECK(report::make_renderer("", out, {}) == nullptr);
}

// ---------------------------------------------------------------- csv

TEST_CASE("csv: header, one row per (target, check), RFC 4180 quoting, formula neutralisation, escapes, exactly") {
    const std::string csv = render("csv", sample_reports());
    const std::string expected =
        "target,kind,check,status,score,severity,finding_ids,message\r\n"
        "good.go.jp,domain,mx,pass,100,,,\r\n"
        "good.go.jp,domain,spf,pass,100,,,\r\n"
        "good.go.jp,domain,dmarc,pass,100,,,\r\n"
        "good.go.jp,domain,dkim,pass,100,,,\r\n"
        "good.go.jp,domain,dnssec,pass,100,,,\r\n"
        "good.go.jp,domain,rpki,pass,100,,,\r\n"
        // Quoted because of the quotes and comma; neutralised because it starts with '='.
        "hostile.go.jp,domain,spf,warn,60,warning,SPF-SOFTFAIL-ALL SPF-TXT-GARBAGE,"
        "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\") \\x1b]0;owned\\x07\\x1b[2J | +nul\\x00byte, \"\"quoted\"\"\r\n"
        "next bad\\xff\\xfe\\xc3\"\r\n"
        "hostile.go.jp,domain,dmarc,error,0,,,\"timeout asking 127.0.0.1@53\n\\x1b]0;owned\\x07\\x1b[2J\"\r\n"
        "hostile.go.jp,domain,mx,fail,0,error,MX-NULL-MIXED,'@SUM(1+1) null MX beside other MX records\r\n"
        "hostile.go.jp,domain,dkim,skip,100,,,\r\n"
        "AS64500,as,rpki,fail,50,error,ROA-INVALID,'-1 prefix is RPKI-invalid\r\n";
    CHECK(csv == expected);
}

TEST_CASE("csv: every formula lead character is neutralised before quoting; controls are made visible") {
    struct Case {
        std::string message;
        std::string cell;
    };
    const std::vector<Case> cases{
        {"=1+2", "'=1+2"},
        {"+1", "'+1"},
        {"-1", "'-1"},
        {"@A1", "'@A1"},
        {"\tA1", "'\tA1"},
        {"\rA1", "\"'\rA1\""},
        {"=a,b", "\"'=a,b\""},
        {"a=b", "a=b"},
        {" =a", " =a"},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"a\nb", "\"a\nb\""},
        {"総務省", "総務省"},
        {"\x1b[2J", "\\x1b[2J"},
        {std::string("\0=", 2), "\\x00="},
        {"\xff=", "\\xff="},
        {"\xe2\x80\xae" "evil", "\\u202eevil"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.message);
        const auto reports = std::vector<TargetReport>{
            target(0, "x.go.jp", 90, {check("spf", Status::warn, 90, Json::object(),
                                            {finding("SPF-X", Severity::warning, c.message)})})};
        const std::string csv = render("csv", reports);
        CHECK(csv == "target,kind,check,status,score,severity,finding_ids,message\r\n"
                     "x.go.jp,domain,spf,warn,90,warning,SPF-X," + c.cell + "\r\n");
    }
}

TEST_CASE("csv: a target name that looks like a formula is neutralised too") {
    const auto reports = std::vector<TargetReport>{target(0, "-cmd|calc", 100, {check("mx", Status::pass, 100, Json::object())})};
    CHECK(split(render("csv", reports), "\r\n").at(1) == "'-cmd|calc,domain,mx,pass,100,,,");
}

// ---------------------------------------------------------------- text

TEST_CASE("text: no byte from the model can drive the terminal") {
    const std::string text = render("text", sample_reports());
    CHECK(text.find('\x1b') == std::string::npos);
    CHECK(text.find('\0') == std::string::npos);
    CHECK(text.find('\x07') == std::string::npos);
    CHECK(text.find('\r') == std::string::npos);
    CHECK(text.find('\x7f') == std::string::npos);
    CHECK(text.find("\xc2\x9b") == std::string::npos);
    CHECK(text.find("\xe2\x80\xae") == std::string::npos);
    CHECK(report::valid_utf8(text) == text);
    // …and what was there is still visible.
    CHECK(text.find("\\x1b]0;owned\\x07\\x1b[2J") != std::string::npos);
    CHECK(text.find("+nul\\x00byte") != std::string::npos);
    CHECK(text.find("bad\\xff\\xfe\\xc3") != std::string::npos);
    CHECK(text.find("\\xc2\\x9b31m\\u202ereversed") != std::string::npos);
}

TEST_CASE("text: a newline in DNS data cannot fake a line of the report") {
    const std::string text = render("text", sample_reports());
    for (const auto& line : split(text, "\n")) {
        CAPTURE(line);
        // Column 0 belongs to the run header, the target headers and the summary title.
        if (line.empty() || line.front() == ' ') continue;
        const bool known = line.rfind("mamori 0.1.0", 0) == 0 || line.rfind("good.go.jp  score", 0) == 0 ||
                           line.rfind("hostile.go.jp  score", 0) == 0 || line.rfind("AS64500  score", 0) == 0 ||
                           line == "Summary";
        CHECK(known);
    }
    CHECK(text.find("timeout asking 127.0.0.1@53\\x0a\\x1b]0;owned") != std::string::npos);
}

TEST_CASE("text: findings show id, severity, message, evidence and a multi-line fix") {
    const std::string text = render("text", sample_reports());
    CHECK(text.find("good.go.jp  score 100  grade A\n") != std::string::npos);
    CHECK(text.find("  mx       fail   score 0\n") != std::string::npos);
    CHECK(text.find("    MX-NULL-MIXED  error    @SUM(1+1) null MX beside other MX records\n") != std::string::npos);
    CHECK(text.find("      fix: Publish:\n"
                    "           hostile.go.jp. TXT \"v=spf1 -all\"\n"
                    "           \\xc2\\x9b31m\\u202ereversed\n") != std::string::npos);
    CHECK(text.find("      evidence: {\"record\":\"v=spf1 \\u001b]0;owned") != std::string::npos);
    CHECK(text.find("  dmarc    error  timeout asking") != std::string::npos);
    CHECK(text.find("  dkim     skip\n") != std::string::npos);
    for (const auto& line : split(text, "\n")) {
        CAPTURE(line);
        CHECK((line.empty() || line.back() != ' '));
    }
}

TEST_CASE("text: the summary shows status counts, adoption shares and top findings") {
    const std::string text = render("text", sample_reports());
    const auto summary = text.substr(text.find("\nSummary\n"));
    CHECK(summary.find("targets audited: 3") != std::string::npos);
    CHECK(summary.find("  check      pass   warn   fail  error   skip\n") != std::string::npos);
    CHECK(summary.find("  dmarc         1      0      0      1      0\n") != std::string::npos);
    CHECK(summary.find("  rpki          1      0      1      0      0\n") != std::string::npos);
    CHECK(summary.find("spf_all         -all 1 (50.0%)  ~all 1 (50.0%)  ?all 0 (0.0%)") != std::string::npos);
    CHECK(summary.find("mx              mx 1 (50.0%)  null_mx 1 (50.0%)  none 0 (0.0%)") != std::string::npos);
    CHECK(summary.find("rpki_servers    valid 1 (50.0%)  invalid 1 (50.0%)  not-found 0 (0.0%)") != std::string::npos);
    CHECK(summary.find("    MX-NULL-MIXED") != std::string::npos);
}

TEST_CASE("text: with colour, every escape sequence is one of the renderer's own SGR codes") {
    const std::string text = render("text", sample_reports(), true);
    std::size_t sequences = 0;
    for (std::size_t at = text.find('\x1b'); at != std::string::npos; at = text.find('\x1b', at + 1)) {
        ++sequences;
        const auto end = text.find('m', at);
        REQUIRE(end != std::string::npos);
        const std::string code = text.substr(at + 1, end - at);
        CAPTURE(code);
        CHECK((code == "[0m" || code == "[1m" || code == "[2m" || code == "[31m" || code == "[32m" ||
               code == "[33m" || code == "[35m"));
    }
    CHECK(sequences > 0);
    CHECK(text.find("\x1b[32mpass \x1b[0m") != std::string::npos);
    CHECK(text.find("\x1b[35merror\x1b[0m") != std::string::npos);
    CHECK(text.find("\x1b[2mskip\x1b[0m\n") != std::string::npos);
}

TEST_CASE("text: each target is written and flushed as it arrives") {
    FlushRecorder recorder;
    std::ostream out(&recorder);
    auto renderer = report::make_renderer("text", out, {});
    renderer->begin(sample_run());
    const auto reports = sample_reports();
    renderer->target(reports[1]);
    CHECK(recorder.text.find("hostile.go.jp  score 35") != std::string::npos);
    CHECK_FALSE(recorder.synced_at.empty());
    CHECK(recorder.synced_at.back() == recorder.text.size());
}

// ---------------------------------------------------------------- json

TEST_CASE("json: the document has exactly the v1 keys, input order restored, pretty-printed") {
    auto reports = sample_reports();
    std::reverse(reports.begin(), reports.end());  // targets finish in any order
    const std::string text = render("json", reports);
    CHECK(text.rfind("{\n  \"schema\": \"mamori/report/v1\",\n", 0) == 0);
    CHECK(text.back() == '\n');
    const Json doc = Json::parse(text);
    CHECK(keys(doc) == std::vector<std::string>{"schema", "tool", "generated", "profile", "now", "targets", "summary"});
    CHECK(doc["tool"] == Json({{"name", "mamori"}, {"version", "0.1.0"}}));
    CHECK(doc["profile"] == "go.jp");
    REQUIRE(doc["targets"].size() == 3);
    CHECK(doc["targets"][0]["target"] == "good.go.jp");
    CHECK(doc["targets"][1]["target"] == "hostile.go.jp");
    CHECK(doc["targets"][2]["target"] == "AS64500");
    CHECK(doc["targets"][2]["kind"] == "as");
    CHECK(keys(doc["summary"]) == std::vector<std::string>{"targets", "by_check", "adoption", "top_findings"});
    CHECK(doc["summary"]["targets"] == 3);
}

TEST_CASE("json: target objects carry grade and error only when they say something") {
    const auto reports = sample_reports();
    const Json good = report::target_to_json(reports[0]);
    CHECK(keys(good) == std::vector<std::string>{"target", "kind", "score", "grade", "elapsed_ms", "checks"});
    CHECK(good["grade"] == "A");
    CHECK(good["elapsed_ms"] == 40);
    CHECK(keys(good["checks"][0]) == std::vector<std::string>{"check", "status", "score", "facts", "findings"});

    const Json hostile = report::target_to_json(reports[1]);
    CHECK_FALSE(hostile.contains("grade"));
    CHECK(keys(hostile["checks"][1]) ==
          std::vector<std::string>{"check", "status", "score", "facts", "findings", "error"});
    CHECK(keys(hostile["checks"][0]["findings"][0]) ==
          std::vector<std::string>{"id", "severity", "message", "evidence", "remedy", "ref"});

    // An error text on a check that did not error, or an error without text, is not shown.
    auto odd = reports[0];
    odd.checks[0].error = "left over";
    odd.checks[1].status = Status::error;
    const Json j = report::target_to_json(odd);
    CHECK_FALSE(j["checks"][0].contains("error"));
    CHECK_FALSE(j["checks"][1].contains("error"));
}

TEST_CASE("json: invalid UTF-8 from DNS data does not throw and comes out as U+FFFD") {
    std::string text;
    CHECK_NOTHROW(text = render("json", sample_reports()));
    Json doc;
    REQUIRE_NOTHROW(doc = Json::parse(text));
    const auto& f = doc["targets"][1]["checks"][0]["findings"][1];
    CHECK(f["message"].get<std::string>().find("bad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd") != std::string::npos);
    CHECK(f["message"].get<std::string>().find(std::string("nul\0byte", 8)) != std::string::npos);
    CHECK(text.find('\x1b') == std::string::npos);  // JSON escapes it as \u001b
}

// ---------------------------------------------------------------- ndjson

TEST_CASE("ndjson: one flushed line per target as it arrives, then the summary line") {
    FlushRecorder recorder;
    std::ostream out(&recorder);
    auto renderer = report::make_renderer("ndjson", out, {});
    REQUIRE(renderer);
    renderer->begin(sample_run());
    SummaryBuilder summary;
    auto reports = sample_reports();
    std::swap(reports[0], reports[2]);
    std::size_t lines = 0;
    for (const auto& r : reports) {
        summary.add(r);
        const auto syncs_before = recorder.synced_at.size();
        renderer->target(r);
        ++lines;
        // Flushed right after the line: what is on disk is whole lines only.
        REQUIRE(recorder.synced_at.size() > syncs_before);
        CHECK(recorder.synced_at.back() == recorder.text.size());
        CHECK(recorder.text.back() == '\n');
        CHECK(static_cast<std::size_t>(std::count(recorder.text.begin(), recorder.text.end(), '\n')) == lines);
    }
    renderer->end(summary.to_json());
    CHECK(recorder.synced_at.back() == recorder.text.size());

    auto parts = split(recorder.text, "\n");
    REQUIRE(parts.back().empty());
    parts.pop_back();
    REQUIRE(parts.size() == reports.size() + 1);
    for (std::size_t i = 0; i < reports.size(); ++i) {
        Json line;
        REQUIRE_NOTHROW(line = Json::parse(parts[i]));
        CHECK(line.is_object());
        CHECK(line["target"] == reports[i].target.name);  // arrival order, not sorted
        CHECK(line == Json::parse(report::target_to_json(reports[i]).dump(-1, ' ', false, Json::error_handler_t::replace)));
    }
    const Json last = Json::parse(parts.back());
    CHECK(keys(last) == std::vector<std::string>{"summary", "schema"});
    CHECK(last["schema"] == "mamori/report/v1");
    CHECK(last["summary"]["targets"] == 3);
}

// ---------------------------------------------------------------- schema

namespace {

std::string shell_quote(const std::string& s) {
    std::string quoted = "'";
    for (char c : s) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string name = (std::filesystem::temp_directory_path() / "mamori-report-test.XXXXXX").string();
        REQUIRE(::mkdtemp(name.data()) != nullptr);
        path = name;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
};

/// Validates each file against report/schema/report-v1.schema.json with python3-jsonschema;
/// one verdict per file: "valid", or "invalid: <reason>". Throws when the validator
/// could not run at all, so a missing tool fails the test instead of passing it.
std::vector<std::string> validate(const std::vector<std::filesystem::path>& files) {
    const std::string schema = std::string(MAMORI_SOURCE_DIR) + "/report/schema/report-v1.schema.json";
    const std::string script =
        "import json, sys\n"
        "try:\n"
        "    import jsonschema\n"
        "except ImportError:\n"
        "    print(\"no-jsonschema\"); sys.exit(0)\n"
        "schema = json.load(open(sys.argv[1], encoding=\"utf-8\"))\n"
        "cls = jsonschema.validators.validator_for(schema)\n"
        "cls.check_schema(schema)\n"
        "validator = cls(schema)\n"
        "for path in sys.argv[2:]:\n"
        "    doc = json.load(open(path, encoding=\"utf-8\"))\n"
        "    errors = list(validator.iter_errors(doc))\n"
        "    print(\"valid\" if not errors else \"invalid: \" + \" / \".join(\n"
        "        \"/\".join(map(str, e.absolute_path)) + \" \" + e.message for e in errors)[:300].replace(\"\\n\", \" \"))\n";
    std::string command = "python3 -c " + shell_quote(script) + " " + shell_quote(schema);
    for (const auto& f : files) command += " " + shell_quote(f.string());
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string output;
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    const int status = ::pclose(pipe);
    INFO("validator output: " << output);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    REQUIRE(output.rfind("no-jsonschema", 0) != 0);
    auto verdicts = split(output, "\n");
    if (!verdicts.empty() && verdicts.back().empty()) verdicts.pop_back();
    REQUIRE(verdicts.size() == files.size());
    return verdicts;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    REQUIRE(out.good());
}

}  // namespace

TEST_CASE("schema: the json report validates against report-v1.schema.json, and broken ones do not") {
    TempDir dir;
    const std::string text = render("json", sample_reports());
    const Json good = Json::parse(text);

    struct Broken {
        std::string name;
        Json doc;
    };
    std::vector<Broken> broken;
    auto with = [&](std::string name, auto change) {
        Json doc = good;
        change(doc);
        broken.push_back({std::move(name), std::move(doc)});
    };
    with("status maybe", [](Json& d) { d["targets"][0]["checks"][0]["status"] = "maybe"; });
    with("severity critical", [](Json& d) { d["targets"][1]["checks"][0]["findings"][0]["severity"] = "critical"; });
    with("kind host", [](Json& d) { d["targets"][0]["kind"] = "host"; });
    with("score 101", [](Json& d) { d["targets"][0]["score"] = 101; });
    with("score 87.5", [](Json& d) { d["targets"][0]["checks"][0]["score"] = 87.5; });
    with("schema v2", [](Json& d) { d["schema"] = "mamori/report/v2"; });
    with("extra top-level key", [](Json& d) { d["extra"] = true; });
    with("extra finding key", [](Json& d) { d["targets"][1]["checks"][0]["findings"][0]["extra"] = 1; });
    with("finding id lower case", [](Json& d) { d["targets"][1]["checks"][0]["findings"][0]["id"] = "spf-softfail"; });
    with("finding id without prefix", [](Json& d) { d["targets"][1]["checks"][0]["findings"][0]["id"] = "SOFTFAIL"; });
    with("finding without remedy", [](Json& d) { d["targets"][1]["checks"][0]["findings"][0].erase("remedy"); });
    with("mx pass without hosts", [](Json& d) { d["targets"][0]["checks"][0]["facts"].erase("hosts"); });
    with("mx null_mx not boolean", [](Json& d) { d["targets"][0]["checks"][0]["facts"]["null_mx"] = "no"; });
    with("mx hosts not strings", [](Json& d) { d["targets"][0]["checks"][0]["facts"]["hosts"] = Json::array({1}); });
    with("spf all bogus", [](Json& d) { d["targets"][0]["checks"][1]["facts"]["all"] = "all"; });
    with("dmarc policy bogus", [](Json& d) { d["targets"][0]["checks"][2]["facts"]["policy"] = "p=reject"; });
    with("rpki state bogus", [](Json& d) { d["targets"][0]["checks"][5]["facts"]["routes"][0]["state"] = "unknown"; });
    with("error on a passing check", [](Json& d) { d["targets"][0]["checks"][0]["error"] = "x"; });
    with("missing summary", [](Json& d) { d.erase("summary"); });
    with("summary count negative", [](Json& d) { d["summary"]["by_check"]["mx"]["pass"] = -1; });
    with("summary adoption key unknown", [](Json& d) { d["summary"]["adoption"]["spf_all"]["all"] = 1; });
    with("missing elapsed_ms", [](Json& d) { d["targets"][0].erase("elapsed_ms"); });

    std::vector<std::filesystem::path> files{dir.path / "good.json"};
    write_file(files[0], text);
    for (std::size_t i = 0; i < broken.size(); ++i) {
        files.push_back(dir.path / ("broken-" + std::to_string(i) + ".json"));
        write_file(files.back(), broken[i].doc.dump(2));
    }
    const auto verdicts = validate(files);
    CHECK(verdicts[0] == "valid");
    for (std::size_t i = 0; i < broken.size(); ++i) {
        CAPTURE(broken[i].name);
        CHECK(verdicts[i + 1].rfind("invalid: ", 0) == 0);
    }
}

TEST_CASE("schema: a report of checks that erred or were skipped without facts is valid") {
    TempDir dir;
    const auto reports = std::vector<TargetReport>{
        target(0, "down.go.jp", 0,
               {check("mx", Status::error, 0, Json::object(), {}, "SERVFAIL"),
                check("dmarc", Status::skip, 100, Json::object()),
                check("mta-sts", Status::pass, 100, {{"mode", "enforce"}})})};
    write_file(dir.path / "report.json", render("json", reports));
    CHECK(validate({dir.path / "report.json"}).at(0) == "valid");
}

}  // namespace mamori
