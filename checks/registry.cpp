/// \file checks/registry.cpp — the one list of checks. Adding a check = one folder + one line.
#include "checks/bimi/bimi_check.h"
#include "checks/dane/dane_check.h"
#include "checks/dkim/dkim_check.h"
#include "checks/dmarc/dmarc_check.h"
#include "checks/dnssec/dnssec_check.h"
#include "checks/mta_sts/mta_sts_check.h"
#include "checks/mx/mx_check.h"
#include "checks/ns/ns_check.h"
#include "checks/rpki/rpki_check.h"
#include "checks/spf/spf_check.h"
#include "checks/tlsrpt/tlsrpt_check.h"
#include "core/check.h"

#include <array>

namespace mamori {

std::span<const Check* const> all_checks() {
    static const checks::MxCheck mx;
    static const checks::SpfCheck spf;
    static const checks::DnssecCheck dnssec;
    static const checks::NsCheck ns;
    static const checks::RpkiCheck rpki;
    static const checks::DmarcCheck dmarc;
    static const checks::DkimCheck dkim;
    static const checks::MtaStsCheck mta_sts;
    static const checks::TlsRptCheck tlsrpt;
    static const checks::DaneCheck dane;
    static const checks::BimiCheck bimi;
    static const std::array<const Check*, 11> registry{&mx, &spf, &dnssec, &rpki, &dmarc, &dkim, &mta_sts, &tlsrpt, &dane, &bimi, &ns};
    return registry;
}

}  // namespace mamori
