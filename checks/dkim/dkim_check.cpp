/// \file checks/dkim/dkim_check.cpp — finds a domain's DKIM keys and judges each one.
#include "checks/dkim/dkim_check.h"

#include "checks/dkim/dkim_key.h"
#include "checks/dkim/dkim_selectors.h"
#include "checks/dmarc/lookup.h"
#include "checks/dmarc/spf_view.h"
#include "core/profile.h"

#include <fmt/format.h>

#include <functional>

namespace mamori::checks {
namespace {

using MakeFinding = std::function<Finding(std::string_view, std::string, Json, std::string)>;

/// One key record found at one selector.
struct Found {
    std::string selector;
    std::string name;                 ///< <selector>._domainkey.<domain>
    std::vector<std::string> chain;   ///< CNAMEs followed to reach it
    DkimKey key;
};

Json key_facts(const DkimKey& k) {
    Json j = Json::object();
    if (k.key_type == "rsa" || k.key_type == "ed25519") j["key"] = k.key_type;
    if (k.bits) j["bits"] = *k.bits;
    j["revoked"] = k.revoked;
    j["testing"] = k.testing;
    j["valid"] = k.usable();
    return j;
}

Json evidence(const Found& f) {
    Json ev{{"name", f.name}, {"record", f.key.text}};
    if (!f.chain.empty()) ev["cname_chain"] = f.chain;
    return ev;
}

std::string key_record_example(const Found& f) {
    return fmt::format("{}. TXT \"v=DKIM1; k=rsa; p=<base64 of the 2048-bit public key (SubjectPublicKeyInfo)>\"", f.name);
}

/// Findings about one key; `others_usable` says whether the domain has a usable key besides it.
void judge(const Found& f, bool others_usable, int min_bits, const MakeFinding& make, std::vector<Finding>& out) {
    const DkimKey& k = f.key;
    if (!k.problems.empty()) {
        out.push_back(make("DKIM-KEY-INVALID",
                           fmt::format("the DKIM key at {} is unusable: {}", f.name, k.problems.front()),
                           [&] { Json ev = evidence(f); ev["problems"] = k.problems; return ev; }(),
                           fmt::format("Republish the key from the signer's configuration, e.g. {}; mail signed with "
                                       "selector {} fails DKIM until then.", key_record_example(f), f.selector)));
        return;
    }
    if (k.revoked) {
        Finding r = make("DKIM-KEY-REVOKED", fmt::format("the DKIM key at {} is revoked (empty p=)", f.name), evidence(f),
                         others_usable ? std::string()
                                       : fmt::format("No usable DKIM key was found: publish the key of the selector "
                                                     "your signer uses, e.g. {}", key_record_example(f)));
        r.severity = others_usable ? Severity::info : Severity::warning;
        out.push_back(std::move(r));
        return;
    }
    if (k.key_type == "rsa" && k.bits && *k.bits < min_bits) {
        Finding w = make("DKIM-RSA-WEAK",
                         fmt::format("the DKIM key at {} is RSA {} bits{}", f.name, *k.bits,
                                     *k.bits < 1024 ? ": verifiers must reject signatures made with it (RFC 8301 §3.2)"
                                                    : fmt::format(", below the recommended {}", min_bits)),
                         [&] { Json ev = evidence(f); ev["bits"] = *k.bits; return ev; }(),
                         fmt::format("Generate a {0}-bit RSA key, publish it under a new selector (e.g. s{0}.{1}. TXT "
                                     "\"v=DKIM1; k=rsa; p=<base64>\"), switch the signer to it, then revoke the old key "
                                     "(publish {2}. TXT \"v=DKIM1; p=\").", std::max(min_bits, 2048),
                                     f.name.substr(f.selector.size() + 1), f.name));
        if (*k.bits < 1024) w.severity = Severity::error;
        out.push_back(std::move(w));
    }
    if (k.testing)
        out.push_back(make("DKIM-TESTING", fmt::format("the DKIM key at {} is in testing mode (t=y)", f.name), evidence(f),
                           fmt::format("Remove y from t= at {} once signing works.", f.name)));
    if (k.sha1_only())
        out.push_back(make("DKIM-SHA1",
                           fmt::format("the DKIM key at {} allows only SHA-1 (h=sha1): verifiers reject rsa-sha1 "
                                       "signatures (RFC 8301)", f.name), evidence(f),
                           fmt::format("Sign with rsa-sha256 and remove h= (or set h=sha256) at {}.", f.name)));
    if (k.key_type == "ed25519")
        out.push_back(make("DKIM-ED25519",
                           fmt::format("the DKIM key at {} is Ed25519{}", f.name,
                                       others_usable ? "" : "; no RSA key beside it, and not every verifier knows Ed25519"),
                           evidence(f), {}));
}

std::vector<Found> collect(const DkimKeys& keys, const std::string& domain, std::vector<std::string>& unanswered) {
    std::vector<Found> found;
    for (std::size_t i = 0; i < keys.answers.size() && i < keys.selectors.size(); ++i) {
        const dns::Answer& a = keys.answers[i];
        const std::string name = keys.selectors[i] + "._domainkey." + domain;
        if (!definitive(a)) {
            unanswered.push_back(fmt::format("{} ({})", name, lookup_failure(a)));
            continue;
        }
        for (const auto& txt : dns::txt_records(a)) {
            if (!looks_like_dkim_key(txt)) continue;
            found.push_back({keys.selectors[i], name, dns::cname_chain(a), parse_dkim_key(txt)});
            break;  // one key per selector; several TXT records there are a signer's mistake
        }
    }
    return found;
}

/// Profile thresholds are validated where profiles load; a value of the wrong type still
/// must not end the audit, so it falls back to the default.
Severity not_found_severity(const Profile& profile) {
    try {
        return parse_severity(profile.threshold<std::string>("dkim_not_found", "warning")).value_or(Severity::warning);
    } catch (const Json::exception&) {
        return Severity::warning;
    }
}

int rsa_min_bits(const Profile& profile) {
    try {
        return profile.threshold<int>("dkim_rsa_min_bits", 2048);
    } catch (const Json::exception&) {
        return 2048;
    }
}

}  // namespace

const CheckInfo& DkimCheck::describe() const {
    static const CheckInfo info{
        .id = "dkim",
        .title = "DKIM keys",
        .description = "Looks up DKIM public keys under the selectors given with --dkim-selectors and a built-in list "
                       "of common ones (an NXDOMAIN for _domainkey.<domain> ends the search, RFC 8020), decodes each "
                       "key and judges its type, size and flags (RFC 6376, RFC 8301, RFC 8463).",
        .applies_to = {TargetKind::domain, TargetKind::zone},
        .needs = need_dns,
        .findings = {
            {"DKIM-NOT-FOUND", Severity::warning, "no DKIM key found",
             "No key was found under the selectors tried. Selectors cannot be listed from DNS, so the domain may "
             "use one not tried (give it with --dkim-selectors); otherwise its mail is not DKIM-signed and DMARC "
             "rests on SPF alone, which breaks on forwarding. Severity follows the profile's dkim_not_found.",
             "Sign outgoing mail with DKIM and publish <selector>._domainkey.<domain> TXT \"v=DKIM1; k=rsa; p=…\".",
             "RFC 6376 §3.6.2.1"},
            {"DKIM-KEY-INVALID", Severity::error, "DKIM key record unusable",
             "The record does not parse, names an unknown key type or version, or its p= does not decode to a "
             "public key of its k= type: every signature with this selector fails.",
             "Republish the public key exactly as the signer exports it.", "RFC 6376 §3.6.1"},
            {"DKIM-KEY-REVOKED", Severity::info, "DKIM key revoked",
             "An empty p= revokes the key (RFC 6376 §3.6.1): fine for a retired selector; a warning when no usable "
             "key is left.", "If the selector is still in use, publish its public key.", "RFC 6376 §3.6.1"},
            {"DKIM-RSA-WEAK", Severity::warning, "short RSA DKIM key",
             "RSA keys under 1024 bits must not be accepted by verifiers (RFC 8301 §3.2: error); keys under 2048 "
             "bits (or the profile's dkim_rsa_min_bits) can be factored by well-resourced attackers (warning).",
             "Rotate to a 2048-bit RSA key under a new selector.", "RFC 8301 §3.2"},
            {"DKIM-TESTING", Severity::warning, "DKIM key in testing mode",
             "t=y tells verifiers the domain is testing DKIM; they must not treat signed mail differently from "
             "unsigned mail.", "Remove the y flag from t= once signing works.", "RFC 6376 §3.6.1"},
            {"DKIM-SHA1", Severity::error, "DKIM key restricted to SHA-1",
             "h=sha1 allows only rsa-sha1 signatures, which signers must not use and verifiers must not accept "
             "(RFC 8301 §3.1).", "Sign with rsa-sha256; remove h= or set h=sha256.", "RFC 8301 §3.1"},
            {"DKIM-ED25519", Severity::info, "Ed25519 DKIM key",
             "Ed25519 keys (RFC 8463) are strong and short, but not every verifier supports them; sign with an RSA "
             "key as well.", "Keep an RSA-SHA256 signature beside the Ed25519 one.", "RFC 8463 §3"},
        }};
    return info;
}

CheckResult DkimCheck::run(const Target& target, Context& context) const {
    const std::string& domain = target.name;
    const DkimKeys& keys = dkim_lookup(context, domain);
    Json facts{{"selectors", Json::object()}, {"tried", keys.selectors.size()},
               {"domainkey", keys.probe.nxdomain() ? "nxdomain" : definitive(keys.probe) ? "exists" : "unknown"}};
    std::vector<std::string> unanswered;
    std::vector<Found> found = collect(keys, domain, unanswered);
    const MakeFinding make = [this](std::string_view id, std::string message, Json evidence, std::string remedy) {
        return finding(id, std::move(message), std::move(evidence), std::move(remedy));
    };
    const int min_bits = rsa_min_bits(context.profile());
    std::size_t usable = 0;
    for (const auto& f : found) {
        facts["selectors"][f.selector] = key_facts(f.key);
        usable += f.key.usable() ? 1 : 0;
    }
    std::vector<Finding> findings;
    for (const auto& f : found) judge(f, usable > (f.key.usable() ? 1u : 0u), min_bits, make, findings);
    if (!found.empty()) return result(std::move(findings), std::move(facts));
    if (!unanswered.empty())
        return failed(fmt::format("DKIM key look-ups failed: {}", unanswered.front()), std::move(facts));
    if (spf_view(context, domain).sends_no_mail()) return result({}, std::move(facts));  // "v=spf1 -all": signs nothing
    Finding nf = finding("DKIM-NOT-FOUND",
                         fmt::format("no DKIM key under {} selectors of {}{}", keys.selectors.size(), domain,
                                     keys.probe.nxdomain() ? " (_domainkey." + domain + " does not exist)" : ""),
                         {{"domainkey", "_domainkey." + domain},
                          {"answer", keys.probe.nxdomain() ? "NXDOMAIN: no selector exists below it (RFC 8020)"
                                                           : "no key record at any selector tried"},
                          {"selectors_tried", keys.selectors}},
                         fmt::format("Sign outgoing mail with DKIM and publish the key, e.g. selector1._domainkey.{}. "
                                     "TXT \"v=DKIM1; k=rsa; p=<base64 public key>\"; if the domain already signs with "
                                     "another selector, audit with --dkim-selectors NAME.", domain));
    nf.severity = not_found_severity(context.profile());
    findings.push_back(std::move(nf));
    return result(std::move(findings), std::move(facts));
}

}  // namespace mamori::checks
