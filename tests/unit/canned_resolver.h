/// \file tests/unit/canned_resolver.h — a Resolver that answers from canned records (unit tests).
#pragma once

#include "dns/records.h"
#include "dns/resolver.h"

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace mamori::test {

/// Answers questions from records given in presentation form; unknown names get NXDOMAIN,
/// known names without the asked type get NODATA. Names can be made to fail.
class CannedResolver final : public dns::Resolver {
public:
    /// "mail.example.jp. 3600 IN A 192.0.2.1"
    CannedResolver& add(const std::string& rr_text) {
        ldns_rr* rr = nullptr;
        if (ldns_rr_new_frm_str(&rr, rr_text.c_str(), 3600, nullptr, nullptr) != LDNS_STATUS_OK || rr == nullptr)
            throw std::runtime_error("bad canned record: " + rr_text);
        records_.emplace_back(rr, &ldns_rr_free);
        return *this;
    }
    /// Every question for `name` ends with `outcome` (timeout, say) or, for answer, `rcode`.
    CannedResolver& fail(const std::string& name, dns::Outcome outcome, ldns_pkt_rcode rcode = LDNS_RCODE_SERVFAIL) {
        failures_[dns::canonical_name(name)] = {outcome, rcode};
        return *this;
    }

    void submit(dns::Question q, dns::Callback done) override {
        {
            std::lock_guard lock(mutex_);
            ++stats_.questions;
            asked_.emplace_back(dns::canonical_name(q.name), q.type);
        }
        done(answer(q));
    }
    dns::Stats stats() const override {
        std::lock_guard lock(mutex_);
        return stats_;
    }
    std::vector<std::pair<std::string, ldns_rr_type>> asked() const {
        std::lock_guard lock(mutex_);
        return asked_;
    }

private:
    dns::Answer answer(const dns::Question& q) const {
        const std::string name = dns::canonical_name(q.name);
        dns::Answer a;
        if (auto f = failures_.find(name); f != failures_.end() && f->second.first != dns::Outcome::answer) {
            a.outcome = f->second.first;
            a.error = "canned failure for " + name;
            return a;
        }
        ldns_pkt* pkt = ldns_pkt_new();
        ldns_pkt_set_qr(pkt, true);
        ldns_pkt_set_rd(pkt, true);
        ldns_pkt_set_ra(pkt, true);
        ldns_rdf* qname = ldns_dname_new_frm_str(name.c_str());
        ldns_pkt_push_rr(pkt, LDNS_SECTION_QUESTION, ldns_rr_new_question_frm_str_helper(qname, q.type));
        ldns_pkt_rcode rcode = LDNS_RCODE_NXDOMAIN;
        if (auto f = failures_.find(name); f != failures_.end()) {
            rcode = f->second.second;
        } else {
            // Follow CNAMEs like a recursive resolver, putting the chain in the answer.
            std::string current = name;
            for (int depth = 0; depth < 8; ++depth) {
                bool exists = false;
                std::string next;
                for (const auto& rr : records_) {
                    if (dns::name_to_string(ldns_rr_owner(rr.get())) != current &&
                        dns::canonical_name(dns::name_to_string(ldns_rr_owner(rr.get()))) != current)
                        continue;
                    exists = true;
                    if (ldns_rr_get_type(rr.get()) == q.type) {
                        ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, ldns_rr_clone(rr.get()));
                    } else if (ldns_rr_get_type(rr.get()) == LDNS_RR_TYPE_CNAME && q.type != LDNS_RR_TYPE_CNAME) {
                        ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, ldns_rr_clone(rr.get()));
                        next = dns::canonical_name(dns::name_to_string(ldns_rr_rdf(rr.get(), 0)));
                    }
                }
                if (!exists) break;
                rcode = LDNS_RCODE_NOERROR;
                if (next.empty()) break;
                current = next;
            }
            if (rcode == LDNS_RCODE_NXDOMAIN && ldns_pkt_ancount(pkt) > 0) rcode = LDNS_RCODE_NOERROR;
        }
        ldns_pkt_set_rcode(pkt, static_cast<uint8_t>(rcode));
        a.outcome = dns::Outcome::answer;
        a.packet = dns::adopt(pkt);
        return a;
    }

    static ldns_rr* ldns_rr_new_question_frm_str_helper(ldns_rdf* qname, ldns_rr_type type) {
        ldns_rr* q = ldns_rr_new();
        ldns_rr_set_owner(q, qname);
        ldns_rr_set_type(q, type);
        ldns_rr_set_class(q, LDNS_RR_CLASS_IN);
        ldns_rr_set_question(q, true);
        return q;
    }

    std::vector<std::unique_ptr<ldns_rr, decltype(&ldns_rr_free)>> records_;
    std::map<std::string, std::pair<dns::Outcome, ldns_pkt_rcode>> failures_;
    mutable std::mutex mutex_;
    dns::Stats stats_;
    std::vector<std::pair<std::string, ldns_rr_type>> asked_;
};

}  // namespace mamori::test
