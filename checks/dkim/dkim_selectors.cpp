/// \file checks/dkim/dkim_selectors.cpp — the built-in selector list and the shared look-up.
#include "checks/dkim/dkim_selectors.h"

#include <algorithm>
#include <array>

namespace mamori::checks {

std::span<const std::string_view> builtin_dkim_selectors() {
    // Defaults of common signers and providers: Microsoft 365 (selector1/2), Google
    // Workspace (google), Mailchimp/Mandrill (k1–k3, mandrill), Amazon SES (amazonses),
    // Postmark (pm), Everlytic, Zoho, SendGrid (s1/s2, smtpapi), Fastmail (fm1–fm3),
    // Proton (protonmail*), Yahoo-style s1024/s2048, OpenDKIM and rspamd setups (default,
    // dkim, mail…).
    static constexpr std::array<std::string_view, 35> list{
        "default", "selector1", "selector2", "google", "k1", "k2", "k3", "s1", "s2", "dkim", "mail",
        "smtp", "mx", "key1", "key2", "sig1", "everlytickey1", "everlytickey2", "mandrill", "amazonses",
        "pm", "zoho", "smtpapi", "fm1", "fm2", "fm3", "protonmail", "protonmail2", "protonmail3",
        "dkim1", "mail1", "email", "s1024", "s2048", "mxvault"};
    return list;
}

bool valid_dkim_selector(std::string_view selector) {
    if (selector.empty() || selector.size() > 200) return false;
    std::size_t label = 0;
    for (char c : selector) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok || ++label > 63) return false;
    }
    return label > 0;
}

std::vector<std::string> dkim_selectors(const AuditSettings& settings) {
    std::vector<std::string> out;
    auto add = [&](std::string_view s) {
        std::string name(s);
        for (auto& c : name)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (valid_dkim_selector(name) && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    };
    for (const auto& s : settings.dkim_selectors) add(s);
    for (auto s : builtin_dkim_selectors()) add(s);
    return out;
}

const DkimKeys& dkim_lookup(Context& context, const std::string& domain) {
    return context.dkim_keys(domain, dkim_selectors(context.settings()));
}

}  // namespace mamori::checks
