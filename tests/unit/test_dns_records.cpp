/// \file tests/unit/test_dns_records.cpp — typed record views on ordinary and hostile answers.
#include "dns/records.h"

#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <vector>

namespace {

using mamori::dns::Answer;
using mamori::dns::Outcome;

/// An answer to (qname, type) whose answer section holds `records` (presentation form).
Answer make_answer(const char* qname, ldns_rr_type type, std::initializer_list<const char*> records) {
    ldns_pkt* raw = nullptr;
    REQUIRE(ldns_pkt_query_new_frm_str(&raw, qname, type, LDNS_RR_CLASS_IN, LDNS_RD) == LDNS_STATUS_OK);
    Answer answer;
    answer.outcome = Outcome::answer;
    answer.packet = mamori::dns::adopt(raw);
    ldns_pkt_set_qr(raw, true);
    for (const char* text : records) {
        ldns_rr* rr = nullptr;
        CAPTURE(text);
        REQUIRE(ldns_rr_new_frm_str(&rr, text, 3600, nullptr, nullptr) == LDNS_STATUS_OK);
        ldns_pkt_push_rr(raw, LDNS_SECTION_ANSWER, rr);
    }
    return answer;
}

/// An answer parsed from wire bytes, as the network resolver would produce it.
Answer from_wire(const std::vector<std::uint8_t>& wire) {
    ldns_pkt* raw = nullptr;
    Answer answer;
    if (ldns_wire2pkt(&raw, wire.data(), wire.size()) != LDNS_STATUS_OK) return answer;
    answer.outcome = Outcome::answer;
    answer.packet = mamori::dns::adopt(raw);
    return answer;
}

/// Header + question "example.jp. IN <type>" + one answer record with the given rdata.
std::vector<std::uint8_t> one_record(std::uint16_t type, std::vector<std::uint8_t> rdata) {
    std::vector<std::uint8_t> w = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
                                   7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 2, 'j', 'p', 0,
                                   static_cast<std::uint8_t>(type >> 8), static_cast<std::uint8_t>(type), 0, 1,
                                   0xc0, 0x0c, static_cast<std::uint8_t>(type >> 8), static_cast<std::uint8_t>(type), 0, 1,
                                   0, 0, 0x0e, 0x10, 0, static_cast<std::uint8_t>(rdata.size())};
    for (const auto byte : rdata) w.push_back(byte);  // (insert of an empty range trips a GCC 12 false warning)
    return w;
}

}  // namespace

TEST_CASE("mx_records, addresses, ns_records on a plain answer") {
    auto mx = make_answer("Example.JP.", LDNS_RR_TYPE_MX,
                          {"example.jp. 300 IN MX 10 mail.example.jp.", "EXAMPLE.jp. 300 IN MX 20 Backup.Example.jp.",
                           "other.jp. 300 IN MX 5 evil.example."});  // not the question name: ignored
    const auto records = mamori::dns::mx_records(mx);
    REQUIRE(records.size() == 2);
    CHECK(records[0].preference == 10);
    CHECK(records[0].exchange == "mail.example.jp.");
    CHECK(records[1].preference == 20);
    CHECK(records[1].exchange == "Backup.Example.jp.");  // case kept; compare with canonical_name

    auto null_mx = make_answer("example.jp.", LDNS_RR_TYPE_MX, {"example.jp. 300 IN MX 0 ."});
    REQUIRE(mamori::dns::mx_records(null_mx).size() == 1);
    CHECK(mamori::dns::mx_records(null_mx)[0].exchange == ".");

    auto a = make_answer("www.example.jp.", LDNS_RR_TYPE_A,
                         {"www.example.jp. 60 IN A 192.0.2.1", "www.example.jp. 60 IN A 192.0.2.2"});
    CHECK(mamori::dns::addresses(a) == std::vector<std::string>{"192.0.2.1", "192.0.2.2"});
    auto aaaa = make_answer("www.example.jp.", LDNS_RR_TYPE_AAAA, {"www.example.jp. 60 IN AAAA 2001:db8::1"});
    CHECK(mamori::dns::addresses(aaaa) == std::vector<std::string>{"2001:db8::1"});

    auto ns = make_answer("example.jp.", LDNS_RR_TYPE_NS, {"example.jp. 60 IN NS ns1.example.jp.", "example.jp. 60 IN NS ns2.example.net."});
    CHECK(mamori::dns::ns_records(ns) == std::vector<std::string>{"ns1.example.jp.", "ns2.example.net."});
    CHECK(mamori::dns::cname_chain(ns).empty());
}

TEST_CASE("answer_records follows a CNAME chain to its end") {
    auto answer = make_answer("www.example.jp.", LDNS_RR_TYPE_A,
                              {"www.example.jp. 60 IN CNAME web.example.jp.", "web.example.jp. 60 IN CNAME cdn.example.net.",
                               "cdn.example.net. 60 IN A 198.51.100.7", "www.example.jp. 60 IN A 192.0.2.66"});
    CHECK(mamori::dns::cname_chain(answer) == std::vector<std::string>{"web.example.jp.", "cdn.example.net."});
    // Only the chain's end owns the data; the stray A at the alias is not the answer.
    CHECK(mamori::dns::addresses(answer) == std::vector<std::string>{"198.51.100.7"});
    // Asking for the CNAME itself returns the record at the question name.
    CHECK(mamori::dns::answer_records(answer, LDNS_RR_TYPE_CNAME).size() == 1);
}

TEST_CASE("a CNAME loop in a hostile answer ends") {
    auto loop = make_answer("a.example.jp.", LDNS_RR_TYPE_A,
                            {"a.example.jp. 60 IN CNAME b.example.jp.", "b.example.jp. 60 IN CNAME A.example.jp.",
                             "a.example.jp. 60 IN A 192.0.2.1"});
    CHECK(mamori::dns::cname_chain(loop) == std::vector<std::string>{"b.example.jp."});
    CHECK(mamori::dns::addresses(loop).empty());
    auto self = make_answer("a.example.jp.", LDNS_RR_TYPE_TXT, {"a.example.jp. 60 IN CNAME a.example.jp."});
    CHECK(mamori::dns::cname_chain(self).empty());
    CHECK(mamori::dns::txt_records(self).empty());
}

TEST_CASE("txt_records concatenates character-strings and keeps raw bytes") {
    auto txt = make_answer("example.jp.", LDNS_RR_TYPE_TXT,
                           {R"(example.jp. 60 IN TXT "v=spf1 " "include:_spf.example.jp" " -all")",
                            R"(example.jp. 60 IN TXT "ctl\027[31m\000nul")", R"(example.jp. 60 IN TXT "")"});
    const auto records = mamori::dns::txt_records(txt);
    REQUIRE(records.size() == 3);
    CHECK(records[0] == "v=spf1 include:_spf.example.jp -all");
    CHECK(records[1] == std::string("ctl\x1b[31m\0nul", 12));
    CHECK(records[2].empty());
    // Presentation form escapes the control bytes, so evidence cannot drive a terminal.
    const auto text = mamori::dns::rr_to_string(mamori::dns::answer_records(txt, LDNS_RR_TYPE_TXT)[1]);
    CHECK(text.find('\x1b') == std::string::npos);
    CHECK(text.find("\\027") != std::string::npos);
    CHECK(text.back() != '\n');
}

TEST_CASE("hostile rdata shapes are skipped, not trusted") {
    // MX with an empty rdata, built directly (ldns accepts it from the wire, see below).
    ldns_pkt* raw = nullptr;
    REQUIRE(ldns_pkt_query_new_frm_str(&raw, "example.jp.", LDNS_RR_TYPE_MX, LDNS_RR_CLASS_IN, 0) == LDNS_STATUS_OK);
    Answer built;
    built.outcome = Outcome::answer;
    built.packet = mamori::dns::adopt(raw);
    ldns_rr* empty = ldns_rr_new();
    ldns_rr_set_owner(empty, ldns_dname_new_frm_str("example.jp."));
    ldns_rr_set_type(empty, LDNS_RR_TYPE_MX);
    ldns_pkt_push_rr(raw, LDNS_SECTION_ANSWER, empty);
    ldns_rr* a_empty = ldns_rr_new();
    ldns_rr_set_owner(a_empty, ldns_dname_new_frm_str("example.jp."));
    ldns_rr_set_type(a_empty, LDNS_RR_TYPE_A);
    ldns_pkt_push_rr(raw, LDNS_SECTION_ANSWER, a_empty);
    ldns_rr* cname_empty = ldns_rr_new();
    ldns_rr_set_owner(cname_empty, ldns_dname_new_frm_str("example.jp."));
    ldns_rr_set_type(cname_empty, LDNS_RR_TYPE_CNAME);
    ldns_pkt_push_rr(raw, LDNS_SECTION_ANSWER, cname_empty);
    CHECK(mamori::dns::mx_records(built).empty());
    CHECK(mamori::dns::cname_chain(built).empty());
    CHECK(mamori::dns::answer_records(built, LDNS_RR_TYPE_MX).size() == 1);
    CHECK_FALSE(mamori::dns::rr_to_string(empty).empty());

    // The same from wire bytes: rdlength 0, and an MX holding only its preference.
    for (const auto& rdata : {std::vector<std::uint8_t>{}, std::vector<std::uint8_t>{0, 10}}) {
        auto answer = from_wire(one_record(LDNS_RR_TYPE_MX, rdata));
        CHECK(mamori::dns::mx_records(answer).empty());  // parsed or rejected, never crashes
    }
    // An A record with 3 bytes and an AAAA with 4 are not addresses.
    CHECK(mamori::dns::addresses(from_wire(one_record(LDNS_RR_TYPE_A, {192, 0, 2}))).empty());
    CHECK(mamori::dns::addresses(from_wire(one_record(LDNS_RR_TYPE_AAAA, {32, 1, 13, 184}))).empty());
    // A TXT whose length byte claims more than the rdata holds.
    CHECK(mamori::dns::txt_records(from_wire(one_record(LDNS_RR_TYPE_TXT, {200, 'a', 'b'}))).size() <= 1);
    // A well-formed one from the wire works, so the helpers above are exercised for real.
    const auto good = from_wire(one_record(LDNS_RR_TYPE_TXT, {3, 'a', 0, 'b'}));
    REQUIRE(good.ok());
    CHECK(mamori::dns::txt_records(good) == std::vector<std::string>{std::string("a\0b", 3)});
    CHECK(mamori::dns::addresses(from_wire(one_record(LDNS_RR_TYPE_A, {192, 0, 2, 9}))) == std::vector<std::string>{"192.0.2.9"});
}

TEST_CASE("helpers return nothing for failed answers and answers without a question") {
    Answer timeout;
    CHECK(mamori::dns::mx_records(timeout).empty());
    CHECK(mamori::dns::txt_records(timeout).empty());
    CHECK(mamori::dns::cname_chain(timeout).empty());
    Answer bare;
    bare.outcome = Outcome::answer;
    bare.packet = mamori::dns::adopt(ldns_pkt_new());
    CHECK(mamori::dns::addresses(bare).empty());
    CHECK(mamori::dns::rr_to_string(nullptr).empty());
    CHECK(mamori::dns::name_to_string(nullptr).empty());
}
