/// \file checks/dmarc/spf_view.cpp — whether a domain's SPF record can ever pass, or says "no mail".
#include "checks/dmarc/spf_view.h"

#include <sstream>

namespace mamori::checks {
namespace {

std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

bool is_spf(const std::string& txt) {
    std::string l = lower(txt.substr(0, 7));
    return l == "v=spf1" || l == "v=spf1 ";
}

std::vector<std::string> terms(const std::string& record) {
    std::vector<std::string> out;
    std::istringstream in(record.substr(6));
    std::string term;
    while (in >> term) out.push_back(lower(term));
    return out;
}

}  // namespace

bool SpfView::can_pass() const {
    if (records.size() != 1) return false;  // none, or several: permerror (RFC 7208 §4.5)
    for (const auto& term : terms(records.front())) {
        if (term.rfind("redirect=", 0) == 0) return true;
        std::size_t name_end = term.find_first_of(":/=");
        if (name_end != std::string::npos && term[name_end] == '=') continue;  // another modifier (exp=…)
        if (term[0] == '-' || term[0] == '~' || term[0] == '?') continue;
        return true;
    }
    return false;
}

bool SpfView::sends_no_mail() const {
    return records.size() == 1 && terms(records.front()) == std::vector<std::string>{"-all"};
}

SpfView spf_view(const dns::Answer& txt_answer) {
    SpfView view;
    view.answered = txt_answer.ok() && (txt_answer.rcode() == LDNS_RCODE_NOERROR || txt_answer.nxdomain());
    for (auto& txt : dns::txt_records(txt_answer))
        if (is_spf(txt)) view.records.push_back(std::move(txt));
    return view;
}

SpfView spf_view(Context& context, const std::string& domain) {
    return spf_view(context.ask(domain, LDNS_RR_TYPE_TXT));
}

}  // namespace mamori::checks
