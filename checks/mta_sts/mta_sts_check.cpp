/// \file checks/mta_sts/mta_sts_check.cpp — is the domain's MTA-STS policy published, reachable, valid and matching its MX?
#include "checks/mta_sts/mta_sts_check.h"

#include "checks/dkim/tag_list.h"
#include "checks/dmarc/lookup.h"
#include "checks/mta_sts/mta_sts_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>

namespace mamori::checks {
namespace {

using MakeFinding = std::function<Finding(std::string_view, std::string, Json, std::string)>;

constexpr std::uint64_t max_age_recommended = 7 * 86400;  ///< RFC 8461 §3.2: "weeks or greater"
constexpr const char* policy_path = "/.well-known/mta-sts.txt";

struct Audit {
    Context& context;
    const MakeFinding& make;
    std::string domain;
    std::vector<std::string> mx_hosts;  ///< real MX hosts, bare names
    std::vector<Finding> findings;
    Json facts = Json::object();

    std::string policy_host() const { return "mta-sts." + domain; }
    std::string policy_url() const { return "https://" + policy_host() + policy_path; }
};

std::string example_policy(const Audit& a) {
    std::string out = "version: STSv1\nmode: enforce\n";
    for (const auto& h : a.mx_hosts) out += "mx: " + h + "\n";
    if (a.mx_hosts.empty()) out += "mx: mail." + a.domain + "\n";
    return out + "max_age: 1209600";
}

std::string publish_remedy(const Audit& a) {
    return fmt::format("Serve this policy at {} (text/plain, with a certificate valid for {}):\n{}\nthen publish "
                       "_mta-sts.{}. TXT \"v=STSv1; id=<date or serial, changed with every policy change>\".",
                       a.policy_url(), a.policy_host(), example_policy(a), a.domain);
}

/// The one usable _mta-sts record, or nullopt after reporting why there is none.
std::optional<StsRecord> sts_record(Audit& a, const dns::Answer& answer) {
    const std::string name = "_mta-sts." + a.domain;
    std::vector<std::string> candidates, others;
    for (auto& txt : dns::txt_records(answer)) {
        if (starts_with_sts_version(txt)) candidates.push_back(std::move(txt));
        else others.push_back(std::move(txt));
    }
    bool resembles = std::any_of(others.begin(), others.end(), [](const std::string& t) {
        std::string l = t;
        std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return l.find("v=sts") != std::string::npos;
    });
    if (candidates.empty() && !resembles) {
        a.facts["record"] = nullptr;
        a.findings.push_back(a.make("MTASTS-MISSING", fmt::format("{} publishes no MTA-STS policy", a.domain),
                                    {{"query", name + " TXT"}, {"answer", negative_answer(answer, "v=STSv1 TXT")}},
                                    publish_remedy(a)));
        return std::nullopt;
    }
    if (candidates.size() != 1) {
        const auto& shown = candidates.empty() ? others : candidates;
        a.findings.push_back(a.make("MTASTS-TXT-SYNTAX",
                                    candidates.empty()
                                        ? fmt::format("{} does not begin with v=STSv1: senders ignore it", name)
                                        : fmt::format("{} has {} v=STSv1 records: senders use none of them", name,
                                                      candidates.size()),
                                    {{"records", shown}},
                                    fmt::format("Publish exactly one record: _mta-sts.{}. TXT \"v=STSv1; id=20260101\"",
                                                a.domain)));
        return std::nullopt;
    }
    StsRecord r = parse_sts_record(candidates.front());
    a.facts["record"] = r.text;
    if (!r.valid()) {
        a.findings.push_back(a.make("MTASTS-TXT-SYNTAX", fmt::format("{}: {}", name, r.problems.front()),
                                    {{"record", r.text}, {"problems", r.problems}},
                                    fmt::format("Publish _mta-sts.{}. TXT \"v=STSv1; id=20260101\" (id: 1–32 letters "
                                                "and digits, new with each policy change).", a.domain)));
        return std::nullopt;
    }
    a.facts["id"] = r.id;
    return r;
}

void unreachable(Audit& a, std::string why, Json evidence) {
    evidence["url"] = a.policy_url();
    a.findings.push_back(a.make("MTASTS-POLICY-UNREACHABLE",
                                fmt::format("the MTA-STS policy of {} cannot be fetched: {}", a.domain, why),
                                std::move(evidence), publish_remedy(a)));
}

/// Fetches the policy body over HTTPS, reporting why when it cannot.
std::optional<std::string> fetch_policy(Audit& a, const HttpsFetcher& fetch) {
    const std::string host = a.policy_host();
    auto answers = a.context.resolver().query_all({{.name = host, .type = LDNS_RR_TYPE_A},
                                                   {.name = host, .type = LDNS_RR_TYPE_AAAA}});
    HttpsRequest request{.host = host, .path = policy_path, .addresses = {}, .ca_file = a.context.settings().ca_file};
    for (const auto& answer : answers)
        for (const auto& addr : dns::addresses(answer)) request.addresses.push_back(addr);
    if (request.addresses.empty()) {
        std::string why = definitive(answers[0]) ? fmt::format("{} has no address ({})", host,
                                                                negative_answer(answers[0], "A"))
                                                 : fmt::format("looking up {} failed: {}", host, lookup_failure(answers[0]));
        unreachable(a, why, {{"host", host}});
        return std::nullopt;
    }
    HttpsResponse response = fetch(request);
    Json ev{{"host", host}, {"addresses", request.addresses}};
    if (!response.peer.empty()) ev["peer"] = response.peer;
    if (response.failure == HttpsFailure::certificate) {
        ev["error"] = response.error;
        a.findings.push_back(a.make("MTASTS-CERT-INVALID",
                                    fmt::format("the certificate of {} does not verify: {}", host, response.error), ev,
                                    fmt::format("Serve {} with a certificate from a public CA that is valid (dates, "
                                                "chain) and names {} in its subjectAltName.", a.policy_url(), host)));
        return std::nullopt;
    }
    if (!response.ok()) {
        ev["error"] = response.error;
        unreachable(a, response.error, std::move(ev));
        return std::nullopt;
    }
    ev["status"] = response.status;
    if (response.status != 200) {
        if (!response.location.empty()) ev["location"] = response.location;
        unreachable(a, response.status / 100 == 3
                           ? fmt::format("HTTP {} redirect to {} (senders do not follow redirects, RFC 8461 §3.3)",
                                         response.status, response.location)
                           : fmt::format("HTTP status {}", response.status),
                    std::move(ev));
        return std::nullopt;
    }
    a.facts["content_type"] = response.content_type;
    return response.body;
}

std::string media_type(const std::string& content_type) {
    std::string t = content_type.substr(0, content_type.find(';'));
    t.erase(std::remove_if(t.begin(), t.end(), [](char c) { return c == ' ' || c == '\t'; }), t.end());
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return t;
}

/// Reports syntax problems; returns whether senders can use the policy.
bool judge_syntax(Audit& a, StsPolicy& p, const std::string& body) {
    const std::string type = a.facts.value("content_type", std::string());
    if (media_type(type) != "text/plain")
        p.problems.push_back({0, fmt::format("served as '{}', not text/plain (RFC 8461 §3.3)", printable(type)), false});
    if (p.problems.empty()) return true;
    Json problems = Json::array();
    for (const auto& x : p.problems) problems.push_back({{"line", x.line}, {"problem", x.problem}, {"fatal", x.fatal}});
    Finding f = a.make("MTASTS-POLICY-SYNTAX",
                       fmt::format("the MTA-STS policy of {} has {} problem(s), first: {}{}", a.domain, p.problems.size(),
                                   p.problems.front().problem, p.usable() ? "" : "; senders cannot use it"),
                       {{"url", a.policy_url()}, {"policy", printable(body, 2000)}, {"problems", problems}},
                       fmt::format("Serve a policy of this form as text/plain:\n{}", example_policy(a)));
    if (p.usable()) f.severity = Severity::warning;
    a.findings.push_back(std::move(f));
    return p.usable();
}

void judge_mode(Audit& a, const StsPolicy& p) {
    Json ev{{"url", a.policy_url()}, {"mode", p.mode}};
    if (p.mode == "testing")
        a.findings.push_back(a.make("MTASTS-MODE-TESTING",
                                    fmt::format("the MTA-STS policy of {} is in testing mode: senders report failures "
                                                "but still deliver without TLS", a.domain), ev,
                                    fmt::format("Once TLS-RPT reports show no failures, set mode: enforce at {} and "
                                                "change the id= of _mta-sts.{}.", a.policy_url(), a.domain)));
    if (p.mode == "none")
        a.findings.push_back(a.make("MTASTS-MODE-NONE",
                                    fmt::format("the MTA-STS policy of {} has mode none: MTA-STS is switched off",
                                                a.domain), ev,
                                    fmt::format("If the domain means to use MTA-STS, publish mode: enforce (or testing "
                                                "first) at {}; otherwise remove _mta-sts.{} after max_age.",
                                                a.policy_url(), a.domain)));
    if (p.max_age && *p.max_age < max_age_recommended && p.mode == "enforce")
        a.findings.push_back(a.make("MTASTS-MAX-AGE-SHORT",
                                    fmt::format("max_age {} s: senders forget the policy after {}, so an attacker who "
                                                "blocks the policy fetch can downgrade delivery that often",
                                                *p.max_age, *p.max_age >= 3600 ? fmt::format("{} h", *p.max_age / 3600)
                                                                               : fmt::format("{} s", *p.max_age)),
                                    {{"url", a.policy_url()}, {"max_age", *p.max_age}},
                                    fmt::format("Set max_age: 1209600 (two weeks) or more, at most {}.",
                                                sts_max_age_limit)));
}

void judge_mx(Audit& a, const StsPolicy& p) {
    if (p.mode == "none" || a.mx_hosts.empty()) return;
    std::vector<std::string> uncovered;
    for (const auto& h : a.mx_hosts)
        if (std::none_of(p.mx.begin(), p.mx.end(), [&](const auto& pat) { return mx_matches(h, pat); }))
            uncovered.push_back(h);
    if (uncovered.empty()) return;
    std::string list;
    for (const auto& h : uncovered) list += (list.empty() ? "" : ", ") + h;
    Finding f = a.make("MTASTS-MX-MISMATCH",
                       fmt::format("MX host(s) {} of {} match no mx pattern of the MTA-STS policy{}", list, a.domain,
                                   p.mode == "enforce" ? ": senders refuse to deliver there" : ""),
                       {{"url", a.policy_url()}, {"mx_hosts", a.mx_hosts}, {"patterns", p.mx}, {"uncovered", uncovered}},
                       fmt::format("Add a line mx: <host> (or mx: *.<parent>) for each of {} to {}, and change the "
                                   "id= of _mta-sts.{}.", list, a.policy_url(), a.domain));
    if (p.mode != "enforce") f.severity = Severity::warning;
    a.findings.push_back(std::move(f));
}

}  // namespace

const CheckInfo& MtaStsCheck::describe() const {
    static const CheckInfo info{
        .id = "mta-sts",
        .title = "MTA-STS",
        .description = "Whether the domain asks senders to require TLS (RFC 8461): the _mta-sts TXT record, the policy "
                       "fetched over HTTPS with certificate verification (no redirects), its mode and max_age, and "
                       "whether its mx patterns cover every MX host.",
        .applies_to = {TargetKind::domain},
        .needs = need_dns | need_https,
        .findings = {
            {"MTASTS-MISSING", Severity::info, "no MTA-STS policy",
             "Without MTA-STS (or DANE), a network attacker can strip STARTTLS and read or alter mail in transit.",
             "Serve a policy at https://mta-sts.<domain>/.well-known/mta-sts.txt and publish _mta-sts.<domain> TXT "
             "\"v=STSv1; id=…\".", "RFC 8461 §3"},
            {"MTASTS-TXT-SYNTAX", Severity::error, "invalid _mta-sts record",
             "A record not beginning with v=STSv1, without a valid id=, or several v=STSv1 records: senders treat "
             "the domain as having no policy (RFC 8461 §3.1).", "Publish exactly one \"v=STSv1; id=…\" record.",
             "RFC 8461 §3.1"},
            {"MTASTS-POLICY-UNREACHABLE", Severity::error, "MTA-STS policy cannot be fetched",
             "The policy host has no address, refuses the connection, times out, answers other than 200, redirects "
             "(not followed) or sends too much: senders proceed as if there were no policy.",
             "Serve the policy with status 200 directly at https://mta-sts.<domain>/.well-known/mta-sts.txt.",
             "RFC 8461 §3.3"},
            {"MTASTS-CERT-INVALID", Severity::error, "MTA-STS policy host certificate invalid",
             "Senders fetch the policy only over HTTPS with a valid certificate for mta-sts.<domain>; otherwise the "
             "policy is ignored.", "Install a certificate valid for mta-sts.<domain> from a public CA.",
             "RFC 8461 §3.3"},
            {"MTASTS-POLICY-SYNTAX", Severity::error, "invalid MTA-STS policy",
             "Missing or bad version/mode/max_age/mx fields make the policy unusable (error); a wrong media type or "
             "repeated fields are warnings.", "Serve version, mode, max_age and mx lines as text/plain.",
             "RFC 8461 §3.2"},
            {"MTASTS-MODE-TESTING", Severity::warning, "MTA-STS in testing mode",
             "In testing mode senders report TLS failures but still deliver over unauthenticated connections.",
             "Switch to mode: enforce once reports are clean.", "RFC 8461 §5"},
            {"MTASTS-MODE-NONE", Severity::warning, "MTA-STS mode none",
             "mode: none withdraws the policy; senders do not require TLS.",
             "Publish mode: enforce, or remove the records if MTA-STS is not wanted.", "RFC 8461 §5"},
            {"MTASTS-MX-MISMATCH", Severity::error, "MX host not covered by the MTA-STS policy",
             "In enforce mode, senders refuse to deliver to an MX host that matches no mx pattern (warning in "
             "testing mode).", "Add an mx line for every MX host, then change the TXT id=.", "RFC 8461 §4.1"},
            {"MTASTS-MAX-AGE-SHORT", Severity::warning, "short MTA-STS max_age",
             "The policy protects only while cached; RFC 8461 expects max_age of weeks or more. Flagged below one "
             "week in enforce mode.", "Set max_age to 1209600 (two weeks) or more.", "RFC 8461 §3.2"},
        }};
    return info;
}

CheckResult MtaStsCheck::run(const Target& target, Context& context) const {
    const MxSet& mx = context.mx(target.name);
    if (!definitive(mx.answer))
        return failed(fmt::format("MX query for {} failed: {}", target.name, lookup_failure(mx.answer)));
    const MakeFinding make = [this](std::string_view id, std::string message, Json evidence, std::string remedy) {
        return finding(id, std::move(message), std::move(evidence), std::move(remedy));
    };
    Audit a{context, make, target.name, {}, {}, Json::object()};
    bool null_mx = false;
    for (const auto& r : mx.records) {
        if (r.exchange == ".") null_mx = true;
        else a.mx_hosts.push_back(bare_name(r.exchange));
    }
    if (null_mx && a.mx_hosts.empty()) {
        CheckResult r = result({}, {{"applicable", false}, {"reason", "null MX: the domain accepts no mail"}});
        r.status = Status::skip;
        return r;
    }
    dns::Answer txt = context.ask("_mta-sts." + a.domain, LDNS_RR_TYPE_TXT);
    if (!definitive(txt))
        return failed(fmt::format("MTA-STS query _mta-sts.{} TXT failed: {}", a.domain, lookup_failure(txt)));
    if (!sts_record(a, txt)) return result(std::move(a.findings), std::move(a.facts));
    a.facts["policy_url"] = a.policy_url();
    auto body = fetch_policy(a, fetch_);
    if (!body) return result(std::move(a.findings), std::move(a.facts));
    StsPolicy policy = parse_sts_policy(*body);
    if (!policy.mode.empty()) a.facts["mode"] = policy.mode;
    if (policy.max_age) a.facts["max_age"] = *policy.max_age;
    a.facts["mx"] = policy.mx;
    if (judge_syntax(a, policy, *body)) {
        judge_mode(a, policy);
        judge_mx(a, policy);
    }
    return result(std::move(a.findings), std::move(a.facts));
}

}  // namespace mamori::checks
