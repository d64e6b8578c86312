/// \file fuzz/fuzz_spf_eval.cpp — libFuzzer target: check_host() and the audit's policy walk over a DNS where every TXT answer is the input.
#include "checks/spf/spf_evaluator.h"
#include "checks/spf/spf_policy.h"
#include "dns/resolver.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

using namespace mamori;

/// Every TXT question gets the fuzz input (in 255-byte strings); addresses, MX and PTR get
/// fixed answers, so includes and redirects recurse into the same record until a limit stops them.
class EchoResolver final : public dns::Resolver {
public:
    explicit EchoResolver(std::string txt) : txt_(std::move(txt)) {}

    void submit(dns::Question q, dns::Callback done) override {
        ++stats_.questions;
        dns::Answer a;
        ldns_pkt* pkt = ldns_pkt_new();
        ldns_pkt_set_qr(pkt, true);
        ldns_rdf* owner = ldns_dname_new_frm_str(q.name.c_str());
        if (owner == nullptr) {
            ldns_pkt_free(pkt);
            a.outcome = dns::Outcome::malformed;
            done(std::move(a));
            return;
        }
        ldns_rr* question = ldns_rr_new();
        ldns_rr_set_owner(question, ldns_rdf_clone(owner));
        ldns_rr_set_type(question, q.type);
        ldns_rr_set_class(question, LDNS_RR_CLASS_IN);
        ldns_rr_set_question(question, true);
        ldns_pkt_push_rr(pkt, LDNS_SECTION_QUESTION, question);
        if (ldns_rr* rr = record(owner, q.type)) ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, rr);
        ldns_rdf_deep_free(owner);
        a.outcome = dns::Outcome::answer;
        a.packet = dns::adopt(pkt);
        done(std::move(a));
    }
    dns::Stats stats() const override { return stats_; }

private:
    ldns_rr* record(const ldns_rdf* owner, ldns_rr_type type) const {
        ldns_rr* rr = ldns_rr_new();
        ldns_rr_set_owner(rr, ldns_rdf_clone(owner));
        ldns_rr_set_type(rr, type);
        ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
        ldns_rr_set_ttl(rr, 60);
        if (type == LDNS_RR_TYPE_TXT) {
            for (std::size_t i = 0; i == 0 || i < txt_.size(); i += 255) {
                std::string piece = txt_.substr(i, 255);
                std::string wire(1, static_cast<char>(piece.size()));
                wire += piece;
                ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR, wire.size(), wire.data()));
            }
            return rr;
        }
        ldns_rdf* value = nullptr;
        if (type == LDNS_RR_TYPE_A) value = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, "192.0.2.1");
        else if (type == LDNS_RR_TYPE_AAAA) value = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_AAAA, "2001:db8::1");
        else if (type == LDNS_RR_TYPE_PTR) value = ldns_dname_new_frm_str("ptr.example.");
        if (value == nullptr) {
            ldns_rr_free(rr);
            return nullptr;
        }
        ldns_rr_push_rdf(rr, value);
        return rr;
    }

    std::string txt_;
    dns::Stats stats_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 4096) return 0;
    EchoResolver resolver(std::string(reinterpret_cast<const char*>(data), size));
    spf::Request request;
    request.ip = size % 2 == 0 ? "192.0.2.1" : "2001:db8::1";
    request.sender = "user@example.jp";
    request.helo = "mail.example.jp";
    const spf::Evaluation e = spf::Evaluator(resolver).check_host(request);
    (void)e.to_json().dump(-1, ' ', false, mamori::Json::error_handler_t::replace);
    const spf::PolicyAudit p = spf::audit_policy(resolver, "example.jp");
    (void)p.tree.to_json().dump(-1, ' ', false, mamori::Json::error_handler_t::replace);
    return 0;
}
