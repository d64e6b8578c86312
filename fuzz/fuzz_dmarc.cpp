/// \file fuzz/fuzz_dmarc.cpp — libFuzzer target: DMARC records (tag list, every tag, report URIs) parse without crashing.
#include "checks/dmarc/dmarc_record.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto record = mamori::checks::parse_dmarc(text);
    // Everything the dmarc check reads of a record, so that each path runs on hostile text.
    (void)record.effective();
    (void)record.effective_subdomain();
    (void)record.fatal();
    for (const auto& problem : record.problems)
        if (problem.offset > size) __builtin_trap();  // offsets point into the record
    (void)mamori::checks::resembles_dmarc(text);
    (void)mamori::checks::parse_dmarc_uri(text);
    return 0;
}
