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

}  // namespace mamori
