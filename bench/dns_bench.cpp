/// \file bench/dns_bench.cpp — query throughput of the network resolver against one server (no cache).
///
/// dns_bench --server ADDR@PORT --names FILE [--queries N] [--in-flight K] [--duration SECONDS]
/// Fires N questions (names from FILE, types A/MX/TXT in turn) keeping K in flight, stops
/// early after --duration, and prints one line:
///   mamori dns: 123456 queries in 1.23 s = 100000 qps (answered 123456, timeouts 0)
#include "dns/resolver.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace {

int usage(const char* why) {
    std::fprintf(stderr, "dns_bench: %s\nusage: dns_bench --server ADDR@PORT --names FILE [--queries N] "
                         "[--in-flight K] [--duration SECONDS]\n", why);
    return 2;
}

std::vector<std::string> read_names(const std::string& path) {
    std::vector<std::string> names;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        const auto start = line.find_first_not_of(" \t\r");
        if (start == std::string::npos || line[start] == '#') continue;
        const auto end = line.find_first_of(" \t\r", start);
        names.push_back(line.substr(start, end == std::string::npos ? std::string::npos : end - start));
    }
    return names;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace mamori::dns;
    std::optional<Server> server;
    std::string names_file;
    std::uint64_t queries = 100000;
    std::uint64_t in_flight = 500;
    double duration = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (i + 1 >= argc) return usage("missing value");
        const char* value = argv[++i];
        if (arg == "--server") {
            server = Server::parse(value);
            if (!server) return usage("--server: not an address");
        } else if (arg == "--names") {
            names_file = value;
        } else if (arg == "--queries") {
            queries = std::strtoull(value, nullptr, 10);
        } else if (arg == "--in-flight") {
            in_flight = std::strtoull(value, nullptr, 10);
        } else if (arg == "--duration") {
            duration = std::strtod(value, nullptr);
        } else {
            return usage("unknown option");
        }
    }
    if (!server || names_file.empty() || queries == 0 || in_flight == 0) return usage("--server and --names are required");
    const auto names = read_names(names_file);
    if (names.empty()) return usage("no names in the file");

    NetworkOptions options;
    options.servers = {*server};
    options.cache = false;  // every question is a real network query
    options.max_in_flight = in_flight;
    options.timeout = std::chrono::milliseconds(2000);
    options.attempts = 1;
    auto resolver = make_network_resolver(options);

    // Each answer submits the next question from inside its callback, so K stay in flight
    // without a feeding thread (and without a lock or wake-up per question).
    struct Run {
        std::mutex mutex;
        std::condition_variable finished;
        std::uint64_t next = 0, outstanding = 0, answered = 0, timeouts = 0, failed = 0;
        std::chrono::steady_clock::time_point last_answer{};
    } run;
    const ldns_rr_type types[] = {LDNS_RR_TYPE_A, LDNS_RR_TYPE_MX, LDNS_RR_TYPE_TXT};
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(duration));
    Resolver& dns = *resolver;
    std::function<void()> ask_next;
    std::function<void(Answer)> on_answer = [&](Answer answer) {
        bool more = false;
        {
            std::lock_guard lock(run.mutex);
            if (answer.ok()) {
                ++run.answered;
                run.last_answer = std::chrono::steady_clock::now();
            } else if (answer.outcome == Outcome::timeout) {
                ++run.timeouts;
            } else {
                ++run.failed;
            }
            more = run.next < queries && (duration <= 0 || (run.next & 255) != 0 || std::chrono::steady_clock::now() < deadline);
            if (!more) {
                queries = run.next;  // past the deadline: stop everywhere
                if (--run.outstanding == 0) run.finished.notify_all();
            }
        }
        if (more) ask_next();
    };
    ask_next = [&] {
        Question q;
        {
            std::lock_guard lock(run.mutex);
            const std::uint64_t n = run.next++;
            q.name = names[n % names.size()];
            q.type = types[(n / names.size() + n) % 3];  // every name gets every type in turn
        }
        dns.submit(std::move(q), on_answer);
    };
    const std::uint64_t initial = std::min(in_flight, queries);
    {
        std::lock_guard lock(run.mutex);
        run.outstanding = initial;
    }
    for (std::uint64_t i = 0; i < initial; ++i) ask_next();
    {
        std::unique_lock lock(run.mutex);
        run.finished.wait(lock, [&] { return run.outstanding == 0; });
    }
    const std::uint64_t sent = run.next, answered = run.answered, timeouts = run.timeouts, failed = run.failed;
    // Up to the last answer, like dnsperf's run time: the wait for questions lost at the
    // end (up to one timeout) measures the timeout, not the throughput.
    const auto end = run.answered > 0 ? run.last_answer : std::chrono::steady_clock::now();
    const double seconds = std::max(1e-6, std::chrono::duration<double>(end - start).count());
    std::printf("mamori dns: %llu queries in %.2f s = %.0f qps (answered %llu, timeouts %llu",
                static_cast<unsigned long long>(sent), seconds, static_cast<double>(answered) / seconds,
                static_cast<unsigned long long>(answered), static_cast<unsigned long long>(timeouts));
    if (failed > 0) std::printf(", other failures %llu", static_cast<unsigned long long>(failed));
    std::printf(")\n");
    return answered > 0 ? 0 : 1;
}
