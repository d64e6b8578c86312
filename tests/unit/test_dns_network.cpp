/// \file tests/unit/test_dns_network.cpp — the network resolver against an in-test DNS server on 127.0.0.1.
#include "dns/records.h"
#include "dns/resolver.h"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace mamori::dns;
using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;
using Clock = std::chrono::steady_clock;

Bytes to_wire(const ldns_pkt* packet) {
    std::uint8_t* data = nullptr;
    std::size_t size = 0;
    REQUIRE(ldns_pkt2wire(&data, packet, &size) == LDNS_STATUS_OK);
    Bytes out(data, data + size);
    std::free(data);
    return out;
}

/// A response to `query` holding `records` in its answer section.
Bytes respond(const ldns_pkt* query, std::initializer_list<std::string> records, bool tc = false) {
    ldns_pkt* raw = ldns_pkt_clone(query);
    REQUIRE(raw);
    auto packet = adopt(raw);
    ldns_pkt_set_qr(raw, true);
    ldns_pkt_set_ra(raw, true);
    ldns_pkt_set_tc(raw, tc);
    ldns_pkt_set_arcount(raw, 0);
    ldns_rr_list_deep_free(ldns_pkt_additional(raw));
    ldns_pkt_set_additional(raw, ldns_rr_list_new());
    ldns_pkt_set_edns_udp_size(raw, 0);
    for (const auto& text : records) {
        ldns_rr* rr = nullptr;
        REQUIRE(ldns_rr_new_frm_str(&rr, text.c_str(), 60, nullptr, nullptr) == LDNS_STATUS_OK);
        ldns_pkt_push_rr(raw, LDNS_SECTION_ANSWER, rr);
    }
    return to_wire(raw);
}

std::string qname_of(const ldns_pkt* query) {
    return canonical_name(name_to_string(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(query), 0))));
}

/// What the test server sends back for one query: zero or more datagrams (or one TCP message).
using Behaviour = std::function<std::vector<Bytes>(const ldns_pkt* query, const Bytes& wire, bool tcp)>;

/// A DNS server on 127.0.0.1, UDP and TCP on the same ephemeral port, on its own thread.
/// Stops and closes everything in its destructor.
class TestServer {
public:
    explicit TestServer(Behaviour behaviour) : behaviour_(std::move(behaviour)) {
        for (int tries = 0; tries < 50 && tcp_ < 0; ++tries) {
            if (udp_ >= 0) close(udp_);
            udp_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            sockaddr_in addr{};
            addr.sin_family = AF_INET;
            addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            REQUIRE(bind(udp_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
            socklen_t length = sizeof addr;
            REQUIRE(getsockname(udp_, reinterpret_cast<sockaddr*>(&addr), &length) == 0);
            port_ = ntohs(addr.sin_port);
            const int big = 8 << 20;
            setsockopt(udp_, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
            const int tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            const int one = 1;
            setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            if (bind(tcp, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && listen(tcp, 16) == 0) {
                tcp_ = tcp;
            } else {
                close(tcp);
            }
        }
        REQUIRE(tcp_ >= 0);
        stop_ = eventfd(0, EFD_CLOEXEC);
        thread_ = std::thread([this] { run(); });
    }
    ~TestServer() {
        const std::uint64_t one = 1;
        [[maybe_unused]] auto n = write(stop_, &one, sizeof one);
        thread_.join();
        close(udp_);
        close(tcp_);
        close(stop_);
    }
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    Server server() const { return Server{"127.0.0.1", port_}; }
    int udp_queries() const { return udp_count_.load(); }
    int tcp_queries() const { return tcp_count_.load(); }
    std::vector<Bytes> received() const {
        std::lock_guard lock(mutex_);
        return received_;
    }

private:
    void run() {
        std::vector<std::uint8_t> buffer(65536);
        for (;;) {
            pollfd fds[3] = {{udp_, POLLIN, 0}, {tcp_, POLLIN, 0}, {stop_, POLLIN, 0}};
            if (poll(fds, 3, 1000) < 0) continue;
            if (fds[2].revents != 0) return;
            if (fds[0].revents & POLLIN) {
                sockaddr_in from{};
                socklen_t length = sizeof from;
                const ssize_t n = recvfrom(udp_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from), &length);
                if (n <= 0) continue;
                ++udp_count_;
                Bytes wire(buffer.begin(), buffer.begin() + n);
                for (const auto& reply : handle(wire, false)) {
                    sendto(udp_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), length);
                }
            }
            if (fds[1].revents & POLLIN) serve_tcp();
        }
    }

    void serve_tcp() {
        const int fd = accept(tcp_, nullptr, nullptr);
        if (fd < 0) return;
        Bytes in;
        std::uint8_t chunk[4096];
        while (true) {
            pollfd p{fd, POLLIN, 0};
            if (poll(&p, 1, 2000) <= 0) break;
            const ssize_t n = recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0) break;
            in.insert(in.end(), chunk, chunk + n);
            if (in.size() >= 2 && in.size() >= 2u + ((in[0] << 8) | in[1])) break;
        }
        if (in.size() > 2) {
            ++tcp_count_;
            for (const auto& reply : handle(Bytes(in.begin() + 2, in.end()), true)) {
                Bytes framed = {static_cast<std::uint8_t>(reply.size() >> 8), static_cast<std::uint8_t>(reply.size())};
                framed.insert(framed.end(), reply.begin(), reply.end());
                [[maybe_unused]] auto sent = send(fd, framed.data(), framed.size(), MSG_NOSIGNAL);
            }
        }
        close(fd);
    }

    std::vector<Bytes> handle(const Bytes& wire, bool tcp) {
        {
            std::lock_guard lock(mutex_);
            received_.push_back(wire);
        }
        ldns_pkt* raw = nullptr;
        if (ldns_wire2pkt(&raw, wire.data(), wire.size()) != LDNS_STATUS_OK) return {};
        auto query = adopt(raw);
        return behaviour_(query.get(), wire, tcp);
    }

    Behaviour behaviour_;
    int udp_ = -1, tcp_ = -1, stop_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
    std::atomic<int> udp_count_{0}, tcp_count_{0};
    mutable std::mutex mutex_;
    std::vector<Bytes> received_;
};

/// Answers every A question with 192.0.2.1 and every TXT with the question name.
std::vector<Bytes> normal(const ldns_pkt* query, const Bytes&, bool) {
    const auto name = qname_of(query);
    const auto type = ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_question(query), 0));
    if (type == LDNS_RR_TYPE_TXT) return {respond(query, {name + " IN TXT \"" + name + "\""})};
    return {respond(query, {name + " IN A 192.0.2.1"})};
}

NetworkOptions options_for(const Server& server, std::chrono::milliseconds timeout = 1000ms, int attempts = 2) {
    NetworkOptions options;
    options.servers = {server};
    options.timeout = timeout;
    options.attempts = attempts;
    options.cache = false;
    return options;
}

Question ask(std::string name, ldns_rr_type type = LDNS_RR_TYPE_A) {
    Question q;
    q.name = std::move(name);
    q.type = type;
    return q;
}

/// A UDP port on 127.0.0.1 with nothing listening (bound, then closed).
std::uint16_t closed_port() {
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t length = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
    close(fd);
    return ntohs(addr.sin_port);
}

}  // namespace

TEST_CASE("network resolver: a normal answer, with the bits asked for") {
    TestServer server(normal);
    auto resolver = make_network_resolver(options_for(server.server()));
    Question q = ask("WWW.Example.JP");
    q.dnssec_ok = true;
    q.checking_disabled = true;
    auto answer = resolver->query(q);
    REQUIRE(answer.ok());
    CHECK(answer.server == server.server());
    CHECK_FALSE(answer.from_cache);
    CHECK(addresses(answer) == std::vector<std::string>{"192.0.2.1"});
    const auto sent = server.received();
    REQUIRE(sent.size() == 1);
    ldns_pkt* raw = nullptr;
    REQUIRE(ldns_wire2pkt(&raw, sent[0].data(), sent[0].size()) == LDNS_STATUS_OK);
    auto query = adopt(raw);
    CHECK(ldns_pkt_rd(query.get()));
    CHECK(ldns_pkt_cd(query.get()));
    CHECK(ldns_pkt_edns_do(query.get()));
    CHECK(ldns_pkt_edns_udp_size(query.get()) == 1232);
    auto stats = resolver->stats();
    CHECK(stats.questions == 1);
    CHECK(stats.sent == 1);
    CHECK(stats.answered == 1);

    Question plain = ask("www.example.jp");
    plain.recursion_desired = false;
    REQUIRE(resolver->query(plain).ok());
    ldns_pkt* raw2 = nullptr;
    const auto sent2 = server.received();
    REQUIRE(ldns_wire2pkt(&raw2, sent2[1].data(), sent2[1].size()) == LDNS_STATUS_OK);
    auto query2 = adopt(raw2);
    CHECK_FALSE(ldns_pkt_rd(query2.get()));
    CHECK_FALSE(ldns_pkt_edns_do(query2.get()));
    CHECK(ldns_pkt_id(query2.get()) != 0);
}

TEST_CASE("network resolver: garbage, wrong IDs and wrong questions are ignored") {
    TestServer server([](const ldns_pkt* query, const Bytes& wire, bool) {
        Bytes garbage = {wire[0], wire[1], 0x81, 0x80, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02};
        Bytes wrong_id = respond(query, {qname_of(query) + " IN A 198.51.100.66"});
        wrong_id[1] = static_cast<std::uint8_t>(wrong_id[1] ^ 0x5a);
        // Same ID, different question: what an off-path spoofer racing the answer would send.
        ldns_pkt* other = nullptr;
        ldns_pkt_query_new_frm_str(&other, "evil.example.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 0);
        ldns_pkt_set_id(other, ldns_pkt_id(query));
        auto other_packet = adopt(other);
        Bytes wrong_question = respond(other, {"evil.example. IN A 198.51.100.66"});
        return std::vector<Bytes>{garbage, Bytes{1, 2, 3}, wrong_id, wrong_question, respond(query, {qname_of(query) + " IN A 192.0.2.1"})};
    });
    auto resolver = make_network_resolver(options_for(server.server()));
    auto answer = resolver->query(ask("www.example.jp"));
    REQUIRE(answer.ok());
    CHECK(addresses(answer) == std::vector<std::string>{"192.0.2.1"});
    CHECK(resolver->stats().malformed == 4);
    CHECK(server.udp_queries() == 1);
}

TEST_CASE("network resolver: mutated responses never crash it, and the helpers cope with what parses") {
    std::mt19937 random(12345);  // fixed seed: a failure can be replayed
    std::mutex random_mutex;
    TestServer server([&](const ldns_pkt* query, const Bytes&, bool) {
        const auto name = qname_of(query);
        Bytes good = respond(query, {name + " IN MX 10 mail." + name, name + " IN TXT \"v=spf1 -all\"", name + " IN CNAME " + name});
        std::vector<Bytes> replies;
        std::lock_guard lock(random_mutex);
        for (int i = 0; i < 4; ++i) {
            Bytes bad = good;
            const int flips = 1 + static_cast<int>(random() % 6);
            for (int f = 0; f < flips; ++f) {
                const std::size_t at = 2 + random() % (bad.size() - 2);  // keep the ID: these reach the parser
                bad[at] = static_cast<std::uint8_t>(random());
            }
            if (random() % 4 == 0) bad.resize(2 + random() % (bad.size() - 2));
            replies.push_back(bad);
        }
        replies.push_back(good);
        return replies;
    });
    auto resolver = make_network_resolver(options_for(server.server(), 1000ms, 2));
    std::vector<Question> questions;
    for (int i = 0; i < 200; ++i) questions.push_back(ask("m" + std::to_string(i) + ".example.jp", LDNS_RR_TYPE_MX));
    int answered = 0;
    for (const auto& a : resolver->query_all(questions)) {
        if (!a.ok()) continue;
        ++answered;
        (void)mx_records(a);  // whatever got accepted must be safe to read
        (void)txt_records(a);
        (void)cname_chain(a);
        for (const ldns_rr* rr : answer_records(a, LDNS_RR_TYPE_MX)) (void)rr_to_string(rr);
    }
    CHECK(answered == 200);
    CHECK(resolver->stats().malformed > 0);
}

TEST_CASE("network resolver: only garbage ends as malformed, naming the server") {
    TestServer server([](const ldns_pkt*, const Bytes& wire, bool) {
        return std::vector<Bytes>{Bytes{wire[0], wire[1], 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0x3f}};
    });
    auto resolver = make_network_resolver(options_for(server.server(), 200ms, 2));
    auto answer = resolver->query(ask("www.example.jp"));
    CHECK(answer.outcome == Outcome::malformed);
    CHECK(answer.error.find(server.server().to_string()) != std::string::npos);
    CHECK(server.udp_queries() == 2);
}

TEST_CASE("network resolver: a silent server times out within timeout x attempts") {
    TestServer server([](const ldns_pkt*, const Bytes&, bool) { return std::vector<Bytes>{}; });
    auto resolver = make_network_resolver(options_for(server.server(), 150ms, 3));
    const auto start = Clock::now();
    auto answer = resolver->query(ask("www.example.jp"));
    const auto took = Clock::now() - start;
    CHECK(answer.outcome == Outcome::timeout);
    CHECK(answer.error.find(server.server().to_string()) != std::string::npos);
    CHECK(took >= 440ms);
    CHECK(took < 3000ms);
    CHECK(server.udp_queries() == 3);
    CHECK(resolver->stats().timeouts == 1);
}

TEST_CASE("network resolver: a late answer to an earlier attempt still counts") {
    std::atomic<int> seen{0};
    TestServer server([&](const ldns_pkt* query, const Bytes& wire, bool tcp) {
        if (++seen > 1) return std::vector<Bytes>{};  // the retry gets no answer...
        std::this_thread::sleep_for(300ms);            // ...the first one a slow one
        return normal(query, wire, tcp);
    });
    auto resolver = make_network_resolver(options_for(server.server(), 200ms, 3));
    auto answer = resolver->query(ask("slow.example.jp"));
    CHECK(answer.ok());
    // At least one retry went out before the slow answer came; on a loaded machine a third
    // may too. Only the first attempt is ever answered, so ok() proves the late answer counted.
    CHECK(server.udp_queries() >= 2);
}

TEST_CASE("network resolver: a closed port is a network error naming the server") {
    const Server dead{"127.0.0.1", closed_port()};
    auto resolver = make_network_resolver(options_for(dead, 2000ms, 2));
    const auto start = Clock::now();
    auto answer = resolver->query(ask("www.example.jp"));
    CHECK(answer.outcome == Outcome::network_error);
    CHECK(answer.error.find(dead.to_string()) != std::string::npos);
    CHECK(Clock::now() - start < 1500ms);  // ICMP told us; no need to wait for the timeout
}

TEST_CASE("network resolver: retries rotate to the next server") {
    TestServer server(normal);
    NetworkOptions options = options_for(Server{"127.0.0.1", closed_port()}, 500ms, 2);
    options.servers.push_back(server.server());
    auto resolver = make_network_resolver(options);
    auto answer = resolver->query(ask("www.example.jp"));
    REQUIRE(answer.ok());
    CHECK(answer.server == server.server());
}

TEST_CASE("network resolver: truncation falls back to TCP") {
    std::string big(200, 'x');
    TestServer server([&](const ldns_pkt* query, const Bytes&, bool tcp) {
        const auto name = qname_of(query);
        if (!tcp) return std::vector<Bytes>{respond(query, {}, true)};
        return std::vector<Bytes>{respond(query, {name + " IN TXT \"" + big + "\"", name + " IN TXT \"second\""})};
    });
    auto resolver = make_network_resolver(options_for(server.server()));
    auto answer = resolver->query(ask("big.example.jp", LDNS_RR_TYPE_TXT));
    REQUIRE(answer.ok());
    CHECK(answer.over_tcp);
    CHECK_FALSE(answer.truncated());
    CHECK(txt_records(answer).size() == 2);
    CHECK(server.tcp_queries() == 1);
    CHECK(resolver->stats().tcp == 1);
}

TEST_CASE("network resolver: when TCP fails too, the truncated answer is returned") {
    TestServer server([](const ldns_pkt* query, const Bytes&, bool tcp) {
        if (tcp) return std::vector<Bytes>{Bytes{0, 1, 2}};  // garbage over TCP
        return std::vector<Bytes>{respond(query, {}, true)};
    });
    auto resolver = make_network_resolver(options_for(server.server(), 500ms));
    auto answer = resolver->query(ask("big.example.jp", LDNS_RR_TYPE_TXT));
    REQUIRE(answer.ok());
    CHECK(answer.truncated());
    CHECK_FALSE(answer.over_tcp);
}

TEST_CASE("network resolver: cache hits, joined questions and cached failures") {
    TestServer server([](const ldns_pkt* query, const Bytes& wire, bool tcp) {
        std::this_thread::sleep_for(100ms);  // keep the first question in flight while others join
        return normal(query, wire, tcp);
    });
    NetworkOptions options = options_for(server.server());
    options.cache = true;
    auto resolver = make_network_resolver(options);

    std::vector<Question> same(10, ask("www.example.jp"));
    same[3].name = "WWW.EXAMPLE.JP.";  // the same question, spelled differently
    auto answers = resolver->query_all(same);
    int fresh = 0;
    for (const auto& a : answers) {
        CHECK(a.ok());
        if (!a.from_cache) ++fresh;
    }
    CHECK(fresh == 1);
    CHECK(server.udp_queries() == 1);

    auto again = resolver->query(ask("www.example.jp"));
    CHECK(again.ok());
    CHECK(again.from_cache);
    CHECK(server.udp_queries() == 1);
    // A different type, DO bit or server is a different question.
    Question with_do = ask("www.example.jp");
    with_do.dnssec_ok = true;
    CHECK_FALSE(resolver->query(with_do).from_cache);
    CHECK_FALSE(resolver->query(ask("www.example.jp", LDNS_RR_TYPE_TXT)).from_cache);
    CHECK(server.udp_queries() == 3);
    CHECK(resolver->stats().cache_hits == 10);

    // A dead server is asked once per question for the whole run.
    TestServer silent([](const ldns_pkt*, const Bytes&, bool) { return std::vector<Bytes>{}; });
    Question dead = ask("www.example.jp");
    dead.server = silent.server();
    NetworkOptions fast = options_for(server.server(), 100ms, 2);
    fast.cache = true;
    auto cached = make_network_resolver(fast);
    CHECK(cached->query(dead).outcome == Outcome::timeout);
    auto second = cached->query(dead);
    CHECK(second.outcome == Outcome::timeout);
    CHECK(second.from_cache);
    CHECK(silent.udp_queries() == 2);
}

TEST_CASE("network resolver: Question.server overrides the configured servers") {
    TestServer configured(normal);
    TestServer other([](const ldns_pkt* query, const Bytes&, bool) {
        return std::vector<Bytes>{respond(query, {qname_of(query) + " IN A 203.0.113.9"})};
    });
    auto resolver = make_network_resolver(options_for(configured.server()));
    Question q = ask("ns.example.jp");
    q.server = other.server();
    auto answer = resolver->query(q);
    CHECK(addresses(answer) == std::vector<std::string>{"203.0.113.9"});
    CHECK(configured.udp_queries() == 0);

    auto unconfigured = make_network_resolver(NetworkOptions{});
    auto none = unconfigured->query(ask("www.example.jp"));
    CHECK(none.outcome == Outcome::network_error);
    CHECK(none.error == "no resolver configured");
    CHECK(unconfigured->query(q).ok());  // an explicit server needs no configuration
    CHECK(unconfigured->query(ask("a..b")).outcome == Outcome::malformed);
}

TEST_CASE("network resolver: 2000 concurrent questions, from several threads") {
    TestServer server(normal);
    auto resolver = make_network_resolver(options_for(server.server(), 5000ms, 3));
    std::vector<Question> questions;
    for (int i = 0; i < 2000; ++i) questions.push_back(ask("host" + std::to_string(i) + ".example.jp", i % 2 ? LDNS_RR_TYPE_TXT : LDNS_RR_TYPE_A));
    auto answers = resolver->query_all(questions);
    REQUIRE(answers.size() == questions.size());
    int ok = 0;
    for (std::size_t i = 0; i < answers.size(); ++i) {
        if (!answers[i].ok()) continue;
        // Each answer belongs to its own question.
        if (i % 2) {
            ok += txt_records(answers[i]) == std::vector<std::string>{canonical_name(questions[i].name)};
        } else {
            ok += addresses(answers[i]).size() == 1;
        }
    }
    CHECK(ok == 2000);

    std::vector<std::thread> threads;
    std::atomic<int> answered{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            std::vector<Question> mine;
            for (int i = 0; i < 200; ++i) mine.push_back(ask("t" + std::to_string(t) + "-" + std::to_string(i) + ".example.jp"));
            for (const auto& a : resolver->query_all(mine)) answered += a.ok();
        });
    }
    for (auto& t : threads) t.join();
    CHECK(answered == 800);
}

TEST_CASE("network resolver: max_in_flight queues and qps paces") {
    TestServer silent([](const ldns_pkt*, const Bytes&, bool) { return std::vector<Bytes>{}; });
    NetworkOptions options = options_for(silent.server(), 300ms, 1);
    options.max_in_flight = 2;
    auto resolver = make_network_resolver(options);
    std::atomic<int> done{0};
    for (int i = 0; i < 4; ++i) resolver->submit(ask("q" + std::to_string(i) + ".example.jp"), [&](Answer) { ++done; });
    std::this_thread::sleep_for(150ms);
    CHECK(silent.udp_queries() == 2);
    for (int i = 0; i < 100 && done < 4; ++i) std::this_thread::sleep_for(20ms);
    CHECK(done == 4);
    CHECK(silent.udp_queries() == 4);

    TestServer server(normal);
    NetworkOptions paced = options_for(server.server());
    paced.qps = 50;
    auto slow = make_network_resolver(paced);
    std::vector<Question> questions;
    for (int i = 0; i < 20; ++i) questions.push_back(ask("p" + std::to_string(i) + ".example.jp"));
    const auto start = Clock::now();
    for (const auto& a : slow->query_all(questions)) CHECK(a.ok());
    CHECK(Clock::now() - start >= 250ms);  // 20 at 50 qps with a burst of 5: >= 0.3 s
}

TEST_CASE("network resolver: destruction completes pending questions and closes everything") {
    TestServer silent([](const ldns_pkt*, const Bytes&, bool) { return std::vector<Bytes>{}; });
    std::atomic<int> shut{0};
    const auto open_fds = [] {
        int n = 0;
        for (int fd = 0; fd < 4096; ++fd) n += fcntl(fd, F_GETFD) != -1;
        return n;
    };
    const int fds_before = open_fds();
    {
        NetworkOptions options = options_for(silent.server(), 10000ms, 1);
        options.cache = true;
        options.max_in_flight = 3;  // some in flight, some queued
        auto resolver = make_network_resolver(options);
        for (int i = 0; i < 6; ++i) {
            resolver->submit(ask("q" + std::to_string(i % 5) + ".example.jp"), [&](Answer a) {
                if (a.outcome == Outcome::network_error && a.error == "resolver shut down") ++shut;
            });
        }
        std::this_thread::sleep_for(50ms);
        CHECK(open_fds() > fds_before);  // the epoll set, the eventfd, the sockets
    }
    CHECK(shut == 6);
    CHECK(open_fds() == fds_before);
}
