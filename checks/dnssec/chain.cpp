/// \file checks/dnssec/chain.cpp — walking DS → DNSKEY → RRSIG from the trust anchor down, with ldns, independent of the resolver.
#include "checks/dnssec/chain.h"

#include "dns/records.h"

#include <fmt/format.h>

#include <algorithm>

namespace mamori::checks::dnssec {
namespace {

using RrListPtr = std::unique_ptr<ldns_rr_list, decltype(&ldns_rr_list_free)>;

RrListPtr shallow_list(std::span<const ldns_rr* const> rrs) {
    RrListPtr list(ldns_rr_list_new(), &ldns_rr_list_free);
    for (const ldns_rr* rr : rrs) ldns_rr_list_push_rr(list.get(), const_cast<ldns_rr*>(rr));
    return list;
}

Json tags_of(std::span<const ldns_rr* const> keys) {
    Json out = Json::array();
    for (const ldns_rr* k : keys) out.push_back(key_summary(k));
    return out;
}

Json ds_list(std::span<const ldns_rr* const> ds) {
    Json out = Json::array();
    for (const ldns_rr* d : ds) out.push_back(dns::rr_to_string(d));
    return out;
}

bool same_key(const ldns_rr* a, const ldns_rr* b) {
    if (!is_dnskey(a) || !is_dnskey(b) || !same_name(ldns_rr_owner(a), ldns_rr_owner(b))) return false;
    for (std::size_t i = 0; i < 4; ++i)
        if (ldns_rdf_compare(ldns_rr_rdf(a, i), ldns_rr_rdf(b, i)) != 0) return false;
    return true;
}

/// The labels from `top` (exclusive) down to `name` (inclusive): "jp.", "go.jp.", "good.go.jp.".
std::vector<std::string> names_below(const std::string& top, const std::string& name) {
    std::vector<std::string> out;
    for (std::string walk = name; walk != top && walk != ".";) {
        out.push_back(walk);
        walk = walk.substr(walk.find('.') + 1);
        if (walk.empty()) walk = ".";
    }
    std::reverse(out.begin(), out.end());
    return out;
}

bool below(const std::string& name, const std::string& zone) {
    return zone == "." || name == zone || (name.size() > zone.size() && name.ends_with("." + zone));
}

Issue link_issue(const RrsetCheck& check, const std::string& what, std::time_t now) {
    return {check.issue_id(), fmt::format("{}: {}", what, check.explain(now)), check.evidence(now), {}, {}};
}

}  // namespace

std::string_view to_string(ChainState s) {
    switch (s) {
        case ChainState::secure: return "secure";
        case ChainState::insecure: return "insecure";
        case ChainState::bogus: return "bogus";
    }
    return "?";
}

dns::Question dnssec_question(const std::string& name, ldns_rr_type type) {
    return {.name = name, .type = type, .dnssec_ok = true, .checking_disabled = true};
}

std::optional<std::string> lookup_failure(const dns::Answer& a, const std::string& what) {
    if (!a.ok())
        return fmt::format("{} query failed: {}", what, a.error.empty() ? std::string(dns::to_string(a.outcome)) : a.error);
    if (a.rcode() != LDNS_RCODE_NOERROR && a.rcode() != LDNS_RCODE_NXDOMAIN)
        return fmt::format("{} query failed: {}", what, dns::rcode_name(a.rcode()));
    return std::nullopt;
}

std::vector<const ldns_rr*> section_records(const dns::Answer& a, ldns_pkt_section section, ldns_rr_type type) {
    std::vector<const ldns_rr*> out;
    if (!a.ok()) return out;
    const ldns_rr_list* rrs = section == LDNS_SECTION_ANSWER      ? ldns_pkt_answer(a.packet.get())
                              : section == LDNS_SECTION_AUTHORITY ? ldns_pkt_authority(a.packet.get())
                                                                  : ldns_pkt_additional(a.packet.get());
    for (std::size_t i = 0; rrs != nullptr && i < ldns_rr_list_rr_count(rrs); ++i) {
        const ldns_rr* rr = ldns_rr_list_rr(rrs, i);
        if (ldns_rr_get_type(rr) == type) out.push_back(rr);
    }
    return out;
}

KeyCheck check_dnskeys(const std::string& zone, const dns::Answer& dnskey_answer,
                       std::span<const ldns_rr* const> ds_set, std::span<const ldns_rr* const> anchor_keys,
                       std::time_t now, const std::string& source) {
    KeyCheck k;
    for (const ldns_rr* rr : section_records(dnskey_answer, LDNS_SECTION_ANSWER, LDNS_RR_TYPE_DNSKEY))
        if (is_dnskey(rr) && owned_by(rr, zone)) k.keys.push_back(rr);
    const Json evidence{{"zone", zone}, {"ds", ds_list(ds_set)}, {"dnskeys", tags_of(k.keys)}};
    for (const ldns_rr* ds : ds_set) {
        bool matched = false;
        for (const ldns_rr* key : k.keys) {
            if (!ds_matches(ds, key)) continue;
            matched = true;
            if (std::find(k.entry.begin(), k.entry.end(), key) == k.entry.end()) k.entry.push_back(key);
        }
        if (!matched) k.orphans.push_back(ds);
    }
    for (const ldns_rr* anchor : anchor_keys)
        for (const ldns_rr* key : k.keys)
            if (same_key(anchor, key)) k.entry.push_back(key);
    if (k.keys.empty()) {
        k.issue = Issue{"DNSSEC-DS-MISMATCH",
                        fmt::format("{} points to keys of {} (DS {}), but {} publishes no DNSKEY", source, zone,
                                    ds_set.empty() ? std::string("-") : ds_summary(ds_set.front()), zone),
                        evidence, {}, {}};
        return k;
    }
    if (k.entry.empty()) {
        std::string wanted;
        for (const ldns_rr* ds : ds_set) wanted += fmt::format("{}{}", wanted.empty() ? "" : ", ", rdf_u16(ds, 0));
        for (const ldns_rr* a : anchor_keys) wanted += fmt::format("{}{}", wanted.empty() ? "" : ", ", key_tag(a));
        std::string have;
        for (const ldns_rr* key : k.keys) have += fmt::format("{}{}", have.empty() ? "" : ", ", key_tag(key));
        k.issue = Issue{"DNSSEC-DS-MISMATCH",
                        fmt::format("no DNSKEY of {} matches {}: it names key tag(s) {}, the zone publishes {}", zone,
                                    source, wanted, have),
                        evidence, {}, {}};
        return k;
    }
    const auto sigs = section_records(dnskey_answer, LDNS_SECTION_ANSWER, LDNS_RR_TYPE_RRSIG);
    RrsetCheck check = check_rrset(k.keys, sigs, k.entry, zone, now);
    for (const auto& sig : check.sigs)
        if (sig.state == SigState::valid) k.valid_sigs.push_back(sig);
    if (!check.secure()) k.issue = link_issue(check, fmt::format("the DNSKEY RRset of {} is not signed by a key that {} points to", zone, source), now);
    return k;
}

std::optional<Issue> check_denial(const dns::Answer& answer, const std::string& name, ldns_rr_type type,
                                  const std::string& zone, std::span<const ldns_rr* const> keys, std::time_t now) {
    auto nsecs = section_records(answer, LDNS_SECTION_AUTHORITY, LDNS_RR_TYPE_NSEC);
    const bool nsec3 = nsecs.empty();
    if (nsec3) nsecs = section_records(answer, LDNS_SECTION_AUTHORITY, LDNS_RR_TYPE_NSEC3);
    const auto sigs = section_records(answer, LDNS_SECTION_AUTHORITY, LDNS_RR_TYPE_RRSIG);
    const std::string what = fmt::format("the proof that {} {} does not exist", name, type_name(type));
    Json evidence{{"query", fmt::format("{} {}", name, type_name(type))}, {"rcode", dns::rcode_name(answer.rcode())},
                  {"denial", ds_list(nsecs)}};
    if (nsecs.empty())
        return Issue{"DNSSEC-DENIAL-INVALID", fmt::format("{} is missing: the answer carries no NSEC or NSEC3 record", what),
                     evidence, {}, {}};
    for (const ldns_rr* n : nsecs) {
        const ldns_rr* one[] = {n};
        RrsetCheck check = check_rrset(one, sigs, keys, zone, now);
        if (!check.secure()) {
            Issue i = link_issue(check, what, now);
            i.id = "DNSSEC-DENIAL-INVALID";  // the proof fails; the signature verdict is in the message
            i.evidence["denial"] = evidence["denial"];
            return i;
        }
    }
    auto question = own(ldns_rr_new());
    ldns_rr_set_owner(question.get(), ldns_dname_new_frm_str(name.c_str()));
    ldns_rr_set_type(question.get(), type);
    ldns_rr_set_class(question.get(), LDNS_RR_CLASS_IN);
    ldns_rr_set_question(question.get(), true);
    auto nsec_list = shallow_list(nsecs);
    auto sig_list = shallow_list(sigs);
    const ldns_status status =
        nsec3 ? ldns_dnssec_verify_denial_nsec3(question.get(), nsec_list.get(), sig_list.get(), answer.rcode(), type,
                                                section_records(answer, LDNS_SECTION_ANSWER, type).empty())
              : ldns_dnssec_verify_denial(question.get(), nsec_list.get(), sig_list.get());
    if (status == LDNS_STATUS_OK) return std::nullopt;
    return Issue{"DNSSEC-DENIAL-INVALID", fmt::format("{} does not hold: {}", what, ldns_get_errorstr_by_id(status)),
                 evidence, {}, {}};
}

namespace {

/// One walk down the tree; each step either moves to the next zone or ends the walk.
class Walker {
public:
    Walker(dns::Resolver& resolver, std::time_t now, ChainResult& out) : resolver_(resolver), now_(now), out_(out) {}

    bool start(const std::string& zone, std::span<const ldns_rr* const> anchor_ds,
               std::span<const ldns_rr* const> anchor_keys) {
        dns::Answer a = resolver_.query(dnssec_question(zone, LDNS_RR_TYPE_DNSKEY));
        if (!usable(a, zone + " DNSKEY")) return false;
        KeyCheck k = check_dnskeys(zone, a, anchor_ds, anchor_keys, now_, "the trust anchor");
        return enter(zone, k, fmt::format("the trust anchor → {} DNSKEY", zone));
    }

    /// The next name below the current zone: a signed cut, an unsigned cut, or a name inside.
    bool descend(const std::string& name) {
        const auto answers = resolver_.query_all({dnssec_question(name, LDNS_RR_TYPE_DS),
                                                  dnssec_question(name, LDNS_RR_TYPE_SOA)});
        if (!usable(answers[0], name + " DS") || !usable(answers[1], name + " SOA")) return false;
        std::vector<const ldns_rr*> ds;
        for (const ldns_rr* rr : section_records(answers[0], LDNS_SECTION_ANSWER, LDNS_RR_TYPE_DS))
            if (is_ds(rr) && owned_by(rr, name)) ds.push_back(rr);
        bool apex = false;
        for (const ldns_rr* rr : section_records(answers[1], LDNS_SECTION_ANSWER, LDNS_RR_TYPE_SOA))
            apex = apex || owned_by(rr, name);
        if (!ds.empty()) return signed_cut(name, answers[0], ds);
        if (!apex) return true;
        if (auto issue = check_denial(answers[0], name, LDNS_RR_TYPE_DS, zone_, keys_, now_)) {
            out_.parent = zone_;
            return bogus(fmt::format("the absence of a DS for {} in {}", name, zone_), std::move(*issue), name);
        }
        out_.state = ChainState::insecure;
        out_.insecure_at = name;
        out_.parent = zone_;
        out_.ds.clear();
        out_.orphan_ds.clear();
        zone_ = name;
        out_.links.push_back({{"zone", name}, {"state", "insecure"}, {"ds", Json::array()}});
        return false;
    }

    void finish() {
        out_.zone = zone_;
        if (out_.state == ChainState::insecure) out_.keys.clear();
        else if (out_.state == ChainState::secure) out_.keys = keys_;
    }

private:
    bool usable(const dns::Answer& a, const std::string& what) {
        if (auto failure = lookup_failure(a, what)) {
            out_.error = *failure;
            return false;
        }
        out_.packets.push_back(a.packet);
        return true;
    }

    bool signed_cut(const std::string& name, const dns::Answer& ds_answer, const std::vector<const ldns_rr*>& ds) {
        const auto sigs = section_records(ds_answer, LDNS_SECTION_ANSWER, LDNS_RR_TYPE_RRSIG);
        RrsetCheck c = check_rrset(ds, sigs, keys_, zone_, now_);
        out_.parent = zone_;
        out_.ds = ds;
        if (!c.secure())
            return bogus(fmt::format("the DS of {} in {}", name, zone_),
                         link_issue(c, fmt::format("the DS RRset of {} in {}", name, zone_), now_), name);
        dns::Answer a = resolver_.query(dnssec_question(name, LDNS_RR_TYPE_DNSKEY));
        if (!usable(a, name + " DNSKEY")) return false;
        KeyCheck k = check_dnskeys(name, a, ds, {}, now_, fmt::format("the DS set of {} at {}", name, zone_));
        out_.orphan_ds = k.orphans;
        return enter(name, k, fmt::format("the DS of {} in {} → {} DNSKEY", name, zone_, name));
    }

    bool enter(const std::string& zone, KeyCheck& k, const std::string& link) {
        out_.keys = k.keys;
        if (k.issue) return bogus(link, std::move(*k.issue), zone);
        zone_ = zone;
        keys_ = k.keys;
        out_.valid_sigs = k.valid_sigs;
        out_.links.push_back({{"zone", zone}, {"state", "secure"}, {"ds", ds_list(out_.ds)}, {"dnskeys", tags_of(k.keys)}});
        return true;
    }

    bool bogus(std::string link, Issue issue, const std::string& zone) {
        out_.state = ChainState::bogus;
        out_.broken_link = std::move(link);
        zone_ = zone;
        out_.links.push_back({{"zone", zone}, {"state", "bogus"}, {"broken_link", out_.broken_link},
                              {"reason", issue.message}});
        out_.issues.push_back(std::move(issue));
        return false;
    }

    dns::Resolver& resolver_;
    std::time_t now_;
    ChainResult& out_;
    std::string zone_;
    std::vector<const ldns_rr*> keys_;
};

}  // namespace

ChainResult walk_chain(dns::Resolver& resolver, const std::string& target, const std::vector<std::string>& anchor,
                       std::time_t now) {
    ChainResult out;
    std::vector<const ldns_rr*> anchor_ds, anchor_keys;
    for (const auto& text : anchor) {
        ldns_rr* rr = nullptr;
        if (ldns_rr_new_frm_str(&rr, text.c_str(), 3600, nullptr, nullptr) != LDNS_STATUS_OK || rr == nullptr) continue;
        out.anchor.push_back(own(rr));
        (ldns_rr_get_type(rr) == LDNS_RR_TYPE_DS ? anchor_ds : anchor_keys).push_back(rr);
    }
    const std::string name = dns::canonical_name(target);
    if (out.anchor.empty()) {
        out.error = "no usable trust anchor";
        return out;
    }
    const std::string top = owner_of(out.anchor.front().get());
    if (!below(name, top)) {
        out.state = ChainState::insecure;
        out.zone = name;
        out.insecure_at = top;
        return out;
    }
    Walker walker(resolver, now, out);
    if (walker.start(top, anchor_ds, anchor_keys)) {
        for (const auto& step : names_below(top, name))
            if (!walker.descend(step)) break;
    }
    walker.finish();
    return out;
}

}  // namespace mamori::checks::dnssec
