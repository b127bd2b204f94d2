// SI_DASHBOARD_ADDRESS taken apart: scheme, host, port, path prefix. Plain value.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace siagent {

struct DashboardAddress {
    bool tls = false;
    std::string host;         // without brackets for IPv6 ("::1")
    std::string port;         // "80" / "443" when not given
    std::string path_prefix;  // "" or "/prefix" (no trailing slash)

    // "host" or "host:port" / "[::1]:port", for the Host header.
    std::string host_header() const;
    // The request target of `path` ("/agent/v1/upload") under the prefix.
    std::string target(std::string_view path) const { return path_prefix + std::string(path); }
    // Scheme, host and port, for messages (the prefix could be long).
    std::string origin() const;
};

// nullopt when `text` is not http(s)://host[:port][/path] (config.cpp already rejected
// such values with a message, so this is a second line of defence).
std::optional<DashboardAddress> parse_dashboard_address(std::string_view text);

}  // namespace siagent
