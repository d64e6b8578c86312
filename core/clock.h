/// \file core/clock.h — RFC 3339 timestamps (reports, --now).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace mamori {

using TimePoint = std::chrono::system_clock::time_point;

/// "2026-11-22T00:00:00Z" (UTC, whole seconds).
std::string format_rfc3339(TimePoint t);
/// Accepts "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)" (also a space or lower-case t/z), and a
/// plain date "YYYY-MM-DD" as midnight UTC. nullopt for anything else.
std::optional<TimePoint> parse_rfc3339(std::string_view text);

}  // namespace mamori
