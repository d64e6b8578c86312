/// \file checks/bimi/bimi_check.cpp — notes a published BIMI record and what it points to.
#include "checks/bimi/bimi_check.h"

#include "checks/dkim/tag_list.h"
#include "checks/dmarc/lookup.h"

#include <fmt/format.h>

namespace mamori::checks {

const CheckInfo& BimiCheck::describe() const {
    static const CheckInfo info{
        .id = "bimi",
        .title = "BIMI record",
        .description = "Whether the domain publishes a BIMI record at default._bimi.<domain> (a logo for mail "
                       "clients, honoured only with DMARC at quarantine or reject). Informational.",
        .applies_to = {TargetKind::domain, TargetKind::zone},
        .needs = need_dns,
        .findings = {
            {"BIMI-PRESENT", Severity::info, "BIMI record published",
             "The domain publishes a BIMI record; mail clients that support BIMI show its logo for mail that passes "
             "DMARC with an enforcing policy (p=quarantine or reject, pct=100).",
             "Nothing to fix; keep DMARC at p=quarantine or p=reject so that the logo is shown.",
             "draft-brand-indicators-for-message-identification §4"},
        }};
    return info;
}

CheckResult BimiCheck::run(const Target& target, Context& context) const {
    const std::string name = "default._bimi." + target.name;
    dns::Answer answer = context.ask(name, LDNS_RR_TYPE_TXT);
    if (!definitive(answer)) return failed(fmt::format("BIMI query {} TXT failed: {}", name, lookup_failure(answer)));
    for (const auto& txt : dns::txt_records(answer)) {
        TagList tags = parse_tag_list(txt, true);
        const Tag* v = tags.find("v", true);
        if (v == nullptr || v->value != "BIMI1") continue;
        const Tag* logo = tags.find("l", true);
        const Tag* authority = tags.find("a", true);
        Json facts{{"record", txt}, {"logo", logo ? logo->value : ""}, {"authority", authority ? authority->value : ""}};
        Json ev{{"name", name}, {"record", txt}};
        if (!tags.errors.empty()) ev["problems"] = Json::array({tags.errors.front().message});
        std::vector<Finding> findings{finding("BIMI-PRESENT",
                                              fmt::format("{} publishes a BIMI record{}", target.name,
                                                          logo && !logo->value.empty() ? " with logo " + logo->value : ""),
                                              std::move(ev))};
        return result(std::move(findings), std::move(facts));
    }
    return result({}, {{"record", nullptr}});
}

}  // namespace mamori::checks
