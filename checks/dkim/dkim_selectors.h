/// \file checks/dkim/dkim_selectors.h — which DKIM selectors to try, and the shared key look-up of a target.
#pragma once

#include "core/context.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::checks {

/// Selectors that mail services and signing software use by default. DNS cannot list a
/// domain's selectors, so the audit tries these besides the ones the user names.
std::span<const std::string_view> builtin_dkim_selectors();

/// A selector is one or more labels of letters, digits, '-' and '_' (RFC 6376 §3.1).
bool valid_dkim_selector(std::string_view selector);

/// The user's selectors (AuditSettings::dkim_selectors) first, then the built-in ones,
/// lower-cased and without repeats.
std::vector<std::string> dkim_selectors(const AuditSettings& settings);

/// The target's key records, looked up once per target and shared by the dkim and dmarc checks.
const DkimKeys& dkim_lookup(Context& context, const std::string& domain);

}  // namespace mamori::checks
