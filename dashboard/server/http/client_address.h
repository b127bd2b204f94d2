// The address a request comes from, for login rate limits and logs. Behind a reverse proxy
// every connection comes from the proxy: a peer listed in --trusted-proxy forwards the
// client's address in X-Forwarded-For, and the rightmost entry (the one that proxy saw
// itself; entries to its left are whatever the client sent) is taken when it is an IP
// address. Anyone else's X-Forwarded-For is ignored.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace siagent::dashboard {

// Addresses in canonical text (IPv4-mapped IPv6 as IPv4), so "::ffff:10.0.0.1" matches
// "10.0.0.1". Malformed ones are dropped.
std::set<std::string> canonical_addresses(const std::set<std::string>& addresses);
bool is_ip_address(std::string_view text);

std::string client_address(const std::set<std::string>& trusted_proxies, const std::string& peer,
                           std::string_view forwarded_for);

}  // namespace siagent::dashboard
