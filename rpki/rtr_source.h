/// \file rpki/rtr_source.h — VRPs from an RTR cache (RFC 8210) through RTRlib's manager, TCP or SSH.
///
/// The session runs in a child process that syncs, sends the VRPs back over a pipe and
/// exits. Two faults of Debian's RTRlib 0.8 make that the safe way: its debug log is built
/// in (about 30 lines on stderr per session), and rtr_mgr_stop() can deadlock, holding the
/// manager's mutex while it joins a socket thread that waits for that mutex (fixed upstream
/// after 0.8). The child's stderr is /dev/null unless `verbose`, and it never stops: it exits.
#pragma once

#include "rpki/vrp_table.h"

#include <chrono>
#include <string>
#include <vector>

namespace mamori::rpki {

struct RtrOptions {
    std::string host;
    std::string port;
    std::chrono::milliseconds timeout{30000};  ///< for the first full sync
    std::string ssh_key;          ///< a private key file: SSH transport instead of TCP
    std::string ssh_user = "rpki";
    std::string ssh_known_hosts;  ///< the cache's host key (known_hosts format); unchecked when empty
    bool verbose = false;         ///< let RTRlib's debug log through to stderr
};

struct RtrSync {
    std::vector<Vrp> vrps;
    std::chrono::steady_clock::duration sync_time{};  ///< connect to end of the first full sync
    std::string state;            ///< RTRlib's socket state when done, e.g. "RTR_ESTABLISHED"
};

/// "127.0.0.1:3323", "[2001:db8::1]:323", "rtr.example.net:8282" → host and port.
/// Throws std::invalid_argument with a message naming the text.
std::pair<std::string, std::string> split_host_port(const std::string& text);

/// Connects, waits for the first full sync (at most `timeout`) and returns the VRPs.
/// Throws SourceError when the cache is unreachable, refuses, or stays silent.
RtrSync rtr_sync(const RtrOptions& options);

/// True when this RTRlib was built with SSH transport.
bool rtr_has_ssh();

}  // namespace mamori::rpki
