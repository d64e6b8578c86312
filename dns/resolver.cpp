/// \file dns/resolver.cpp — server addresses, Answer accessors and the blocking helpers every resolver shares.
#include "dns/resolver.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <utility>

namespace mamori::dns {

namespace {

/// The canonical text of an IPv4 or IPv6 literal, or nullopt. Round-tripping through
/// inet_pton/inet_ntop makes "2001:DB8:0::1" and "2001:db8::1" the same server (and the
/// same cache key), and rejects zone ids, hostnames and anything else.
std::optional<std::string> canonical_address(std::string_view text, bool want_v6) {
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    const std::string copy(text);
    char out[INET6_ADDRSTRLEN] = {};
    if (want_v6) {
        in6_addr a6{};
        if (inet_pton(AF_INET6, copy.c_str(), &a6) != 1) return std::nullopt;
        if (inet_ntop(AF_INET6, &a6, out, sizeof out) == nullptr) return std::nullopt;
    } else {
        in_addr a4{};
        if (inet_pton(AF_INET, copy.c_str(), &a4) != 1) return std::nullopt;
        if (inet_ntop(AF_INET, &a4, out, sizeof out) == nullptr) return std::nullopt;
    }
    return std::string(out);
}

/// A decimal port 1..65535, digits only (no sign, no spaces, no hex).
std::optional<std::uint16_t> parse_port(std::string_view text) {
    if (text.empty() || text.size() > 5) return std::nullopt;
    unsigned value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || value == 0 || value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

std::optional<Server> make_server(std::string_view address, std::optional<std::string_view> port, bool v6) {
    auto canonical = canonical_address(address, v6);
    if (!canonical) return std::nullopt;
    Server server;
    server.address = std::move(*canonical);
    if (port) {
        const auto number = parse_port(*port);
        if (!number) return std::nullopt;
        server.port = *number;
    }
    return server;
}

}  // namespace

std::optional<Server> Server::parse(std::string_view text) {
    if (text.empty()) return std::nullopt;
    if (text.front() == '[') {
        // "[v6]" or "[v6]:port": the bracket form exists precisely because v6 has colons.
        const auto close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        const auto inside = text.substr(1, close - 1);
        const auto rest = text.substr(close + 1);
        if (rest.empty()) return make_server(inside, std::nullopt, true);
        if (rest.front() != ':' && rest.front() != '@') return std::nullopt;
        return make_server(inside, rest.substr(1), true);
    }
    std::optional<std::string_view> port;
    auto address = text;
    if (const auto at = text.find('@'); at != std::string_view::npos) {
        address = text.substr(0, at);
        port = text.substr(at + 1);
    }
    const bool v6 = address.find(':') != std::string_view::npos;
    return make_server(address, port, v6);
}

std::string Server::to_string() const { return address + "@" + std::to_string(port); }

std::string_view to_string(Outcome outcome) {
    switch (outcome) {
        case Outcome::answer: return "answer";
        case Outcome::timeout: return "timeout";
        case Outcome::network_error: return "network error";
        case Outcome::malformed: return "malformed";
    }
    return "unknown";
}

ldns_pkt_rcode Answer::rcode() const {
    return ok() ? ldns_pkt_get_rcode(packet.get()) : LDNS_RCODE_SERVFAIL;
}

bool Answer::authenticated() const { return ok() && ldns_pkt_ad(packet.get()); }
bool Answer::authoritative() const { return ok() && ldns_pkt_aa(packet.get()); }
bool Answer::truncated() const { return ok() && ldns_pkt_tc(packet.get()); }

PacketPtr adopt(ldns_pkt* packet) {
    if (packet == nullptr) return nullptr;
    // The deleter sees the const view the shared_ptr hands out; the packet itself was
    // allocated mutable by us, so freeing it through a const_cast is sound.
    return PacketPtr(packet, [](const ldns_pkt* p) { ldns_pkt_free(const_cast<ldns_pkt*>(p)); });
}

Answer Resolver::query(const Question& question) {
    auto results = query_all({question});
    return std::move(results.front());
}

std::vector<Answer> Resolver::query_all(const std::vector<Question>& questions) {
    // Shared with the callbacks, which may run on the loop thread after a spurious wake-up
    // of ours; a shared_ptr keeps the state alive however the two interleave.
    struct Pending {
        std::mutex mutex;
        std::condition_variable done;
        std::vector<Answer> answers;
        std::size_t remaining = 0;
    };
    auto pending = std::make_shared<Pending>();
    pending->answers.resize(questions.size());
    pending->remaining = questions.size();
    for (std::size_t i = 0; i < questions.size(); ++i) {
        submit(questions[i], [pending, i](Answer answer) {
            std::lock_guard lock(pending->mutex);
            pending->answers[i] = std::move(answer);
            if (--pending->remaining == 0) pending->done.notify_all();
        });
    }
    std::unique_lock lock(pending->mutex);
    pending->done.wait(lock, [&] { return pending->remaining == 0; });
    return std::move(pending->answers);
}

std::vector<Server> system_servers(const std::string& path) {
    std::vector<Server> servers;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        // resolv.conf(5): "nameserver ADDR"; comments start with '#' or ';'.
        if (const auto hash = line.find_first_of("#;"); hash != std::string::npos) line.resize(hash);
        std::string_view rest(line);
        const auto skip_space = [&] {
            while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
        };
        skip_space();
        constexpr std::string_view keyword = "nameserver";
        if (!rest.starts_with(keyword)) continue;
        rest.remove_prefix(keyword.size());
        if (rest.empty() || (rest.front() != ' ' && rest.front() != '\t')) continue;
        skip_space();
        auto end = rest.find_first_of(" \t\r");
        auto token = rest.substr(0, end);
        // glibc accepts a scope id ("fe80::1%eth0") that we cannot carry; skip such lines.
        if (auto server = Server::parse(token);
            server && std::find(servers.begin(), servers.end(), *server) == servers.end()) {
            servers.push_back(std::move(*server));
        }
    }
    return servers;
}

}  // namespace mamori::dns
