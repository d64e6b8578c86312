/// \file checks/spf/spf_policy.cpp — walking every branch of an SPF policy and counting what a receiver would.
#include "checks/spf/spf_policy.h"

#include "checks/spf/spf_dns.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace mamori::spf {
namespace {

std::string lowered(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// Macros a static walk can expand: those that do not depend on the client or the clock.
bool static_macros_only(const MacroString& m) {
    return std::all_of(m.tokens.begin(), m.tokens.end(), [](const MacroToken& t) {
        return t.kind != MacroToken::Kind::macro || std::string_view("dosl").find(t.letter) != std::string_view::npos ||
               t.letter == 'h';
    });
}

std::string all_text(const Mechanism* all) {
    return all == nullptr ? "none" : fmt::format("{}all", qualifier_char(all->qualifier));
}

class Walker {
public:
    Walker(dns::Resolver& resolver, const Limits& limits, PolicyAudit& out, std::string top, int max_nodes, bool offline)
        : resolver_(resolver), limits_(limits), out_(out), top_(std::move(top)), max_nodes_(max_nodes), offline_(offline) {}

    void walk(PolicyNode& node, std::vector<std::string>& path, bool top);

private:
    void issue(PolicyIssue::Kind kind, const PolicyNode& node, std::string term, std::string detail) {
        out_.issues.push_back({kind, node.domain, std::move(term), std::move(detail), node.record});
    }
    std::optional<std::string> resolve(const std::string& spec, const MacroString& macro, const std::string& domain) const;
    void term(const Mechanism& m, PolicyNode& node, std::vector<std::string>& path);
    void address_term(const Mechanism& m, const std::string& name, PolicyNode& node);
    void mx_term(const Mechanism& m, const std::string& name, PolicyNode& node);
    void exists_term(const Mechanism& m, const std::string& name, PolicyNode& node);
    PolicyNode* follow(PolicyNode& node, const std::string& via, const std::string& target, std::vector<std::string>& path);
    bool select(PolicyNode& node, bool top, std::string& record);

    dns::Resolver& resolver_;
    const Limits& limits_;
    PolicyAudit& out_;
    std::string top_;
    int max_nodes_;
    bool offline_;
    int nodes_ = 0;
};

std::optional<std::string> Walker::resolve(const std::string& spec, const MacroString& macro, const std::string& domain) const {
    if (spec.empty()) return domain;
    if (!static_macros_only(macro)) return std::nullopt;
    MacroEnv env;
    env.domain = domain;
    env.sender_domain = top_;
    env.local_part = "postmaster";
    env.sender = "postmaster@" + top_;
    env.helo = top_;
    return target_name(expand_macros(macro, env));
}

void Walker::address_term(const Mechanism& m, const std::string& name, PolicyNode& node) {
    auto answers = resolver_.query_all({{.name = presentation_name(name), .type = LDNS_RR_TYPE_A},
                                        {.name = presentation_name(name), .type = LDNS_RR_TYPE_AAAA}});
    const Lookup a = classify(std::move(answers[0]), LDNS_RR_TYPE_A);
    const Lookup aaaa = classify(std::move(answers[1]), LDNS_RR_TYPE_AAAA);
    if (a.is_void() && aaaa.is_void()) {
        ++node.void_lookups;
        issue(PolicyIssue::Kind::void_lookup, node, m.text, fmt::format("{} has no A or AAAA record ({})", name,
                                                                        a.kind == Lookup::Kind::nxdomain ? "NXDOMAIN" : "no data"));
    }
}

void Walker::mx_term(const Mechanism& m, const std::string& name, PolicyNode& node) {
    const Lookup l = classify(resolver_.query({.name = presentation_name(name), .type = LDNS_RR_TYPE_MX}), LDNS_RR_TYPE_MX);
    if (l.is_void()) {
        ++node.void_lookups;
        issue(PolicyIssue::Kind::void_lookup, node, m.text,
              fmt::format("{} has no MX record ({})", name, l.kind == Lookup::Kind::nxdomain ? "NXDOMAIN" : "no data"));
        return;
    }
    const auto records = dns::mx_records(l.answer);
    if (static_cast<int>(records.size()) > limits_.mx_names) {
        std::string hosts;
        for (const auto& r : records) hosts += (hosts.empty() ? "" : ", ") + r.exchange;
        issue(PolicyIssue::Kind::mx_limit, node, m.text, fmt::format("{} has {} MX records: {}", name, records.size(), hosts));
    }
}

void Walker::exists_term(const Mechanism& m, const std::string& name, PolicyNode& node) {
    const Lookup l = classify(resolver_.query({.name = presentation_name(name), .type = LDNS_RR_TYPE_A}), LDNS_RR_TYPE_A);
    if (!l.is_void()) return;
    ++node.void_lookups;
    issue(PolicyIssue::Kind::void_lookup, node, m.text, fmt::format("{} has no A record", name));
}

/// A child node for an include/redirect target, or nullptr when it is not walked (loop, size).
PolicyNode* Walker::follow(PolicyNode& node, const std::string& via, const std::string& target, std::vector<std::string>& path) {
    node.children.push_back({});
    PolicyNode& child = node.children.back();
    child.domain = target;
    child.via = via;
    if (std::find(path.begin(), path.end(), lowered(target)) != path.end()) {
        child.note = "loop: " + target + " is already being evaluated on this path";
        std::string chain;
        for (const auto& p : path) chain += p + " → ";
        issue(PolicyIssue::Kind::loop, node, via, chain + lowered(target));
        return nullptr;
    }
    if (nodes_ >= max_nodes_ || static_cast<int>(path.size()) > limits_.max_depth) {
        child.note = fmt::format("not followed: the tree has more than {} records or is deeper than {}", max_nodes_, limits_.max_depth);
        return nullptr;
    }
    return &child;
}

void Walker::term(const Mechanism& m, PolicyNode& node, std::vector<std::string>& path) {
    if (m.queries_dns()) ++node.lookups;
    if (m.kind == MechanismKind::ip4 || m.kind == MechanismKind::ip6) {
        const bool v6 = m.kind == MechanismKind::ip6;
        out_.ranges.push_back({node.domain, m.text, v6, v6 ? m.cidr6 : m.cidr4});
        return;
    }
    if (m.kind == MechanismKind::ptr) {
        out_.uses_ptr = true;
        issue(PolicyIssue::Kind::ptr, node, m.text, "");
    }
    if (!m.queries_dns() || m.kind == MechanismKind::ptr) return;
    auto name = resolve(m.domain_spec, m.target, node.domain);
    if (!name) {
        issue(PolicyIssue::Kind::unresolved, node, m.text, "depends on the client (macros): counted, not looked up");
        return;
    }
    switch (m.kind) {
        case MechanismKind::a: address_term(m, *name, node); break;
        case MechanismKind::mx: mx_term(m, *name, node); break;
        case MechanismKind::exists: exists_term(m, *name, node); break;
        case MechanismKind::include:
            if (PolicyNode* child = follow(node, m.text, *name, path)) {
                walk(*child, path, false);
                if (child->all == "+all")
                    issue(PolicyIssue::Kind::include_matches_all, node, m.text,
                          *name + " ends with +all, so this include matches every client");
            }
            break;
        default: break;
    }
}

/// §4.5: fetches the node's one SPF record; false when there is none to walk.
bool Walker::select(PolicyNode& node, bool top, std::string& record) {
    const Lookup txt = classify(resolver_.query({.name = presentation_name(node.domain), .type = LDNS_RR_TYPE_TXT}), LDNS_RR_TYPE_TXT);
    if (top) out_.txt = txt.answer;
    if (txt.kind == Lookup::Kind::error) {
        node.note = "TXT lookup failed: " + txt.error;
        if (offline_ && !top) return false;  // outside the zone file: not followed
        if (!out_.failure)
            out_.failure = top ? fmt::format("TXT lookup of {} failed: {}", node.domain, txt.error)
                               : fmt::format("TXT lookup of {} ({}) failed: {}", node.domain, node.via, txt.error);
        return false;
    }
    std::vector<std::string> records;
    for (auto& t : dns::txt_records(txt.answer))
        if (is_spf_record(t)) records.push_back(std::move(t));
    if (top) {
        out_.records = records;
        out_.nxdomain = txt.kind == Lookup::Kind::nxdomain;
    }
    if (records.empty()) {
        node.note = txt.kind == Lookup::Kind::nxdomain ? "the domain does not exist" : "no SPF record";
        if (!top) issue(PolicyIssue::Kind::include_none, node, node.via, node.note);
        return false;
    }
    if (records.size() > 1) {
        node.note = fmt::format("{} SPF records", records.size());
        std::string list;
        for (const auto& r : records) list += (list.empty() ? "\"" : ", \"") + printable(r) + "\"";
        issue(PolicyIssue::Kind::multiple, node, node.via, list);
        return false;
    }
    record = records.front();
    return true;
}

void Walker::walk(PolicyNode& node, std::vector<std::string>& path, bool top) {
    ++nodes_;
    std::string text;
    if (!select(node, top, text)) return;
    node.record = text;
    const ParseResult parsed = parse_record(text);
    if (!parsed.ok()) {
        node.note = "syntax error";
        if (top) out_.syntax = parsed.error;
        issue(PolicyIssue::Kind::syntax, node, parsed.error->term, parsed.error->describe());
        return;
    }
    const Record& record = *parsed.record;
    path.push_back(lowered(node.domain));
    for (const auto& m : record.mechanisms) term(m, node, path);
    node.all = all_text(record.all());
    if (record.redirect && record.all() == nullptr) {
        ++node.lookups;
        auto name = resolve(record.redirect->value, record.redirect->macro, node.domain);
        if (!name) {
            issue(PolicyIssue::Kind::unresolved, node, record.redirect->text, "depends on the client (macros): not followed");
        } else if (PolicyNode* child = follow(node, record.redirect->text, *name, path)) {
            walk(*child, path, false);
            node.all = child->all;
        }
    }
    path.pop_back();
}

bool is_permerror(PolicyIssue::Kind kind) {
    switch (kind) {
        case PolicyIssue::Kind::syntax:
        case PolicyIssue::Kind::multiple:
        case PolicyIssue::Kind::include_none:
        case PolicyIssue::Kind::loop:
        case PolicyIssue::Kind::mx_limit: return true;
        default: return false;
    }
}

Result result_of_all(const std::string& all) {
    if (all == "+all") return Result::pass;
    if (all == "-all") return Result::fail;
    if (all == "~all") return Result::softfail;
    return Result::neutral;
}

}  // namespace

int PolicyNode::subtree_lookups() const {
    int n = lookups;
    for (const auto& c : children) n += c.subtree_lookups();
    return n;
}

int PolicyNode::subtree_void_lookups() const {
    int n = void_lookups;
    for (const auto& c : children) n += c.subtree_void_lookups();
    return n;
}

Json PolicyNode::to_json() const {
    Json j{{"domain", printable(domain)}};
    if (!via.empty()) j["via"] = printable(via);
    j["record"] = printable(record);
    j["lookups"] = lookups;
    j["subtree_lookups"] = subtree_lookups();
    if (void_lookups > 0) j["void_lookups"] = void_lookups;
    if (!note.empty()) j["note"] = note;
    Json kids = Json::array();
    for (const auto& c : children) kids.push_back(c.to_json());
    j["children"] = std::move(kids);
    return j;
}

PolicyAudit audit_policy(dns::Resolver& resolver, const std::string& domain, const Limits& limits, int max_nodes, bool offline) {
    PolicyAudit out;
    out.tree.domain = domain;
    Walker walker(resolver, limits, out, domain, max_nodes, offline);
    std::vector<std::string> path;
    walker.walk(out.tree, path, true);
    out.lookups = out.tree.subtree_lookups();
    out.void_lookups = out.tree.subtree_void_lookups();
    if (out.failure || out.records.empty()) {
        out.result = out.failure ? Result::temperror : Result::none;
        out.all = out.failure ? "" : "none";
        return out;
    }
    const bool permerror = std::any_of(out.issues.begin(), out.issues.end(), [](const PolicyIssue& i) { return is_permerror(i.kind); }) ||
                           out.lookups > limits.dns_terms || out.void_lookups > limits.void_lookups;
    out.all = permerror ? "" : out.tree.all;
    out.result = permerror ? Result::permerror : result_of_all(out.tree.all);
    return out;
}

}  // namespace mamori::spf
