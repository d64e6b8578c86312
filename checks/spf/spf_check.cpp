/// \file checks/spf/spf_check.cpp — whether mail in the domain's name can be forged past SPF, and whether receivers can evaluate its policy.
#include "checks/spf/spf_check.h"

#include "checks/spf/spf_dns.h"
#include "checks/spf/spf_policy.h"
#include "core/profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

namespace mamori::checks {
namespace {

using spf::PolicyAudit;
using spf::PolicyIssue;
using spf::PolicyNode;
using Make = std::function<Finding(std::string_view id, std::string message, Json evidence, std::string remedy)>;

constexpr int udp_limit = 512;

int threshold(const Profile& profile, const char* key, int fallback) {
    try {
        return profile.threshold<int>(key, fallback);
    } catch (const Json::exception&) {
        return fallback;
    }
}

/// The node whose record holds the effective "all": the top, or down its redirect chain.
const PolicyNode& all_owner(const PolicyNode& node) {
    auto parsed = spf::parse_record(node.record);
    if (parsed.ok() && parsed.record->all() == nullptr) {
        for (const auto& c : node.children)
            if (c.via.rfind("redirect=", 0) == 0 && !c.record.empty()) return all_owner(c);
    }
    return node;
}

/// `record` with its "all" term replaced by `all` (appended when it has none).
std::string with_all(const std::string& record, const std::string& all) {
    auto parsed = spf::parse_record(record);
    if (!parsed.ok()) return record;
    const spf::Mechanism* m = parsed.record->all();
    if (m == nullptr) return record + " " + all;
    std::string out = record;
    out.replace(m->offset - 1, m->text.size(), all);
    return out;
}

std::string publish(const std::string& domain, const std::string& record) {
    return fmt::format("{}. TXT \"{}\"", domain, spf::printable(record));
}

void missing_findings(const std::string& domain, Context& context, std::vector<Finding>& out, const Make& make) {
    const MxSet& mx = context.mx(domain);
    const bool mx_known = mx.answer.ok() && (mx.answer.rcode() == LDNS_RCODE_NOERROR || mx.answer.rcode() == LDNS_RCODE_NXDOMAIN);
    const bool takes_mail = std::any_of(mx.records.begin(), mx.records.end(), [](const dns::MxRecord& r) { return r.exchange != "."; });
    const bool no_mail = mx_known && !takes_mail;
    out.push_back(make("SPF-MISSING", fmt::format("{} publishes no SPF record: anyone can send mail in its name", domain),
                       {{"query", domain + " TXT"}, {"spf_records", 0}},
                       no_mail ? "Publish " + publish(domain, "v=spf1 -all")
                               : fmt::format("Publish an SPF record listing the hosts that send mail for {0}, ending in -all, "
                                             "e.g. {1} (add ip4:/ip6:/include: terms for other senders).",
                                             domain, publish(domain, "v=spf1 mx -all"))));
    if (!no_mail) return;
    out.push_back(make("SPF-NULL-RECOMMENDED",
                       fmt::format("{} has no MX {}and no SPF record: a domain that sends no mail should say so with v=spf1 -all",
                                   domain, mx.records.empty() ? "" : "other than a null MX "),
                       {{"mx", mx.records.empty() ? "none" : "null MX"}, {"spf_records", 0}},
                       "publish " + publish(domain, "v=spf1 -all")));
}

Finding issue_finding(const PolicyIssue& i, const std::string& domain, const Make& make) {
    Json ev{{"domain", spf::printable(i.domain)}};
    if (!i.record.empty()) ev["record"] = spf::printable(i.record);
    if (!i.term.empty()) ev["term"] = spf::printable(i.term);
    const std::string where = i.domain == domain ? "the record of " + domain : fmt::format("the record of {} (reached from {})", i.domain, domain);
    switch (i.kind) {
        case PolicyIssue::Kind::syntax:
            ev["error"] = i.detail;
            return make("SPF-SYNTAX", fmt::format("syntax error in {}: {}", where, i.detail), ev,
                        fmt::format("Fix or remove the term '{}' in {}; receivers return permerror for the whole record.",
                                    spf::printable(i.term), where));
        case PolicyIssue::Kind::multiple:
            ev["records"] = i.detail;
            return make("SPF-MULTIPLE", fmt::format("{} publishes more than one v=spf1 record: {}", i.domain, i.detail), ev,
                        fmt::format("Merge the records into one TXT record at {} beginning with v=spf1, and delete the others.", i.domain));
        case PolicyIssue::Kind::include_none:
            return make("SPF-INCLUDE-NONE", fmt::format("'{}' in the tree of {} names {}, which has {}", spf::printable(i.term), domain, i.domain, i.detail),
                        ev, fmt::format("Remove '{}' or point it at a domain that publishes an SPF record.", spf::printable(i.term)));
        case PolicyIssue::Kind::loop:
            ev["chain"] = i.detail;
            return make("SPF-LOOP", fmt::format("include/redirect loop: {}", i.detail), ev,
                        fmt::format("Remove '{}' from the record of {}: it leads back to a record already being evaluated.",
                                    spf::printable(i.term), i.domain));
        case PolicyIssue::Kind::mx_limit:
            ev["mx"] = i.detail;
            return make("SPF-MX-LIMIT", fmt::format("'{}' in {} looks up more than 10 MX hosts: {}", spf::printable(i.term), where, i.detail), ev,
                        "Replace the mx mechanism by ip4:/ip6: terms for the mail servers, or reduce the MX set to 10 hosts.");
        default:
            return make("SPF-INCLUDE-NONE", i.detail, ev, {});  // not reached: other kinds are summarised elsewhere
    }
}

void issue_findings(const PolicyAudit& p, const std::string& domain, std::vector<Finding>& out, const Make& make) {
    for (const auto& i : p.issues) {
        switch (i.kind) {
            case PolicyIssue::Kind::syntax:
            case PolicyIssue::Kind::multiple:
            case PolicyIssue::Kind::include_none:
            case PolicyIssue::Kind::loop:
            case PolicyIssue::Kind::mx_limit: out.push_back(issue_finding(i, domain, make)); break;
            default: break;
        }
    }
}

void limit_findings(const PolicyAudit& p, const spf::Limits& limits, std::vector<Finding>& out, const Make& make) {
    if (p.lookups > limits.dns_terms)
        out.push_back(make("SPF-LOOKUP-LIMIT",
                           fmt::format("the SPF policy needs {} DNS-querying terms over its include/redirect tree; receivers "
                                       "stop at {} and return permerror", p.lookups, limits.dns_terms),
                           {{"lookups", p.lookups}, {"limit", limits.dns_terms}, {"tree", p.tree.to_json()}},
                           fmt::format("Bring the tree down to at most {} DNS-querying terms (include, a, mx, ptr, exists, redirect; "
                                       "now {}): replace a/mx by ip4:/ip6: networks, drop includes of services no longer used, "
                                       "or ask providers for a flatter include.", limits.dns_terms, p.lookups)));
    if (p.void_lookups <= limits.void_lookups) return;
    Json terms = Json::array();
    for (const auto& i : p.issues)
        if (i.kind == PolicyIssue::Kind::void_lookup) terms.push_back({{"domain", spf::printable(i.domain)}, {"term", spf::printable(i.term)}, {"answer", i.detail}});
    out.push_back(make("SPF-VOID-LIMIT",
                       fmt::format("{} terms of the SPF policy look up names that do not exist or have no data; receivers allow {} "
                                   "and return permerror", p.void_lookups, limits.void_lookups),
                       {{"void_lookups", p.void_lookups}, {"limit", limits.void_lookups}, {"terms", terms}},
                       "Remove the terms that name non-existent hosts (see evidence) or give those names their records."));
}

void all_findings(const PolicyAudit& p, const std::string& domain, std::vector<Finding>& out, const Make& make) {
    for (const auto& i : p.issues)
        if (i.kind == PolicyIssue::Kind::include_matches_all)
            out.push_back(make("SPF-ALL-PASS", fmt::format("'{}' in the record of {}: {}", spf::printable(i.term), i.domain, i.detail),
                               {{"domain", spf::printable(i.domain)}, {"record", spf::printable(i.record)}, {"term", spf::printable(i.term)}},
                               fmt::format("Remove '{}' (the included policy authorises the whole Internet) or have its owner end it in -all.",
                                           spf::printable(i.term))));
    if (p.all.empty() || p.records.empty()) return;
    const PolicyNode& owner = all_owner(p.tree);
    const Json ev{{"domain", spf::printable(owner.domain)}, {"record", spf::printable(owner.record)}, {"all", p.all}};
    const std::string where = owner.domain == domain ? domain : fmt::format("{} (the redirect target of {})", owner.domain, domain);
    const std::string fixed = publish(owner.domain, with_all(owner.record, "-all"));
    if (p.all == "+all")
        out.push_back(make("SPF-ALL-PASS", fmt::format("the SPF record of {} ends with +all: every host on the Internet may send as {}", where, domain),
                           ev, "Replace +all by -all once every legitimate sender is listed: " + fixed));
    else if (p.all == "?all")
        out.push_back(make("SPF-ALL-NEUTRAL", fmt::format("the SPF record of {} ends with ?all: forged mail gets neutral, as if there were no policy", where),
                           ev, "Replace ?all by -all once every legitimate sender is listed: " + fixed));
    else if (p.all == "~all")
        out.push_back(make("SPF-SOFTFAIL-ALL", fmt::format("the SPF record of {} ends with ~all: forged mail is only marked, not rejected", where),
                           ev, "Replace ~all by -all once every legitimate sender is listed: " + fixed));
    else if (p.all == "none")
        out.push_back(make("SPF-NO-ALL", fmt::format("the SPF record of {} has neither an all mechanism nor a redirect: unlisted hosts get neutral", where),
                           ev, "End the record with -all: " + fixed));
}

void range_findings(const PolicyAudit& p, const Profile& profile, std::vector<Finding>& out, const Make& make) {
    const int v4 = threshold(profile, "spf_overbroad_ipv4", 16);
    const int v6 = threshold(profile, "spf_overbroad_ipv6", 32);
    Json broad = Json::array();
    for (const auto& r : p.ranges)
        if (r.prefix < (r.v6 ? v6 : v4)) broad.push_back({{"domain", spf::printable(r.domain)}, {"term", spf::printable(r.term)}, {"prefix", r.prefix}});
    if (broad.empty()) return;
    out.push_back(make("SPF-OVERBROAD",
                       fmt::format("the SPF policy authorises {} huge address range(s) (IPv4 shorter than /{}, IPv6 shorter than /{}), "
                                   "e.g. {}", broad.size(), v4, v6, broad[0]["term"].get<std::string>()),
                       {{"ranges", broad}, {"ipv4_min_prefix", v4}, {"ipv6_min_prefix", v6}},
                       "List the networks that really send mail (ip4:/ip6: with their own prefixes) instead of whole blocks "
                       "that other organisations use."));
}

void ptr_findings(const PolicyAudit& p, std::vector<Finding>& out, const Make& make) {
    Json terms = Json::array();
    for (const auto& i : p.issues)
        if (i.kind == PolicyIssue::Kind::ptr) terms.push_back({{"domain", spf::printable(i.domain)}, {"term", spf::printable(i.term)}});
    if (terms.empty()) return;
    out.push_back(make("SPF-PTR", fmt::format("the SPF policy uses the ptr mechanism ({}), which RFC 7208 says SHOULD NOT be used",
                                              terms[0]["term"].get<std::string>()),
                       {{"terms", terms}},
                       "Replace ptr by ip4:/ip6: networks (or a/mx) of the sending hosts; many receivers skip ptr and it "
                       "loads the reverse DNS of every client."));
}

/// The domain's own sending hosts: its addresses and those of its MX hosts (at most 10).
std::vector<std::string> own_addresses(const std::string& domain, Context& context) {
    std::vector<dns::Question> questions{{.name = domain, .type = LDNS_RR_TYPE_A}, {.name = domain, .type = LDNS_RR_TYPE_AAAA}};
    for (const auto& r : context.mx(domain).records) {
        if (r.exchange == "." || questions.size() >= 12) continue;
        questions.push_back({.name = r.exchange, .type = LDNS_RR_TYPE_A});
        questions.push_back({.name = r.exchange, .type = LDNS_RR_TYPE_AAAA});
    }
    std::vector<std::string> out;
    for (const auto& a : context.resolver().query_all(questions))
        for (auto& address : dns::addresses(a))
            if (out.size() < 10 && std::find(out.begin(), out.end(), address) == out.end()) out.push_back(std::move(address));
    return out;
}

/// §4.6.4: ptr checks only 10 PTR names. Looked at for the hosts most likely to send: the
/// domain's own addresses and its MX hosts'.
void ptr_limit_findings(const std::string& domain, Context& context, const spf::Limits& limits, std::vector<Finding>& out,
                        const Make& make) {
    const auto addresses = own_addresses(domain, context);
    std::vector<dns::Question> questions;
    for (const auto& a : addresses)
        if (auto ip = spf::Address::parse(a)) questions.push_back({.name = spf::reverse_name(*ip), .type = LDNS_RR_TYPE_PTR});
    const auto answers = context.resolver().query_all(questions);
    for (std::size_t i = 0; i < answers.size(); ++i) {
        Json names = Json::array();
        for (const auto& n : spf::ptr_names(answers[i])) names.push_back(spf::printable(n));
        if (static_cast<int>(names.size()) <= limits.ptr_names) continue;
        out.push_back(make("SPF-PTR-LIMIT",
                           fmt::format("{} has {} PTR names; the ptr mechanism checks only the first {}, so whether it matches "
                                       "depends on the order of the answer", addresses[i], names.size(), limits.ptr_names),
                           {{"address", addresses[i]}, {"ptr", questions[i].name}, {"names", names}},
                           fmt::format("Replace ptr by ip4:/ip6: networks of the sending hosts, or reduce the PTR records of "
                                       "{} to at most {}.", questions[i].name, limits.ptr_names)));
    }
}

void type99_finding(const std::string& domain, const dns::Answer& answer, std::vector<Finding>& out, const Make& make) {
    const auto records = dns::answer_records(answer, LDNS_RR_TYPE_SPF);
    if (records.empty()) return;
    Json texts = Json::array();
    for (const ldns_rr* rr : records) texts.push_back(spf::printable(dns::rr_to_string(rr)));
    out.push_back(make("SPF-RR-TYPE99", fmt::format("{} publishes {} record(s) of the obsolete SPF type (99)", domain, records.size()),
                       {{"records", texts}},
                       fmt::format("Delete the type-99 record(s) at {}.; publish SPF as TXT only.", domain)));
}

/// The size of the UDP answer to "<domain> TXT" without EDNS: header, question and every TXT record.
std::size_t txt_answer_size(const dns::Answer& answer) {
    if (!answer.ok()) return 0;
    const ldns_rr_list* question = ldns_pkt_question(answer.packet.get());
    if (question == nullptr || ldns_rr_list_rr_count(question) == 0) return 0;
    std::size_t size = 12 + ldns_rdf_size(ldns_rr_owner(ldns_rr_list_rr(question, 0))) + 4;
    for (const ldns_rr* rr : dns::answer_records(answer, LDNS_RR_TYPE_TXT)) {
        size += 2 + 10;  // compressed owner name; type, class, TTL, RDLENGTH
        for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i) size += ldns_rdf_size(ldns_rr_rdf(rr, i));
    }
    return size;
}

void too_long_finding(const PolicyAudit& p, const std::string& domain, std::vector<Finding>& out, const Make& make) {
    const std::size_t size = txt_answer_size(p.txt);
    if (size <= static_cast<std::size_t>(udp_limit)) return;
    out.push_back(make("SPF-TOO-LONG",
                       fmt::format("the TXT answer of {} takes {} bytes, more than the {} of a DNS answer over UDP without EDNS0",
                                   domain, size, udp_limit),
                       {{"bytes", size}, {"limit", udp_limit}, {"txt_records", dns::txt_records(p.txt).size()},
                        {"record_length", p.records.empty() ? 0 : p.records.front().size()}},
                       fmt::format("Shorten the SPF record of {} (wider networks, an include for a provider's list) or move "
                                   "other TXT records away from {} so that the answer fits {} bytes.", domain, domain, udp_limit)));
}

Json facts_of(const PolicyAudit& p) {
    Json facts{{"record", p.records.empty() ? std::string() : p.records.front()}};
    if (!p.all.empty()) facts["all"] = p.all;  // absent for a permerror (and when nothing could be fetched)
    facts["lookups"] = p.lookups;
    facts["void_lookups"] = p.void_lookups;
    facts["result"] = std::string(spf::to_string(p.result));
    return facts;
}

}  // namespace

const CheckInfo& SpfCheck::describe() const {
    static const CheckInfo info{
        .id = "spf",
        .title = "SPF (Sender Policy Framework)",
        .description = "Whether the domain publishes one valid SPF record (RFC 7208), how strict its policy is for hosts it does not "
                       "list (-all, ~all, ?all, +all), and whether receivers can evaluate it: the whole include/redirect tree is "
                       "walked and its DNS lookups, void lookups and MX names counted against the limits of §4.6.4.",
        .applies_to = {TargetKind::domain, TargetKind::zone},
        .needs = need_dns,
        .findings = {
            {"SPF-MISSING", Severity::error, "no SPF record",
             "Without an SPF record receivers cannot tell forged mail in the domain's name from real mail (check_host() gives "
             "none), and DMARC has no SPF result to align.",
             "Publish one TXT record beginning with v=spf1 that lists the sending hosts and ends with -all.", "RFC 7208 §4.5"},
            {"SPF-NULL-RECOMMENDED", Severity::info, "a domain that takes no mail should publish v=spf1 -all",
             "A domain without MX (or with a null MX) sends no mail; v=spf1 -all tells receivers to reject anything claiming "
             "to come from it, so it cannot be used for phishing.",
             "Publish the parked-domain set: v=spf1 -all (and MX 0 ., v=DMARC1; p=reject).", "RFC 7208 §10.1, RFC 7505"},
            {"SPF-MULTIPLE", Severity::error, "more than one SPF record",
             "With more than one v=spf1 record at a name, check_host() returns permerror and receivers treat the domain as "
             "having a broken policy.",
             "Merge them into a single v=spf1 TXT record.", "RFC 7208 §4.5"},
            {"SPF-SYNTAX", Severity::error, "SPF record does not parse",
             "A term that does not follow the grammar makes the whole record a permerror (§4.6), wherever it is in the record.",
             "Fix the term the evidence names (its offset is 1-based, counted from the v of v=spf1).", "RFC 7208 §4.6, §12"},
            {"SPF-LOOKUP-LIMIT", Severity::error, "more than 10 DNS-querying terms",
             "Receivers stop after 10 terms that query DNS (include, a, mx, ptr, exists, redirect) over the whole include/"
             "redirect tree and return permerror, so legitimate mail fails SPF.",
             "Flatten the tree: fewer includes, ip4:/ip6: instead of a/mx.", "RFC 7208 §4.6.4"},
            {"SPF-VOID-LIMIT", Severity::error, "more than 2 void lookups",
             "Terms whose names do not exist (NXDOMAIN) or have no data count as void lookups; after 2, receivers return "
             "permerror.", "Remove terms that name non-existent hosts.", "RFC 7208 §4.6.4"},
            {"SPF-MX-LIMIT", Severity::error, "mx mechanism with more than 10 MX hosts",
             "An mx mechanism whose domain has more than 10 MX records makes check_host() return permerror.",
             "Use ip4:/ip6: for the mail servers, or reduce the MX set.", "RFC 7208 §4.6.4"},
            {"SPF-PTR-LIMIT", Severity::warning, "more than 10 PTR names for a sending host",
             "The ptr mechanism checks only the first 10 names of a PTR answer, so a host with more names may not match; "
             "the result depends on the answer's order.",
             "Stop using ptr, or give the sending hosts at most 10 PTR names.", "RFC 7208 §4.6.4"},
            {"SPF-INCLUDE-NONE", Severity::error, "include or redirect of a domain without SPF",
             "include: of a domain with no SPF record is a permerror (§5.2), and so is redirect= to one (§6.1).",
             "Remove the term or point it at a domain that publishes SPF.", "RFC 7208 §5.2, §6.1"},
            {"SPF-LOOP", Severity::error, "include/redirect loop",
             "A record that includes or redirects back to itself can only end at the lookup limit: permerror.",
             "Remove the term that leads back.", "RFC 7208 §4.6.4, §5.2"},
            {"SPF-ALL-PASS", Severity::error, "+all: every host may send",
             "+all (or an include whose policy ends in +all) authorises every host on the Internet, which is worse than "
             "no SPF record at all.",
             "End the record with -all.", "RFC 7208 §5.1"},
            {"SPF-ALL-NEUTRAL", Severity::error, "?all: no assertion about other hosts",
             "?all gives neutral to unlisted hosts: receivers treat forged mail as if there were no policy.",
             "End the record with -all.", "RFC 7208 §5.1, §8.2"},
            {"SPF-SOFTFAIL-ALL", Severity::warning, "~all: forged mail is only marked",
             "~all (softfail) asks receivers to accept but mark mail from unlisted hosts; -all lets them reject it.",
             "Once every legitimate sender is listed, end the record with -all.", "RFC 7208 §5.1, §8.5"},
            {"SPF-NO-ALL", Severity::warning, "no all mechanism and no redirect",
             "A record that ends without all or redirect gives neutral (the default result) to every unlisted host.",
             "End the record with -all.", "RFC 7208 §4.7, §5.1"},
            {"SPF-PTR", Severity::warning, "the ptr mechanism is used",
             "ptr is slow, unreliable and a burden on reverse DNS; RFC 7208 says it SHOULD NOT be used and some receivers "
             "ignore it.",
             "Replace ptr by ip4:/ip6: networks of the sending hosts.", "RFC 7208 §5.5"},
            {"SPF-OVERBROAD", Severity::warning, "ip4/ip6 range authorises a huge address space",
             "A range such as ip4:x/8 authorises millions of hosts that other organisations run (profile thresholds "
             "spf_overbroad_ipv4 and spf_overbroad_ipv6; defaults /16 and /32).",
             "List the networks that really send mail.", "RFC 7208 §5.6"},
            {"SPF-RR-TYPE99", Severity::warning, "the obsolete SPF RR type (99) is published",
             "SPF records must be published as TXT only; type 99 was discontinued and is ignored by receivers, so it only "
             "invites the two copies to drift apart.",
             "Delete the record of type SPF (99); keep the TXT record.", "RFC 7208 §3.1, §14.1"},
            {"SPF-TOO-LONG", Severity::warning, "SPF answer does not fit 512 bytes",
             "An answer over 512 bytes needs EDNS0 or TCP; receivers behind resolvers or middleboxes that cannot do either "
             "get no record, or a temperror.",
             "Shorten the record (fewer, wider terms; an include for a provider's networks), or move other TXT records "
             "at the name elsewhere.", "RFC 7208 §3.4"},
        }};
    return info;
}

CheckResult SpfCheck::run(const Target& target, Context& context) const {
    const std::string& domain = target.name;
    const Make make = [this](std::string_view id, std::string message, Json evidence, std::string remedy) {
        return finding(id, std::move(message), std::move(evidence), std::move(remedy));
    };
    const spf::Limits limits;
    // TXT and type 99 at once; the policy walk then finds the TXT answer in the resolver's cache.
    const auto first = context.resolver().query_all({{.name = domain, .type = LDNS_RR_TYPE_TXT}, {.name = domain, .type = LDNS_RR_TYPE_SPF}});
    const dns::Answer& type99 = first[1];
    const PolicyAudit p = spf::audit_policy(context.resolver(), domain, limits, 64, target.kind == TargetKind::zone);
    if (p.failure) return failed(*p.failure, facts_of(p));
    if (p.nxdomain) return failed(fmt::format("{} does not exist (NXDOMAIN)", domain), facts_of(p));

    std::vector<Finding> findings;
    if (p.records.empty()) missing_findings(domain, context, findings, make);
    issue_findings(p, domain, findings, make);
    limit_findings(p, limits, findings, make);
    all_findings(p, domain, findings, make);
    ptr_findings(p, findings, make);
    if (p.uses_ptr) ptr_limit_findings(domain, context, limits, findings, make);
    range_findings(p, context.profile(), findings, make);
    type99_finding(domain, type99, findings, make);
    if (!p.records.empty()) too_long_finding(p, domain, findings, make);
    return result(std::move(findings), facts_of(p));
}

}  // namespace mamori::checks
