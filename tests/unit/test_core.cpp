/// \file tests/unit/test_core.cpp — targets, clock, profiles and scoring.
#include "core/check.h"
#include "core/clock.h"
#include "core/profile.h"
#include "core/summary.h"
#include "core/target.h"

#include <doctest/doctest.h>

#include <set>
#include <sstream>

namespace mamori {

TEST_CASE("targets: domains, Unicode domains, AS numbers and prefixes") {
    CHECK(parse_target("Example.GO.jp.").name == "example.go.jp");
    CHECK(parse_target("Example.GO.jp.").kind == TargetKind::domain);
    CHECK(parse_target("総務省.jp").name == "xn--lhr645fjve.jp");
    CHECK(parse_target("東京.jp").name == "xn--1lqs71d.jp");
    CHECK(parse_target("as64500").name == "AS64500");
    CHECK(parse_target("AS4294967295").kind == TargetKind::as);
    CHECK(parse_target("192.0.2.0/24").name == "192.0.2.0/24");
    CHECK(parse_target("2001:DB8::/32").name == "2001:db8::/32");
    CHECK(parse_target("_dmarc.example.jp").name == "_dmarc.example.jp");
}

TEST_CASE("targets: garbage is rejected with the text named") {
    CHECK_THROWS_AS(parse_target(""), InputError);
    CHECK_THROWS_WITH_AS(parse_target("exa mple.jp"), doctest::Contains("exa mple.jp"), InputError);
    CHECK_THROWS_AS(parse_target("-bad.jp"), InputError);
    CHECK_THROWS_AS(parse_target("a..jp"), InputError);
    CHECK_THROWS_AS(parse_target(std::string(64, 'a') + ".jp"), InputError);
    CHECK_THROWS_AS(parse_target("192.0.2.1/24"), InputError);  // host bits
    CHECK_THROWS_AS(parse_target("192.0.2.0/33"), InputError);
    CHECK_THROWS_AS(parse_target("300.0.2.0/24"), InputError);
    CHECK_THROWS_AS(parse_target("AS99999999999"), InputError);  // not an ASN; then not a domain either
    CHECK_THROWS_AS(parse_target("evil\x1b[31m.jp"), InputError);
}

TEST_CASE("targets: a file with comments, blank lines and a bad line names file and line") {
    std::istringstream good("\xEF\xBB\xBF# ministries\nsoumu.go.jp\n\n  mext.go.jp  # comment\nAS64500\n");
    auto targets = read_targets(good, "list.txt");
    REQUIRE(targets.size() == 3);
    CHECK(targets[0].name == "soumu.go.jp");
    CHECK(targets[1].name == "mext.go.jp");
    std::istringstream bad("soumu.go.jp\nnot a domain\n");
    CHECK_THROWS_WITH_AS(read_targets(bad, "list.txt"), doctest::Contains("list.txt:2:"), InputError);
}

TEST_CASE("clock: RFC 3339 round trip and rejects") {
    auto t = parse_rfc3339("2026-11-22T09:00:00+09:00");
    REQUIRE(t);
    CHECK(format_rfc3339(*t) == "2026-11-22T00:00:00Z");
    CHECK(parse_rfc3339("2026-11-22T00:00:00.123Z"));
    CHECK(format_rfc3339(*parse_rfc3339("2026-11-22")) == "2026-11-22T00:00:00Z");
    CHECK_FALSE(parse_rfc3339("2026-02-31T00:00:00Z"));
    CHECK_FALSE(parse_rfc3339("2026-11-22T00:00:00"));
    CHECK_FALSE(parse_rfc3339("yesterday"));
    CHECK_FALSE(parse_rfc3339("2026-11-22T25:00:00Z"));
}

TEST_CASE("profiles: shipped ones load; errors name the key") {
    auto shipped = Profile::shipped();
    CHECK_FALSE(shipped.empty());
    for (const auto& [name, description] : shipped) {
        CHECK_FALSE(description.empty());
        CHECK(Profile::load(name).name == name);
    }
    CHECK_THROWS_WITH_AS(Profile::parse(R"({"name":"x","weights":{"nosuch":1}})", "p.json"),
                         doctest::Contains("p.json: weights.nosuch"), ProfileError);
    CHECK_THROWS_WITH_AS(Profile::parse(R"({"name":"x","severity":{"MX-NONE":"fatal"}})", "p.json"),
                         doctest::Contains("severity.MX-NONE"), ProfileError);
    CHECK_THROWS_WITH_AS(Profile::parse(R"({"name":"x","colour":"red"})", "p.json"),
                         doctest::Contains("p.json: colour"), ProfileError);
    CHECK_THROWS_WITH_AS(Profile::parse(R"({"name":"x","grades":[{"grade":"A"}]})", "p.json"),
                         doctest::Contains("grades[0]"), ProfileError);
    CHECK_THROWS_AS(Profile::parse("{", "p.json"), ProfileError);
    CHECK_THROWS_AS(Profile::load("/nonexistent/profile.json"), ProfileError);
}

TEST_CASE("scoring: severity overrides, weights and grades") {
    Profile p = Profile::parse(R"({"name":"t","weights":{"mx":2},"severity":{"MX-NONE":"error"},
        "penalty":{"error":60,"warning":10},"grades":[{"grade":"A","min":90},{"grade":"F","min":0}]})", "t");
    TargetReport r;
    CheckResult mx;
    mx.check = "mx";
    Finding f;
    f.id = "MX-NONE";
    f.severity = Severity::warning;
    mx.findings.push_back(f);
    r.checks.push_back(mx);
    score(r, p);
    CHECK(r.checks[0].findings[0].severity == Severity::error);
    CHECK(r.checks[0].status == Status::fail);
    CHECK(r.checks[0].score == 40);
    CHECK(r.score == 40);
    CHECK(r.grade == "F");
}

TEST_CASE("catalogue: every finding id is unique, well-formed and documented") {
    std::set<std::string> seen;
    for (const Check* c : all_checks()) {
        const auto& info = c->describe();
        CHECK_FALSE(info.title.empty());
        CHECK_FALSE(info.applies_to.empty());
        for (const auto& f : info.findings) {
            INFO(f.id);
            CHECK(seen.insert(std::string(f.id)).second);
            CHECK_FALSE(f.title.empty());
            CHECK_FALSE(f.why.empty());
            CHECK_FALSE(f.remedy.empty());
            CHECK_FALSE(f.ref.empty());
            bool upper = true;
            for (char ch : f.id) upper = upper && ((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-');
            CHECK(upper);
            CHECK(f.id.find('-') != std::string_view::npos);
        }
    }
    CHECK(seen.contains("MX-NULL-MIXED"));
}

TEST_CASE("summary: adoption counts come from facts") {
    SummaryBuilder s;
    for (bool null_mx : {true, false, false}) {
        TargetReport r;
        CheckResult mx;
        mx.check = "mx";
        mx.facts = {{"hosts", null_mx ? Json::array() : Json::array({"mail.x.jp"})}, {"null_mx", null_mx}};
        r.checks.push_back(mx);
        s.add(r);
    }
    Json j = s.to_json();
    CHECK(j["targets"] == 3);
    CHECK(j["adoption"]["mx"]["null_mx"] == 1);
    CHECK(j["adoption"]["mx"]["mx"] == 2);
    CHECK(j["by_check"]["mx"]["pass"] == 3);
    CHECK_FALSE(j["adoption"].contains("spf_all"));
}

}  // namespace mamori
