/// \file core/model.cpp — names of the model's enumerations.
#include "core/model.h"

#include <array>

namespace mamori {

std::string_view to_string(Severity s) {
    switch (s) {
        case Severity::info: return "info";
        case Severity::warning: return "warning";
        case Severity::error: return "error";
    }
    return "?";
}

std::string_view to_string(Status s) {
    switch (s) {
        case Status::pass: return "pass";
        case Status::warn: return "warn";
        case Status::fail: return "fail";
        case Status::error: return "error";
        case Status::skip: return "skip";
    }
    return "?";
}

std::string_view to_string(TargetKind k) {
    switch (k) {
        case TargetKind::domain: return "domain";
        case TargetKind::as: return "as";
        case TargetKind::prefix: return "prefix";
        case TargetKind::zone: return "zone";
    }
    return "?";
}

std::optional<Severity> parse_severity(std::string_view text) {
    for (auto s : {Severity::info, Severity::warning, Severity::error})
        if (to_string(s) == text) return s;
    return std::nullopt;
}

std::optional<Status> parse_status(std::string_view text) {
    for (auto s : {Status::pass, Status::warn, Status::fail, Status::error, Status::skip})
        if (to_string(s) == text) return s;
    return std::nullopt;
}

int rank(Status s) {
    switch (s) {
        case Status::pass: return 0;
        case Status::skip: return 1;
        case Status::warn: return 2;
        case Status::fail: return 3;
        case Status::error: return 4;
    }
    return 4;
}

}  // namespace mamori
