// A dashboard or webhook address taken apart: scheme, host, port, path prefix. Plain value.
// parse_dashboard_address is the one validator of such addresses: the configuration
// (SI_DASHBOARD_ADDRESS, core/config.cpp), the agent's connection and the dashboard's
// webhook URLs (dashboard/server/notify/webhook_url.h) all accept what it accepts.
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

// nullopt when `text` is not http(s)://host[:port][/path]: the scheme in any case; a host
// of letters, digits, '-', '.' and '_', or an IPv6 address in brackets; a port from 1 to
// 65535; a path without spaces or control characters.
std::optional<DashboardAddress> parse_dashboard_address(std::string_view text);

}  // namespace siagent
