/// \file checks/dane/dane_check.cpp — TLSA records of each MX host, their parameters, and whether DNSSEC makes them count.
#include "checks/dane/dane_check.h"

#include "checks/dane/tlsa.h"
#include "checks/dmarc/lookup.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

namespace mamori::checks {
namespace {

/// What one MX host publishes.
struct HostTlsa {
    std::string host;
    std::string name;           ///< _25._tcp.<host>
    dns::Answer answer;
    std::vector<Tlsa> records;
    bool tlsa_secure = false;   ///< the TLSA answer carried the AD bit
    bool address_secure = false;
};

std::string tlsa_example(const std::string& name) {
    return fmt::format("{}. TLSA 3 1 1 <SHA-256 of the server certificate's public key>", name);
}

Json texts(const std::vector<Tlsa>& records) {
    Json out = Json::array();
    for (const auto& t : records) out.push_back(t.text);
    return out;
}

/// The MX hosts DANE applies to: every real MX, or the domain itself without MX (RFC 7672 §2.2.1).
std::vector<std::string> mx_hosts(const MxSet& mx, const std::string& domain, bool& null_only) {
    std::vector<std::string> hosts;
    bool null_mx = false;
    for (const auto& r : mx.records) {
        if (r.exchange == ".") null_mx = true;
        else hosts.push_back(bare_name(r.exchange));
    }
    null_only = null_mx && hosts.empty();
    if (hosts.empty() && !null_mx) hosts.push_back(domain);
    return hosts;
}

std::vector<HostTlsa> lookup(Context& context, const std::vector<std::string>& hosts) {
    std::vector<dns::Question> questions;
    for (const auto& h : hosts) {
        questions.push_back({.name = "_25._tcp." + h, .type = LDNS_RR_TYPE_TLSA, .dnssec_ok = true});
        questions.push_back({.name = h, .type = LDNS_RR_TYPE_A, .dnssec_ok = true});
    }
    auto answers = context.resolver().query_all(questions);
    std::vector<HostTlsa> out;
    for (std::size_t i = 0; i < hosts.size(); ++i) {
        HostTlsa h{hosts[i], "_25._tcp." + hosts[i], answers[2 * i], {}, false, false};
        h.records = tlsa_records(h.answer);
        h.tlsa_secure = h.answer.authenticated();
        h.address_secure = answers[2 * i + 1].authenticated();
        out.push_back(std::move(h));
    }
    return out;
}

using MakeFinding = std::function<Finding(std::string_view, std::string, Json, std::string)>;

void judge_host(const HostTlsa& h, const MakeFinding& finding, std::vector<Finding>& out) {
    Json ev{{"name", h.name}, {"tlsa", texts(h.records)}};
    if (!h.tlsa_secure || !h.address_secure) {
        ev["tlsa_authenticated"] = h.tlsa_secure;
        ev["address_authenticated"] = h.address_secure;
        out.push_back(finding("DANE-INEFFECTIVE",
                              fmt::format("{} publishes TLSA records, but {} not DNSSEC-validated: senders ignore them",
                                          h.host, !h.tlsa_secure ? "they are" : "the host's address is"),
                              std::move(ev),
                              fmt::format("Sign the zone of {} with DNSSEC and publish its DS in the parent zone (or "
                                          "audit through a validating resolver).", h.host)));
        return;
    }
    std::size_t usable = 0;
    for (const auto& t : h.records) usable += usable_for_smtp(t) ? 1 : 0;
    for (const auto& t : h.records) {
        Json tev{{"name", h.name}, {"record", t.text}};
        if (auto problems = tlsa_syntax_problems(t); !problems.empty()) {
            tev["problems"] = problems;
            out.push_back(finding("DANE-SYNTAX", fmt::format("TLSA {} at {}: {}", t.text, h.name, problems.front()),
                                  std::move(tev), "Replace it with " + tlsa_example(h.name)));
            continue;
        }
        if (t.usage <= 1) {
            Finding f = finding("DANE-USAGE",
                                fmt::format("TLSA {} at {} uses certificate usage {} ({}), which SMTP clients do not "
                                            "support{}", t.text, h.name, t.usage, t.usage == 0 ? "PKIX-TA" : "PKIX-EE",
                                            usable == 0 ? ": the host has no usable TLSA record" : ""),
                                std::move(tev),
                                fmt::format("Use usage 3 (DANE-EE) or 2 (DANE-TA): {}", tlsa_example(h.name)));
            if (usable == 0) f.severity = Severity::error;
            out.push_back(std::move(f));
            continue;
        }
        if (t.matching == 0)
            out.push_back(finding("DANE-MATCHING-FULL",
                                  fmt::format("TLSA {} at {} publishes the full {} (matching type 0)", t.text, h.name,
                                              t.selector == 0 ? "certificate" : "public key"),
                                  std::move(tev), "Publish its digest instead: " + tlsa_example(h.name)));
    }
}

}  // namespace

const CheckInfo& DaneCheck::describe() const {
    static const CheckInfo info{
        .id = "dane",
        .title = "DANE for SMTP",
        .description = "TLSA records at _25._tcp.<mx-host> for every MX host (RFC 7672): their parameters, and "
                       "whether DNSSEC validation (the AD bit of a validating resolver) makes senders use them.",
        .applies_to = {TargetKind::domain},
        .needs = need_dns,
        .findings = {
            {"DANE-NONE", Severity::info, "no TLSA records for the MX hosts",
             "Without DANE (or MTA-STS) senders cannot authenticate the mail servers, and STARTTLS can be stripped.",
             "Sign the zones with DNSSEC and publish _25._tcp.<mx-host>. TLSA 3 1 1 <digest>.", "RFC 7672 §2"},
            {"DANE-PARTIAL", Severity::warning, "TLSA records for some MX hosts only",
             "Senders can be pushed to the MX hosts without TLSA records, where TLS is not authenticated.",
             "Publish TLSA records for every MX host.", "RFC 7672 §2.2"},
            {"DANE-INEFFECTIVE", Severity::warning, "TLSA records without DNSSEC",
             "TLSA records count only when validated: in an unsigned zone (or for a host whose address is not "
             "validated) senders ignore them.", "Sign the MX host's zone and publish its DS.", "RFC 7672 §2.2"},
            {"DANE-USAGE", Severity::warning, "PKIX certificate usage in a TLSA record for SMTP",
             "Usages 0 (PKIX-TA) and 1 (PKIX-EE) are not supported for SMTP (RFC 7672 §3.1.3); an error when no "
             "usage 2/3 record remains.", "Use usage 3 (DANE-EE) or 2 (DANE-TA).", "RFC 7672 §3.1.3"},
            {"DANE-MATCHING-FULL", Severity::warning, "TLSA record with full data (matching type 0)",
             "Publishing the whole certificate or key makes large answers and fragile rollovers; use a digest.",
             "Use matching type 1 (SHA2-256).", "RFC 7672 §3.1.1"},
            {"DANE-SYNTAX", Severity::error, "TLSA record with invalid parameters",
             "Undefined usage, selector or matching type, a digest of the wrong length, or full data that does not "
             "parse: the record matches nothing and, alone, makes delivery fail.",
             "Publish a valid record such as TLSA 3 1 1 <SHA-256 digest>.", "RFC 6698 §2.1"},
        }};
    return info;
}

CheckResult DaneCheck::run(const Target& target, Context& context) const {
    const std::string& domain = target.name;
    const MxSet& mx = context.mx(domain);
    if (!definitive(mx.answer))
        return failed(fmt::format("MX query for {} failed: {}", domain, lookup_failure(mx.answer)));
    bool null_only = false;
    auto hosts = mx_hosts(mx, domain, null_only);
    if (null_only) {
        CheckResult r = result({}, {{"applicable", false}, {"reason", "null MX: the domain accepts no mail"}});
        r.status = Status::skip;
        return r;
    }
    auto tlsa = lookup(context, hosts);
    Json facts{{"hosts", Json::object()}};
    std::vector<std::string> with, without;
    for (const auto& h : tlsa) {
        if (!definitive(h.answer))
            return failed(fmt::format("TLSA query {} failed: {}", h.name, lookup_failure(h.answer)));
        facts["hosts"][h.host] = {{"tlsa", texts(h.records)}, {"secure", h.tlsa_secure && h.address_secure}};
        (h.records.empty() ? without : with).push_back(h.host);
    }
    std::vector<Finding> findings;
    if (with.empty()) {
        findings.push_back(finding("DANE-NONE", fmt::format("no MX host of {} publishes TLSA records", domain),
                                   {{"queried", [&] { Json q = Json::array(); for (const auto& h : tlsa) q.push_back(h.name + " TLSA"); return q; }()}},
                                   fmt::format("With DNSSEC-signed zones, publish {}", tlsa_example("_25._tcp." + hosts.front()))));
    } else if (!without.empty()) {
        findings.push_back(finding("DANE-PARTIAL",
                                   fmt::format("{} of {} MX hosts of {} publish no TLSA records", without.size(),
                                               hosts.size(), domain),
                                   {{"with_tlsa", with}, {"without_tlsa", without}},
                                   fmt::format("Publish TLSA records for {}, e.g. {}", without.front(),
                                               tlsa_example("_25._tcp." + without.front()))));
    }
    const MakeFinding make = [this](std::string_view id, std::string message, Json evidence, std::string remedy) {
        return finding(id, std::move(message), std::move(evidence), std::move(remedy));
    };
    for (const auto& h : tlsa)
        if (!h.records.empty()) judge_host(h, make, findings);
    facts["dane"] = !with.empty();
    return result(std::move(findings), std::move(facts));
}

}  // namespace mamori::checks
