/// \file dns/network_resolver.cpp — the UDP/TCP resolver: one epoll loop thread, many queries in flight, a run-wide cache.
///
/// Threads: submit() may be called from any thread; it only touches the cache (its own
/// mutex) and the incoming queue (another mutex), then wakes the loop through an eventfd.
/// Everything else — sockets, query state, timeouts, the token bucket — belongs to the
/// loop thread alone, so it needs no locks. Callbacks run on the loop thread (or inside
/// submit() for cache hits) and never under an internal lock.
///
/// Spoofing resistance: every query gets a fresh random ID from the kernel CSPRNG and goes
/// out of a connected socket with a kernel-chosen ephemeral port; sockets are retired after
/// a bounded number of uses so ports keep changing. A response is accepted only when its
/// socket, source, ID and question section (name case-insensitive, type, class) all match;
/// anything else is counted as malformed and the query keeps waiting.
#include "dns/resolver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>

#include "dns/records.h"

namespace mamori::dns {

namespace {

using Clock = std::chrono::steady_clock;
using RdfPtr = std::unique_ptr<ldns_rdf, decltype(&ldns_rdf_deep_free)>;

constexpr std::size_t kMaxSocketsPerEndpoint = 16;   // enough spread for ~100k qps
constexpr std::size_t kBusySocket = 128;             // open another socket beyond this many pending
constexpr std::size_t kSocketCapacity = 2048;        // IDs in use per socket before we look elsewhere
constexpr std::uint64_t kSocketUses = 4096;          // then retire it: a new source port
constexpr auto kIdleSocketLinger = std::chrono::seconds(2);
constexpr std::size_t kRecvBatch = 32;
constexpr std::size_t kMaxEvents = 256;
constexpr std::size_t kSendBurst = 64;               // datagrams per loop round, see pump()

/// Closes a file descriptor once (RAII for the raw ints the socket API hands out).
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
};

/// Query IDs from the kernel CSPRNG, fetched in blocks so that an ID costs no syscall.
class IdSource {
public:
    std::uint16_t next() {
        if (used_ + 2 > buffer_.size()) refill();
        const auto id = static_cast<std::uint16_t>((buffer_[used_] << 8) | buffer_[used_ + 1]);
        used_ += 2;
        return id;
    }

private:
    void refill() {
        std::size_t filled = 0;
        while (filled < buffer_.size()) {
            const ssize_t n = getrandom(buffer_.data() + filled, buffer_.size() - filled, 0);
            if (n > 0) {
                filled += static_cast<std::size_t>(n);
            } else if (errno != EINTR) {
                // No getrandom (ancient kernel): fall back to random_device, still unpredictable.
                std::random_device device;
                for (; filled < buffer_.size(); ++filled) buffer_[filled] = static_cast<std::uint8_t>(device());
            }
        }
        used_ = 0;
    }
    std::array<std::uint8_t, 4096> buffer_{};
    std::size_t used_ = 4096;
};

struct Endpoint {
    Server server;
    std::string key;
    sockaddr_storage address{};
    socklen_t address_length = 0;
    std::vector<std::size_t> sockets;  // indexes into the UDP socket slab
    std::size_t next_socket = 0;
};

struct UdpSocket {
    Fd fd;
    std::uint32_t generation = 0;
    std::size_t endpoint = 0;
    std::unordered_map<std::uint16_t, std::uint64_t> pending;  // query ID → query serial
    std::uint64_t uses = 0;
    bool retiring = false;
    Clock::time_point idle_since{};
};

struct TcpExchange {
    Fd fd;
    std::vector<std::uint8_t> out;
    std::size_t written = 0;
    std::vector<std::uint8_t> in;
    bool connected = false;
};

struct Query {
    std::uint64_t serial = 0;
    Question question;
    Callback done;
    RdfPtr qname{nullptr, &ldns_rdf_deep_free};
    std::vector<std::uint8_t> wire;
    std::vector<std::size_t> endpoints;
    Clock::time_point submitted{};
    int attempt = 0;                   // attempts started
    std::uint64_t sequence = 0;        // bumps on every send; stale timeouts compare it
    std::size_t socket = SIZE_MAX;     // UDP socket the current attempt waits on
    std::uint16_t id = 0;              // ID of the current attempt (UDP or TCP)
    // Every (socket, ID) still listened on: a slow server's answer to an earlier attempt
    // is as good as an answer to the last one, so earlier attempts stay registered.
    std::vector<std::pair<std::size_t, std::uint16_t>> slots;
    bool saw_garbage = false;
    std::string garbage_from;
    bool refused = false;
    std::string refused_by;
    PacketPtr truncated;               // the UDP answer with TC, kept in case TCP fails
    std::unique_ptr<TcpExchange> tcp;
};

struct Outgoing {
    std::size_t socket;
    std::uint64_t serial;
    std::uint16_t id;
};

struct Timeout {
    Clock::time_point deadline;
    std::uint64_t serial;
    std::uint64_t sequence;
};

struct Incoming {
    Question question;
    Callback done;
    Clock::time_point submitted;
};

enum class EventKind : std::uint64_t { wake = 1, udp = 2, tcp = 3 };

std::uint64_t event_tag(EventKind kind, std::uint64_t value) {
    return (static_cast<std::uint64_t>(kind) << 56) | (value & ((std::uint64_t{1} << 56) - 1));
}

std::optional<std::pair<sockaddr_storage, socklen_t>> socket_address(const Server& server) {
    sockaddr_storage storage{};
    if (server.address.find(':') != std::string::npos) {
        sockaddr_in6 six{};
        six.sin6_family = AF_INET6;
        six.sin6_port = htons(server.port);
        if (inet_pton(AF_INET6, server.address.c_str(), &six.sin6_addr) != 1) return std::nullopt;
        std::memcpy(&storage, &six, sizeof six);
        return std::pair{storage, static_cast<socklen_t>(sizeof six)};
    }
    sockaddr_in four{};
    four.sin_family = AF_INET;
    four.sin_port = htons(server.port);
    if (inet_pton(AF_INET, server.address.c_str(), &four.sin_addr) != 1) return std::nullopt;
    std::memcpy(&storage, &four, sizeof four);
    return std::pair{storage, static_cast<socklen_t>(sizeof four)};
}

bool same_address(const sockaddr_storage& a, socklen_t a_length, const sockaddr_storage& b, socklen_t b_length) {
    if (a.ss_family != b.ss_family) return false;
    if (a.ss_family == AF_INET) {
        sockaddr_in x{}, y{};
        if (a_length < sizeof x || b_length < sizeof y) return false;
        std::memcpy(&x, &a, sizeof x);
        std::memcpy(&y, &b, sizeof y);
        return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
    }
    sockaddr_in6 x{}, y{};
    if (a_length < sizeof x || b_length < sizeof y) return false;
    std::memcpy(&x, &a, sizeof x);
    std::memcpy(&y, &b, sizeof y);
    return x.sin6_port == y.sin6_port && std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
}

/// The query in wire form, ID zero (patched per attempt). Built by hand because ldns would
/// allocate a packet, several lists and a buffer for these few dozen bytes.
std::vector<std::uint8_t> query_wire(const Question& question, const ldns_rdf* qname, std::uint16_t edns_buffer) {
    std::vector<std::uint8_t> wire;
    wire.reserve(12 + ldns_rdf_size(qname) + 4 + 11);
    const bool edns = edns_buffer >= 512 || question.dnssec_ok;
    const auto put16 = [&](unsigned value) {
        wire.push_back(static_cast<std::uint8_t>((value >> 8) & 0xff));
        wire.push_back(static_cast<std::uint8_t>(value & 0xff));
    };
    put16(0);  // ID
    unsigned flags = 0;
    if (question.recursion_desired) flags |= 0x0100;
    if (question.checking_disabled) flags |= 0x0010;
    put16(flags);
    put16(1);  // QDCOUNT
    put16(0);
    put16(0);
    put16(edns ? 1 : 0);  // ARCOUNT: the OPT record
    const std::uint8_t* name = ldns_rdf_data(qname);
    wire.insert(wire.end(), name, name + ldns_rdf_size(qname));
    put16(static_cast<unsigned>(question.type));
    put16(static_cast<unsigned>(question.klass));
    if (edns) {
        wire.push_back(0);  // root owner
        put16(LDNS_RR_TYPE_OPT);
        put16(std::max<unsigned>(edns_buffer, 512));  // CLASS carries the payload size
        put16(0);                                      // extended RCODE, version 0
        put16(question.dnssec_ok ? 0x8000 : 0);        // DO
        put16(0);                                      // RDLENGTH
    }
    return wire;
}

std::string cache_key(const Question& q) {
    std::string key = q.server ? q.server->to_string() : std::string("-");
    key += ' ';
    key += canonical_name(q.name);
    key += ' ';
    key += std::to_string(static_cast<unsigned>(q.type));
    key += ' ';
    key += std::to_string(static_cast<unsigned>(q.klass));
    key += q.dnssec_ok ? " do" : " -";
    key += q.checking_disabled ? " cd" : " -";
    key += q.recursion_desired ? " rd" : " -";
    return key;
}

void call(const Callback& done, Answer answer) noexcept {
    // A throwing callback must not take the loop thread (and every other query) with it.
    try {
        if (done) done(std::move(answer));
    } catch (...) {
    }
}

Answer failure(Outcome outcome, std::string error) {
    Answer answer;
    answer.outcome = outcome;
    answer.error = std::move(error);
    return answer;
}

class NetworkResolver final : public Resolver {
public:
    explicit NetworkResolver(NetworkOptions options);
    ~NetworkResolver() override;
    NetworkResolver(const NetworkResolver&) = delete;
    NetworkResolver& operator=(const NetworkResolver&) = delete;

    void submit(Question question, Callback done) override;
    Stats stats() const override;

private:
    struct CacheEntry {
        bool complete = false;
        Answer answer;
        std::vector<Callback> waiters;  // the first is the original asker
    };

    // --- any thread ---
    void enqueue(Question question, Callback done);
    void complete_cached(const std::string& key, Answer answer);
    void wake();

    // --- loop thread only ---
    void run();
    void drain_incoming();
    void start(Incoming incoming);
    void pump();
    void fill_outbox(std::size_t limit);
    void flush_outbox();
    void send_attempt(Query& query);
    void receive_udp(std::size_t index, std::uint32_t generation);
    void accept_datagram(UdpSocket& socket, const std::uint8_t* data, std::size_t length,
                         const sockaddr_storage& from, socklen_t from_length, int flags);
    void socket_refused(std::size_t index);
    void attempt_failed(Query& query);
    void start_tcp(Query& query);
    void tcp_event(std::uint64_t serial, std::uint32_t events);
    void tcp_done(Query& query, PacketPtr packet);
    void expire();
    void finish(std::uint64_t serial, Answer answer);
    void release_slots(Query& query, std::size_t only_socket = SIZE_MAX);
    std::size_t endpoint_for(const Server& server);
    std::optional<std::size_t> pick_socket(std::size_t endpoint);
    void close_socket(std::size_t index);
    void sweep_idle_sockets();
    bool take_token();
    int wait_milliseconds() const;
    void shut_down();
    std::string server_names(const Query& query) const;

    NetworkOptions options_;
    Fd epoll_;
    Fd wake_fd_;
    std::thread loop_;

    std::mutex incoming_mutex_;
    std::vector<Incoming> incoming_;
    bool stopping_ = false;  // under incoming_mutex_
    std::atomic<bool> wake_pending_{false};

    std::mutex cache_mutex_;
    std::unordered_map<std::string, CacheEntry> cache_;

    struct AtomicStats {
        std::atomic<std::uint64_t> questions{0}, sent{0}, answered{0}, cache_hits{0}, timeouts{0},
            network_errors{0}, malformed{0}, tcp{0};
    } stats_;

    // Loop-thread state.
    Clock::time_point now_ = Clock::now();
    IdSource ids_;
    std::vector<Endpoint> endpoints_;
    std::unordered_map<std::string, std::size_t> endpoint_index_;
    std::vector<std::size_t> default_endpoints_;
    std::vector<UdpSocket> sockets_;
    std::vector<std::size_t> free_sockets_;
    std::size_t open_sockets_ = 0;
    std::unordered_map<std::uint64_t, Query> active_;
    std::deque<Incoming> waiting_;         // beyond max_in_flight, or asked from a callback
    bool shutting_down_ = false;
    std::deque<std::uint64_t> to_send_;    // started or retrying, waiting for a token
    std::vector<Outgoing> outbox_;         // prepared this round, sent together by flush_outbox()
    // Every attempt waits the same `timeout` from "now", and now only grows, so deadlines
    // arrive in order: a FIFO is the min-heap here, with O(1) push and pop.
    std::deque<Timeout> timeouts_;
    std::uint64_t next_serial_ = 1;
    double tokens_ = 0;
    Clock::time_point tokens_at_ = Clock::now();
    Clock::time_point last_sweep_ = Clock::now();
    std::vector<std::uint8_t> receive_buffer_;
    std::size_t receive_slot_ = 0;
};

NetworkResolver::NetworkResolver(NetworkOptions options) : options_(std::move(options)) {
    if (options_.attempts < 1) options_.attempts = 1;
    if (options_.max_in_flight == 0) options_.max_in_flight = 1;
    if (options_.timeout.count() <= 0) options_.timeout = std::chrono::milliseconds(1);
    tokens_ = options_.qps > 0 ? 1.0 : 0.0;
    receive_slot_ = std::max<std::size_t>(4096, options_.edns_buffer);
    receive_buffer_.resize(receive_slot_ * kRecvBatch);
    for (const auto& server : options_.servers) default_endpoints_.push_back(endpoint_for(server));

    epoll_ = Fd(epoll_create1(EPOLL_CLOEXEC));
    wake_fd_ = Fd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!epoll_ || !wake_fd_) throw std::system_error(errno, std::generic_category(), "resolver event loop");
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = event_tag(EventKind::wake, 0);
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_fd_.get(), &event) != 0) {
        throw std::system_error(errno, std::generic_category(), "resolver event loop");
    }
    loop_ = std::thread([this] { run(); });
}

NetworkResolver::~NetworkResolver() {
    {
        std::lock_guard lock(incoming_mutex_);
        stopping_ = true;
    }
    wake_pending_.store(false);
    wake();
    if (loop_.joinable()) loop_.join();
    // Sockets close with their Fd owners; every pending callback ran in shut_down().
}

void NetworkResolver::wake() {
    if (wake_pending_.exchange(true)) return;  // the loop has not drained the last wake yet
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(wake_fd_.get(), &one, sizeof one);
}

Stats NetworkResolver::stats() const {
    Stats s;
    s.questions = stats_.questions.load();
    s.sent = stats_.sent.load();
    s.answered = stats_.answered.load();
    s.cache_hits = stats_.cache_hits.load();
    s.timeouts = stats_.timeouts.load();
    s.network_errors = stats_.network_errors.load();
    s.malformed = stats_.malformed.load();
    s.tcp = stats_.tcp.load();
    return s;
}

void NetworkResolver::submit(Question question, Callback done) {
    ++stats_.questions;
    if (!options_.cache) {
        enqueue(std::move(question), std::move(done));
        return;
    }
    auto key = cache_key(question);
    std::unique_lock lock(cache_mutex_);
    auto [it, inserted] = cache_.try_emplace(key);
    if (!inserted) {
        ++stats_.cache_hits;
        if (!it->second.complete) {
            it->second.waiters.push_back(std::move(done));  // joined: asked once, answered to all
            return;
        }
        Answer answer = it->second.answer;
        lock.unlock();
        answer.from_cache = true;
        answer.elapsed = std::chrono::microseconds(0);
        call(done, std::move(answer));
        return;
    }
    it->second.waiters.push_back(std::move(done));
    lock.unlock();
    enqueue(std::move(question), [this, key = std::move(key)](Answer answer) { complete_cached(key, std::move(answer)); });
}

void NetworkResolver::complete_cached(const std::string& key, Answer answer) {
    std::vector<Callback> waiters;
    {
        std::lock_guard lock(cache_mutex_);
        auto it = cache_.find(key);
        if (it == cache_.end()) return;
        waiters = std::move(it->second.waiters);
        // A shut-down is not a fact about the server: do not remember it.
        if (answer.error == "resolver shut down") {
            cache_.erase(it);
        } else {
            it->second.complete = true;
            it->second.answer = answer;
        }
    }
    for (std::size_t i = 0; i < waiters.size(); ++i) {
        Answer copy = answer;
        copy.from_cache = i > 0;
        call(waiters[i], std::move(copy));
    }
}

void NetworkResolver::enqueue(Question question, Callback done) {
    if (std::this_thread::get_id() == loop_.get_id() && !shutting_down_) {
        // A callback asking a follow-up question (an SPF include, the next name in a
        // chain): already on the loop thread, so no lock and no wake-up are needed.
        waiting_.push_back(Incoming{std::move(question), std::move(done), Clock::now()});
        return;
    }
    {
        std::lock_guard lock(incoming_mutex_);
        if (!stopping_) {
            incoming_.push_back(Incoming{std::move(question), std::move(done), Clock::now()});
            done = nullptr;
        }
    }
    if (done) {
        ++stats_.network_errors;
        call(done, failure(Outcome::network_error, "resolver shut down"));
        return;
    }
    wake();
}

// ----------------------------------------------------------------------------------------
// The loop thread.

void NetworkResolver::run() {
    std::array<epoll_event, kMaxEvents> events{};
    for (;;) {
        const int n = epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), wait_milliseconds());
        now_ = Clock::now();
        bool woken = false;
        for (int i = 0; i < n; ++i) {
            const std::uint64_t tag = events[static_cast<std::size_t>(i)].data.u64;
            const auto kind = static_cast<EventKind>(tag >> 56);
            const std::uint64_t value = tag & ((std::uint64_t{1} << 56) - 1);
            switch (kind) {
                case EventKind::wake: woken = true; break;
                case EventKind::udp:
                    receive_udp(static_cast<std::size_t>(value & 0xffffffffu), static_cast<std::uint32_t>(value >> 32));
                    break;
                case EventKind::tcp: tcp_event(value, events[static_cast<std::size_t>(i)].events); break;
            }
        }
        if (woken) {
            std::uint64_t count = 0;
            [[maybe_unused]] const auto got = ::read(wake_fd_.get(), &count, sizeof count);
            wake_pending_.store(false);
            {
                std::lock_guard lock(incoming_mutex_);
                if (stopping_) break;
            }
            drain_incoming();
        }
        expire();
        pump();
        if (now_ - last_sweep_ > std::chrono::milliseconds(500)) sweep_idle_sockets();
    }
    shut_down();
}

int NetworkResolver::wait_milliseconds() const {
    using std::chrono::duration_cast;
    using std::chrono::milliseconds;
    auto wait = milliseconds(-1);
    const auto consider = [&](Clock::time_point when) {
        const auto ms = when <= now_ ? milliseconds(0) : duration_cast<milliseconds>(when - now_) + milliseconds(1);
        if (wait.count() < 0 || ms < wait) wait = ms;
    };
    if (!timeouts_.empty()) consider(timeouts_.front().deadline);
    const bool can_start = !waiting_.empty() && active_.size() < options_.max_in_flight;
    if (options_.qps == 0 && (!to_send_.empty() || can_start)) {
        wait = milliseconds(0);  // the burst limit left work behind: poll, read, send more
    } else if (options_.qps > 0 && (!to_send_.empty() || can_start)) {
        // Only the token bucket can hold these back; wake when the next token is due.
        const double missing = std::max(0.0, 1.0 - tokens_);
        consider(now_ + duration_cast<Clock::duration>(std::chrono::duration<double>(missing / std::max(1u, options_.qps))));
    }
    if (open_sockets_ > 0) consider(last_sweep_ + std::chrono::milliseconds(600));  // to close idle ones
    return static_cast<int>(std::min<long long>(wait.count(), 60'000));
}

void NetworkResolver::drain_incoming() {
    std::vector<Incoming> batch;
    {
        std::lock_guard lock(incoming_mutex_);
        batch.swap(incoming_);
    }
    for (auto& item : batch) {
        if (active_.size() < options_.max_in_flight && waiting_.empty()) {
            start(std::move(item));
        } else {
            waiting_.push_back(std::move(item));
        }
    }
}

std::string NetworkResolver::server_names(const Query& query) const {
    std::string names;
    for (std::size_t i = 0; i < query.endpoints.size(); ++i) {
        if (i > 0) names += ", ";
        names += endpoints_[query.endpoints[i]].server.to_string();
    }
    return names;
}

void NetworkResolver::start(Incoming incoming) {
    Query query;
    query.serial = next_serial_++;
    query.question = std::move(incoming.question);
    query.done = std::move(incoming.done);
    query.submitted = incoming.submitted;
    if (query.question.server) {
        query.endpoints.push_back(endpoint_for(*query.question.server));
    } else {
        query.endpoints = default_endpoints_;
    }
    const auto serial = query.serial;
    active_.emplace(serial, std::move(query));
    Query& q = active_.at(serial);
    // ldns parses the presentation form (escapes included) and enforces the 255-octet limit.
    q.qname.reset(q.question.name.empty() ? nullptr : ldns_dname_new_frm_str(q.question.name.c_str()));
    if (!q.qname) {
        finish(serial, failure(Outcome::malformed, "invalid question name '" + q.question.name + "'"));
        return;
    }
    if (q.endpoints.empty()) {
        finish(serial, failure(Outcome::network_error, "no resolver configured"));
        return;
    }
    q.wire = query_wire(q.question, q.qname.get(), options_.edns_buffer);
    to_send_.push_back(serial);
}

bool NetworkResolver::take_token() {
    if (options_.qps == 0) return true;
    const double rate = options_.qps;
    const double burst = std::max(1.0, rate / 10.0);  // at most a tenth of a second at once
    tokens_ = std::min(burst, tokens_ + std::chrono::duration<double>(now_ - tokens_at_).count() * rate);
    tokens_at_ = now_;
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
}

void NetworkResolver::pump() {
    // At most one burst per loop round, then back to reading answers: a server (or a
    // resolver on one core) drops what overflows its socket buffer, and a burst of
    // thousands of datagrams would overflow it, costing each dropped question a timeout.
    std::size_t budget = kSendBurst;
    while (budget > 0) {
        fill_outbox(budget);
        if (outbox_.empty()) return;
        budget -= std::min(budget, outbox_.size());
        flush_outbox();  // refusals found here queue retries: go round again
    }
}

void NetworkResolver::fill_outbox(std::size_t limit) {
    while (outbox_.size() < limit) {
        if (to_send_.empty()) {
            if (waiting_.empty() || active_.size() >= options_.max_in_flight) return;
            start(std::move(waiting_.front()));
            waiting_.pop_front();
            continue;
        }
        const auto serial = to_send_.front();
        auto it = active_.find(serial);
        if (it == active_.end()) {
            to_send_.pop_front();
            continue;
        }
        if (!take_token()) return;
        to_send_.pop_front();
        send_attempt(it->second);
    }
}

std::size_t NetworkResolver::endpoint_for(const Server& server) {
    auto key = server.to_string();
    if (auto it = endpoint_index_.find(key); it != endpoint_index_.end()) return it->second;
    Endpoint endpoint;
    endpoint.server = server;
    endpoint.key = key;
    if (auto address = socket_address(server)) {
        endpoint.address = address->first;
        endpoint.address_length = address->second;
    }
    endpoints_.push_back(std::move(endpoint));
    endpoint_index_.emplace(std::move(key), endpoints_.size() - 1);
    return endpoints_.size() - 1;
}

std::optional<std::size_t> NetworkResolver::pick_socket(std::size_t endpoint_number) {
    Endpoint& endpoint = endpoints_[endpoint_number];
    std::optional<std::size_t> best;
    const std::size_t count = endpoint.sockets.size();
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t index = endpoint.sockets[(endpoint.next_socket + i) % count];
        const UdpSocket& socket = sockets_[index];
        if (socket.retiring || socket.pending.size() >= kSocketCapacity) continue;
        best = index;
        endpoint.next_socket = (endpoint.next_socket + i + 1) % count;
        break;
    }
    const bool want_more = !best || (sockets_[*best].pending.size() >= kBusySocket && count < kMaxSocketsPerEndpoint);
    if (!want_more) return best;
    if (endpoint.address_length == 0) return std::nullopt;
    Fd fd(::socket(endpoint.address.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return best;
    // Connected, so the kernel filters other sources and reports ICMP errors to us.
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&endpoint.address), endpoint.address_length) != 0) return best;
    const int buffer = 1 << 20;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    std::size_t index = 0;
    if (!free_sockets_.empty()) {
        index = free_sockets_.back();
        free_sockets_.pop_back();
    } else {
        sockets_.emplace_back();
        index = sockets_.size() - 1;
    }
    UdpSocket& socket = sockets_[index];
    socket.generation = (socket.generation + 1) & 0xffffff;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = event_tag(EventKind::udp, (std::uint64_t{socket.generation} << 32) | index);
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd.get(), &event) != 0) {
        free_sockets_.push_back(index);
        return best;
    }
    socket.fd = std::move(fd);
    socket.endpoint = endpoint_number;
    socket.pending.clear();
    socket.uses = 0;
    socket.retiring = false;
    socket.idle_since = now_;
    endpoint.sockets.push_back(index);
    ++open_sockets_;
    return index;
}

void NetworkResolver::close_socket(std::size_t index) {
    UdpSocket& socket = sockets_[index];
    auto& list = endpoints_[socket.endpoint].sockets;
    list.erase(std::remove(list.begin(), list.end(), index), list.end());
    socket.fd.reset();  // close() also removes it from the epoll set
    socket.pending.clear();
    free_sockets_.push_back(index);
    --open_sockets_;
}

void NetworkResolver::sweep_idle_sockets() {
    last_sweep_ = now_;
    for (std::size_t i = 0; i < sockets_.size(); ++i) {
        const UdpSocket& socket = sockets_[i];
        if (socket.fd && socket.pending.empty() && now_ - socket.idle_since > kIdleSocketLinger) close_socket(i);
    }
}

/// Stops listening for the query's answers on one socket, or on all of them.
void NetworkResolver::release_slots(Query& query, std::size_t only_socket) {
    if (only_socket == SIZE_MAX || query.socket == only_socket) query.socket = SIZE_MAX;
    auto keep = query.slots.begin();
    for (auto& [index, id] : query.slots) {
        if (only_socket != SIZE_MAX && index != only_socket) {
            *keep++ = {index, id};
            continue;
        }
        UdpSocket& socket = sockets_[index];
        auto it = socket.pending.find(id);
        if (it == socket.pending.end() || it->second != query.serial) continue;
        socket.pending.erase(it);
        if (socket.pending.empty()) {
            socket.idle_since = now_;
            if (socket.retiring) close_socket(index);
        }
    }
    query.slots.erase(keep, query.slots.end());
}

void NetworkResolver::send_attempt(Query& query) {
    const std::size_t endpoint = query.endpoints[static_cast<std::size_t>(query.attempt) % query.endpoints.size()];
    ++query.attempt;
    ++query.sequence;
    const auto socket_index = pick_socket(endpoint);
    if (!socket_index) {
        query.refused = true;
        query.refused_by = endpoints_[endpoint].server.to_string() +
                           (endpoints_[endpoint].address_length == 0 ? ": not an IP address"
                                                                     : std::string(": cannot open a socket: ") + std::strerror(errno));
        attempt_failed(query);
        return;
    }
    UdpSocket& socket = sockets_[*socket_index];
    std::uint16_t id = ids_.next();
    while (socket.pending.count(id) != 0) id = ids_.next();
    query.id = id;
    query.wire[0] = static_cast<std::uint8_t>(id >> 8);
    query.wire[1] = static_cast<std::uint8_t>(id & 0xff);
    socket.pending.emplace(id, query.serial);
    query.slots.emplace_back(*socket_index, id);
    query.socket = *socket_index;
    if (++socket.uses >= kSocketUses) socket.retiring = true;
    ++stats_.sent;
    outbox_.push_back(Outgoing{*socket_index, query.serial, id});
    timeouts_.push_back(Timeout{now_ + options_.timeout, query.serial, query.sequence});
}

void NetworkResolver::flush_outbox() {
    // Grouped by socket so that one sendmmsg() carries many queries: fewer system calls,
    // and on loopback fewer wake-ups of the server.
    std::stable_sort(outbox_.begin(), outbox_.end(), [](const Outgoing& a, const Outgoing& b) { return a.socket < b.socket; });
    std::vector<Outgoing> batch = std::move(outbox_);
    outbox_.clear();
    std::array<mmsghdr, 64> messages{};
    std::array<iovec, 64> vectors{};
    std::array<Query*, 64> queries{};
    std::size_t at = 0;
    while (at < batch.size()) {
        const std::size_t index = batch[at].socket;
        std::size_t count = 0;
        for (; at < batch.size() && batch[at].socket == index && count < messages.size(); ++at) {
            auto it = active_.find(batch[at].serial);
            if (it == active_.end() || it->second.socket != index || it->second.id != batch[at].id) continue;
            queries[count] = &it->second;
            vectors[count].iov_base = it->second.wire.data();
            vectors[count].iov_len = it->second.wire.size();
            messages[count].msg_hdr = msghdr{};
            messages[count].msg_hdr.msg_iov = &vectors[count];
            messages[count].msg_hdr.msg_iovlen = 1;
            ++count;
        }
        std::size_t done = 0;
        while (done < count && sockets_[index].fd) {
            const int sent = ::sendmmsg(sockets_[index].fd.get(), messages.data() + done, static_cast<unsigned>(count - done), 0);
            if (sent > 0) {
                done += static_cast<std::size_t>(sent);
                continue;
            }
            if (sent < 0 && errno == EINTR) continue;
            const int error = errno;
            Query& query = *queries[done++];
            if (error == ECONNREFUSED || error == ENETUNREACH || error == EHOSTUNREACH || error == EACCES || error == EPERM) {
                // An earlier ICMP error surfaced on this send: the server's port is closed.
                query.refused = true;
                query.refused_by = endpoints_[sockets_[index].endpoint].server.to_string() + ": " + std::strerror(error);
                ++query.sequence;
                release_slots(query, index);
                attempt_failed(query);
            }
            // Any other error (a full buffer) is a lost datagram: the timeout handles it.
        }
    }
}

void NetworkResolver::attempt_failed(Query& query) {
    query.socket = SIZE_MAX;
    if (query.attempt < options_.attempts) {
        to_send_.push_back(query.serial);
        return;
    }
    Answer answer;
    if (query.saw_garbage) {
        answer = failure(Outcome::malformed, "only malformed or mismatched responses from " + query.garbage_from);
    } else if (query.refused) {
        answer = failure(Outcome::network_error, query.refused_by);
    } else {
        answer = failure(Outcome::timeout, "no response from " + server_names(query) + " after " +
                                               std::to_string(query.attempt) + " attempt" + (query.attempt == 1 ? "" : "s"));
    }
    finish(query.serial, std::move(answer));
}

void NetworkResolver::expire() {
    while (!timeouts_.empty() && timeouts_.front().deadline <= now_) {
        const Timeout timeout = timeouts_.front();
        timeouts_.pop_front();
        auto it = active_.find(timeout.serial);
        if (it == active_.end() || it->second.sequence != timeout.sequence) continue;  // answered meanwhile
        Query& query = it->second;
        if (query.tcp) {
            tcp_done(query, nullptr);
            continue;
        }
        attempt_failed(query);
    }
}

void NetworkResolver::receive_udp(std::size_t index, std::uint32_t generation) {
    if (index >= sockets_.size() || sockets_[index].generation != generation || !sockets_[index].fd) return;
    std::array<mmsghdr, kRecvBatch> messages{};
    std::array<iovec, kRecvBatch> vectors{};
    std::array<sockaddr_storage, kRecvBatch> sources{};
    // Bounded rounds so that one flooded socket cannot starve the others.
    for (int round = 0; round < 8; ++round) {
        for (std::size_t i = 0; i < kRecvBatch; ++i) {
            vectors[i].iov_base = receive_buffer_.data() + i * receive_slot_;
            vectors[i].iov_len = receive_slot_;
            messages[i].msg_hdr = msghdr{};
            messages[i].msg_hdr.msg_iov = &vectors[i];
            messages[i].msg_hdr.msg_iovlen = 1;
            messages[i].msg_hdr.msg_name = &sources[i];
            messages[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
        }
        const int got = ::recvmmsg(sockets_[index].fd.get(), messages.data(), kRecvBatch, MSG_DONTWAIT, nullptr);
        if (got < 0) {
            if (errno == EINTR) continue;
            if (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH) socket_refused(index);
            return;
        }
        for (std::size_t i = 0; i < static_cast<std::size_t>(got); ++i) {
            // The socket may have been closed by an earlier message of this batch (retired).
            if (!sockets_[index].fd || sockets_[index].generation != generation) return;
            accept_datagram(sockets_[index], receive_buffer_.data() + i * receive_slot_, messages[i].msg_len, sources[i],
                            messages[i].msg_hdr.msg_namelen, messages[i].msg_hdr.msg_flags);
        }
        if (static_cast<std::size_t>(got) < kRecvBatch) return;
    }
}

/// True when `packet` is a response to exactly the question we asked.
bool matches_question(const ldns_pkt* packet, const Query& query) {
    if (!ldns_pkt_qr(packet) || ldns_pkt_get_opcode(packet) != LDNS_PACKET_QUERY) return false;
    const ldns_rr_list* question = ldns_pkt_question(packet);
    if (question == nullptr || ldns_rr_list_rr_count(question) != 1) return false;
    const ldns_rr* rr = ldns_rr_list_rr(question, 0);
    const ldns_rdf* owner = ldns_rr_owner(rr);
    if (owner == nullptr || ldns_rdf_get_type(owner) != LDNS_RDF_TYPE_DNAME) return false;
    return ldns_rr_get_type(rr) == query.question.type && ldns_rr_get_class(rr) == query.question.klass &&
           ldns_dname_compare(owner, query.qname.get()) == 0;
}

void NetworkResolver::accept_datagram(UdpSocket& socket, const std::uint8_t* data, std::size_t length,
                                      const sockaddr_storage& from, socklen_t from_length, int flags) {
    const Endpoint& endpoint = endpoints_[socket.endpoint];
    if ((flags & MSG_TRUNC) != 0 || length < 12 ||
        !same_address(from, from_length, endpoint.address, endpoint.address_length)) {
        ++stats_.malformed;
        return;
    }
    const auto id = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
    auto slot = socket.pending.find(id);
    if (slot == socket.pending.end()) {
        ++stats_.malformed;  // late, duplicate or spoofed: not ours
        return;
    }
    auto it = active_.find(slot->second);
    if (it == active_.end()) {
        socket.pending.erase(slot);
        ++stats_.malformed;
        return;
    }
    Query& query = it->second;
    ldns_pkt* raw = nullptr;
    const bool parsed = ldns_wire2pkt(&raw, data, length) == LDNS_STATUS_OK;
    PacketPtr packet = adopt(raw);
    if (!parsed || !packet || !matches_question(packet.get(), query)) {
        ++stats_.malformed;
        query.saw_garbage = true;
        query.garbage_from = endpoint.server.to_string();
        return;  // keep waiting for the real answer until the timeout
    }
    release_slots(query);
    if (ldns_pkt_tc(packet.get())) {
        query.truncated = std::move(packet);
        start_tcp(query);
        return;
    }
    Answer answer;
    answer.outcome = Outcome::answer;
    answer.packet = std::move(packet);
    answer.server = endpoint.server;
    finish(query.serial, std::move(answer));
}

void NetworkResolver::socket_refused(std::size_t index) {
    // An ICMP port-unreachable carries no DNS ID: every query waiting on this socket (all
    // sent to the same server) learns that the server's port is closed.
    const std::string server = endpoints_[sockets_[index].endpoint].server.to_string();
    std::vector<std::uint64_t> serials;
    for (const auto& [id, serial] : sockets_[index].pending) serials.push_back(serial);
    for (const auto serial : serials) {
        auto it = active_.find(serial);
        if (it == active_.end()) continue;
        Query& query = it->second;
        const bool current = query.socket == index && !query.tcp;
        release_slots(query, index);
        if (!current) continue;  // only an earlier attempt went there; the current one waits on
        query.refused = true;
        query.refused_by = server + ": connection refused";
        ++query.sequence;  // its pending timeout no longer applies
        attempt_failed(query);
    }
}

void NetworkResolver::start_tcp(Query& query) {
    ++stats_.tcp;
    ++stats_.sent;
    ++query.sequence;
    const std::size_t endpoint_number =
        query.endpoints[static_cast<std::size_t>(query.attempt - 1) % query.endpoints.size()];
    const Endpoint& endpoint = endpoints_[endpoint_number];
    auto tcp = std::make_unique<TcpExchange>();
    tcp->fd = Fd(::socket(endpoint.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!tcp->fd) {
        query.tcp = std::move(tcp);
        tcp_done(query, nullptr);
        return;
    }
    const int rc = ::connect(tcp->fd.get(), reinterpret_cast<const sockaddr*>(&endpoint.address), endpoint.address_length);
    if (rc != 0 && errno != EINPROGRESS) {
        query.tcp = std::move(tcp);
        tcp_done(query, nullptr);
        return;
    }
    const std::uint16_t id = ids_.next();
    query.wire[0] = static_cast<std::uint8_t>(id >> 8);
    query.wire[1] = static_cast<std::uint8_t>(id & 0xff);
    query.id = id;
    tcp->out.push_back(static_cast<std::uint8_t>(query.wire.size() >> 8));
    tcp->out.push_back(static_cast<std::uint8_t>(query.wire.size() & 0xff));
    tcp->out.insert(tcp->out.end(), query.wire.begin(), query.wire.end());
    epoll_event event{};
    event.events = EPOLLOUT | EPOLLIN;
    event.data.u64 = event_tag(EventKind::tcp, query.serial);
    const int fd = tcp->fd.get();
    query.tcp = std::move(tcp);
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
        tcp_done(query, nullptr);
        return;
    }
    timeouts_.push_back(Timeout{now_ + options_.timeout, query.serial, query.sequence});
}

void NetworkResolver::tcp_event(std::uint64_t serial, std::uint32_t events) {
    auto it = active_.find(serial);
    if (it == active_.end() || !it->second.tcp) return;
    Query& query = it->second;
    TcpExchange& tcp = *query.tcp;
    if ((events & (EPOLLERR)) != 0) {
        tcp_done(query, nullptr);
        return;
    }
    if (tcp.written < tcp.out.size() && (events & EPOLLOUT) != 0) {
        const ssize_t n = ::send(tcp.fd.get(), tcp.out.data() + tcp.written, tcp.out.size() - tcp.written, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            tcp_done(query, nullptr);
            return;
        }
        if (n > 0) tcp.written += static_cast<std::size_t>(n);
        if (tcp.written == tcp.out.size()) {
            epoll_event event{};
            event.events = EPOLLIN;
            event.data.u64 = event_tag(EventKind::tcp, serial);
            epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, tcp.fd.get(), &event);
        }
    }
    if ((events & (EPOLLIN | EPOLLHUP)) == 0) return;
    std::array<std::uint8_t, 16384> chunk{};
    for (;;) {
        const ssize_t n = ::recv(tcp.fd.get(), chunk.data(), chunk.size(), 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        if (n <= 0) {  // error or the server closed before a full answer
            tcp_done(query, nullptr);
            return;
        }
        tcp.in.insert(tcp.in.end(), chunk.begin(), chunk.begin() + n);
        if (tcp.in.size() < 2) continue;
        const std::size_t length = (std::size_t{tcp.in[0]} << 8) | tcp.in[1];
        if (tcp.in.size() < 2 + length) continue;
        ldns_pkt* raw = nullptr;
        const bool parsed = length >= 12 && ldns_wire2pkt(&raw, tcp.in.data() + 2, length) == LDNS_STATUS_OK;
        PacketPtr packet = adopt(raw);
        const bool ours = parsed && packet && ldns_pkt_id(packet.get()) == query.id && matches_question(packet.get(), query);
        if (!ours) {
            ++stats_.malformed;
            packet = nullptr;
        }
        tcp_done(query, std::move(packet));
        return;
    }
}

void NetworkResolver::tcp_done(Query& query, PacketPtr packet) {
    if (query.tcp) {
        query.tcp.reset();  // closing the fd removes it from epoll
    }
    ++query.sequence;
    const std::size_t endpoint_number =
        query.endpoints[static_cast<std::size_t>(query.attempt - 1) % query.endpoints.size()];
    Answer answer;
    answer.outcome = Outcome::answer;
    answer.server = endpoints_[endpoint_number].server;
    if (packet) {
        answer.packet = std::move(packet);
        answer.over_tcp = true;
    } else {
        // TCP failed: the truncated UDP answer is still a real answer (truncated() says so).
        answer.packet = query.truncated;
    }
    finish(query.serial, std::move(answer));
}

void NetworkResolver::finish(std::uint64_t serial, Answer answer) {
    auto it = active_.find(serial);
    if (it == active_.end()) return;
    Query query = std::move(it->second);
    active_.erase(it);
    release_slots(query);
    switch (answer.outcome) {
        case Outcome::answer: ++stats_.answered; break;
        case Outcome::timeout: ++stats_.timeouts; break;
        case Outcome::network_error: ++stats_.network_errors; break;
        case Outcome::malformed: break;  // the datagrams were counted as they came
    }
    answer.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(now_ - query.submitted);
    call(query.done, std::move(answer));
}

void NetworkResolver::shut_down() {
    shutting_down_ = true;
    // Fail everything still pending — in flight, queued, or submitted just now — so that
    // every callback runs exactly once.
    std::vector<Callback> pending;
    for (auto& [serial, query] : active_) pending.push_back(std::move(query.done));
    active_.clear();
    for (auto& item : waiting_) pending.push_back(std::move(item.done));
    waiting_.clear();
    {
        std::lock_guard lock(incoming_mutex_);
        for (auto& item : incoming_) pending.push_back(std::move(item.done));
        incoming_.clear();
    }
    to_send_.clear();
    timeouts_.clear();
    for (auto& socket : sockets_) socket.fd.reset();
    for (auto& done : pending) {
        ++stats_.network_errors;
        call(done, failure(Outcome::network_error, "resolver shut down"));
    }
}

}  // namespace

std::unique_ptr<Resolver> make_network_resolver(NetworkOptions options) {
    return std::make_unique<NetworkResolver>(std::move(options));
}

}  // namespace mamori::dns
