/// \file checks/mx/mx_check.cpp — where a domain's mail goes, and whether it can get there.
#include "checks/mx/mx_check.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>

namespace mamori::checks {
namespace {

std::string without_dot(std::string name) {
    if (name.size() > 1 && name.back() == '.') name.pop_back();
    return name;
}

/// An MX exchange written as an address ("192.0.2.25." or "[192.0.2.25]"): RFC 5321 §5.1
/// and RFC 7505 §3 require a host name; MTAs look the "name" up and fail.
bool is_address_literal(const std::string& exchange) {
    std::string name = without_dot(exchange);
    if (!name.empty() && name.front() == '[') return true;
    unsigned char buf[16];
    return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

std::string parked_set(const std::string& domain) {
    return fmt::format("{0}. MX 0 .\n{0}. TXT \"v=spf1 -all\"\n_dmarc.{0}. TXT \"v=DMARC1; p=reject\"", domain);
}

/// "timeout asking 127.0.0.1@53" / "SERVFAIL" — why a lookup told us nothing.
std::string lookup_failure(const dns::Answer& a) {
    if (!a.ok()) return a.error.empty() ? std::string(dns::to_string(a.outcome)) : a.error;
    return dns::rcode_name(a.rcode());
}

bool definitive(const dns::Answer& a) {
    return a.ok() && (a.rcode() == LDNS_RCODE_NOERROR || a.rcode() == LDNS_RCODE_NXDOMAIN);
}

}  // namespace

const CheckInfo& MxCheck::describe() const {
    static const CheckInfo info{
        .id = "mx",
        .title = "MX and null MX",
        .description = "Where the domain's mail is delivered (RFC 5321 §5.1), whether a domain that takes no mail "
                       "says so with a null MX (RFC 7505), and whether every mail server name resolves to an address.",
        .applies_to = {TargetKind::domain, TargetKind::zone},
        .needs = need_dns,
        .findings = {
            {"MX-NONE", Severity::warning, "no MX record",
             "Without MX records, senders deliver to the domain's own A/AAAA address (RFC 5321 §5.1 implicit MX), "
             "or keep retrying for days when there is none. A domain that takes no mail should say so explicitly.",
             "Publish MX records naming the mail servers; for a domain that sends and receives no mail, publish the "
             "parked-domain set: MX 0 ., v=spf1 -all, v=DMARC1; p=reject.",
             "RFC 5321 §5.1, RFC 7505"},
            {"MX-NULL", Severity::info, "null MX: the domain accepts no mail",
             "A single MX 0 . record tells senders at once that the domain accepts no mail (RFC 7505). Good for "
             "domains that take no mail; pair it with v=spf1 -all and a DMARC p=reject policy.",
             "Nothing to fix. Make sure SPF (v=spf1 -all) and DMARC (p=reject) are published too.", "RFC 7505 §3"},
            {"MX-NULL-MIXED", Severity::error, "null MX beside other MX records",
             "A null MX must be the only MX record (RFC 7505 §3). Mixed with real MX records, senders behave "
             "inconsistently: some bounce mail at once, others deliver it.",
             "Remove either the MX 0 . record (the domain takes mail) or every other MX record (it does not).",
             "RFC 7505 §3"},
            {"MX-TARGET-NOADDR", Severity::error, "MX target has no address",
             "An MX target without A or AAAA records cannot receive mail; senders skip it or bounce.",
             "Give the mail server name an A and/or AAAA record, or point the MX at a name that has one.",
             "RFC 5321 §5.1"},
            {"MX-TARGET-CNAME", Severity::warning, "MX target is an alias (CNAME)",
             "The name in an MX record must not be an alias (RFC 2181 §10.3, RFC 5321 §5.1); some senders refuse "
             "to follow it.",
             "Point the MX record at the canonical name (the CNAME's target) instead of the alias.",
             "RFC 2181 §10.3"},
            {"MX-TARGET-IP", Severity::error, "MX target is an address literal",
             "An MX record must name a host, not an address (RFC 5321 §5.1, RFC 7505 §3): senders look the "
             "\"name\" 192.0.2.25. up as a host name, find nothing, and cannot deliver.",
             "Create a host name with an A/AAAA record for the mail server and use that name in the MX record.",
             "RFC 5321 §5.1"},
        }};
    return info;
}

CheckResult MxCheck::run(const Target& target, Context& context) const {
    const std::string& domain = target.name;
    const MxSet& mx = context.mx(domain);
    if (!mx.answer.ok() || (mx.answer.rcode() != LDNS_RCODE_NOERROR && mx.answer.rcode() != LDNS_RCODE_NXDOMAIN))
        return failed(fmt::format("MX query for {} failed: {}", domain, lookup_failure(mx.answer)));
    if (mx.answer.nxdomain())
        return failed(fmt::format("{} does not exist (NXDOMAIN)", domain), {{"hosts", Json::array()}, {"null_mx", false}});

    std::vector<dns::MxRecord> records = mx.records;
    std::stable_sort(records.begin(), records.end(),
                     [](const auto& a, const auto& b) { return a.preference < b.preference; });

    std::vector<Finding> findings;
    Json facts = Json::object();
    Json hosts = Json::array();
    Json record_facts = Json::array();
    Json record_text = Json::array();
    bool null_mx = false;
    std::vector<const dns::MxRecord*> real;
    for (const auto& r : records) {
        record_text.push_back(fmt::format("{} MX {} {}", domain, r.preference, r.exchange));
        if (r.exchange == ".") null_mx = true;
        else real.push_back(&r);
    }

    if (records.empty()) {
        Json evidence{{"query", domain + " MX"}, {"answer", "NOERROR, no MX records"}};
        auto fallback = context.resolver().query_all({{.name = domain, .type = LDNS_RR_TYPE_A},
                                                      {.name = domain, .type = LDNS_RR_TYPE_AAAA}});
        Json implicit = Json::array();
        for (const auto& a : fallback)
            for (const auto& addr : dns::addresses(a)) implicit.push_back(addr);
        evidence["implicit_mx_addresses"] = implicit;
        std::string message = implicit.empty()
            ? fmt::format("{} has no MX record and no address: mail to it cannot be delivered, and senders "
                          "retry for days instead of bouncing at once", domain)
            : fmt::format("{} has no MX record: mail goes to the domain's own address ({})", domain,
                          implicit[0].get<std::string>());
        findings.push_back(finding("MX-NONE", std::move(message), std::move(evidence),
                                   fmt::format("If {0} receives mail, publish MX records naming its mail servers. "
                                               "If it sends and receives no mail, publish the parked-domain set:\n{1}",
                                               domain, parked_set(domain))));
    } else if (null_mx && real.empty()) {
        findings.push_back(finding("MX-NULL", fmt::format("{} publishes a null MX: it accepts no mail", domain),
                                   {{"records", record_text}}));
    } else if (null_mx) {
        Json others = Json::array();
        for (const auto* r : real) others.push_back(without_dot(r->exchange));
        findings.push_back(finding("MX-NULL-MIXED",
                                   fmt::format("{} publishes a null MX (MX 0 .) beside {} other MX record(s)",
                                               domain, real.size()),
                                   {{"records", record_text}}));
    }

    // Resolve every real target's addresses, all at once.
    std::vector<dns::Question> questions;
    std::vector<const dns::MxRecord*> resolvable;
    for (const auto* r : real) {
        hosts.push_back(without_dot(r->exchange));
        if (is_address_literal(r->exchange)) {
            findings.push_back(finding("MX-TARGET-IP",
                                       fmt::format("MX target {} is an address, not a host name", without_dot(r->exchange)),
                                       {{"record", fmt::format("{} MX {} {}", domain, r->preference, r->exchange)}},
                                       fmt::format("Give the mail server a host name, e.g. mail.{0}. A {1}, and publish "
                                                   "{0}. MX {2} mail.{0}. instead.",
                                                   domain, without_dot(r->exchange), r->preference)));
            record_facts.push_back({{"preference", r->preference}, {"exchange", without_dot(r->exchange)},
                                    {"address_literal", true}});
            continue;
        }
        resolvable.push_back(r);
        questions.push_back({.name = r->exchange, .type = LDNS_RR_TYPE_A});
        questions.push_back({.name = r->exchange, .type = LDNS_RR_TYPE_AAAA});
    }
    const auto answers = context.resolver().query_all(questions);

    std::vector<std::string> unresolved;
    for (std::size_t i = 0; i < resolvable.size(); ++i) {
        const auto& r = *resolvable[i];
        const dns::Answer& a4 = answers[2 * i];
        const dns::Answer& a6 = answers[2 * i + 1];
        const std::string host = without_dot(r.exchange);
        Json addrs = Json::array();
        for (const auto* a : {&a4, &a6})
            for (const auto& addr : dns::addresses(*a)) addrs.push_back(addr);
        record_facts.push_back({{"preference", r.preference}, {"exchange", host}, {"addresses", addrs}});

        auto chain = dns::cname_chain(a4);
        if (chain.empty()) chain = dns::cname_chain(a6);
        if (!chain.empty()) {
            Json ev{{"record", fmt::format("{} MX {} {}", domain, r.preference, r.exchange)},
                    {"cname_chain", chain}};
            findings.push_back(finding("MX-TARGET-CNAME",
                                       fmt::format("MX target {} is an alias of {}", host, without_dot(chain.back())),
                                       std::move(ev),
                                       fmt::format("Publish {}. MX {} {} (the canonical name) instead of the alias.",
                                                   domain, r.preference, chain.back())));
        }
        if (!addrs.empty()) continue;
        if (!definitive(a4) || !definitive(a6)) {
            unresolved.push_back(fmt::format("{} ({})", host, lookup_failure(definitive(a4) ? a6 : a4)));
            continue;
        }
        findings.push_back(finding("MX-TARGET-NOADDR",
                                   fmt::format("MX target {} has no A or AAAA record ({})", host,
                                               a4.nxdomain() ? "the name does not exist" : "no address records"),
                                   {{"record", fmt::format("{} MX {} {}", domain, r.preference, r.exchange)},
                                    {"a", dns::rcode_name(a4.rcode())}, {"aaaa", dns::rcode_name(a6.rcode())}},
                                   fmt::format("Publish {} A (and/or AAAA) with the mail server's address, or point the "
                                               "MX record at a name that has one.", r.exchange)));
    }

    facts["hosts"] = hosts;
    facts["null_mx"] = null_mx;
    facts["records"] = record_facts;
    if (!unresolved.empty()) {
        std::string list;
        for (const auto& u : unresolved) list += (list.empty() ? "" : ", ") + u;
        CheckResult r = failed(fmt::format("could not resolve MX target(s): {}", list), std::move(facts));
        r.findings = std::move(findings);
        return r;
    }
    return result(std::move(findings), std::move(facts));
}

}  // namespace mamori::checks
