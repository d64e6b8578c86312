/// \file rpki/rtrlib_glue.h — conversions between mamori's prefixes and RTRlib's (internal to rpki/).
#pragma once

#include "rpki/prefix.h"
#include "rpki/vrp_table.h"

#include <rtrlib/rtrlib.h>

namespace mamori::rpki {

/// RTRlib keeps addresses in host byte order, IPv6 as four 32-bit words, most significant first.
inline lrtr_ip_addr to_lrtr(const Prefix& p) {
    lrtr_ip_addr a{};
    if (p.family == Family::ipv4) {
        a.ver = LRTR_IPV4;
        a.u.addr4.addr = static_cast<std::uint32_t>(p.bits >> 96);
    } else {
        a.ver = LRTR_IPV6;
        for (int i = 0; i < 4; ++i) a.u.addr6.addr[i] = static_cast<std::uint32_t>(p.bits >> (96 - 32 * i));
    }
    return a;
}

inline Prefix from_lrtr(const lrtr_ip_addr& a, std::uint8_t length) {
    Prefix p;
    p.length = length;
    if (a.ver == LRTR_IPV4) {
        p.family = Family::ipv4;
        p.bits = uint128{a.u.addr4.addr} << 96;
    } else {
        p.family = Family::ipv6;
        for (int i = 0; i < 4; ++i) p.bits = (p.bits << 32) | a.u.addr6.addr[i];
    }
    p.bits &= prefix_mask(length);
    return p;
}

inline pfx_record to_rtrlib(const Vrp& v) {
    pfx_record r{};
    r.asn = v.asn;
    r.prefix = to_lrtr(v.prefix);
    r.min_len = v.prefix.length;
    r.max_len = v.max_length;
    r.socket = nullptr;
    return r;
}

inline Vrp from_rtrlib(const pfx_record& r) {
    Vrp v;
    v.prefix = from_lrtr(r.prefix, r.min_len);
    v.max_length = r.max_len;
    v.asn = r.asn;
    return v;
}

inline State from_rtrlib(pfxv_state s) {
    switch (s) {
        case BGP_PFXV_STATE_VALID: return State::valid;
        case BGP_PFXV_STATE_INVALID: return State::invalid;
        case BGP_PFXV_STATE_NOT_FOUND: return State::not_found;
    }
    return State::not_found;
}

}  // namespace mamori::rpki
