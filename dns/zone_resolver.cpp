/// \file dns/zone_resolver.cpp — zone-file loading and an authoritative-server view of the loaded zones.
#include "dns/zone_resolver.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

#include "dns/records.h"

namespace mamori::dns {

ZoneError::ZoneError(std::string file, int line, const std::string& message)
    : std::runtime_error(line > 0 ? file + ":" + std::to_string(line) + ": " + message : file + ": " + message),
      file_(std::move(file)),
      line_(line) {}

namespace {

using RdfPtr = std::unique_ptr<ldns_rdf, decltype(&ldns_rdf_deep_free)>;
using RrPtr = std::unique_ptr<ldns_rr, decltype(&ldns_rr_free)>;

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

constexpr int kMaxChain = 16;  // CNAME hops followed inside the loaded zones

// ---- names as lower-cased wire bytes: cheap to compare, to hash and to chop a label off.

/// The name in wire form with ASCII letters lower-cased (label bytes only, never lengths).
std::string wire_key(const ldns_rdf* name) {
    std::string key;
    if (name == nullptr || ldns_rdf_get_type(name) != LDNS_RDF_TYPE_DNAME) return key;
    const std::uint8_t* data = ldns_rdf_data(name);
    const std::size_t size = ldns_rdf_size(name);
    key.assign(reinterpret_cast<const char*>(data), size);
    std::size_t at = 0;
    while (at < size) {
        const std::size_t length = data[at];
        if (length == 0 || at + 1 + length > size) break;
        for (std::size_t i = at + 1; i <= at + length; ++i) {
            if (key[i] >= 'A' && key[i] <= 'Z') key[i] = static_cast<char>(key[i] - 'A' + 'a');
        }
        at += 1 + length;
    }
    return key;
}

/// The key with its first label removed; the root stays the root.
std::string parent_key(const std::string& key) {
    if (key.empty() || key[0] == '\0') return key;
    const std::size_t skip = 1 + static_cast<std::uint8_t>(key[0]);
    if (skip >= key.size()) return std::string(1, '\0');
    return key.substr(skip);
}

/// True when `key` is `origin` or below it (label-aligned suffix).
bool is_under(const std::string& key, const std::string& origin) {
    std::string walk = key;
    for (;;) {
        if (walk == origin) return true;
        if (walk.empty() || walk[0] == '\0') return false;
        walk = parent_key(walk);
    }
}

/// Names from just below `origin` down to `key` inclusive, top-down.
std::vector<std::string> path_below(const std::string& origin, const std::string& key) {
    std::vector<std::string> path;
    for (std::string walk = key; walk != origin && !walk.empty() && walk[0] != '\0'; walk = parent_key(walk)) {
        path.push_back(walk);
    }
    std::reverse(path.begin(), path.end());
    return path;
}

ldns_rr_type covered_type(const ldns_rr* rrsig) {
    if (ldns_rr_rd_count(rrsig) < 1) return LDNS_RR_TYPE_NULL;
    const ldns_rdf* rdf = ldns_rr_rdf(rrsig, 0);
    if (rdf == nullptr || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_TYPE || ldns_rdf_size(rdf) != 2) return LDNS_RR_TYPE_NULL;
    return ldns_rdf2rr_type(rdf);
}

const ldns_rdf* dname_field(const ldns_rr* rr, std::size_t index) {
    if (ldns_rr_rd_count(rr) <= index) return nullptr;
    const ldns_rdf* rdf = ldns_rr_rdf(rr, index);
    return rdf != nullptr && ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_DNAME ? rdf : nullptr;
}

struct Node {
    std::vector<const ldns_rr*> rrs;  // owned by the LoadedZone's ldns_zone

    std::vector<const ldns_rr*> of_type(ldns_rr_type type) const {
        std::vector<const ldns_rr*> out;
        for (const ldns_rr* rr : rrs) {
            if (type == LDNS_RR_TYPE_ANY ? ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG : ldns_rr_get_type(rr) == type) {
                out.push_back(rr);
            }
        }
        return out;
    }
    std::vector<const ldns_rr*> signatures(ldns_rr_type type) const {
        std::vector<const ldns_rr*> out;
        for (const ldns_rr* rr : rrs) {
            if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG && (type == LDNS_RR_TYPE_ANY || covered_type(rr) == type)) {
                out.push_back(rr);
            }
        }
        return out;
    }
    bool has(ldns_rr_type type) const {
        return std::any_of(rrs.begin(), rrs.end(), [&](const ldns_rr* rr) { return ldns_rr_get_type(rr) == type; });
    }
};

struct ZoneIndex {
    LoadedZone loaded;
    std::string origin;                    // wire key
    const ldns_rr* soa = nullptr;
    std::map<std::string, Node> nodes;     // every owner and every empty non-terminal
    std::vector<const ldns_rr*> nsecs;     // for denial proofs

    const Node* find(const std::string& key) const {
        auto it = nodes.find(key);
        return it == nodes.end() ? nullptr : &it->second;
    }
};

ZoneIndex build_index(LoadedZone loaded) {
    ZoneIndex index;
    const ldns_zone* zone = loaded.zone.get();
    RdfPtr origin(ldns_dname_new_frm_str(loaded.origin.c_str()), &ldns_rdf_deep_free);
    index.origin = wire_key(origin.get());
    index.soa = ldns_zone_soa(zone);
    const auto add = [&](const ldns_rr* rr) {
        std::string key = wire_key(ldns_rr_owner(rr));
        if (key.empty() || !is_under(key, index.origin)) return;  // out-of-zone data is never served
        index.nodes[key].rrs.push_back(rr);
        if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NSEC) index.nsecs.push_back(rr);
        for (std::string up = parent_key(key); is_under(up, index.origin) && !index.nodes.count(up); up = parent_key(up)) {
            index.nodes[up];  // empty non-terminal: exists, owns nothing (RFC 8020 NODATA, not NXDOMAIN)
            if (up == index.origin) break;
        }
    };
    if (index.soa != nullptr) add(index.soa);
    const ldns_rr_list* rrs = ldns_zone_rrs(zone);
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(rrs); ++i) add(ldns_rr_list_rr(rrs, i));
    index.nodes[index.origin];
    index.loaded = std::move(loaded);
    return index;
}

/// Collects the response while the lookup walks zones and CNAMEs.
class Response {
public:
    Response(const Question& question, const ldns_rdf* qname) : question_(question), qname_(qname) {}

    void add(ldns_pkt_section section, const ldns_rr* rr, const ldns_rdf* owner = nullptr) {
        if (rr == nullptr) return;
        RrPtr copy(ldns_rr_clone(rr), &ldns_rr_free);
        if (!copy) return;
        if (owner != nullptr) {  // wildcard synthesis: the answer is owned by the query name
            ldns_rdf_deep_free(ldns_rr_owner(copy.get()));
            ldns_rr_set_owner(copy.get(), ldns_rdf_clone(owner));
        }
        auto& list = section_list(section);
        // An RRset reached twice (e.g. two CNAMEs to one target) is listed once.
        for (const auto& existing : list) {
            if (ldns_rr_compare(existing.get(), copy.get()) == 0) return;
        }
        list.push_back(std::move(copy));
    }
    void add_all(ldns_pkt_section section, const std::vector<const ldns_rr*>& rrs, const ldns_rdf* owner = nullptr) {
        for (const ldns_rr* rr : rrs) add(section, rr, owner);
    }
    /// The SOA for a negative answer, its TTL capped by the SOA minimum (RFC 2308 §3).
    void add_negative_soa(const ZoneIndex& zone) {
        if (zone.soa == nullptr) return;
        RrPtr soa(ldns_rr_clone(zone.soa), &ldns_rr_free);
        if (!soa) return;
        if (ldns_rr_rd_count(soa.get()) >= 7) {
            const ldns_rdf* minimum = ldns_rr_rdf(soa.get(), 6);
            if (minimum != nullptr && ldns_rdf_size(minimum) == 4) {
                ldns_rr_set_ttl(soa.get(), std::min(ldns_rr_ttl(soa.get()), ldns_rdf2native_int32(minimum)));
            }
        }
        authority_.push_back(std::move(soa));
    }

    ldns_pkt_rcode rcode = LDNS_RCODE_NOERROR;
    bool authoritative = false;

    PacketPtr packet() {
        ldns_pkt* raw = ldns_pkt_new();
        if (raw == nullptr) return nullptr;
        PacketPtr owned = adopt(raw);
        ldns_pkt_set_id(raw, 0);
        ldns_pkt_set_qr(raw, true);
        ldns_pkt_set_aa(raw, authoritative);
        ldns_pkt_set_rd(raw, question_.recursion_desired);
        ldns_pkt_set_cd(raw, question_.checking_disabled);
        ldns_pkt_set_opcode(raw, LDNS_PACKET_QUERY);
        ldns_pkt_set_rcode(raw, static_cast<std::uint8_t>(rcode));
        ldns_rr* q = ldns_rr_new();
        if (q == nullptr) return nullptr;
        ldns_rr_set_owner(q, ldns_rdf_clone(qname_));
        ldns_rr_set_type(q, question_.type);
        ldns_rr_set_class(q, question_.klass);
        ldns_rr_set_question(q, true);
        ldns_pkt_push_rr(raw, LDNS_SECTION_QUESTION, q);
        for (auto* list : {&answer_, &authority_, &additional_}) {
            const auto section = list == &answer_      ? LDNS_SECTION_ANSWER
                                 : list == &authority_ ? LDNS_SECTION_AUTHORITY
                                                       : LDNS_SECTION_ADDITIONAL;
            for (auto& rr : *list) ldns_pkt_push_rr(raw, section, rr.release());
            list->clear();
        }
        if (question_.dnssec_ok) {
            ldns_pkt_set_edns_udp_size(raw, 1232);
            ldns_pkt_set_edns_do(raw, true);
        }
        return owned;
    }

private:
    std::vector<RrPtr>& section_list(ldns_pkt_section section) {
        switch (section) {
            case LDNS_SECTION_ANSWER: return answer_;
            case LDNS_SECTION_AUTHORITY: return authority_;
            default: return additional_;
        }
    }
    const Question& question_;
    const ldns_rdf* qname_;
    std::vector<RrPtr> answer_, authority_, additional_;
};

class ZoneResolver final : public Resolver {
public:
    explicit ZoneResolver(std::vector<LoadedZone> zones) {
        for (auto& zone : zones) indexes_.push_back(build_index(std::move(zone)));
    }

    void submit(Question question, Callback done) override {
        ++questions_;
        Answer answer = respond(question);
        if (answer.ok()) {
            ++answered_;
        } else {
            ++malformed_;
        }
        if (done) done(std::move(answer));
    }

    Stats stats() const override {
        Stats s;
        s.questions = questions_.load();
        s.answered = answered_.load();
        s.malformed = malformed_.load();
        return s;
    }

private:
    Answer respond(const Question& question) const;
    const ZoneIndex* zone_for(const std::string& key, ldns_rr_type type) const;
    void add_rrset(Response& out, ldns_pkt_section section, const Node& node, ldns_rr_type type, bool dnssec,
                   const ldns_rdf* owner = nullptr) const;
    void add_denial(Response& out, const ZoneIndex& zone, const ldns_rdf* name, const std::string& wildcard) const;
    void add_referral(Response& out, const ZoneIndex& zone, const Node& cut, bool dnssec) const;

    std::vector<ZoneIndex> indexes_;
    std::atomic<std::uint64_t> questions_{0}, answered_{0}, malformed_{0};
};

const ZoneIndex* ZoneResolver::zone_for(const std::string& key, ldns_rr_type type) const {
    const ZoneIndex* best = nullptr;
    for (const auto& zone : indexes_) {
        if (!is_under(key, zone.origin)) continue;
        // A DS record lives in the parent: at a child's apex, prefer the zone above it.
        if (type == LDNS_RR_TYPE_DS && zone.origin == key && zone.origin.size() > 1) {
            bool parent_loaded = false;
            for (const auto& other : indexes_) parent_loaded = parent_loaded || (&other != &zone && is_under(key, other.origin) && other.origin != key);
            if (parent_loaded) continue;
        }
        if (best == nullptr || zone.origin.size() > best->origin.size()) best = &zone;
    }
    return best;
}

void ZoneResolver::add_rrset(Response& out, ldns_pkt_section section, const Node& node, ldns_rr_type type, bool dnssec,
                             const ldns_rdf* owner) const {
    out.add_all(section, node.of_type(type), owner);
    if (dnssec) out.add_all(section, node.signatures(type), owner);
}

void ZoneResolver::add_denial(Response& out, const ZoneIndex& zone, const ldns_rdf* name, const std::string& wildcard) const {
    // NSEC records covering the name and the wildcard that could have matched (RFC 4035 §3.1.3.2).
    std::vector<const ldns_rdf*> targets{name};
    RdfPtr wildcard_name(nullptr, &ldns_rdf_deep_free);
    if (!wildcard.empty()) {
        wildcard_name.reset(ldns_dname_new_frm_data(static_cast<std::uint16_t>(wildcard.size()), wildcard.data()));
        if (wildcard_name) targets.push_back(wildcard_name.get());
    }
    for (const ldns_rdf* target : targets) {
        const ldns_rr* cover = nullptr;
        for (const ldns_rr* nsec : zone.nsecs) {
            if (ldns_dname_compare(ldns_rr_owner(nsec), target) > 0) continue;
            if (cover == nullptr || ldns_dname_compare(ldns_rr_owner(nsec), ldns_rr_owner(cover)) > 0) cover = nsec;
        }
        if (cover == nullptr && !zone.nsecs.empty()) {  // before the first name: the last NSEC wraps round
            cover = *std::max_element(zone.nsecs.begin(), zone.nsecs.end(), [](const ldns_rr* a, const ldns_rr* b) {
                return ldns_dname_compare(ldns_rr_owner(a), ldns_rr_owner(b)) < 0;
            });
        }
        if (cover == nullptr) continue;
        out.add(LDNS_SECTION_AUTHORITY, cover);
        if (const Node* node = zone.find(wire_key(ldns_rr_owner(cover)))) {
            out.add_all(LDNS_SECTION_AUTHORITY, node->signatures(LDNS_RR_TYPE_NSEC));
        }
    }
}

void ZoneResolver::add_referral(Response& out, const ZoneIndex& zone, const Node& cut, bool dnssec) const {
    const auto ns = cut.of_type(LDNS_RR_TYPE_NS);
    out.add_all(LDNS_SECTION_AUTHORITY, ns);
    if (dnssec) {
        if (cut.has(LDNS_RR_TYPE_DS)) {
            add_rrset(out, LDNS_SECTION_AUTHORITY, cut, LDNS_RR_TYPE_DS, true);
        } else {
            add_rrset(out, LDNS_SECTION_AUTHORITY, cut, LDNS_RR_TYPE_NSEC, true);  // proves "no DS": insecure child
        }
    }
    // Glue: addresses of nameservers whose names are in this zone, occluded or not.
    for (const ldns_rr* rr : ns) {
        const ldns_rdf* target = dname_field(rr, 0);
        if (target == nullptr) continue;
        const std::string key = wire_key(target);
        if (!is_under(key, zone.origin)) continue;
        if (const Node* node = zone.find(key)) {
            out.add_all(LDNS_SECTION_ADDITIONAL, node->of_type(LDNS_RR_TYPE_A));
            out.add_all(LDNS_SECTION_ADDITIONAL, node->of_type(LDNS_RR_TYPE_AAAA));
        }
    }
}

Answer ZoneResolver::respond(const Question& question) const {
    Answer answer;
    RdfPtr qname(question.name.empty() ? nullptr : ldns_dname_new_frm_str(question.name.c_str()), &ldns_rdf_deep_free);
    if (!qname) {
        answer.outcome = Outcome::malformed;
        answer.error = "invalid question name '" + question.name + "'";
        return answer;
    }
    Response out(question, qname.get());
    const bool dnssec = question.dnssec_ok;
    const ldns_rr_type type = question.type;
    RdfPtr current(ldns_rdf_clone(qname.get()), &ldns_rdf_deep_free);
    std::set<std::string> visited;

    for (int hop = 0; hop < kMaxChain; ++hop) {
        const std::string key = wire_key(current.get());
        if (!visited.insert(key).second) break;  // CNAME loop in the zone data: stop, answer what we have
        const ZoneIndex* zone = question.klass == LDNS_RR_CLASS_IN ? zone_for(key, type) : nullptr;
        if (zone == nullptr) {
            if (hop == 0) out.rcode = LDNS_RCODE_REFUSED;  // not ours; a chain leaving our zones just ends
            break;
        }
        if (hop == 0) out.authoritative = true;

        // Below a zone cut the data is not ours: refer (the DS at the cut itself is ours).
        const Node* cut = nullptr;
        for (const auto& step : path_below(zone->origin, key)) {
            const Node* node = zone->find(step);
            if (node != nullptr && node->has(LDNS_RR_TYPE_NS) && !(step == key && type == LDNS_RR_TYPE_DS)) {
                cut = node;
                break;
            }
        }
        if (cut != nullptr) {
            if (hop == 0) out.authoritative = false;
            add_referral(out, *zone, *cut, dnssec);
            break;
        }

        const Node* node = zone->find(key);
        const ldns_rdf* synthesized_owner = nullptr;
        std::string wildcard;
        if (node == nullptr) {
            // RFC 4592: the source of synthesis is "*." + the closest encloser.
            std::string encloser = parent_key(key);
            while (zone->find(encloser) == nullptr && encloser != zone->origin) encloser = parent_key(encloser);
            wildcard = std::string("\x01*", 2) + encloser;
            node = zone->find(wildcard);
            if (node == nullptr) {
                out.rcode = LDNS_RCODE_NXDOMAIN;
                out.add_negative_soa(*zone);
                if (dnssec) {
                    out.add_all(LDNS_SECTION_AUTHORITY, zone->find(zone->origin)->signatures(LDNS_RR_TYPE_SOA));
                    add_denial(out, *zone, current.get(), wildcard);
                }
                break;
            }
            synthesized_owner = current.get();
            if (dnssec) add_denial(out, *zone, current.get(), {});  // no closer match existed
        }

        if (node->has(type) || (type == LDNS_RR_TYPE_ANY && !node->rrs.empty())) {
            add_rrset(out, LDNS_SECTION_ANSWER, *node, type, dnssec, synthesized_owner);
            break;
        }
        const auto cnames = node->of_type(LDNS_RR_TYPE_CNAME);
        if (!cnames.empty() && type != LDNS_RR_TYPE_CNAME) {
            add_rrset(out, LDNS_SECTION_ANSWER, *node, LDNS_RR_TYPE_CNAME, dnssec, synthesized_owner);
            const ldns_rdf* target = dname_field(cnames.front(), 0);
            if (target == nullptr) break;
            current.reset(ldns_rdf_clone(target));
            if (!current) break;
            continue;
        }
        // NODATA: the name exists, the type does not.
        out.add_negative_soa(*zone);
        if (dnssec) {
            out.add_all(LDNS_SECTION_AUTHORITY, zone->find(zone->origin)->signatures(LDNS_RR_TYPE_SOA));
            // The NSEC proving the type's absence keeps its own owner (the wildcard, if one matched).
            add_rrset(out, LDNS_SECTION_AUTHORITY, *node, LDNS_RR_TYPE_NSEC, true);
        }
        break;
    }

    answer.packet = out.packet();
    answer.outcome = answer.packet ? Outcome::answer : Outcome::malformed;
    if (!answer.packet) answer.error = "out of memory building the answer";
    return answer;
}

/// Reads records until EOF. This is the loop of ldns_zone_new_frm_fp_l, done here because
/// that function (ldns 1.8.3) frees the zone shallowly on a syntax error and leaks every
/// record read so far; ldns_rr_new_frm_fp_l gives the same parsing and line numbers.
std::shared_ptr<ldns_zone> read_records(std::FILE* file, RdfPtr& origin, const std::string& name) {
    std::shared_ptr<ldns_zone> zone(ldns_zone_new(), [](ldns_zone* z) { ldns_zone_deep_free(z); });
    if (!zone) throw ZoneError(name, 0, "out of memory");
    std::uint32_t default_ttl = 3600;
    ldns_rdf* origin_raw = origin ? ldns_rdf_clone(origin.get()) : nullptr;
    ldns_rdf* previous_raw = nullptr;
    // ldns replaces these as it reads $ORIGIN lines and owner-less records; we free the last.
    int line = 0;
    for (;;) {
        ldns_rr* raw = nullptr;
        const int line_before = line;
        const ldns_status status = ldns_rr_new_frm_fp_l(&raw, file, &default_ttl, &origin_raw, &previous_raw, &line);
        RrPtr rr(raw, &ldns_rr_free);
        if (status == LDNS_STATUS_SYNTAX_EMPTY || status == LDNS_STATUS_SYNTAX_TTL || status == LDNS_STATUS_SYNTAX_ORIGIN) {
            if (std::feof(file) != 0) break;
            continue;
        }
        if (status != LDNS_STATUS_OK || !rr) {
            if (status == LDNS_STATUS_OK && std::feof(file) != 0) break;
            ldns_rdf_deep_free(origin_raw);
            ldns_rdf_deep_free(previous_raw);
            const char* why = status == LDNS_STATUS_SYNTAX_INCLUDE ? "$INCLUDE is not supported" : ldns_get_errorstr_by_id(status);
            throw ZoneError(name, std::max(line, line_before + 1), why != nullptr ? why : "syntax error");
        }
        if (ldns_rr_get_type(rr.get()) == LDNS_RR_TYPE_SOA) {
            const ldns_rr* soa = ldns_zone_soa(zone.get());
            if (soa == nullptr) {
                if (!origin) origin.reset(ldns_rdf_clone(ldns_rr_owner(rr.get())));
                ldns_zone_set_soa(zone.get(), rr.release());
                continue;
            }
            // A zone transfer ends with the SOA again; any other second SOA is a mistake.
            if (ldns_rr_compare(soa, rr.get()) == 0) continue;
            ldns_rdf_deep_free(origin_raw);
            ldns_rdf_deep_free(previous_raw);
            throw ZoneError(name, line, "a second, different SOA record");
        }
        if (!ldns_zone_push_rr(zone.get(), rr.get())) {
            ldns_rdf_deep_free(origin_raw);
            ldns_rdf_deep_free(previous_raw);
            throw ZoneError(name, line, "out of memory");
        }
        rr.release();
        if (std::feof(file) != 0) break;
    }
    ldns_rdf_deep_free(origin_raw);
    ldns_rdf_deep_free(previous_raw);
    return zone;
}

LoadedZone load_from(std::FILE* file, std::string_view origin, const std::string& name) {
    RdfPtr origin_rdf(nullptr, &ldns_rdf_deep_free);
    if (!origin.empty()) {
        origin_rdf.reset(ldns_dname_new_frm_str(std::string(origin).c_str()));
        if (!origin_rdf) throw ZoneError(name, 0, "invalid origin '" + std::string(origin) + "'");
    }
    const bool origin_given = static_cast<bool>(origin_rdf);
    auto zone = read_records(file, origin_rdf, name);
    const ldns_rr* soa = ldns_zone_soa(zone.get());
    LoadedZone loaded;
    loaded.file = name;
    if (soa != nullptr) {
        const std::string soa_owner = canonical_name(name_to_string(ldns_rr_owner(soa)));
        if (origin_given && ldns_dname_compare(ldns_rr_owner(soa), origin_rdf.get()) != 0) {
            throw ZoneError(name, 0, "the SOA record is owned by " + soa_owner + ", not by the origin " + canonical_name(origin));
        }
        loaded.origin = soa_owner;
    } else if (origin_given) {
        loaded.origin = canonical_name(name_to_string(origin_rdf.get()));
    } else {
        throw ZoneError(name, 0, "no SOA record and no origin given: cannot tell which zone this is");
    }
    loaded.zone = std::move(zone);
    return loaded;
}

}  // namespace

LoadedZone load_zone(const std::string& path, std::string_view origin) {
    FilePtr file(std::fopen(path.c_str(), "r"));
    if (!file) throw ZoneError(path, 0, std::string("cannot open: ") + std::strerror(errno));
    return load_from(file.get(), origin, path);
}

LoadedZone parse_zone(std::string_view text, std::string_view origin, const std::string& name) {
    std::string copy(text);
    // fmemopen needs a non-empty buffer; an empty zone then fails like an empty file would.
    if (copy.empty()) copy = "\n";
    FilePtr file(fmemopen(copy.data(), copy.size(), "r"));
    if (!file) throw ZoneError(name, 0, std::string("cannot read: ") + std::strerror(errno));
    return load_from(file.get(), origin, name);
}

std::unique_ptr<Resolver> make_zone_resolver(std::vector<LoadedZone> zones) {
    return std::make_unique<ZoneResolver>(std::move(zones));
}

}  // namespace mamori::dns
