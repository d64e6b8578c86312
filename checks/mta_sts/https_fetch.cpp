/// \file checks/mta_sts/https_fetch.cpp — HTTPS GET with libcurl, pinned to addresses resolved by mamori.
#include "checks/mta_sts/https_fetch.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <memory>
#include <mutex>

namespace mamori::checks {
namespace {

using EasyPtr = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using ListPtr = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

/// curl_global_init is not thread-safe: once per process, before the first handle.
void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
    std::string body;
    std::size_t max_bytes = 0;
    bool too_large = false;
    const std::string* ca_file = nullptr;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::size_t n = size * count;
    if (t->body.size() + n > t->max_bytes) {
        t->too_large = true;
        return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    t->body.append(data, n);
    return n;
}

/// Adds the extra CA file to the certificates libcurl already trusts (CURLOPT_CAINFO
/// would replace the system's bundle instead).
CURLcode on_ssl_ctx(CURL*, void* ssl_ctx, void* user) {
    const auto* t = static_cast<const Transfer*>(user);
    X509_STORE* store = SSL_CTX_get_cert_store(static_cast<SSL_CTX*>(ssl_ctx));
    if (store == nullptr || X509_STORE_load_file(store, t->ca_file->c_str()) != 1) return CURLE_SSL_CACERT_BADFILE;
    return CURLE_OK;
}

/// libcurl fails every verified transfer when its compiled-in CA bundle cannot be read.
bool system_bundle_readable(CURL* c) {
    char* path = nullptr;
    return curl_easy_getinfo(c, CURLINFO_CAINFO, &path) == CURLE_OK && path != nullptr && access(path, R_OK) == 0;
}

HttpsFailure classify(CURLcode code, bool too_large) {
    if (too_large || code == CURLE_FILESIZE_EXCEEDED) return HttpsFailure::too_large;
    switch (code) {
        case CURLE_COULDNT_CONNECT: return HttpsFailure::connect;
        case CURLE_OPERATION_TIMEDOUT: return HttpsFailure::timeout;
        case CURLE_PEER_FAILED_VERIFICATION: return HttpsFailure::certificate;
        case CURLE_SSL_CONNECT_ERROR: return HttpsFailure::tls;
        default: return HttpsFailure::other;
    }
}

/// "host:443:192.0.2.1,[2001:db8::1]" for CURLOPT_RESOLVE.
std::string resolve_entry(const HttpsRequest& r) {
    std::string entry = r.host + ":443:";
    for (std::size_t i = 0; i < r.addresses.size(); ++i) {
        if (i > 0) entry += ',';
        const auto& a = r.addresses[i];
        entry += a.find(':') != std::string::npos ? "[" + a + "]" : a;
    }
    return entry;
}

void set_options(CURL* c, const HttpsRequest& r, Transfer& t, curl_slist* resolve, char* errors) {
    const std::string url = "https://" + r.host + r.path;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());  // libcurl copies strings it is given
    curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // RFC 8461 §3.3: redirects must not be followed
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");        // the addresses were resolved here, not by a proxy
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout.count()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(r.timeout.count() / 2));
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(r.max_bytes));
    curl_easy_setopt(c, CURLOPT_USERAGENT, "mamori/" MAMORI_VERSION);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errors);
    if (!r.ca_file.empty()) {
        curl_easy_setopt(c, CURLOPT_CA_CACHE_TIMEOUT, 0L);  // the store is changed per transfer
        curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, &t);
        // Without the system's bundle (no ca-certificates) or without the OpenSSL SSL_CTX hook,
        // the file replaces the system's CAs instead of joining them.
        if (!system_bundle_readable(c) || curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx) != CURLE_OK)
            curl_easy_setopt(c, CURLOPT_CAINFO, r.ca_file.c_str());
    }
}

void read_info(CURL* c, HttpsResponse& out) {
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
    char* text = nullptr;
    if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &text) == CURLE_OK && text != nullptr) out.content_type = text;
    text = nullptr;
    if (curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &text) == CURLE_OK && text != nullptr) out.location = text;
    text = nullptr;
    if (curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &text) == CURLE_OK && text != nullptr) out.peer = text;
}

}  // namespace

HttpsResponse https_get(const HttpsRequest& request) {
    HttpsResponse out;
    global_init();
    EasyPtr curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl) {
        out.failure = HttpsFailure::other;
        out.error = "libcurl could not create a handle";
        return out;
    }
    const std::string entry = resolve_entry(request);
    ListPtr resolve(curl_slist_append(nullptr, entry.c_str()), &curl_slist_free_all);
    Transfer transfer;
    transfer.max_bytes = request.max_bytes;
    transfer.ca_file = &request.ca_file;
    char errors[CURL_ERROR_SIZE] = {};
    set_options(curl.get(), request, transfer, resolve.get(), errors);
    CURLcode code = curl_easy_perform(curl.get());
    read_info(curl.get(), out);
    if (code != CURLE_OK) {
        out.failure = classify(code, transfer.too_large);
        out.error = transfer.too_large ? fmt::format("the response exceeds {} bytes", request.max_bytes)
                    : errors[0] != '\0' ? std::string(errors)
                                        : std::string(curl_easy_strerror(code));
        return out;
    }
    out.body = std::move(transfer.body);
    return out;
}

}  // namespace mamori::checks
