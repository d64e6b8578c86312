/// \file rpki/rtr_source.cpp — one RTR session in a child process: connect, first full sync, send the VRPs back, exit.
#include "rpki/rtr_source.h"
#include "rpki/error.h"
#include "rpki/rtrlib_glue.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace mamori::rpki {
namespace {

/// What the RTR manager's threads report, waited on by the session.
struct SyncWatch {
    std::mutex mutex;
    std::condition_variable changed;
    bool synced = false;
    std::string failure;  ///< set on an error that retrying will not cure soon
    std::string last_state;
};

extern "C" void on_status(const rtr_mgr_group*, rtr_mgr_status status, const rtr_socket* socket, void* data) {
    auto* watch = static_cast<SyncWatch*>(data);
    std::lock_guard lock(watch->mutex);
    if (socket != nullptr) watch->last_state = rtr_state_to_str(socket->state);
    if (status == RTR_MGR_ESTABLISHED) {
        watch->synced = true;
    } else if (status == RTR_MGR_ERROR && socket != nullptr &&
               (socket->state == RTR_ERROR_TRANSPORT || socket->state == RTR_ERROR_FATAL)) {
        watch->failure = socket->state == RTR_ERROR_TRANSPORT ? "could not connect (transport error)"
                                                              : "the cache broke the RTR protocol (fatal error)";
    }
    watch->changed.notify_all();
}

extern "C" void copy_record(const pfx_record* record, void* data) {
    static_cast<std::vector<Vrp>*>(data)->push_back(from_rtrlib(*record));
}

std::string describe(const RtrOptions& o) {
    return fmt::format("RTR cache {}:{}{}", o.host, o.port, o.ssh_key.empty() ? "" : " (SSH)");
}

/// The transport and RTR socket RTRlib's manager points at. Never freed: the child exits.
struct Session {
    std::string host, port, user, key, known_hosts;
    tr_socket transport{};
    rtr_socket socket{};
    rtr_socket* sockets[1] = {&socket};
    rtr_mgr_group group{};
    rtr_mgr_config* config = nullptr;
};

void init_transport(Session& s, const RtrOptions& o) {
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(o.timeout).count();
    const auto connect_timeout = static_cast<unsigned>(std::max<long long>(1, seconds));
    if (o.ssh_key.empty()) {
        tr_tcp_config tcp{};
        tcp.host = s.host.data();
        tcp.port = s.port.data();
        tcp.connect_timeout = connect_timeout;
        if (tr_tcp_init(&tcp, &s.transport) != TR_SUCCESS) throw SourceError("RTRlib could not set up a TCP transport");
        return;
    }
#ifdef RTRLIB_HAVE_LIBSSH
    tr_ssh_config ssh{};
    ssh.host = s.host.data();
    ssh.port = static_cast<unsigned>(std::stoul(s.port));
    ssh.username = s.user.data();
    ssh.client_privkey_path = s.key.data();
    ssh.server_hostkey_path = s.known_hosts.empty() ? nullptr : s.known_hosts.data();
    ssh.connect_timeout = connect_timeout;
    if (tr_ssh_init(&ssh, &s.transport) != TR_SUCCESS) throw SourceError("RTRlib could not set up an SSH transport");
#else
    throw SourceError("--rtr-ssh-key: this RTRlib was built without SSH support (libssh)");
#endif
}

/// The session proper (in the child): returns once the first full sync is complete.
RtrSync session(const RtrOptions& o) {
    static SyncWatch watch;  // outlives the manager's threads, which are never stopped
    static Session s;
    s.host = o.host;
    s.port = o.port;
    s.user = o.ssh_user;
    s.key = o.ssh_key;
    s.known_hosts = o.ssh_known_hosts;
    init_transport(s, o);
    s.socket.tr_socket = &s.transport;
    s.group.sockets = s.sockets;
    s.group.sockets_len = 1;
    s.group.preference = 1;
    if (rtr_mgr_init(&s.config, &s.group, 1, 3600, 7200, 600, nullptr, nullptr, &on_status, &watch) != RTR_SUCCESS)
        throw SourceError(fmt::format("{}: RTRlib could not start a session", describe(o)));
    const auto start = std::chrono::steady_clock::now();
    if (rtr_mgr_start(s.config) != RTR_SUCCESS) throw SourceError(fmt::format("{}: RTRlib could not start", describe(o)));
    RtrSync out;
    std::unique_lock lock(watch.mutex);
    const bool done = watch.changed.wait_for(lock, o.timeout, [] { return watch.synced || !watch.failure.empty(); });
    out.sync_time = std::chrono::steady_clock::now() - start;
    out.state = watch.last_state;
    const std::string failure = watch.failure;
    lock.unlock();
    if (!failure.empty())
        throw SourceError(fmt::format("{}: {}{}", describe(o), failure,
                                      o.ssh_key.empty() ? "" : "; check the key, the user and the host key"));
    if (!done)
        throw SourceError(fmt::format("{}: no full sync within {} ms (last state: {})", describe(o), o.timeout.count(),
                                      out.state.empty() ? "no connection" : out.state));
    rtr_mgr_for_each_ipv4_record(s.config, &copy_record, &out.vrps);
    rtr_mgr_for_each_ipv6_record(s.config, &copy_record, &out.vrps);
    return out;
}

// --- the pipe between child and parent ------------------------------------------------------
// "MRT1", then 'E' + u32 length + message, or 'V' + u64 sync ns + u32 length + state + u64
// count + count × WireVrp.

struct WireVrp {
    std::uint8_t family, length, max_length, unused;
    std::uint32_t asn;
    std::uint8_t bits[16];
};

template <typename T>
void put(std::string& out, const T& value) {
    out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

[[noreturn]] void child_main(int fd, const RtrOptions& o) {
    if (!o.verbose) {
        const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (null >= 0) ::dup2(null, 2);
    }
    std::string out = "MRT1";
    try {
        RtrSync sync = session(o);
        out += 'V';
        put(out, static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(sync.sync_time).count()));
        put(out, static_cast<std::uint32_t>(sync.state.size()));
        out += sync.state;
        put(out, static_cast<std::uint64_t>(sync.vrps.size()));
        out.reserve(out.size() + sync.vrps.size() * sizeof(WireVrp));
        for (const Vrp& v : sync.vrps) {
            WireVrp w{static_cast<std::uint8_t>(v.prefix.family), v.prefix.length, v.max_length, 0, v.asn, {}};
            for (int i = 0; i < 16; ++i) w.bits[i] = static_cast<std::uint8_t>(v.prefix.bits >> (120 - 8 * i));
            put(out, w);
        }
    } catch (const std::exception& e) {
        out.resize(4);
        out += 'E';
        const std::string message = e.what();
        put(out, static_cast<std::uint32_t>(message.size()));
        out += message;
    }
    _exit(write_all(fd, out) ? 0 : 1);
}

/// Reads the child's whole message, waiting at most until `deadline`.
std::string read_message(int fd, std::chrono::steady_clock::time_point deadline, const RtrOptions& o) {
    std::string data;
    char buf[1 << 16];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw SourceError(fmt::format("{}: no full sync within {} ms", describe(o), o.timeout.count()));
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) continue;
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return data;
        data.append(buf, static_cast<std::size_t>(n));
    }
}

template <typename T>
T take(std::string_view& in) {
    T value{};
    if (in.size() < sizeof value) throw std::length_error("short");
    std::memcpy(&value, in.data(), sizeof value);
    in.remove_prefix(sizeof value);
    return value;
}

RtrSync decode(std::string_view in, const RtrOptions& o) {
    if (!in.starts_with("MRT1") || in.size() < 5)
        throw SourceError(fmt::format("{}: the RTR session ended without a result", describe(o)));
    in.remove_prefix(4);
    const char kind = in.front();
    in.remove_prefix(1);
    try {
        if (kind == 'E') {
            const auto length = take<std::uint32_t>(in);
            throw SourceError(std::string(in.substr(0, length)));
        }
        RtrSync sync;
        sync.sync_time = std::chrono::nanoseconds(take<std::uint64_t>(in));
        const auto state_length = take<std::uint32_t>(in);
        sync.state = std::string(in.substr(0, state_length));
        in.remove_prefix(std::min<std::size_t>(state_length, in.size()));
        const auto count = take<std::uint64_t>(in);
        if (in.size() != count * sizeof(WireVrp)) throw std::length_error("short");
        sync.vrps.reserve(count);
        for (std::uint64_t i = 0; i < count; ++i) {
            const auto w = take<WireVrp>(in);
            Vrp v;
            v.prefix.family = w.family == 6 ? Family::ipv6 : Family::ipv4;
            v.prefix.length = w.length;
            for (std::uint8_t b : w.bits) v.prefix.bits = (v.prefix.bits << 8) | b;
            v.max_length = w.max_length;
            v.asn = w.asn;
            sync.vrps.push_back(v);
        }
        return sync;
    } catch (const std::length_error&) {
        throw SourceError(fmt::format("{}: the RTR session's result was cut short", describe(o)));
    }
}

}  // namespace

bool rtr_has_ssh() {
#ifdef RTRLIB_HAVE_LIBSSH
    return true;
#else
    return false;
#endif
}

std::pair<std::string, std::string> split_host_port(const std::string& text) {
    std::string host, port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
            throw std::invalid_argument(fmt::format("'{}' is not HOST:PORT ([IPv6]:PORT)", text));
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string::npos || text.find(':') != colon)
            throw std::invalid_argument(fmt::format("'{}' is not HOST:PORT (write an IPv6 address as [ADDR]:PORT)", text));
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    const bool numeric = !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos;
    if (host.empty() || !numeric || std::stoul(port) == 0 || std::stoul(port) > 65535)
        throw std::invalid_argument(fmt::format("'{}' is not HOST:PORT with a port from 1 to 65535", text));
    return {host, port};
}

RtrSync rtr_sync(const RtrOptions& o) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw SourceError(fmt::format("cannot start the RTR session: {}", std::strerror(errno)));
    std::fflush(nullptr);  // nothing buffered may be written twice
    const pid_t child = ::fork();
    if (child < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        throw SourceError(fmt::format("cannot start the RTR session: {}", std::strerror(errno)));
    }
    if (child == 0) {
        ::close(fds[0]);
        child_main(fds[1], o);
    }
    ::close(fds[1]);
    std::string message;
    try {
        // The child keeps its own deadline; this one only catches a child that hangs anyway.
        message = read_message(fds[0], std::chrono::steady_clock::now() + o.timeout + std::chrono::seconds(15), o);
    } catch (...) {
        ::close(fds[0]);
        ::kill(child, SIGKILL);
        ::waitpid(child, nullptr, 0);
        throw;
    }
    ::close(fds[0]);
    ::kill(child, SIGKILL);  // it exits by itself; this only makes sure
    int status = 0;
    ::waitpid(child, &status, 0);
    return decode(message, o);
}

}  // namespace mamori::rpki
