/// \file dns/records.cpp — typed, defensive views of the records in an Answer.
#include "dns/records.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>

namespace mamori::dns {

namespace {

struct FreeDeleter {
    void operator()(char* p) const { std::free(p); }
};
using CString = std::unique_ptr<char, FreeDeleter>;

/// The rdf at `index` when it exists and has `type`; hostile answers may carry records
/// with fewer fields than their type needs (ldns accepts an empty rdata from the wire).
const ldns_rdf* field(const ldns_rr* rr, std::size_t index, ldns_rdf_type type) {
    if (rr == nullptr || ldns_rr_rd_count(rr) <= index) return nullptr;
    const ldns_rdf* rdf = ldns_rr_rdf(rr, index);
    if (rdf == nullptr || ldns_rdf_get_type(rdf) != type) return nullptr;
    return rdf;
}

bool same_name(const ldns_rdf* a, const ldns_rdf* b) {
    if (a == nullptr || b == nullptr) return false;
    if (ldns_rdf_get_type(a) != LDNS_RDF_TYPE_DNAME || ldns_rdf_get_type(b) != LDNS_RDF_TYPE_DNAME) return false;
    return ldns_dname_compare(a, b) == 0;  // case-insensitive, per RFC 4343
}

const ldns_rr* question_rr(const Answer& answer) {
    if (!answer.ok()) return nullptr;
    const ldns_rr_list* question = ldns_pkt_question(answer.packet.get());
    if (question == nullptr || ldns_rr_list_rr_count(question) == 0) return nullptr;
    return ldns_rr_list_rr(question, 0);
}

/// The CNAME record in the answer section owned by `owner` (first one: several are a
/// protocol violation we do not try to arbitrate).
const ldns_rdf* cname_target(const ldns_rr_list* section, const ldns_rdf* owner, ldns_rr_class klass) {
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(section); ++i) {
        const ldns_rr* rr = ldns_rr_list_rr(section, i);
        if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_CNAME || ldns_rr_get_class(rr) != klass) continue;
        if (!same_name(ldns_rr_owner(rr), owner)) continue;
        if (const ldns_rdf* target = field(rr, 0, LDNS_RDF_TYPE_DNAME)) return target;
    }
    return nullptr;
}

/// Walks the CNAME chain from the question name; returns every name visited (first is
/// the question name). Bounded by the section size and loop-checked, so a hostile
/// answer with a CNAME loop ends.
std::vector<const ldns_rdf*> chain_names(const Answer& answer) {
    std::vector<const ldns_rdf*> names;
    const ldns_rr* question = question_rr(answer);
    if (question == nullptr || ldns_rr_owner(question) == nullptr) return names;
    const ldns_rr_list* section = ldns_pkt_answer(answer.packet.get());
    const ldns_rr_class klass = ldns_rr_get_class(question);
    names.push_back(ldns_rr_owner(question));
    if (ldns_rr_get_type(question) == LDNS_RR_TYPE_CNAME) return names;  // the CNAME is the data
    const std::size_t limit = ldns_rr_list_rr_count(section);
    while (names.size() <= limit) {
        const ldns_rdf* next = cname_target(section, names.back(), klass);
        if (next == nullptr) break;
        const bool loop = std::any_of(names.begin(), names.end(), [&](const ldns_rdf* seen) { return same_name(seen, next); });
        if (loop) break;
        names.push_back(next);
    }
    return names;
}

std::string rdf_text(const ldns_rdf* rdf) {
    if (rdf == nullptr) return {};
    CString text(ldns_rdf2str(rdf));
    return text ? std::string(text.get()) : std::string();
}

}  // namespace

std::string canonical_name(std::string_view name) {
    std::string out;
    out.reserve(name.size() + 1);
    for (const char c : name) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    // "\." is an escaped dot inside a label, not the root: only an unescaped final dot counts.
    std::size_t backslashes = 0;
    for (std::size_t i = out.size(); i >= 2 && out[i - 2] == '\\'; --i) ++backslashes;
    const bool has_final_dot = !out.empty() && out.back() == '.' && backslashes % 2 == 0;
    if (!has_final_dot) out.push_back('.');
    return out;
}

std::string name_to_string(const ldns_rdf* name) {
    if (name == nullptr || ldns_rdf_get_type(name) != LDNS_RDF_TYPE_DNAME) return {};
    return rdf_text(name);
}

std::vector<const ldns_rr*> answer_records(const Answer& answer, ldns_rr_type type) {
    std::vector<const ldns_rr*> out;
    const ldns_rr* question = question_rr(answer);
    if (question == nullptr) return out;
    const auto names = chain_names(answer);
    if (names.empty()) return out;
    // For a CNAME question the data sits at the question name; otherwise at the chain's end.
    const ldns_rdf* owner = type == LDNS_RR_TYPE_CNAME ? names.front() : names.back();
    const ldns_rr_list* section = ldns_pkt_answer(answer.packet.get());
    const ldns_rr_class klass = ldns_rr_get_class(question);
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(section); ++i) {
        const ldns_rr* rr = ldns_rr_list_rr(section, i);
        if (ldns_rr_get_type(rr) == type && ldns_rr_get_class(rr) == klass && same_name(ldns_rr_owner(rr), owner)) {
            out.push_back(rr);
        }
    }
    return out;
}

std::vector<std::string> cname_chain(const Answer& answer) {
    std::vector<std::string> out;
    const auto names = chain_names(answer);
    for (std::size_t i = 1; i < names.size(); ++i) out.push_back(name_to_string(names[i]));
    return out;
}

std::vector<MxRecord> mx_records(const Answer& answer) {
    std::vector<MxRecord> out;
    for (const ldns_rr* rr : answer_records(answer, LDNS_RR_TYPE_MX)) {
        const ldns_rdf* preference = field(rr, 0, LDNS_RDF_TYPE_INT16);
        const ldns_rdf* exchange = field(rr, 1, LDNS_RDF_TYPE_DNAME);
        if (preference == nullptr || exchange == nullptr || ldns_rdf_size(preference) != 2) continue;
        out.push_back(MxRecord{ldns_rdf2native_int16(preference), name_to_string(exchange)});
    }
    return out;
}

std::vector<std::string> addresses(const Answer& answer) {
    std::vector<std::string> out;
    char text[INET6_ADDRSTRLEN] = {};
    for (const ldns_rr* rr : answer_records(answer, LDNS_RR_TYPE_A)) {
        const ldns_rdf* a = field(rr, 0, LDNS_RDF_TYPE_A);
        if (a == nullptr || ldns_rdf_size(a) != 4) continue;
        if (inet_ntop(AF_INET, ldns_rdf_data(a), text, sizeof text) != nullptr) out.emplace_back(text);
    }
    for (const ldns_rr* rr : answer_records(answer, LDNS_RR_TYPE_AAAA)) {
        const ldns_rdf* aaaa = field(rr, 0, LDNS_RDF_TYPE_AAAA);
        if (aaaa == nullptr || ldns_rdf_size(aaaa) != 16) continue;
        if (inet_ntop(AF_INET6, ldns_rdf_data(aaaa), text, sizeof text) != nullptr) out.emplace_back(text);
    }
    return out;
}

std::vector<std::string> txt_records(const Answer& answer) {
    std::vector<std::string> out;
    for (const ldns_rr* rr : answer_records(answer, LDNS_RR_TYPE_TXT)) {
        std::string text;
        bool valid = true;
        for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
            const ldns_rdf* piece = field(rr, i, LDNS_RDF_TYPE_STR);
            // A character-string is a length byte and that many bytes; anything else is not TXT.
            if (piece == nullptr || ldns_rdf_size(piece) == 0) { valid = false; break; }
            const std::uint8_t* data = ldns_rdf_data(piece);
            const std::size_t length = std::min<std::size_t>(data[0], ldns_rdf_size(piece) - 1);
            text.append(reinterpret_cast<const char*>(data + 1), length);
        }
        if (valid) out.push_back(std::move(text));
    }
    return out;
}

std::vector<std::string> ns_records(const Answer& answer) {
    std::vector<std::string> out;
    for (const ldns_rr* rr : answer_records(answer, LDNS_RR_TYPE_NS)) {
        if (const ldns_rdf* target = field(rr, 0, LDNS_RDF_TYPE_DNAME)) out.push_back(name_to_string(target));
    }
    return out;
}

std::string rr_to_string(const ldns_rr* rr) {
    if (rr == nullptr) return {};
    CString text(ldns_rr2str(rr));
    if (!text) return {};
    std::string out(text.get());
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

std::string rcode_name(ldns_pkt_rcode rcode) {
    if (const ldns_lookup_table* entry = ldns_lookup_by_id(ldns_rcodes, static_cast<int>(rcode));
        entry != nullptr && entry->name != nullptr) {
        return entry->name;
    }
    return "RCODE" + std::to_string(static_cast<int>(rcode));
}

}  // namespace mamori::dns
