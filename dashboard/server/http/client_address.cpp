#include "dashboard/server/http/client_address.h"

#include <boost/asio/ip/address.hpp>

namespace siagent::dashboard {
namespace {

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// Empty when `text` is not an IP address.
std::string canonical(std::string_view text) {
    boost::system::error_code error;
    auto address = boost::asio::ip::make_address(std::string(trimmed(text)), error);
    if (error) return {};
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6()).to_string();
    }
    return address.to_string();
}

}  // namespace

std::set<std::string> canonical_addresses(const std::set<std::string>& addresses) {
    std::set<std::string> result;
    for (const std::string& address : addresses) {
        std::string text = canonical(address);
        if (!text.empty()) result.insert(std::move(text));
    }
    return result;
}

bool is_ip_address(std::string_view text) { return !canonical(text).empty(); }

std::string client_address(const std::set<std::string>& trusted_proxies, const std::string& peer,
                           std::string_view forwarded_for) {
    if (trusted_proxies.empty() || forwarded_for.empty()) return peer;
    if (trusted_proxies.count(canonical(peer)) == 0) return peer;
    const size_t comma = forwarded_for.rfind(',');
    const std::string forwarded =
        canonical(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    return forwarded.empty() ? peer : forwarded;
}

}  // namespace siagent::dashboard
