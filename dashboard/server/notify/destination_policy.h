// Where webhooks may deliver. An owner types the URL, and the server connects from inside the
// network: loopback, link-local (cloud metadata at 169.254.169.254), private, shared (CGNAT),
// unspecified, multicast and reserved addresses are refused by default, judged on every
// address the name resolves to at delivery (redirects are never followed). Hosts named with
// --webhook-allow-host (as written in the URL: a name or an address) may be internal.
#pragma once

#include <set>
#include <string>

#include <boost/asio/ip/address.hpp>

namespace siagent::dashboard::notify {

// Whether `address` is one a webhook may not reach unless its host is allowed by name.
bool is_internal_address(const boost::asio::ip::address& address);

class DestinationPolicy {
public:
    DestinationPolicy() = default;
    explicit DestinationPolicy(std::set<std::string> allowed_hosts) : allowed_hosts_(std::move(allowed_hosts)) {}

    // Whether any address of `host` may be reached (it was allowed by name).
    bool host_allowed(const std::string& host) const { return allowed_hosts_.count(host) > 0; }
    bool allows(const std::string& host, const boost::asio::ip::address& address) const {
        return host_allowed(host) || !is_internal_address(address);
    }

private:
    std::set<std::string> allowed_hosts_;
};

}  // namespace siagent::dashboard::notify
