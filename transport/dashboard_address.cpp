#include "transport/dashboard_address.h"

#include <cctype>

namespace siagent {
namespace {

bool starts_with_scheme(std::string_view text, std::string_view scheme) {
    if (text.size() < scheme.size()) return false;
    for (size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(text[i])) != scheme[i]) return false;
    return true;
}

bool all_digits(std::string_view text) {
    if (text.empty()) return false;
    for (char c : text)
        if (c < '0' || c > '9') return false;
    return true;
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
    if (starts_with_scheme(text, "https://")) {
        address.tls = true;
        text.remove_prefix(8);
    } else if (starts_with_scheme(text, "http://")) {
        text.remove_prefix(7);
    } else {
        return std::nullopt;
    }
    size_t slash = text.find('/');
    std::string_view authority = text.substr(0, slash);
    if (slash != std::string_view::npos) {
        std::string_view path = text.substr(slash);
        while (!path.empty() && path.back() == '/') path.remove_suffix(1);
        address.path_prefix = std::string(path);
    }
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        size_t close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        address.host = std::string(authority.substr(1, close - 1));
        std::string_view rest = authority.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') return std::nullopt;
        if (!rest.empty()) port = rest.substr(1);
    } else {
        size_t colon = authority.find(':');
        address.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (address.host.empty()) return std::nullopt;
    if (!port.empty() && !all_digits(port)) return std::nullopt;
    address.port = port.empty() ? (address.tls ? "443" : "80") : std::string(port);
    return address;
}

}  // namespace siagent
