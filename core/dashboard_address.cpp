#include "core/dashboard_address.h"

#include "core/config_values.h"

namespace siagent {
namespace {

using namespace config_values;

bool is_host_character(char c) {
    const char lower = to_lower(c);
    return is_digit(c) || (lower >= 'a' && lower <= 'z') || c == '-' || c == '.' || c == '_';
}

bool is_ipv6_character(char c) {
    const char lower = to_lower(c);
    return is_digit(c) || (lower >= 'a' && lower <= 'f') || c == ':' || c == '.';
}

bool valid_port(std::string_view text) {
    auto port = parse_whole(text);
    return port && *port >= 1 && *port <= 65535;
}

}  // namespace

std::string DashboardAddress::host_header() const {
    std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    bool default_port = port == (tls ? "443" : "80");
    return default_port ? shown : shown + ":" + port;
}

std::string DashboardAddress::origin() const {
    return std::string(tls ? "https://" : "http://") + host_header();
}

std::optional<DashboardAddress> parse_dashboard_address(std::string_view text) {
    DashboardAddress address;
    if (starts_with_ignoring_case(text, "https://")) {
        address.tls = true;
        text.remove_prefix(8);
    } else if (starts_with_ignoring_case(text, "http://")) {
        text.remove_prefix(7);
    } else {
        return std::nullopt;
    }
    size_t slash = text.find('/');
    std::string_view authority = text.substr(0, slash);
    if (slash != std::string_view::npos) {
        std::string_view path = text.substr(slash);
        if (has_control_character(path) || path.find_first_of(" \x7f") != std::string_view::npos)
            return std::nullopt;
        while (!path.empty() && path.back() == '/') path.remove_suffix(1);
        address.path_prefix = std::string(path);
    }
    std::string_view port;
    bool port_given = false;  // a colon after the host: then a port must follow
    const bool ipv6 = !authority.empty() && authority.front() == '[';
    if (ipv6) {
        size_t close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        address.host = std::string(authority.substr(1, close - 1));
        std::string_view rest = authority.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') return std::nullopt;
        if (!rest.empty()) {
            port = rest.substr(1);
            port_given = true;
        }
    } else {
        size_t colon = authority.find(':');
        address.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            port_given = true;
        }
    }
    if (address.host.empty()) return std::nullopt;
    for (char c : address.host)
        if (!(ipv6 ? is_ipv6_character(c) : is_host_character(c))) return std::nullopt;
    if (port_given && !valid_port(port)) return std::nullopt;
    address.port = port.empty() ? (address.tls ? "443" : "80") : std::string(port);
    return address;
}

}  // namespace siagent
