/// \file checks/dmarc/spf_view.h — the little that DMARC and DKIM need to know of a domain's SPF record.
///
/// Read straight from the domain's TXT records (the answer is cached for the run), never
/// from the spf check: checks do not call each other.
#pragma once

#include "core/context.h"

#include <string>
#include <vector>

namespace mamori::checks {

struct SpfView {
    bool answered = false;             ///< the TXT question got NOERROR or NXDOMAIN
    std::vector<std::string> records;  ///< the v=spf1 records

    /// Exactly one record, and some term of it can give "pass": a mechanism with the "+"
    /// qualifier (written or implied) or a redirect= (RFC 7208 §4.6.2, §6.1).
    bool can_pass() const;
    /// The one record is "v=spf1 -all": the domain declares that it sends no mail.
    bool sends_no_mail() const;
};

SpfView spf_view(const dns::Answer& txt_answer);
/// The SPF view of `domain`, from its TXT records.
SpfView spf_view(Context& context, const std::string& domain);

}  // namespace mamori::checks
