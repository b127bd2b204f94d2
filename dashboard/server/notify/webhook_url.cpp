#include "dashboard/server/notify/webhook_url.h"

#include <algorithm>
#include <string>

namespace siagent::dashboard::notify {
namespace {

// Index of the first character after "scheme://host[:port]", or npos without "://".
size_t authority_end(std::string_view url) {
    const size_t scheme = url.find("://");
    if (scheme == std::string_view::npos) return scheme;
    const size_t end = url.find_first_of("/?#", scheme + 3);
    return end == std::string_view::npos ? url.size() : end;
}

bool printable_ascii(std::string_view text) {
    for (unsigned char c : text) {
        if (c <= 0x20 || c >= 0x7f) return false;
    }
    return true;
}

}  // namespace

Result<WebhookUrl> parse_webhook_url(std::string_view url) {
    if (url.empty()) return Failure{400, "url is required"};
    if (url.size() > kMaxWebhookUrlBytes) {
        return Failure{400, "url is longer than " + std::to_string(kMaxWebhookUrlBytes) + " bytes"};
    }
    if (!printable_ascii(url)) return Failure{400, "url must be printable ASCII without spaces (percent-encode the rest)"};
    const size_t end = authority_end(url);
    if (end == std::string_view::npos) return Failure{400, "url must start with http:// or https://"};
    const std::string_view authority = url.substr(0, end);
    if (authority.find('@') != std::string_view::npos) return Failure{400, "url must not carry a user name or password"};
    auto address = parse_dashboard_address(authority);
    if (!address) return Failure{400, "url must be http(s)://host[:port]/path, with a port from 1 to 65535"};
    std::string_view rest = url.substr(end);
    if (const size_t fragment = rest.find('#'); fragment != std::string_view::npos) rest = rest.substr(0, fragment);
    std::string target(rest);
    if (target.empty() || target.front() == '?') target.insert(0, "/");
    return WebhookUrl{*address, std::move(target)};
}

std::string mask_webhook_url(std::string_view url) {
    const size_t end = authority_end(url);
    if (end == std::string_view::npos) return "…";
    std::string masked(url.substr(0, end));
    const std::string_view rest = url.substr(end);
    if (rest.size() <= 1) return masked + "/";
    // Never more than a quarter of the rest, so a short path is not shown whole.
    const size_t shown = std::min<size_t>(4, rest.size() / 4);
    return masked + "/…" + std::string(rest.substr(rest.size() - shown));
}

}  // namespace siagent::dashboard::notify
