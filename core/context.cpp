/// \file core/context.cpp — per-target shared facts.
#include "core/context.h"

namespace mamori {

dns::Answer Context::ask(std::string name, ldns_rr_type type) const {
    dns::Question q;
    q.name = std::move(name);
    q.type = type;
    return resolver_.query(q);
}

const MxSet& Context::mx(const std::string& domain) {
    std::call_once(mx_once_, [&] {
        MxSet set;
        set.answer = ask(domain, LDNS_RR_TYPE_MX);
        set.records = dns::mx_records(set.answer);
        mx_ = std::move(set);
    });
    return *mx_;
}

const DkimKeys& Context::dkim_keys(const std::string& domain, const std::vector<std::string>& selectors) {
    std::call_once(dkim_once_, [&] {
        DkimKeys keys;
        keys.probe = ask("_domainkey." + domain, LDNS_RR_TYPE_TXT);
        keys.selectors = selectors;
        if (!keys.probe.nxdomain()) {
            std::vector<dns::Question> questions;
            for (const auto& s : selectors)
                questions.push_back({.name = s + "._domainkey." + domain, .type = LDNS_RR_TYPE_TXT});
            keys.answers = resolver_.query_all(questions);
        }
        dkim_ = std::move(keys);
    });
    return *dkim_;
}

}  // namespace mamori
