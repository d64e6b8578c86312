/// \file rpki/prefix.h — IP prefixes and AS numbers as routing data writes them.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mamori::rpki {

__extension__ typedef unsigned __int128 uint128;

enum class Family : std::uint8_t { ipv4 = 4, ipv6 = 6 };

/// An IPv4 or IPv6 prefix. The address is left-aligned in 128 bits (an IPv4 address in
/// the top 32), so one set of bit operations serves both families; host bits are zero.
struct Prefix {
    uint128 bits = 0;
    std::uint8_t length = 0;
    Family family = Family::ipv4;

    unsigned width() const { return family == Family::ipv4 ? 32u : 128u; }
    /// The bit at `index` (0 = most significant) of the address.
    bool bit(unsigned index) const { return ((bits >> (127 - index)) & 1) != 0; }
    /// `other` lies inside this prefix (or is it).
    bool contains(const Prefix& other) const;
    /// "192.0.2.0/24", "2001:db8::/32".
    std::string to_string() const;
    /// The network address alone: "192.0.2.0".
    std::string address_string() const;
    /// The number of addresses, as a double (2^96 for a /32 of IPv6).
    double size() const;

    friend bool operator==(const Prefix&, const Prefix&) = default;
    friend std::strong_ordering operator<=>(const Prefix& a, const Prefix& b) {
        if (a.family != b.family) return a.family <=> b.family;
        if (a.bits != b.bits) return a.bits < b.bits ? std::strong_ordering::less : std::strong_ordering::greater;
        return a.length <=> b.length;
    }
};

/// The mask of the first `length` bits of 128.
uint128 prefix_mask(unsigned length);

/// "192.0.2.0/24" or "2001:db8::/32". Host bits must be zero unless `allow_host_bits`
/// (then they are cleared). On failure returns nullopt and says why in `why`.
std::optional<Prefix> parse_prefix(std::string_view text, std::string* why = nullptr, bool allow_host_bits = false);

/// A single address ("192.0.2.1", "2001:db8::1") as a full-length prefix.
std::optional<Prefix> parse_address(std::string_view text);

/// Address and length given apart (CAIDA pfx2as writes "192.0.2.0<TAB>24").
std::optional<Prefix> make_prefix(std::string_view address, unsigned length, std::string* why = nullptr);

/// "AS64500", "as64500", "64500" or asdot "1.10"; nullopt for anything else.
std::optional<std::uint32_t> parse_asn(std::string_view text);

/// "AS64500".
std::string asn_string(std::uint32_t asn);

}  // namespace mamori::rpki
