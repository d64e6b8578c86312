/// \file checks/dnssec/dnssec_check.cpp — the dnssec check: its catalogue, the live audit of a domain, and zone-file mode.
#include "checks/dnssec/dnssec_check.h"

#include "checks/dnssec/chain.h"
#include "checks/dnssec/hygiene.h"
#include "checks/dnssec/trust_anchor.h"
#include "checks/dnssec/zone_verify.h"
#include "core/profile.h"
#include "dns/records.h"

#include <fmt/format.h>

#include <array>
#include <random>
#include <set>

namespace mamori::checks {
namespace {

using namespace dnssec;

HygieneLimits limits_of(const Profile& profile) {
    HygieneLimits l;
    l.rsa_min_bits = profile.threshold<int>("rsa_min_bits", 2048);
    l.nsec3_max_iterations = profile.threshold<int>("nsec3_max_iterations", 100);
    return l;
}

double horizon_of(const Profile& profile) { return profile.threshold<double>("signature_expiry_days", 7.0); }

Json chain_facts(const ChainResult& chain) {
    std::set<int> algorithms, digests;
    for (const ldns_rr* k : chain.keys) algorithms.insert(rdf_u8(k, 2));
    for (const ldns_rr* d : chain.ds) digests.insert(rdf_u8(d, 2));
    Json facts{{"state", std::string(to_string(chain.state))},
               {"algorithms", Json(std::vector<int>(algorithms.begin(), algorithms.end()))},
               {"ds_digests", Json(std::vector<int>(digests.begin(), digests.end()))}};
    if (!chain.zone.empty()) facts["zone"] = chain.zone;
    facts["chain"] = chain.links;
    return facts;
}

std::string join_lines(const Json& list) {
    std::string out;
    for (const auto& line : list) out += (out.empty() ? "" : "\n") + line.get<std::string>();
    return out;
}

std::string random_label() {
    std::random_device device;
    return fmt::format("mamori-nx-{:08x}", device());
}

/// The records of `type` owned by `name` in the answer section, and the RRSIGs beside them.
std::pair<std::vector<const ldns_rr*>, std::vector<const ldns_rr*>> rrset_at(const dns::Answer& a, const std::string& name,
                                                                             ldns_rr_type type) {
    std::vector<const ldns_rr*> rrs, sigs;
    for (const ldns_rr* rr : section_records(a, LDNS_SECTION_ANSWER, type))
        if (owned_by(rr, name)) rrs.push_back(rr);
    for (const ldns_rr* rr : section_records(a, LDNS_SECTION_ANSWER, LDNS_RR_TYPE_RRSIG))
        if (owned_by(rr, name)) sigs.push_back(rr);
    return {rrs, sigs};
}

std::string specific_remedy(const std::string& id, const std::string& zone, const std::string& parent) {
    if (id == "DNSSEC-DS-MISMATCH")
        return fmt::format("Publish at {} a DS record for the KSK that {} really uses (ldns-key2ds -n -2 on the KSK, "
                           "or the CDS the zone publishes), and withdraw the DS records that match no key.",
                           parent.empty() ? "the parent" : parent, zone);
    if (id == "DNSSEC-SIG-EXPIRED" || id == "DNSSEC-SIG-NOT-YET-VALID")
        return fmt::format("Re-sign {} now with a validity window that includes the present (check the signer's clock "
                           "and that automatic re-signing runs).", zone);
    if (id == "DNSSEC-RRSIG-MISSING")
        return fmt::format("Re-sign {} so that every RRset has an RRSIG by a key of each algorithm in its DNSKEY set.", zone);
    if (id == "DNSSEC-DENIAL-INVALID")
        return fmt::format("Re-sign {} so that the NSEC/NSEC3 chain is complete and every NSEC/NSEC3 record is signed.", zone);
    return fmt::format("Re-sign {} with its current keys and make sure the servers publish the new signatures.", zone);
}

const std::set<std::string> bogus_ids{"DNSSEC-DS-MISMATCH", "DNSSEC-SIG-INVALID", "DNSSEC-SIG-EXPIRED",
                                      "DNSSEC-SIG-NOT-YET-VALID", "DNSSEC-RRSIG-MISSING", "DNSSEC-DENIAL-INVALID"};

/// What the audit of a zone whose keys validated found: broken signatures, a failing denial, hygiene.
struct SignedZoneAudit {
    std::vector<Issue> broken;   ///< make the zone bogus
    std::vector<Issue> hygiene;  ///< findings that do not break validation
    std::optional<std::string> error;
};

Issue orphan_issue(const ChainResult& chain) {
    Json stale = Json::array();
    for (const ldns_rr* d : chain.orphan_ds) stale.push_back(dns::rr_to_string(d));
    return {"DNSSEC-DS-ORPHAN",
            fmt::format("{} publishes {} DS record(s) for {} that match no DNSKEY (first: {}), beside a working one",
                        chain.parent, chain.orphan_ds.size(), chain.zone, ds_summary(chain.orphan_ds.front())),
            {{"stale_ds", stale}, {"parent", chain.parent}},
            fmt::format("Withdraw the stale DS record(s) of {} at {} (through the registrar):\n{}", chain.zone,
                        chain.parent, join_lines(stale)),
            {}};
}

/// The answers a signed zone's audit reads: the target's RRsets, then the denial and apex records.
struct ZoneAnswers {
    static constexpr std::array<ldns_rr_type, 6> types{LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_NS, LDNS_RR_TYPE_A,
                                                       LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_MX, LDNS_RR_TYPE_TXT};
    std::string nx;                  ///< the random name whose non-existence is proven
    std::vector<dns::Answer> all;    ///< types…, nx A, NSEC3PARAM, CDS, CDNSKEY
    const dns::Answer& denial() const { return all[types.size()]; }
    const dns::Answer& apex(std::size_t i) const { return all[types.size() + 1 + i]; }
};

std::optional<std::string> ask_zone(Context& context, const std::string& name, const ChainResult& chain, ZoneAnswers& out) {
    std::vector<dns::Question> questions;
    for (auto t : ZoneAnswers::types) questions.push_back(dnssec_question(name, t));
    out.nx = random_label() + "." + name;
    for (auto [n, t] : {std::pair{out.nx, LDNS_RR_TYPE_A}, {chain.zone, LDNS_RR_TYPE_NSEC3PARAM},
                        {chain.zone, LDNS_RR_TYPE_CDS}, {chain.zone, LDNS_RR_TYPE_CDNSKEY}})
        questions.push_back(dnssec_question(n, t));
    out.all = context.resolver().query_all(questions);
    for (std::size_t i = 0; i < out.all.size(); ++i)
        if (auto f = lookup_failure(out.all[i], questions[i].name + " " + type_name(questions[i].type))) return f;
    if (out.all[0].nxdomain()) return fmt::format("{} does not exist (NXDOMAIN)", name);
    return std::nullopt;
}

/// Hygiene of the zone from its keys, its DS set and the records the answers carry.
std::vector<Issue> zone_hygiene(Context& context, const ChainResult& chain, const ZoneAnswers& a, Json& facts) {
    ZoneMaterial z;
    z.zone = chain.zone;
    z.dnskeys = chain.keys;
    z.ds = chain.ds;
    z.cds = rrset_at(a.apex(1), chain.zone, LDNS_RR_TYPE_CDS).first;
    z.cdnskey = rrset_at(a.apex(2), chain.zone, LDNS_RR_TYPE_CDNSKEY).first;
    const auto params = rrset_at(a.apex(0), chain.zone, LDNS_RR_TYPE_NSEC3PARAM).first;
    const auto nsec3s = section_records(a.denial(), LDNS_SECTION_AUTHORITY, LDNS_RR_TYPE_NSEC3);
    z.nsec = !section_records(a.denial(), LDNS_SECTION_AUTHORITY, LDNS_RR_TYPE_NSEC).empty();
    z.nsec3 = !params.empty() ? params.front() : !nsec3s.empty() ? nsec3s.front() : nullptr;
    for (const ldns_rr* n : nsec3s) z.nsec3_optout = z.nsec3_optout || (rdf_u8(n, 1) & 1) != 0;
    if (z.nsec) facts["nsec"] = "nsec";
    else if (z.nsec3 != nullptr) facts["nsec"] = "nsec3";
    auto issues = hygiene(z, limits_of(context.profile()));
    if (!chain.orphan_ds.empty()) issues.push_back(orphan_issue(chain));
    return issues;
}

/// Verifies the target's own RRsets, a proof of non-existence for a random name below it,
/// and the zone's signing hygiene.
SignedZoneAudit audit_signed_zone(Context& context, const std::string& name, const ChainResult& chain, Json& facts,
                                  std::time_t now) {
    SignedZoneAudit out;
    ZoneAnswers answers;
    if ((out.error = ask_zone(context, name, chain, answers))) return out;
    std::vector<SigCheck> valid = chain.valid_sigs;
    for (std::size_t i = 0; i < ZoneAnswers::types.size(); ++i) {
        auto [rrs, sigs] = rrset_at(answers.all[i], name, ZoneAnswers::types[i]);
        if (rrs.empty()) continue;
        RrsetCheck c = check_rrset(rrs, sigs, chain.keys, chain.zone, now);
        for (const auto& sig : c.sigs)
            if (sig.state == SigState::valid) valid.push_back(sig);
        if (!c.secure()) out.broken.push_back({c.issue_id(), c.explain(now), c.evidence(now), {}, {}});
    }
    const bool wildcard = !section_records(answers.denial(), LDNS_SECTION_ANSWER, LDNS_RR_TYPE_A).empty();
    if (!wildcard) {
        if (auto issue = check_denial(answers.denial(), answers.nx, LDNS_RR_TYPE_A, chain.zone, chain.keys, now))
            out.broken.push_back(std::move(*issue));
    }
    out.hygiene = zone_hygiene(context, chain, answers, facts);
    if (auto expiring = expiry_horizon(valid, chain.zone, now, horizon_of(context.profile())))
        out.hygiene.push_back(std::move(*expiring));
    return out;
}

/// DNSSEC-UNSIGNED for an insecure delegation, with the concrete DS to publish when the zone has keys.
Issue unsigned_issue(Context& context, const ChainResult& chain, const std::string& name) {
    dns::Answer keys = context.resolver().query(dnssec_question(chain.zone, LDNS_RR_TYPE_DNSKEY));
    std::vector<const ldns_rr*> dnskeys;
    for (const ldns_rr* rr : section_records(keys, LDNS_SECTION_ANSWER, LDNS_RR_TYPE_DNSKEY))
        if (is_dnskey(rr) && owned_by(rr, chain.zone)) dnskeys.push_back(rr);
    const std::string parent = chain.parent.empty() ? std::string("its parent") : chain.parent;
    std::string message, remedy;
    if (chain.zone != name && chain.insecure_at != name) {
        message = fmt::format("{} is not signed: {} above it is an insecure delegation", name, chain.insecure_at);
    } else if (dnskeys.empty()) {
        message = fmt::format("{} is not signed: it publishes no DNSKEY and {} has no DS for it", chain.zone, parent);
    } else {
        message = fmt::format("{} publishes DNSKEY records but {} has no DS for it: validators treat it as unsigned",
                              chain.zone, parent);
        for (const ldns_rr* k : entry_keys(dnskeys)) remedy += (remedy.empty() ? "" : "\n") + ds_record_for(k);
        remedy = fmt::format("Publish the DS record of {}'s KSK at {} through the registrar:\n{}", chain.zone, parent,
                             remedy);
    }
    if (remedy.empty())
        remedy = fmt::format("Sign {0} (ECDSAP256SHA256, e.g. ldns-signzone or the DNS provider's DNSSEC option) and "
                             "publish its DS at {1}: {0} IN DS <key tag> 13 2 <SHA-256 digest of the KSK>",
                             chain.zone, parent);
    return {"DNSSEC-UNSIGNED", message,
            {{"zone", chain.zone}, {"insecure_delegation", chain.insecure_at}, {"parent", chain.parent},
             {"dnskeys", dnskeys.size()}},
            remedy, {}};
}

}  // namespace

const CheckInfo& DnssecCheck::describe() const {
    static const CheckInfo info{
        .id = "dnssec",
        .title = "DNSSEC chain of trust and signing hygiene",
        .description = "Validates the chain of trust from the trust anchor down to the domain with ldns, independently "
                       "of the resolver (queries with DO and CD, every DS, DNSKEY and RRSIG verified locally), names "
                       "the broken link when it fails, and checks signing hygiene: algorithms, DS digests, key sizes, "
                       "NSEC3 parameters, signature expiry and CDS/CDNSKEY. For a zone file it verifies every "
                       "signature and the NSEC/NSEC3 chain offline.",
        .applies_to = {TargetKind::domain, TargetKind::zone},
        .needs = need_dns,
        .findings = {
            {"DNSSEC-UNSIGNED", Severity::warning, "the domain is not DNSSEC-signed (insecure delegation)",
             "Without a DS at the parent (or without DNSKEY records), validators cannot tell forged answers from real "
             "ones: cache poisoning and on-path forgery of the domain's records go undetected.",
             "Sign the zone (ECDSAP256SHA256 or ED25519) and publish its DS record at the parent through the registrar.",
             "RFC 4033 §4, RFC 4035 §5.2"},
            {"DNSSEC-BOGUS", Severity::error, "the chain of trust does not validate",
             "Validating resolvers answer SERVFAIL for every name in the zone: to their users the domain is gone.",
             "Repair the broken link named in the message (DS, DNSKEY or signatures), then re-check.", "RFC 4035 §5"},
            {"DNSSEC-DS-MISMATCH", Severity::error, "no DS matches a DNSKEY that signs the DNSKEY RRset",
             "The parent's DS records point to keys the zone does not publish or does not sign with; the chain of "
             "trust is cut at the delegation.",
             "Publish a DS for the zone's current KSK at the parent and withdraw the stale ones.", "RFC 4035 §5.2"},
            {"DNSSEC-SIG-INVALID", Severity::error, "a signature does not verify",
             "The RRSIG does not match the data and key it claims: the data was changed after signing, or signed "
             "with another key.",
             "Re-sign the zone and make sure every server serves the same, freshly signed data.", "RFC 4035 §5.3"},
            {"DNSSEC-SIG-EXPIRED", Severity::error, "a signature has expired",
             "Past its expiration time a signature proves nothing; validators treat the data as bogus.",
             "Re-sign the zone and make sure automatic re-signing runs.", "RFC 4035 §5.3.1"},
            {"DNSSEC-SIG-NOT-YET-VALID", Severity::error, "a signature is not valid yet",
             "Its inception time lies in the future (a signer with a wrong clock); validators treat the data as bogus.",
             "Fix the signer's clock and re-sign the zone.", "RFC 4035 §5.3.1"},
            {"DNSSEC-RRSIG-MISSING", Severity::error, "an RRset has no signature",
             "In a signed zone every authoritative RRset must carry an RRSIG by a key of each algorithm in the "
             "DNSKEY set; an unsigned RRset is bogus to validators.",
             "Re-sign the zone so that every RRset is signed.", "RFC 4035 §2.2"},
            {"DNSSEC-DENIAL-INVALID", Severity::error, "the proof of non-existence fails",
             "The NSEC/NSEC3 records that should prove a name or type does not exist are missing, unsigned or do "
             "not cover it; validators return SERVFAIL instead of NXDOMAIN/NODATA.",
             "Re-sign the zone so that its NSEC/NSEC3 chain is complete and signed.", "RFC 4035 §5.4, RFC 5155 §8"},
            {"DNSSEC-NSEC-CHAIN", Severity::error, "the NSEC/NSEC3 chain of the zone file is broken",
             "A name without its NSEC/NSEC3 record, a next-name pointer that skips or loops, or a type bitmap that "
             "does not list the name's types makes denials of existence fail for part of the zone.",
             "Re-sign the zone with a signer that builds the whole chain; do not edit signed zone files by hand.",
             "RFC 4035 §2.3, RFC 5155 §7.1"},
            {"DNSSEC-SIG-EXPIRING", Severity::warning, "signatures expire soon",
             "Signatures that expire within the profile's horizon turn the zone bogus if re-signing stalls.",
             "Re-sign now and check that automatic re-signing runs well ahead of expiry.", "RFC 6781 §4.4.2"},
            {"DNSSEC-ALGO-DEPRECATED", Severity::error, "signing with a deprecated algorithm",
             "RSAMD5, DSA, RSASHA1, RSASHA1-NSEC3-SHA1 and ECC-GOST must not be used for signing; validators are "
             "dropping them and treat such zones as insecure.",
             "Roll over to ECDSAP256SHA256 (13) or ED25519 (15).", "RFC 8624 §3.1, RFC 9905"},
            {"DNSSEC-DS-SHA1", Severity::warning, "only SHA-1 DS records",
             "The delegation is secured only by a SHA-1 digest, which validators are deprecating.",
             "Publish a SHA-256 (digest type 2) DS record, then remove the SHA-1 one.", "RFC 8624 §3.3, RFC 9905"},
            {"DNSSEC-DS-GOST", Severity::warning, "a GOST DS record",
             "GOST R 34.11-94 (digest type 3) must not be used; most validators ignore it.",
             "Replace it with a SHA-256 DS record.", "RFC 8624 §3.3"},
            {"DNSSEC-DS-ORPHAN", Severity::warning, "a DS record matches no DNSKEY (stale rollover)",
             "Beside a working DS the parent still publishes one for a key the zone no longer has: a leftover of a "
             "key rollover that confuses monitoring and breaks the chain if the working DS is removed.",
             "Withdraw the stale DS record at the parent.", "RFC 6781 §4.1.2, RFC 7583 §3.3.2"},
            {"DNSSEC-RSA-SHORT", Severity::warning, "RSA key shorter than the profile's minimum",
             "RSA keys under 2048 bits are within reach of well-funded attackers.",
             "Roll over to 2048-bit RSA or, better, ECDSAP256SHA256 (13).", "RFC 8624 §3.1, RFC 6781 §3.4.2"},
            {"DNSSEC-NSEC3-ITERATIONS", Severity::warning, "NSEC3 with extra iterations",
             "Extra NSEC3 iterations add no real protection and cost validators CPU; above 100 validators treat the "
             "zone's denials as insecure or bogus.",
             "Use NSEC3 iterations 0.", "RFC 9276 §3.1, §3.2"},
            {"DNSSEC-NSEC3-SALT", Severity::warning, "NSEC3 with a salt",
             "A salt adds nothing against zone enumeration and complicates operations.", "Use an empty NSEC3 salt.",
             "RFC 9276 §3.1"},
            {"DNSSEC-NSEC3-OPTOUT", Severity::info, "NSEC3 opt-out",
             "Opt-out leaves unsigned delegations unproven; useful only for very large delegation zones.",
             "Drop opt-out unless the zone is a large delegation-only zone.", "RFC 5155 §6, RFC 9276 §3.1"},
            {"DNSSEC-NSEC-WALKABLE", Severity::info, "NSEC: the zone can be enumerated",
             "Plain NSEC records link every name to the next: anyone can list the zone's names.",
             "Nothing to fix for public names; otherwise use NSEC3 (iterations 0, no salt).", "RFC 4034 §4, RFC 5155 §1"},
            {"DNSSEC-CDS", Severity::warning, "CDS/CDNSKEY inconsistent with the DNSKEY set",
             "CDS/CDNSKEY records tell the parent which DS to publish; ones that match no key would break the chain "
             "if the parent followed them. A delete CDS asks the parent to remove the DS (info).",
             "Publish CDS/CDNSKEY only for keys in the DNSKEY set, both sets matching each other.",
             "RFC 7344 §4, RFC 8078 §4"},
        }};
    return info;
}

CheckResult DnssecCheck::run(const Target& target, Context& context) const {
    if (target.kind == TargetKind::zone) return run_zone(target, context);
    return run_domain(target, context);
}

namespace {

/// Turns issues into findings through the check's catalogue (severity, reference, remedy).
template <typename Make>
void add_issues(std::vector<Finding>& out, std::vector<Issue>&& issues, Make&& make) {
    for (auto& i : issues) {
        Finding f = make(i);
        if (i.severity) f.severity = *i.severity;
        out.push_back(std::move(f));
    }
}

}  // namespace

CheckResult DnssecCheck::run_domain(const Target& target, Context& context) const {
    const std::time_t now = std::chrono::system_clock::to_time_t(context.settings().now);
    const auto& given = context.settings().trust_anchor;
    const std::vector<std::string> anchor = given.empty() ? builtin_trust_anchor() : given;
    const std::string name = dns::canonical_name(target.name);
    ChainResult chain = walk_chain(context.resolver(), name, anchor, now);
    Json facts = chain_facts(chain);
    if (chain.error) return failed(*chain.error);

    std::vector<Finding> findings;
    auto make = [&](Issue& i) { return finding(i.id, std::move(i.message), std::move(i.evidence), std::move(i.remedy)); };
    if (chain.state == ChainState::insecure) {
        Issue i = unsigned_issue(context, chain, name);
        findings.push_back(finding(i.id, std::move(i.message), std::move(i.evidence), std::move(i.remedy)));
        return result(std::move(findings), facts);
    }
    if (chain.state == ChainState::bogus) {
        const std::string first = chain.issues.empty() ? std::string("?") : chain.issues.front().message;
        findings.push_back(finding("DNSSEC-BOGUS",
                                   fmt::format("the chain of trust to {} breaks at {}: {}", name, chain.broken_link, first),
                                   {{"broken_link", chain.broken_link}, {"chain", chain.links}},
                                   specific_remedy(chain.issues.empty() ? "" : chain.issues.front().id, chain.zone,
                                                   chain.parent)));
        for (auto& i : chain.issues)
            if (i.remedy.empty()) i.remedy = specific_remedy(i.id, chain.zone, chain.parent);
        add_issues(findings, std::move(chain.issues), make);
        return result(std::move(findings), facts);
    }
    SignedZoneAudit audit = audit_signed_zone(context, name, chain, facts, now);
    if (audit.error) return failed(*audit.error);
    if (!audit.broken.empty()) {
        facts["state"] = "bogus";
        findings.push_back(finding("DNSSEC-BOGUS",
                                   fmt::format("{} does not validate: {}", name, audit.broken.front().message),
                                   {{"broken_link", audit.broken.front().evidence}, {"chain", chain.links}},
                                   specific_remedy(audit.broken.front().id, chain.zone, chain.parent)));
        for (auto& i : audit.broken) i.remedy = specific_remedy(i.id, chain.zone, chain.parent);
        add_issues(findings, std::move(audit.broken), make);
    }
    add_issues(findings, std::move(audit.hygiene), make);
    return result(std::move(findings), facts);
}

CheckResult DnssecCheck::run_zone(const Target& target, Context& context) const {
    const dns::LoadedZone* zone = context.settings().zone_file;
    if (zone == nullptr) return failed(fmt::format("no zone file was loaded for {}", target.name));
    ZoneVerifyOptions options;
    options.now = std::chrono::system_clock::to_time_t(context.settings().now);
    options.horizon_days = horizon_of(context.profile());
    options.limits = limits_of(context.profile());
    ZoneVerification v = verify_zone(*zone, options);
    std::vector<Finding> findings;
    const bool bogus = std::any_of(v.issues.begin(), v.issues.end(), [](const Issue& i) {
        return bogus_ids.contains(i.id) || i.id == "DNSSEC-NSEC-CHAIN";
    });
    if (bogus) {
        const auto first = std::find_if(v.issues.begin(), v.issues.end(), [](const Issue& i) {
            return bogus_ids.contains(i.id) || i.id == "DNSSEC-NSEC-CHAIN";
        });
        findings.push_back(finding("DNSSEC-BOGUS", fmt::format("{} would not validate: {}", zone->origin, first->message),
                                   {{"zone", zone->origin}, {"first_problem", first->id}},
                                   specific_remedy(first->id, zone->origin, {})));
    }
    auto make = [&](Issue& i) { return finding(i.id, std::move(i.message), std::move(i.evidence), std::move(i.remedy)); };
    for (auto& i : v.issues)
        if (i.remedy.empty() && bogus_ids.contains(i.id)) i.remedy = specific_remedy(i.id, zone->origin, {});
    add_issues(findings, std::move(v.issues), make);
    return result(std::move(findings), std::move(v.facts));
}

}  // namespace mamori::checks
