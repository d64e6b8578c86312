/// \file fuzz/fuzz_spf_record.cpp — libFuzzer target: the SPF record, macro-string and explanation parsers, and macro expansion.
#include "checks/spf/spf_evaluator.h"
#include "checks/spf/spf_record.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace mamori::spf;
    const std::string text(reinterpret_cast<const char*>(data), size);
    MacroEnv env;
    env.ip = *Address::parse("2001:db8::cb01");
    env.sender = "strong-bad@email.example.com";
    env.local_part = "strong-bad";
    env.sender_domain = env.domain = "email.example.com";
    env.helo = "mx.example.org";
    env.receiver = "unknown";
    for (const std::string& record : {text, "v=spf1 " + text}) {
        const ParseResult r = parse_record(record);
        if (r.error) (void)r.error->describe();
        if (!r.record) continue;
        (void)r.record->dns_terms();
        for (const auto& m : r.record->mechanisms) (void)target_name(expand_macros(m.target, env));
        if (r.record->redirect) (void)target_name(expand_macros(r.record->redirect->macro, env));
    }
    MacroError error;
    if (auto m = parse_domain_spec(text, &error)) (void)presentation_name(target_name(expand_macros(*m, env)).value_or("x"));
    if (auto m = parse_explanation(text, &error)) (void)expand_macros(*m, env);
    (void)Address::parse(text);
    (void)is_spf_record(text);
    return 0;
}
