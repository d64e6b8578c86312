/// \file checks/dkim/dkim_key.cpp — DKIM key record parsing, and public key decoding with OpenSSL.
#include "checks/dkim/dkim_key.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <memory>

namespace mamori::checks {
namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

/// "a : b:c" → {"a","b","c"} (RFC 6376 lists are colon-separated with optional white space).
std::vector<std::string> colon_list(std::string_view value) {
    std::vector<std::string> out;
    std::size_t begin = 0;
    while (begin <= value.size()) {
        std::size_t end = std::min(value.find(':', begin), value.size());
        std::string item;
        for (char c : value.substr(begin, end - begin))
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') item += c;
        if (!item.empty()) out.push_back(lower(item));
        begin = end + 1;
    }
    return out;
}

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/// An RSA key: SubjectPublicKeyInfo as everyone publishes it, or the bare RSAPublicKey
/// that the text of RFC 6376 §3.6.1 describes (RFC 8463 §4.2 notes the difference).
void decode_rsa(const std::string& der, DkimKey& key) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    const auto len = static_cast<long>(der.size());
    PkeyPtr pkey(d2i_PUBKEY(nullptr, &p, len), &EVP_PKEY_free);
    key.encoding = "spki";
    if (!pkey) {
        p = reinterpret_cast<const unsigned char*>(der.data());
        pkey.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, len));
        key.encoding = "pkcs1";
    }
    if (!pkey) {
        key.encoding.clear();
        key.problems.push_back("p= does not decode to a public key (neither SubjectPublicKeyInfo nor RSAPublicKey DER)");
        return;
    }
    if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
        key.problems.push_back(fmt::format("p= has {} bytes of garbage after the key",
                                           reinterpret_cast<const unsigned char*>(der.data()) + der.size() - p));
        return;
    }
    if (EVP_PKEY_get_base_id(pkey.get()) != EVP_PKEY_RSA) {
        key.problems.push_back(fmt::format("k=rsa but p= holds a {} key", OBJ_nid2sn(EVP_PKEY_get_base_id(pkey.get()))));
        return;
    }
    key.bits = EVP_PKEY_get_bits(pkey.get());
}

/// An Ed25519 key is the raw 32-byte public key (RFC 8463 §4.2), not a SubjectPublicKeyInfo.
void decode_ed25519(const std::string& raw, DkimKey& key) {
    if (raw.size() != 32) {
        key.problems.push_back(fmt::format("k=ed25519 needs the raw 32-byte public key in p= (RFC 8463 §4.2), "
                                           "found {} bytes{}", raw.size(),
                                           raw.size() == 44 ? " (a SubjectPublicKeyInfo?)" : ""));
        return;
    }
    PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                             reinterpret_cast<const unsigned char*>(raw.data()), raw.size()),
                 &EVP_PKEY_free);
    if (!pkey) {
        key.problems.push_back("p= is not an Ed25519 public key");
        return;
    }
    key.encoding = "raw";
    key.bits = 256;
}

void read_flags(DkimKey& key) {
    if (const Tag* k = key.tags.find("k")) key.key_type = lower(k->value);
    if (const Tag* h = key.tags.find("h")) key.hashes = colon_list(h->value);
    if (const Tag* s = key.tags.find("s")) key.services = colon_list(s->value);
    if (const Tag* t = key.tags.find("t")) {
        for (const auto& flag : colon_list(t->value)) {
            if (flag == "y") key.testing = true;
            if (flag == "s") key.strict = true;
        }
    }
}

void check_tags(DkimKey& key) {
    for (const auto& e : key.tags.errors) key.problems.push_back("tag list: " + e.message);
    if (const Tag* v = key.tags.find("v")) {
        if (&key.tags.tags.front() != v) key.problems.push_back("v= must be the first tag (RFC 6376 §3.6.1)");
        if (v->value != "DKIM1")
            key.problems.push_back(fmt::format("v={} is not DKIM1: verifiers discard the record", printable(v->value)));
    }
    if (key.key_type != "rsa" && key.key_type != "ed25519")
        key.problems.push_back(fmt::format("k={} is not a key type verifiers know (rsa, ed25519)", printable(key.key_type)));
    if (!key.services.empty() && std::find(key.services.begin(), key.services.end(), "*") == key.services.end() &&
        std::find(key.services.begin(), key.services.end(), "email") == key.services.end())
        key.problems.push_back("s= does not include email or *: the key may not sign mail");
}

}  // namespace

bool DkimKey::sha1_only() const {
    return !hashes.empty() && std::all_of(hashes.begin(), hashes.end(), [](const auto& h) { return h == "sha1"; });
}

std::optional<std::string> decode_base64(std::string_view text) {
    std::string out;
    unsigned buffer = 0;
    int bits = 0, pad = 0;
    std::size_t chars = 0;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        if (c == '=') {
            ++pad;
            continue;
        }
        int v = base64_value(c);
        if (v < 0 || pad > 0) return std::nullopt;  // a stray byte, or data after padding
        ++chars;
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xffu);
        }
    }
    if (chars % 4 == 1 || pad > 2 || (pad > 0 && (chars + static_cast<std::size_t>(pad)) % 4 != 0))
        return std::nullopt;
    return out;
}

bool looks_like_dkim_key(std::string_view text) {
    TagList tags = parse_tag_list(text);
    if (!tags.tags.empty() && tags.tags.front().name == "v") return true;
    return tags.find("p") != nullptr;
}

DkimKey parse_dkim_key(std::string_view text) {
    DkimKey key;
    key.text = std::string(text);
    key.tags = parse_tag_list(text);
    read_flags(key);
    check_tags(key);
    const Tag* p = key.tags.find("p");
    if (p == nullptr) {
        key.problems.push_back("no p= tag (the public key is required)");
        return key;
    }
    auto data = decode_base64(p->value);
    if (!data) {
        key.problems.push_back("p= is not valid base64");
        return key;
    }
    if (data->empty()) {
        key.revoked = true;
        return key;
    }
    if (key.key_type == "rsa") decode_rsa(*data, key);
    else if (key.key_type == "ed25519") decode_ed25519(*data, key);
    return key;
}

}  // namespace mamori::checks
