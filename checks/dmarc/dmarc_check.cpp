/// \file checks/dmarc/dmarc_check.cpp — finds the DMARC policy that applies to a domain and judges it.
#include "checks/dmarc/dmarc_check.h"

#include "checks/dkim/dkim_key.h"
#include "checks/dkim/dkim_selectors.h"
#include "checks/dmarc/dmarc_record.h"
#include "checks/dmarc/lookup.h"
#include "checks/dmarc/org_domain.h"
#include "checks/dmarc/spf_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>

namespace mamori::checks {
namespace {

using MakeFinding = std::function<Finding(std::string_view, std::string, Json, std::string)>;

/// The TXT records at _dmarc.<domain>, sorted into DMARC records and near-misses.
struct Discovery {
    std::string name;                    ///< "_dmarc.<domain>"
    dns::Answer answer;
    std::vector<std::string> records;    ///< start with v=DMARC1
    std::vector<std::string> misplaced;  ///< meant as DMARC, but receivers discard them
};

Discovery discover(Context& context, const std::string& domain) {
    Discovery d;
    d.name = "_dmarc." + domain;
    d.answer = context.ask(d.name, LDNS_RR_TYPE_TXT);
    for (auto& txt : dns::txt_records(d.answer)) {
        if (starts_with_dmarc_version(txt)) d.records.push_back(std::move(txt));
        else if (resembles_dmarc(txt)) d.misplaced.push_back(std::move(txt));
    }
    return d;
}

std::string suggested_record(const std::string& domain, bool sends_mail) {
    return sends_mail ? fmt::format("_dmarc.{0}. TXT \"v=DMARC1; p=reject; rua=mailto:dmarc-reports@{0}\"", domain)
                      : fmt::format("_dmarc.{0}. TXT \"v=DMARC1; p=reject\"", domain);
}

/// Everything one audit of one domain needs while it walks the policy.
struct Audit {
    Context& context;
    const MakeFinding& make;
    std::string domain;
    std::string org;
    SpfView spf;
    std::vector<Finding> findings;
    Json facts = Json::object();
};

Json problems_json(const DmarcRecord& r) {
    Json out = Json::array();
    for (const auto& p : r.problems)
        out.push_back({{"tag", p.tag}, {"value", printable(p.value)}, {"offset", p.offset}, {"problem", p.problem}});
    return out;
}

void syntax(Audit& a, const DmarcRecord& r, const std::string& source) {
    if (r.problems.empty()) return;
    std::string first = r.problems.front().problem;
    Finding f = a.make("DMARC-SYNTAX",
                       fmt::format("the DMARC record at {} has {} problem(s), first: {}{}", source, r.problems.size(),
                                   first, r.fatal() ? "; receivers ignore its policy" : ""),
                       {{"record", r.text}, {"problems", problems_json(r)}},
                       fmt::format("Correct the record; a valid one reads: {}",
                                   suggested_record(source.substr(7), !a.spf.sends_no_mail())));
    if (!r.fatal()) f.severity = Severity::warning;
    a.findings.push_back(std::move(f));
}

void strength(Audit& a, const DmarcRecord& r, DmarcPolicy applied, const std::string& source) {
    const std::string owner = source.substr(7);
    Json ev{{"record", r.text}, {"source", source}};
    if (applied == DmarcPolicy::none)
        a.findings.push_back(a.make("DMARC-POLICY-NONE",
                                    fmt::format("the DMARC policy for {} is none: forged mail is only reported, never "
                                                "rejected", a.domain), ev,
                                    fmt::format("Once the aggregate reports show your own mail passing, move to "
                                                "quarantine, then reject: _dmarc.{}. TXT \"v=DMARC1; p=reject; {}\"",
                                                owner, r.rua_given ? "rua=…" : "rua=mailto:dmarc-reports@" + owner)));
    if (applied == DmarcPolicy::quarantine)
        a.findings.push_back(a.make("DMARC-POLICY-QUARANTINE",
                                    fmt::format("the DMARC policy for {} is quarantine: forged mail goes to spam "
                                                "folders instead of being rejected", a.domain), ev, {}));
    if (r.pct < 100 && applied != DmarcPolicy::none)
        a.findings.push_back(a.make("DMARC-PCT",
                                    fmt::format("pct={}: the {} policy applies to only {}% of failing mail",
                                                r.pct, to_string(applied), r.pct), ev,
                                    fmt::format("Remove pct= (the default is 100) from the record at {}.", source)));
    for (const auto& [tag, weak] : {std::pair{"sp", r.sp}, std::pair{"np", r.np}}) {
        if (!r.p || !weak || !weaker(*weak, *r.p)) continue;
        a.findings.push_back(a.make("DMARC-SP-WEAKER",
                                    fmt::format("{}={} is weaker than p={}: mail forged from {}subdomains of {} is "
                                                "treated more leniently", tag, to_string(*weak), to_string(*r.p),
                                                std::string_view(tag) == "np" ? "non-existent " : "", owner), ev,
                                    fmt::format("Remove {}= or set it to {} in the record at {}.", tag,
                                                to_string(*r.p), source)));
    }
}

void reporting_syntax(Audit& a, const DmarcRecord& r, const std::string& source) {
    const std::string owner = source.substr(7);
    if (!r.rua_given) {
        Finding f = a.make("DMARC-NO-RUA",
                           fmt::format("the DMARC record at {} has no rua=: nobody receives aggregate reports of "
                                       "who sends mail as {}", source, owner), {{"record", r.text}},
                           fmt::format("Add rua=mailto:dmarc-reports@{} (an address that processes reports) to the "
                                       "record at {}.", owner, source));
        if (a.spf.sends_no_mail()) f.severity = Severity::info;  // a parked domain: reports are optional
        a.findings.push_back(std::move(f));
    }
    Json bad = Json::array();
    for (const auto* list : {&r.rua, &r.ruf})
        for (const auto& u : *list)
            if (!u.valid()) bad.push_back({{"tag", list == &r.rua ? "rua" : "ruf"}, {"uri", u.text}, {"problem", u.problem}});
    if (bad.empty()) return;
    a.findings.push_back(a.make("DMARC-RUA-SYNTAX",
                                fmt::format("{} report URI(s) in the record at {} are not valid: {}", bad.size(),
                                            source, bad[0]["problem"].get<std::string>()),
                                {{"record", r.text}, {"invalid", bad}},
                                fmt::format("Write each destination as a mailto: URI, comma-separated, e.g. "
                                            "rua=mailto:dmarc-reports@{}", owner)));
}

/// RFC 7489 §7.1: a report destination in another organizational domain must publish
/// <policy-domain>._report._dmarc.<destination> TXT "v=DMARC1".
void external_destinations(Audit& a, const DmarcRecord& r, const std::string& source) {
    const std::string owner = source.substr(7);
    const std::string owner_org = organizational_domain(owner);
    std::set<std::string> hosts;
    for (const auto* list : {&r.rua, &r.ruf})
        for (const auto& u : *list)
            if (u.valid() && organizational_domain(u.host) != owner_org) hosts.insert(u.host);
    const std::vector<std::string> destinations(hosts.begin(), hosts.end());
    std::vector<std::string> names;
    std::vector<dns::Question> questions;
    for (const auto& h : destinations) {
        names.push_back(fmt::format("{}._report._dmarc.{}", owner, h));
        questions.push_back({.name = names.back(), .type = LDNS_RR_TYPE_TXT});
    }
    auto answers = a.context.resolver().query_all(questions);
    Json unverified = Json::array();
    for (std::size_t i = 0; i < answers.size(); ++i) {
        if (!definitive(answers[i])) {
            unverified.push_back({{"query", names[i]}, {"error", lookup_failure(answers[i])}});
            continue;
        }
        auto txt = dns::txt_records(answers[i]);
        if (std::any_of(txt.begin(), txt.end(), [](const auto& t) { return starts_with_dmarc_version(t); })) continue;
        a.findings.push_back(a.make("DMARC-RUA-UNAUTHORIZED",
                                    fmt::format("reports for {} go to {}, which has not authorized them: receivers "
                                                "drop these reports", owner, destinations[i]),
                                    {{"record", r.text}, {"query", names[i] + " TXT"},
                                     {"answer", negative_answer(answers[i], "v=DMARC1 TXT")}},
                                    fmt::format("The operator of {1} publishes {0}. TXT \"v=DMARC1\"; or send the "
                                                "reports to an address under {2} instead.", names[i],
                                                destinations[i], owner_org)));
    }
    if (!unverified.empty()) a.facts["unverified_destinations"] = unverified;
}

/// RFC 7489 §3.1, §4.1: DMARC passes only through aligned SPF or DKIM. A domain with neither
/// (and that does not declare it sends no mail) fails its own policy for every message.
void authentication(Audit& a) {
    if (!a.spf.answered || a.spf.can_pass() || a.spf.sends_no_mail()) return;
    const DkimKeys& keys = dkim_lookup(a.context, a.domain);
    std::size_t usable = 0;
    for (const auto& answer : keys.answers) {
        if (!definitive(answer)) return;  // cannot tell
        for (const auto& txt : dns::txt_records(answer))
            if (looks_like_dkim_key(txt) && parse_dkim_key(txt).usable()) ++usable;
    }
    if (usable > 0) return;
    Json spf = a.spf.records.empty() ? Json("none") : Json(a.spf.records);
    a.findings.push_back(a.make("DMARC-NO-AUTH",
                                fmt::format("{} has {} and no DKIM key under {} common selectors: no message can pass "
                                            "DMARC", a.domain,
                                            a.spf.records.empty() ? "no SPF record" : "an SPF record that passes nobody",
                                            keys.selectors.size()),
                                {{"spf", spf}, {"dkim_selectors_tried", keys.selectors.size()},
                                 {"domainkey", keys.probe.nxdomain() ? "NXDOMAIN" : "exists"}},
                                fmt::format("Publish SPF for the servers that send as {0} (e.g. {0}. TXT \"v=spf1 mx "
                                            "-all\") and sign outgoing mail with DKIM; if {0} sends no mail, publish "
                                            "{0}. TXT \"v=spf1 -all\".", a.domain)));
}

/// Judges the one DMARC record found at `source` ("_dmarc.<owner>").
void evaluate(Audit& a, const std::string& text, const std::string& source, bool inherited) {
    DmarcRecord r = parse_dmarc(text);
    a.facts["record"] = text;
    a.facts["source"] = source;
    syntax(a, r, source);
    auto applied = inherited ? r.effective_subdomain() : r.effective();
    if (!applied) {
        a.facts["policy"] = "missing";
        return;
    }
    a.facts["policy"] = to_string(*applied);
    a.facts["subdomain_policy"] = to_string(r.effective_subdomain().value_or(*applied));
    a.facts["pct"] = r.pct;
    Json rua = Json::array();
    for (const auto& u : r.rua) rua.push_back(u.text);
    a.facts["rua"] = rua;
    strength(a, r, *applied, source);
    reporting_syntax(a, r, source);
    external_destinations(a, r, source);
    authentication(a);
}

void multiple(Audit& a, const Discovery& d) {
    a.facts["record"] = d.records.front();
    a.facts["source"] = d.name;
    a.facts["policy"] = "missing";
    a.findings.push_back(a.make("DMARC-MULTIPLE",
                                fmt::format("{} has {} DMARC records: receivers ignore them all", d.name, d.records.size()),
                                {{"records", d.records}},
                                fmt::format("Keep exactly one record, e.g. {}",
                                            suggested_record(d.name.substr(7), !a.spf.sends_no_mail()))));
}

void misplaced(Audit& a, const Discovery& d) {
    Finding f = a.make("DMARC-SYNTAX",
                       fmt::format("{} holds a record that does not begin with v=DMARC1: receivers discard it", d.name),
                       {{"records", d.misplaced}},
                       fmt::format("Begin the record with v=DMARC1, e.g. {}",
                                   suggested_record(d.name.substr(7), !a.spf.sends_no_mail())));
    a.findings.push_back(std::move(f));
}

}  // namespace

const CheckInfo& DmarcCheck::describe() const {
    static const CheckInfo info{
        .id = "dmarc",
        .title = "DMARC policy",
        .description = "Finds the DMARC policy that applies to the domain (its own _dmarc record, else its "
                       "organizational domain's per the Public Suffix List), validates every tag, and judges policy "
                       "strength, reporting and whether SPF or DKIM can ever satisfy it (RFC 7489, DMARCbis).",
        .applies_to = {TargetKind::domain, TargetKind::zone},
        .needs = need_dns,
        .findings = {
            {"DMARC-MISSING", Severity::error, "no DMARC policy",
             "Without a DMARC record, receivers have no instruction for mail that forges the domain in the From: "
             "header, and the owner gets no reports of it. Government guidance asks for DMARC with p=reject.",
             "Publish _dmarc.<domain>. TXT \"v=DMARC1; p=reject; rua=mailto:…\" (start with p=none while "
             "checking the reports if the domain sends mail).", "RFC 7489 §6.1"},
            {"DMARC-INHERITED", Severity::info, "DMARC policy inherited from the organizational domain",
             "The domain has no record of its own; receivers apply the organizational domain's record (its sp= "
             "policy) found through the Public Suffix List.",
             "Nothing to fix, if the organizational domain's policy is meant for this name too.", "RFC 7489 §6.6.3"},
            {"DMARC-MULTIPLE", Severity::error, "more than one DMARC record",
             "With several v=DMARC1 records at one name, receivers apply none of them (RFC 7489 §6.6.3).",
             "Merge them into one record.", "RFC 7489 §6.6.3"},
            {"DMARC-SYNTAX", Severity::error, "DMARC record with syntax errors",
             "A record not starting with v=DMARC1, or with a bad p=/sp=, is ignored (or treated as p=none); bad "
             "values of other tags are ignored and unknown tags hint at typos. Error when receivers ignore the "
             "policy, warning otherwise.",
             "Correct the record per RFC 7489 §6.3: v=DMARC1 first, then p=none|quarantine|reject and valid tags.",
             "RFC 7489 §6.3, §6.4"},
            {"DMARC-POLICY-NONE", Severity::warning, "DMARC policy none (monitoring only)",
             "p=none asks receivers to deliver forged mail as usual; it only produces reports.",
             "Move to p=quarantine, then p=reject, once the reports show legitimate mail passing.", "RFC 7489 §6.3"},
            {"DMARC-POLICY-QUARANTINE", Severity::info, "DMARC policy quarantine",
             "p=quarantine sends forged mail to spam folders: protective, though p=reject is stronger.",
             "Consider p=reject once legitimate mail reliably passes.", "RFC 7489 §6.3"},
            {"DMARC-PCT", Severity::warning, "DMARC policy applied to only part of the mail",
             "pct below 100 applies the policy to a sample of failing mail only; the rest is treated one level "
             "weaker.", "Remove pct= (default 100).", "RFC 7489 §6.3"},
            {"DMARC-SP-WEAKER", Severity::warning, "subdomain policy weaker than the domain policy",
             "sp= (or DMARCbis np=) weaker than p= leaves subdomains easier to forge than the domain itself.",
             "Remove sp=/np= or make them as strong as p=.", "RFC 7489 §6.3"},
            {"DMARC-NO-RUA", Severity::warning, "no aggregate report address",
             "Without rua= nobody learns who sends mail in the domain's name, nor whether legitimate mail passes. "
             "Info only for a domain whose SPF record says it sends no mail.",
             "Add rua=mailto:<address that processes DMARC reports>.", "RFC 7489 §6.3, §7.2"},
            {"DMARC-RUA-SYNTAX", Severity::warning, "invalid report URI",
             "rua=/ruf= must be comma-separated URIs, in practice mailto: with a valid address and an optional "
             "!size; invalid ones are skipped by receivers.",
             "Write each destination as mailto:address@domain.", "RFC 7489 §6.2, §6.3"},
            {"DMARC-RUA-UNAUTHORIZED", Severity::warning, "external report destination has not authorized the reports",
             "Reports to a domain outside the organizational domain are sent only when that domain publishes "
             "<domain>._report._dmarc.<destination> TXT \"v=DMARC1\" (RFC 7489 §7.1).",
             "Have the destination publish the authorization record, or use an address in your own domain.",
             "RFC 7489 §7.1"},
            {"DMARC-NO-AUTH", Severity::warning, "no SPF or DKIM that could satisfy the policy",
             "DMARC passes only through aligned SPF or DKIM. With no SPF that can pass and no DKIM key, every "
             "message from the domain fails its own policy.",
             "Publish SPF for the sending servers and sign with DKIM; or, for a domain that sends no mail, publish "
             "v=spf1 -all.", "RFC 7489 §3.1, §4.1"},
        }};
    return info;
}

CheckResult DmarcCheck::run(const Target& target, Context& context) const {
    const MakeFinding make = [this](std::string_view id, std::string message, Json evidence, std::string remedy) {
        return finding(id, std::move(message), std::move(evidence), std::move(remedy));
    };
    Audit a{context, make, target.name, organizational_domain(target.name), {}, {}, Json::object()};
    Discovery own = discover(context, a.domain);
    if (!definitive(own.answer))
        return failed(fmt::format("DMARC query {} TXT failed: {}", own.name, lookup_failure(own.answer)));
    a.spf = spf_view(context, a.domain);
    if (own.records.size() > 1) {
        multiple(a, own);
        return result(std::move(a.findings), std::move(a.facts));
    }
    if (own.records.size() == 1) {
        evaluate(a, own.records.front(), own.name, false);
        return result(std::move(a.findings), std::move(a.facts));
    }
    if (!own.misplaced.empty()) misplaced(a, own);
    if (a.org != a.domain) {
        Discovery org = discover(context, a.org);
        if (!definitive(org.answer))
            return failed(fmt::format("DMARC query {} TXT failed: {}", org.name, lookup_failure(org.answer)));
        if (org.records.size() > 1) {
            multiple(a, org);
            return result(std::move(a.findings), std::move(a.facts));
        }
        if (org.records.size() == 1) {
            a.findings.push_back(finding("DMARC-INHERITED",
                                         fmt::format("{} has no DMARC record; the policy of its organizational domain "
                                                     "{} applies", a.domain, a.org),
                                         {{"query", own.name + " TXT"}, {"answer", negative_answer(own.answer, "DMARC")},
                                          {"source", org.name}, {"record", org.records.front()},
                                          {"organizational_domain", a.org},
                                          {"public_suffix_list", public_suffix_source()}}));
            evaluate(a, org.records.front(), org.name, true);
            return result(std::move(a.findings), std::move(a.facts));
        }
    }
    a.facts["policy"] = "missing";
    if (own.misplaced.empty()) {
        Json ev{{"query", own.name + " TXT"}, {"answer", negative_answer(own.answer, "DMARC")}};
        if (a.org != a.domain) ev["organizational_domain_query"] = "_dmarc." + a.org + " TXT";
        a.findings.push_back(finding("DMARC-MISSING",
                                     fmt::format("{} has no DMARC policy{}", a.domain,
                                                 a.org != a.domain ? ", nor has its organizational domain " + a.org : ""),
                                     std::move(ev), suggested_record(a.domain, !a.spf.sends_no_mail())));
    }
    return result(std::move(a.findings), std::move(a.facts));
}

}  // namespace mamori::checks
