/// \file checks/mta_sts/https_fetch.h — one HTTPS GET with libcurl, to addresses that mamori's own DNS layer resolved.
///
/// The host name is never resolved by libcurl or the system: the caller passes the
/// addresses it got through the Resolver (so --resolver is honoured), and libcurl is
/// pinned to them (CURLOPT_RESOLVE). Certificates are verified against the system's CAs
/// plus an optional extra CA file; redirects are never followed; proxies are not used.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace mamori::checks {

struct HttpsRequest {
    std::string host;                     ///< e.g. "mta-sts.example.go.jp"
    std::string path;                     ///< e.g. "/.well-known/mta-sts.txt"
    std::vector<std::string> addresses;   ///< IPv4/IPv6 literals of `host`
    std::string ca_file;                  ///< extra CA certificates (PEM); empty: none
    std::chrono::milliseconds timeout{10000};
    std::size_t max_bytes = 64 * 1024;
};

enum class HttpsFailure { none, connect, certificate, tls, timeout, too_large, other };

struct HttpsResponse {
    HttpsFailure failure = HttpsFailure::none;
    std::string error;          ///< libcurl's message, when failure != none
    long status = 0;            ///< HTTP status code
    std::string content_type;   ///< Content-Type header, as sent
    std::string location;       ///< Location header of a redirect (not followed)
    std::string body;
    std::string peer;           ///< the address that answered

    bool ok() const { return failure == HttpsFailure::none; }
};

using HttpsFetcher = std::function<HttpsResponse(const HttpsRequest&)>;

/// The libcurl implementation. Thread-safe; never throws.
HttpsResponse https_get(const HttpsRequest& request);

}  // namespace mamori::checks
