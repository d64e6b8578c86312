/// \file dns/resolver.h — the DNS query interface every check uses.
///
/// One interface, several implementations: the network resolver (UDP with EDNS0, TCP on
/// truncation, retries, many queries in flight, a cache shared by the whole run) and the
/// zone-file resolver that answers from local zone files for the offline `zone` command.
/// Unit tests implement it with canned answers.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// ldns/common.h defines bool/true/false as macros unless stdbool.h came first.
#include <stdbool.h>
#include <ldns/ldns.h>

namespace mamori::dns {

/// A server to ask: an IPv4 or IPv6 address literal and a port.
struct Server {
    std::string address;
    std::uint16_t port = 53;

    /// "192.0.2.1", "192.0.2.1@5353", "2001:db8::1", "[2001:db8::1]:53", "2001:db8::1@53".
    /// Returns nullopt when `text` is not an address (the caller names it in its message).
    static std::optional<Server> parse(std::string_view text);
    std::string to_string() const;  // "192.0.2.1@53" style, port always shown
    friend bool operator==(const Server&, const Server&) = default;
};

struct Question {
    std::string name;                        ///< presentation form; a trailing dot is optional
    ldns_rr_type type = LDNS_RR_TYPE_A;
    ldns_rr_class klass = LDNS_RR_CLASS_IN;
    bool dnssec_ok = false;                  ///< set the EDNS0 DO bit
    bool checking_disabled = false;          ///< set CD: ask for data the resolver would call bogus
    bool recursion_desired = true;           ///< clear for questions to authoritative servers
    std::optional<Server> server{};          ///< ask this server instead of the configured resolvers
};

enum class Outcome {
    answer,         ///< a well-formed response matching the question (any RCODE)
    timeout,        ///< no response after every retry
    network_error,  ///< the socket failed (e.g. port unreachable, connection refused)
    malformed,      ///< the only responses were garbage or did not match the question
};

std::string_view to_string(Outcome);

using PacketPtr = std::shared_ptr<const ldns_pkt>;

/// The result of one question: a value, never an exception.
struct Answer {
    Outcome outcome = Outcome::timeout;
    std::string error;                       ///< why, when outcome != answer (names the server)
    PacketPtr packet;                        ///< set when outcome == answer
    std::optional<Server> server;            ///< who answered (unset for zone files / cache of those)
    std::chrono::microseconds elapsed{0};
    bool from_cache = false;
    bool over_tcp = false;

    bool ok() const { return outcome == Outcome::answer && packet != nullptr; }
    ldns_pkt_rcode rcode() const;            ///< LDNS_RCODE_SERVFAIL when !ok()
    bool nxdomain() const { return ok() && rcode() == LDNS_RCODE_NXDOMAIN; }
    bool authenticated() const;              ///< AD bit
    bool authoritative() const;              ///< AA bit
    bool truncated() const;                  ///< TC bit still set (TCP also failed)
};

/// Wraps a freshly allocated packet (takes ownership).
PacketPtr adopt(ldns_pkt* packet);

using Callback = std::function<void(Answer)>;

struct Stats {
    std::uint64_t questions = 0;    ///< submitted
    std::uint64_t sent = 0;         ///< datagrams / TCP queries actually sent (retries included)
    std::uint64_t answered = 0;     ///< questions that ended with Outcome::answer (not from cache)
    std::uint64_t cache_hits = 0;   ///< questions answered from the cache or joined to one in flight
    std::uint64_t timeouts = 0;
    std::uint64_t network_errors = 0;
    std::uint64_t malformed = 0;    ///< responses dropped as garbage / mismatched
    std::uint64_t tcp = 0;          ///< questions retried over TCP after truncation
};

class Resolver {
public:
    virtual ~Resolver() = default;

    /// Starts a question. `done` is called exactly once, from an internal thread or from
    /// inside submit() itself (cache hit). It must not block: hand work elsewhere.
    virtual void submit(Question question, Callback done) = 0;

    virtual Stats stats() const = 0;

    /// Blocking convenience: one question. Safe from many threads at once, but never from
    /// inside a callback (it would wait for the thread that has to deliver the answer).
    Answer query(const Question& question);
    /// Blocking convenience: every question in flight at once; answers in the same order.
    std::vector<Answer> query_all(const std::vector<Question>& questions);
};

struct NetworkOptions {
    std::vector<Server> servers;                     ///< recursive resolvers, tried in turn
    std::chrono::milliseconds timeout{2000};         ///< per attempt
    int attempts = 3;                                ///< per question, rotating over servers
    std::uint16_t edns_buffer = 1232;                ///< advertised UDP payload size
    unsigned qps = 0;                                ///< 0 = unlimited; else a token bucket
    std::size_t max_in_flight = 4096;                ///< queued beyond this
    bool cache = true;                               ///< share answers across the whole run
};

/// The network resolver: one event-loop thread, non-blocking sockets. Callbacks run on that
/// thread (may submit follow-up questions, must not block, must not destroy the resolver).
/// Destroying it completes every pending question with network_error "resolver shut down".
/// An invalid question name ends as Outcome::malformed without being sent.
std::unique_ptr<Resolver> make_network_resolver(NetworkOptions options);

/// Nameservers of a resolv.conf file (IPv4 and IPv6). Empty when none or unreadable.
std::vector<Server> system_servers(const std::string& path = "/etc/resolv.conf");

}  // namespace mamori::dns
