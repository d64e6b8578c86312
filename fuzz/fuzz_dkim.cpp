/// \file fuzz/fuzz_dkim.cpp — libFuzzer target: DKIM key records (tag list, base64, OpenSSL key decoding) parse without crashing.
#include "checks/dkim/dkim_key.h"
#include "checks/dkim/tag_list.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto tags = mamori::checks::parse_tag_list(text);
    for (const auto& tag : tags.tags)
        if (tag.offset > size || tag.name.empty()) __builtin_trap();  // every tag has a name inside the text
    (void)mamori::checks::looks_like_dkim_key(text);
    const auto key = mamori::checks::parse_dkim_key(text);
    if (key.usable() && !key.bits) __builtin_trap();  // a usable key always has a decoded size
    (void)key.sha1_only();
    (void)mamori::checks::decode_base64(text);
    (void)mamori::checks::printable(text);
    return 0;
}
