/// \file checks/spf/spf_evaluator.cpp — check_host(): record selection, mechanisms, macros, limits, exp=.
#include "checks/spf/spf_evaluator.h"

#include "checks/spf/spf_dns.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>

namespace mamori::spf {
namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string url_escape(const std::string& value) {
    std::string out;
    for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || c == '~') out.push_back(c);
        else out += fmt::format("%{:02X}", u);
    }
    return out;
}

/// §7.3: split on the delimiters, optionally reverse, keep the right-hand parts, join with dots.
std::string transform(const std::string& value, const MacroToken& token) {
    if (token.digits == 0 && !token.reverse && token.delimiters.empty()) return value;
    const std::string delimiters = token.delimiters.empty() ? "." : token.delimiters;
    std::vector<std::string> parts(1);
    for (char c : value) {
        if (delimiters.find(c) != std::string::npos) parts.emplace_back();
        else parts.back().push_back(c);
    }
    if (token.reverse) std::reverse(parts.begin(), parts.end());
    std::size_t first = 0;
    if (token.digits != 0 && token.digits < parts.size()) first = parts.size() - token.digits;
    std::string out;
    for (std::size_t i = first; i < parts.size(); ++i) out += (i == first ? "" : ".") + parts[i];
    return out;
}

std::string macro_value(char letter, const MacroEnv& env) {
    switch (letter) {
        case 's': return env.sender;
        case 'l': return env.local_part;
        case 'o': return env.sender_domain;
        case 'd': return env.domain;
        case 'i': return dotted_ip(env.ip);
        case 'p': return env.validated_name ? env.validated_name(env.domain) : "unknown";
        case 'v': return env.ip.v6 ? "ip6" : "in-addr";
        case 'h': return env.helo;
        case 'c': return env.ip.to_string();
        case 'r': return env.receiver;
        case 't': return std::to_string(env.now);
        default: return {};
    }
}

bool valid_check_domain(const std::string& domain) {
    std::string_view d = domain;
    if (!d.empty() && d.back() == '.') d.remove_suffix(1);
    if (d.empty() || d.size() > 253 || d.front() == '[') return false;
    std::size_t labels = 0;
    std::size_t start = 0;
    while (start <= d.size()) {
        const std::size_t dot = std::min(d.find('.', start), d.size());
        const std::size_t len = dot - start;
        if (len == 0 || len > 63) return false;
        ++labels;
        start = dot + 1;
    }
    return labels >= 2;
}

bool printable_ascii(const std::string& text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x20 && u <= 0x7e;
    });
}

std::string lowered(std::string s) {
    for (char& c : s) c = lower(c);
    return s;
}

bool same_or_below(const std::string& name, const std::string& domain) {
    const std::string n = lowered(name);
    const std::string d = lowered(domain);
    return n == d || (n.size() > d.size() && n.compare(n.size() - d.size(), d.size(), d) == 0 &&
                      n[n.size() - d.size() - 1] == '.');
}

enum class Match { match, no_match, temperror, permerror };

struct Outcome {
    Result result = Result::none;
    std::string explanation;
    std::string reason;
};

struct TermOutcome {
    Match match = Match::no_match;
    std::string detail;
};

/// The client's validated host names (§5.5), looked up once per evaluation and shared by
/// the ptr mechanism and %{p}.
struct PtrInfo {
    Lookup lookup;
    std::vector<std::string> names;      ///< every PTR name, raw, no trailing dot
    std::vector<std::string> validated;  ///< those of the first N whose addresses include the client
};

class Run {
public:
    Run(dns::Resolver& resolver, const Limits& limits, const Request& request, const Address& ip)
        : resolver_(resolver), limits_(limits) {
        env_.ip = ip;
        env_.helo = request.helo;
        env_.receiver = request.receiver;
        env_.now = std::chrono::duration_cast<std::chrono::seconds>(request.now.time_since_epoch()).count();
        env_.validated_name = [this](const std::string& domain) { return validated_name(domain); };
    }

    void set_sender(const std::string& sender) {
        const std::size_t at = sender.rfind('@');
        env_.local_part = at == std::string::npos || at == 0 ? "postmaster" : sender.substr(0, at);
        env_.sender_domain = at == std::string::npos ? sender : sender.substr(at + 1);
        env_.sender = env_.local_part + "@" + env_.sender_domain;
    }

    Outcome check_host(const std::string& domain, int depth, TreeNode& node, bool explain);

    int lookups = 0;
    int void_lookups = 0;
    std::vector<TraceStep> trace;

private:
    void step(int depth, const std::string& domain, std::string kind, std::string term, std::string outcome,
              std::string detail) {
        trace.push_back({depth, domain, std::move(kind), std::move(term), std::move(outcome), std::move(detail)});
    }
    Lookup lookup(int depth, const std::string& domain, const std::string& name, ldns_rr_type type);
    std::vector<Lookup> lookup_all(int depth, const std::string& domain, const std::vector<std::string>& names, ldns_rr_type type);
    std::optional<Outcome> select_record(const std::string& domain, int depth, std::string& record);
    bool count_term(int depth, const std::string& domain, const std::string& term, TreeNode& node);
    bool count_void(int depth, const std::string& domain, const std::string& term);
    std::optional<std::string> target(const Mechanism& m, const std::string& domain);
    TermOutcome evaluate(const Mechanism& m, const std::string& domain, int depth, TreeNode& node);
    TermOutcome address_match(const Mechanism& m, const std::string& domain, int depth);
    TermOutcome mx_match(const Mechanism& m, const std::string& domain, int depth);
    TermOutcome ptr_match(const Mechanism& m, const std::string& domain, int depth);
    TermOutcome exists_match(const Mechanism& m, const std::string& domain, int depth);
    TermOutcome include_match(const Mechanism& m, const std::string& domain, int depth, TreeNode& node);
    Outcome redirect(const Modifier& r, const std::string& domain, int depth, TreeNode& node, bool explain);
    std::string explanation(const Modifier& exp, const std::string& domain, int depth);
    const PtrInfo& ptr_info(int depth, const std::string& domain);
    std::string validated_name(const std::string& domain);
    MacroEnv env_for(const std::string& domain) const {
        MacroEnv env = env_;
        env.domain = domain;
        return env;
    }
    ldns_rr_type address_type() const { return env_.ip.v6 ? LDNS_RR_TYPE_AAAA : LDNS_RR_TYPE_A; }

    dns::Resolver& resolver_;
    const Limits& limits_;
    MacroEnv env_;
    std::optional<PtrInfo> ptr_;
};

Lookup Run::lookup(int depth, const std::string& domain, const std::string& name, ldns_rr_type type) {
    Lookup l = classify(resolver_.query({.name = presentation_name(name), .type = type}), type);
    step(depth, domain, "dns", "", std::string(to_string(l.kind)), describe(l, name, type));
    return l;
}

std::vector<Lookup> Run::lookup_all(int depth, const std::string& domain, const std::vector<std::string>& names,
                                    ldns_rr_type type) {
    std::vector<dns::Question> questions;
    for (const auto& n : names) questions.push_back({.name = presentation_name(n), .type = type});
    auto answers = resolver_.query_all(questions);
    std::vector<Lookup> out;
    for (std::size_t i = 0; i < answers.size(); ++i) {
        out.push_back(classify(std::move(answers[i]), type));
        step(depth, domain, "dns", "", std::string(to_string(out.back().kind)), describe(out.back(), names[i], type));
    }
    return out;
}

bool Run::count_term(int depth, const std::string& domain, const std::string& term, TreeNode& node) {
    ++lookups;
    ++node.lookups;
    if (lookups <= limits_.dns_terms) return true;
    step(depth, domain, "limit", term, "permerror",
         fmt::format("DNS-querying term number {} exceeds the limit of {} (§4.6.4)", lookups, limits_.dns_terms));
    return false;
}

bool Run::count_void(int depth, const std::string& domain, const std::string& term) {
    ++void_lookups;
    if (void_lookups <= limits_.void_lookups) return true;
    step(depth, domain, "limit", term, "permerror",
         fmt::format("void lookup number {} exceeds the limit of {} (§4.6.4)", void_lookups, limits_.void_lookups));
    return false;
}

std::optional<std::string> Run::target(const Mechanism& m, const std::string& domain) {
    if (m.domain_spec.empty()) return domain;
    return target_name(expand_macros(m.target, env_for(domain)));
}

/// §4.4, §4.5: exactly one "v=spf1" TXT record. Returns an outcome when there is none to evaluate.
std::optional<Outcome> Run::select_record(const std::string& domain, int depth, std::string& record) {
    if (!valid_check_domain(domain)) {
        step(depth, domain, "record", "", "none", "not a valid multi-label domain name (§4.3)");
        return Outcome{Result::none, "", domain + " is not a valid domain name"};
    }
    Lookup txt = lookup(depth, domain, domain, LDNS_RR_TYPE_TXT);
    if (txt.kind == Lookup::Kind::error) return Outcome{Result::temperror, "", "TXT lookup of " + domain + " failed: " + txt.error};
    std::vector<std::string> records;
    for (auto& t : dns::txt_records(txt.answer))
        if (is_spf_record(t)) records.push_back(std::move(t));
    if (records.empty()) {
        step(depth, domain, "record", "", "none", "no v=spf1 record");
        return Outcome{Result::none, "", domain + " publishes no SPF record"};
    }
    if (records.size() > 1) {
        std::string list;
        for (const auto& r : records) list += (list.empty() ? "\"" : ", \"") + printable(r) + "\"";
        step(depth, domain, "record", "", "permerror", fmt::format("{} v=spf1 records: {} (§4.5)", records.size(), list));
        return Outcome{Result::permerror, "", fmt::format("{} publishes {} SPF records", domain, records.size())};
    }
    record = records.front();
    step(depth, domain, "record", "", "found", printable(record));
    return std::nullopt;
}

Outcome Run::check_host(const std::string& domain, int depth, TreeNode& node, bool explain) {
    node.domain = domain;
    std::string text;
    if (auto early = select_record(domain, depth, text)) {
        node.result = std::string(to_string(early->result));
        return *early;
    }
    node.record = text;
    auto finish = [&](Outcome o) {
        node.result = std::string(to_string(o.result));
        return o;
    };
    const ParseResult parsed = parse_record(text);
    if (!parsed.ok()) {
        step(depth, domain, "record", parsed.error->term, "permerror", "syntax error: " + parsed.error->describe());
        return finish({Result::permerror, "", "syntax error in the record of " + domain + ": " + parsed.error->describe()});
    }
    const Record& record = *parsed.record;
    for (const auto& m : record.mechanisms) {
        TermOutcome t = evaluate(m, domain, depth, node);
        const char* outcome = t.match == Match::match ? "match" : t.match == Match::no_match ? "no match"
                              : t.match == Match::temperror ? "temperror" : "permerror";
        step(depth, domain, "term", m.text, outcome, t.detail);
        if (t.match == Match::temperror) return finish({Result::temperror, "", fmt::format("{} ({}): {}", m.text, domain, t.detail)});
        if (t.match == Match::permerror) return finish({Result::permerror, "", fmt::format("{} ({}): {}", m.text, domain, t.detail)});
        if (t.match != Match::match) continue;
        Outcome o{result_of(m.qualifier), "", fmt::format("{} matched in the record of {}", m.text, domain)};
        if (o.result == Result::fail && explain && record.exp) o.explanation = explanation(*record.exp, domain, depth);
        return finish(o);
    }
    if (record.redirect) return finish(redirect(*record.redirect, domain, depth, node, explain));
    step(depth, domain, "result", "", "neutral", "no mechanism matched and there is no redirect: the default result (§4.7)");
    return finish({Result::neutral, "", "no mechanism matched in the record of " + domain});
}

TermOutcome Run::evaluate(const Mechanism& m, const std::string& domain, int depth, TreeNode& node) {
    if (m.queries_dns() && !count_term(depth, domain, m.text, node))
        return {Match::permerror, fmt::format("more than {} DNS-querying terms (§4.6.4)", limits_.dns_terms)};
    switch (m.kind) {
        case MechanismKind::all: return {Match::match, "all matches every client"};
        case MechanismKind::ip4:
        case MechanismKind::ip6: {
            const int prefix = m.kind == MechanismKind::ip4 ? m.cidr4 : m.cidr6;
            const bool in = env_.ip.in(m.network, prefix);
            return {in ? Match::match : Match::no_match,
                    fmt::format("{} {} {}/{}", env_.ip.to_string(), in ? "is in" : "is not in", m.network.to_string(), prefix)};
        }
        case MechanismKind::a: return address_match(m, domain, depth);
        case MechanismKind::mx: return mx_match(m, domain, depth);
        case MechanismKind::ptr: return ptr_match(m, domain, depth);
        case MechanismKind::exists: return exists_match(m, domain, depth);
        case MechanismKind::include: return include_match(m, domain, depth, node);
    }
    return {Match::permerror, "unknown mechanism"};
}

TermOutcome Run::address_match(const Mechanism& m, const std::string& domain, int depth) {
    auto name = target(m, domain);
    if (!name) return {Match::no_match, "the target is not a valid DNS name: treated as not existing"};
    Lookup l = lookup(depth, domain, *name, address_type());
    if (l.kind == Lookup::Kind::error) return {Match::temperror, "lookup failed: " + l.error};
    if (l.is_void()) {
        if (!count_void(depth, domain, m.text)) return {Match::permerror, "more than 2 void lookups (§4.6.4)"};
        return {Match::no_match, *name + " has no address of the client's family"};
    }
    const int prefix = env_.ip.v6 ? m.cidr6 : m.cidr4;
    for (const auto& text : dns::addresses(l.answer)) {
        auto a = Address::parse(text);
        if (a && env_.ip.in(*a, prefix))
            return {Match::match, fmt::format("{} is in {}/{} ({})", env_.ip.to_string(), text, prefix, *name)};
    }
    return {Match::no_match, fmt::format("{} is not in the /{} of any address of {}", env_.ip.to_string(), prefix, *name)};
}

TermOutcome Run::mx_match(const Mechanism& m, const std::string& domain, int depth) {
    auto name = target(m, domain);
    if (!name) return {Match::no_match, "the target is not a valid DNS name: treated as not existing"};
    Lookup l = lookup(depth, domain, *name, LDNS_RR_TYPE_MX);
    if (l.kind == Lookup::Kind::error) return {Match::temperror, "MX lookup failed: " + l.error};
    if (l.is_void()) {
        if (!count_void(depth, domain, m.text)) return {Match::permerror, "more than 2 void lookups (§4.6.4)"};
        return {Match::no_match, *name + " has no MX records (no fallback to A, §5.4)"};
    }
    const auto records = dns::mx_records(l.answer);
    if (static_cast<int>(records.size()) > limits_.mx_names) {
        step(depth, domain, "limit", m.text, "permerror",
             fmt::format("{} has {} MX records; at most {} may be looked up (§4.6.4)", *name, records.size(), limits_.mx_names));
        return {Match::permerror, fmt::format("{} MX records, more than {} (§4.6.4)", records.size(), limits_.mx_names)};
    }
    std::vector<std::string> hosts;
    for (const auto& r : records) {
        std::string host = raw_name(r.exchange);
        if (!host.empty()) hosts.push_back(host);  // "." is a null MX: nothing to look up
    }
    const auto answers = lookup_all(depth, domain, hosts, address_type());
    const int prefix = env_.ip.v6 ? m.cidr6 : m.cidr4;
    std::string failure;
    for (std::size_t i = 0; i < answers.size(); ++i) {
        if (answers[i].kind == Lookup::Kind::error) failure = hosts[i] + ": " + answers[i].error;
        for (const auto& text : dns::addresses(answers[i].answer)) {
            auto a = Address::parse(text);
            if (a && env_.ip.in(*a, prefix))
                return {Match::match, fmt::format("{} is in {}/{} (MX {})", env_.ip.to_string(), text, prefix, hosts[i])};
        }
    }
    if (!failure.empty()) return {Match::temperror, "address lookup of an MX host failed: " + failure};
    return {Match::no_match, fmt::format("{} is not in the /{} of any address of the {} MX host(s)", env_.ip.to_string(), prefix, hosts.size())};
}

const PtrInfo& Run::ptr_info(int depth, const std::string& domain) {
    if (ptr_) return *ptr_;
    PtrInfo info;
    info.lookup = lookup(depth, domain, reverse_name(env_.ip), LDNS_RR_TYPE_PTR);
    info.names = ptr_names(info.lookup.answer);
    std::vector<std::string> checked(info.names.begin(),
                                     info.names.begin() + std::min<std::ptrdiff_t>(limits_.ptr_names, static_cast<std::ptrdiff_t>(info.names.size())));
    if (info.names.size() > checked.size())
        step(depth, domain, "limit", "", "truncated",
             fmt::format("{} PTR names; only the first {} are checked (§4.6.4)", info.names.size(), checked.size()));
    const auto answers = lookup_all(depth, domain, checked, address_type());
    for (std::size_t i = 0; i < answers.size(); ++i) {
        // A failed lookup skips that name (§5.5).
        for (const auto& text : dns::addresses(answers[i].answer)) {
            auto a = Address::parse(text);
            if (a && *a == env_.ip) {
                info.validated.push_back(checked[i]);
                break;
            }
        }
    }
    ptr_ = std::move(info);
    return *ptr_;
}

TermOutcome Run::ptr_match(const Mechanism& m, const std::string& domain, int depth) {
    auto name = target(m, domain);
    const PtrInfo& info = ptr_info(depth, domain);
    if (info.lookup.kind == Lookup::Kind::error) return {Match::no_match, "PTR lookup failed, so ptr does not match (§5.5)"};
    if (info.lookup.is_void() && !count_void(depth, domain, m.text)) return {Match::permerror, "more than 2 void lookups (§4.6.4)"};
    if (!name) return {Match::no_match, "the target is not a valid DNS name"};
    for (const auto& v : info.validated)
        if (same_or_below(v, *name)) return {Match::match, fmt::format("validated name {} is in {}", v, *name)};
    return {Match::no_match, fmt::format("no validated name of {} is in {} ({} validated)", env_.ip.to_string(), *name, info.validated.size())};
}

std::string Run::validated_name(const std::string& domain) {
    const PtrInfo& info = ptr_info(0, domain);
    for (const auto& v : info.validated)
        if (same_or_below(v, domain) && lowered(v) == lowered(domain)) return v;
    for (const auto& v : info.validated)
        if (same_or_below(v, domain)) return v;
    return info.validated.empty() ? "unknown" : info.validated.front();
}

TermOutcome Run::exists_match(const Mechanism& m, const std::string& domain, int depth) {
    auto name = target(m, domain);
    if (!name) return {Match::no_match, "the target is not a valid DNS name: treated as not existing"};
    Lookup l = lookup(depth, domain, *name, LDNS_RR_TYPE_A);  // always A, even for IPv6 clients (§5.7)
    if (l.kind == Lookup::Kind::error) return {Match::temperror, "lookup failed: " + l.error};
    if (l.is_void()) {
        if (!count_void(depth, domain, m.text)) return {Match::permerror, "more than 2 void lookups (§4.6.4)"};
        return {Match::no_match, *name + " has no A record"};
    }
    return {Match::match, *name + " has an A record"};
}

TermOutcome Run::include_match(const Mechanism& m, const std::string& domain, int depth, TreeNode& node) {
    auto name = target(m, domain);
    if (!name) return {Match::permerror, "the include target is not a valid domain name"};
    if (depth + 1 > limits_.max_depth) return {Match::permerror, fmt::format("include nesting deeper than {}", limits_.max_depth)};
    node.children.push_back({});
    TreeNode& child = node.children.back();
    child.via = m.text;
    Outcome o = check_host(*name, depth + 1, child, false);
    switch (o.result) {
        case Result::pass: return {Match::match, *name + " gave pass"};
        case Result::fail:
        case Result::softfail:
        case Result::neutral: return {Match::no_match, fmt::format("{} gave {}", *name, to_string(o.result))};
        case Result::temperror: return {Match::temperror, fmt::format("{} gave temperror: {}", *name, o.reason)};
        case Result::permerror: return {Match::permerror, fmt::format("{} gave permerror: {}", *name, o.reason)};
        case Result::none: return {Match::permerror, *name + " has no SPF record: include of it is a permerror (§5.2)"};
    }
    return {Match::permerror, "unexpected result"};
}

Outcome Run::redirect(const Modifier& r, const std::string& domain, int depth, TreeNode& node, bool explain) {
    if (!count_term(depth, domain, r.text, node))
        return {Result::permerror, "", fmt::format("{}: more than {} DNS-querying terms (§4.6.4)", r.text, limits_.dns_terms)};
    auto name = target_name(expand_macros(r.macro, env_for(domain)));
    if (!name) {
        step(depth, domain, "redirect", r.text, "permerror", "the redirect target is not a valid domain name (§6.1)");
        return {Result::permerror, "", r.text + ": the target is not a valid domain name"};
    }
    if (depth + 1 > limits_.max_depth) return {Result::permerror, "", fmt::format("redirect nesting deeper than {}", limits_.max_depth)};
    step(depth, domain, "redirect", r.text, "follow", "no mechanism matched: evaluating " + *name + " (§6.1)");
    node.children.push_back({});
    TreeNode& child = node.children.back();
    child.via = r.text;
    Outcome o = check_host(*name, depth + 1, child, explain);
    if (o.result == Result::none)
        return {Result::permerror, "", *name + " has no SPF record: redirect to it is a permerror (§6.1)"};
    return o;
}

/// §6.2: the explanation of a fail; any problem just means no explanation.
std::string Run::explanation(const Modifier& exp, const std::string& domain, int depth) {
    auto ignored = [&](const std::string& why) {
        step(depth, domain, "explanation", exp.text, "ignored", why + " (§6.2)");
        return std::string();
    };
    const MacroEnv env = env_for(domain);
    auto name = target_name(expand_macros(exp.macro, env));
    if (!name) return ignored("the exp= target is not a valid domain name");
    const dns::Answer answer = resolver_.query({.name = presentation_name(*name), .type = LDNS_RR_TYPE_TXT});
    Lookup l = classify(answer, LDNS_RR_TYPE_TXT);
    step(depth, domain, "dns", "", std::string(to_string(l.kind)), describe(l, *name, LDNS_RR_TYPE_TXT));
    if (l.kind != Lookup::Kind::found) return ignored("no TXT record at " + *name);
    const auto texts = dns::txt_records(l.answer);
    if (texts.size() != 1) return ignored(fmt::format("{} TXT records at {}, not exactly one", texts.size(), *name));
    if (!printable_ascii(texts.front())) return ignored("the explanation is not printable 7-bit ASCII");
    MacroError error;
    auto parsed = parse_explanation(texts.front(), &error);
    if (!parsed) return ignored("syntax error in the explanation: " + error.message);
    std::string text = expand_macros(*parsed, env);
    step(depth, domain, "explanation", exp.text, "used", printable(text));
    return text;
}

}  // namespace

std::string_view to_string(Result result) {
    switch (result) {
        case Result::none: return "none";
        case Result::neutral: return "neutral";
        case Result::pass: return "pass";
        case Result::fail: return "fail";
        case Result::softfail: return "softfail";
        case Result::temperror: return "temperror";
        case Result::permerror: return "permerror";
    }
    return "none";
}

Result result_of(Qualifier qualifier) {
    switch (qualifier) {
        case Qualifier::pass: return Result::pass;
        case Qualifier::fail: return Result::fail;
        case Qualifier::softfail: return Result::softfail;
        case Qualifier::neutral: return Result::neutral;
    }
    return Result::neutral;
}

std::string dotted_ip(const Address& ip) {
    if (!ip.v6) return fmt::format("{}.{}.{}.{}", ip.bytes[0], ip.bytes[1], ip.bytes[2], ip.bytes[3]);
    std::string out;
    for (std::uint8_t b : ip.bytes) out += fmt::format("{}{:X}.{:X}", out.empty() ? "" : ".", b >> 4, b & 0xf);
    return out;
}

std::string expand_macros(const MacroString& macro, const MacroEnv& env) {
    std::string out;
    for (const auto& token : macro.tokens) {
        switch (token.kind) {
            case MacroToken::Kind::literal: out += token.text; break;
            case MacroToken::Kind::percent: out += '%'; break;
            case MacroToken::Kind::space: out += ' '; break;
            case MacroToken::Kind::url_space: out += "%20"; break;
            case MacroToken::Kind::macro: {
                std::string value = transform(macro_value(token.letter, env), token);
                out += token.url_escape ? url_escape(value) : value;
                break;
            }
        }
    }
    return out;
}

std::optional<std::string> target_name(std::string expanded) {
    if (!expanded.empty() && expanded.back() == '.') expanded.pop_back();
    while (expanded.size() > 253) {
        const std::size_t dot = expanded.find('.');
        if (dot == std::string::npos) return std::nullopt;
        expanded.erase(0, dot + 1);
    }
    if (expanded.empty()) return std::nullopt;
    std::size_t start = 0;
    while (start <= expanded.size()) {
        const std::size_t dot = std::min(expanded.find('.', start), expanded.size());
        if (dot == start || dot - start > 63) return std::nullopt;
        start = dot + 1;
    }
    return expanded;
}

std::string presentation_name(const std::string& name) {
    std::string out;
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '.' || std::isalnum(u) != 0 || c == '-' || c == '_') out.push_back(c);
        else out += fmt::format("\\{:03}", u);
    }
    return out + ".";
}

Json TraceStep::to_json() const {
    return Json{{"depth", depth}, {"domain", domain}, {"step", step}, {"term", term}, {"outcome", outcome}, {"detail", detail}};
}

int TreeNode::subtree_lookups() const {
    int n = lookups;
    for (const auto& c : children) n += c.subtree_lookups();
    return n;
}

Json TreeNode::to_json() const {
    Json children_json = Json::array();
    for (const auto& c : children) children_json.push_back(c.to_json());
    Json j{{"domain", printable(domain)}};
    if (!via.empty()) j["via"] = printable(via);
    j["record"] = printable(record);
    j["lookups"] = lookups;
    j["subtree_lookups"] = subtree_lookups();
    if (!result.empty()) j["result"] = result;
    j["children"] = std::move(children_json);
    return j;
}

Json Evaluation::to_json() const {
    Json steps = Json::array();
    for (const auto& s : trace) steps.push_back(s.to_json());
    return Json{{"result", std::string(to_string(result))}, {"explanation", explanation}, {"lookups", lookups},
                {"void_lookups", void_lookups}, {"trace", std::move(steps)}};
}

Evaluation Evaluator::check_host(const Request& request) const {
    Evaluation e;
    auto ip = Address::parse(request.ip);
    if (!ip) {
        e.result = Result::permerror;
        e.reason = "'" + printable(request.ip) + "' is not an IP address";
        return e;
    }
    Request r = request;
    const std::string sender = !r.sender.empty() ? r.sender : "postmaster@" + (r.helo.empty() ? r.domain : r.helo);
    const std::size_t at = sender.rfind('@');
    std::string domain = !r.domain.empty() ? r.domain : at == std::string::npos ? sender : sender.substr(at + 1);
    if (!domain.empty() && domain.back() == '.') domain.pop_back();
    if (r.helo.empty()) r.helo = domain;
    Run run(resolver_, limits_, r, *ip);
    run.set_sender(sender);
    Outcome o = run.check_host(domain, 0, e.tree, true);
    e.result = o.result;
    e.explanation = o.explanation;
    e.reason = o.reason;
    e.lookups = run.lookups;
    e.void_lookups = run.void_lookups;
    e.trace = std::move(run.trace);
    return e;
}

}  // namespace mamori::spf
