/// \file checks/tlsrpt/tlsrpt_check.cpp — does the domain tell senders where to report TLS failures?
#include "checks/tlsrpt/tlsrpt_check.h"

#include "checks/dmarc/lookup.h"
#include "checks/mta_sts/mta_sts_policy.h"
#include "checks/tlsrpt/tlsrpt_record.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace mamori::checks {
namespace {

std::string record_example(const std::string& domain) {
    return fmt::format("_smtp._tls.{0}. TXT \"v=TLSRPTv1; rua=mailto:tls-reports@{0}\"", domain);
}

/// What the domain deploys that TLS reports are about: MTA-STS and/or DANE TLSA records
/// (asked exactly as the mta-sts and dane checks ask, so the answers come from the cache).
std::vector<std::string> deployed(Context& context, const std::string& domain, const std::vector<std::string>& hosts) {
    std::vector<std::string> out;
    auto txt = dns::txt_records(context.ask("_mta-sts." + domain, LDNS_RR_TYPE_TXT));
    if (std::any_of(txt.begin(), txt.end(), [](const auto& t) { return starts_with_sts_version(t); }))
        out.emplace_back("MTA-STS");
    std::vector<dns::Question> questions;
    for (const auto& h : hosts)
        questions.push_back({.name = "_25._tcp." + h, .type = LDNS_RR_TYPE_TLSA, .dnssec_ok = true});
    for (const auto& a : context.resolver().query_all(questions)) {
        if (!dns::answer_records(a, LDNS_RR_TYPE_TLSA).empty()) {
            out.emplace_back("DANE");
            break;
        }
    }
    return out;
}

}  // namespace

const CheckInfo& TlsRptCheck::describe() const {
    static const CheckInfo info{
        .id = "tlsrpt",
        .title = "SMTP TLS Reporting",
        .description = "Whether the domain publishes _smtp._tls TXT \"v=TLSRPTv1; rua=…\" so that senders report "
                       "failed TLS negotiations, MTA-STS and DANE failures to it (RFC 8460).",
        .applies_to = {TargetKind::domain, TargetKind::zone},
        .needs = need_dns,
        .findings = {
            {"TLSRPT-MISSING", Severity::info, "no TLS-RPT record",
             "Without TLS-RPT the domain never learns that senders fail to reach it securely, or that an attacker "
             "strips TLS. A warning when MTA-STS or DANE is deployed, whose failures would otherwise go unseen.",
             "Publish _smtp._tls.<domain>. TXT \"v=TLSRPTv1; rua=mailto:…\".", "RFC 8460 §3"},
            {"TLSRPT-SYNTAX", Severity::warning, "invalid TLS-RPT record",
             "A record without a valid rua= (mailto: or https: URIs) or with malformed fields: senders send no "
             "reports.", "Publish \"v=TLSRPTv1; rua=mailto:address\".", "RFC 8460 §3"},
            {"TLSRPT-MULTIPLE", Severity::warning, "more than one TLS-RPT record",
             "With several v=TLSRPTv1 records, senders assume the domain does not implement TLS-RPT (RFC 8460 §3).",
             "Merge them into one record (rua= takes a comma-separated list).", "RFC 8460 §3"},
        }};
    return info;
}

CheckResult TlsRptCheck::run(const Target& target, Context& context) const {
    const std::string& domain = target.name;
    const MxSet& mx = context.mx(domain);
    if (!definitive(mx.answer))
        return failed(fmt::format("MX query for {} failed: {}", domain, lookup_failure(mx.answer)));
    std::vector<std::string> hosts;
    bool null_mx = false;
    for (const auto& r : mx.records) {
        if (r.exchange == ".") null_mx = true;
        else hosts.push_back(bare_name(r.exchange));
    }
    if (null_mx && hosts.empty()) {
        CheckResult r = result({}, {{"applicable", false}, {"reason", "null MX: the domain accepts no mail"}});
        r.status = Status::skip;
        return r;
    }
    const std::string name = "_smtp._tls." + domain;
    dns::Answer answer = context.ask(name, LDNS_RR_TYPE_TXT);
    if (!definitive(answer)) return failed(fmt::format("TLS-RPT query {} TXT failed: {}", name, lookup_failure(answer)));
    std::vector<std::string> records, others;
    for (auto& t : dns::txt_records(answer)) (starts_with_tlsrpt_version(t) ? records : others).push_back(std::move(t));
    std::vector<Finding> findings;
    Json facts = Json::object();
    if (records.size() > 1) {
        findings.push_back(finding("TLSRPT-MULTIPLE", fmt::format("{} has {} TLS-RPT records: senders use none", name,
                                                                  records.size()),
                                   {{"records", records}}, "Keep one record: " + record_example(domain)));
        return result(std::move(findings), std::move(facts));
    }
    auto resembles = [](std::string t) {
        std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return t.find("v=tlsrpt") != std::string::npos;
    };
    if (records.empty() && std::any_of(others.begin(), others.end(), resembles)) {
        findings.push_back(finding("TLSRPT-SYNTAX", fmt::format("{} holds a record that does not begin with v=TLSRPTv1: "
                                                                "senders ignore it", name),
                                   {{"records", others}}, "Publish " + record_example(domain)));
        return result(std::move(findings), std::move(facts));
    }
    if (records.empty()) {
        auto uses = deployed(context, domain, hosts);
        Json ev{{"query", name + " TXT"}, {"answer", negative_answer(answer, "v=TLSRPTv1 TXT")}};
        if (!others.empty()) ev["ignored_records"] = others;
        if (!uses.empty()) ev["deployed"] = uses;
        Finding f = finding("TLSRPT-MISSING",
                            fmt::format("{} publishes no TLS-RPT record{}", domain,
                                        uses.empty() ? "" : ": failures of its " + uses.front() + " go unreported"),
                            std::move(ev), record_example(domain));
        if (!uses.empty()) f.severity = Severity::warning;
        findings.push_back(std::move(f));
        return result(std::move(findings), std::move(facts));
    }
    TlsRptRecord r = parse_tlsrpt(records.front());
    facts["record"] = r.text;
    facts["rua"] = r.rua;
    if (!r.valid())
        findings.push_back(finding("TLSRPT-SYNTAX", fmt::format("{}: {}", name, r.problems.front()),
                                   {{"record", r.text}, {"problems", r.problems}}, "Publish " + record_example(domain)));
    return result(std::move(findings), std::move(facts));
}

}  // namespace mamori::checks
