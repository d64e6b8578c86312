/// \file cli/explain.cpp — `mamori explain` and `mamori profiles`: the catalogue, for people.
#include "cli/commands.h"
#include "core/check.h"
#include "core/profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace mamori::cli {

void add_explain_command(CLI::App& app, int& status) {
    auto id = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("explain", "What a finding means, why it matters, how to fix it; without an id, list every finding.");
    cmd->add_option("FINDING-ID", *id, "e.g. MX-NULL-MIXED");
    cmd->callback([id, &status] {
        if (id->empty()) {
            for (const Check* c : all_checks()) {
                fmt::print("{} — {}\n", c->id(), c->describe().title);
                for (const auto& f : c->describe().findings)
                    fmt::print("  {:<24} {:<8} {}\n", f.id, to_string(f.severity), f.title);
            }
            status = exit_ok;
            return;
        }
        std::string wanted = *id;
        std::transform(wanted.begin(), wanted.end(), wanted.begin(), [](unsigned char c) { return std::toupper(c); });
        const Check* owner = nullptr;
        const FindingInfo* f = find_finding(wanted, &owner);
        if (f == nullptr)
            throw Exit(exit_usage, fmt::format("no finding '{}'; 'mamori explain' lists them all", *id));
        fmt::print("{} — {}\n\ncheck:     {} ({})\nseverity:  {} (a profile may change it)\nstandard:  {}\n\n{}\n\nHow to fix: {}\n",
                   f->id, f->title, owner->id(), owner->describe().title, to_string(f->severity), f->ref, f->why, f->remedy);
        status = exit_ok;
    });
}

void add_profiles_command(CLI::App& app, int& status) {
    CLI::App* cmd = app.add_subcommand("profiles", "List the shipped scoring profiles.");
    cmd->callback([&status] {
        for (const auto& [name, description] : Profile::shipped()) fmt::print("{:<10} {}\n", name, description);
        status = exit_ok;
    });
}

}  // namespace mamori::cli
