/// \file checks/dane/tlsa.cpp — reading TLSA records and checking their parameters.
#include "checks/dane/tlsa.h"

#include "dns/records.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace mamori::checks {

std::vector<Tlsa> tlsa_records(const dns::Answer& answer) {
    std::vector<Tlsa> out;
    for (const ldns_rr* rr : dns::answer_records(answer, LDNS_RR_TYPE_TLSA)) {
        if (ldns_rr_rd_count(rr) != 4) continue;
        const ldns_rdf* f[4] = {ldns_rr_rdf(rr, 0), ldns_rr_rdf(rr, 1), ldns_rr_rdf(rr, 2), ldns_rr_rdf(rr, 3)};
        bool shaped = f[0] && f[1] && f[2] && f[3] && ldns_rdf_size(f[0]) == 1 && ldns_rdf_size(f[1]) == 1 &&
                      ldns_rdf_size(f[2]) == 1;
        if (!shaped) continue;
        Tlsa t;
        t.usage = ldns_rdf_data(f[0])[0];
        t.selector = ldns_rdf_data(f[1])[0];
        t.matching = ldns_rdf_data(f[2])[0];
        t.data.assign(reinterpret_cast<const char*>(ldns_rdf_data(f[3])), ldns_rdf_size(f[3]));
        std::string hex;
        for (unsigned char c : t.data) hex += fmt::format("{:02X}", c);
        if (hex.size() > 140) hex = hex.substr(0, 128) + "…";
        t.text = fmt::format("{} {} {} {}", t.usage, t.selector, t.matching, hex);
        out.push_back(std::move(t));
    }
    return out;
}

std::vector<std::string> tlsa_syntax_problems(const Tlsa& t) {
    std::vector<std::string> out;
    if (t.usage > 3) out.push_back(fmt::format("certificate usage {} is not defined (0–3)", t.usage));
    if (t.selector > 1) out.push_back(fmt::format("selector {} is not defined (0 certificate, 1 public key)", t.selector));
    if (t.matching > 2) out.push_back(fmt::format("matching type {} is not defined (0 full, 1 SHA2-256, 2 SHA2-512)", t.matching));
    if (t.matching == 1 && t.data.size() != 32)
        out.push_back(fmt::format("a SHA2-256 digest has 32 bytes, this one {}", t.data.size()));
    if (t.matching == 2 && t.data.size() != 64)
        out.push_back(fmt::format("a SHA2-512 digest has 64 bytes, this one {}", t.data.size()));
    if (t.matching == 0 && t.selector <= 1) {
        const auto* p = reinterpret_cast<const unsigned char*>(t.data.data());
        const auto len = static_cast<long>(t.data.size());
        bool parsed = false;
        if (t.selector == 0) {
            std::unique_ptr<X509, decltype(&X509_free)> cert(d2i_X509(nullptr, &p, len), &X509_free);
            parsed = cert != nullptr;
        } else {
            std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(d2i_PUBKEY(nullptr, &p, len), &EVP_PKEY_free);
            parsed = key != nullptr;
        }
        if (!parsed)
            out.push_back(t.selector == 0 ? "the full data is not a DER certificate"
                                          : "the full data is not a DER SubjectPublicKeyInfo");
    }
    return out;
}

bool usable_for_smtp(const Tlsa& t) { return (t.usage == 2 || t.usage == 3) && tlsa_syntax_problems(t).empty(); }

}  // namespace mamori::checks
