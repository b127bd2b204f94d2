// Webhook URLs: what is accepted (http or https, a host, no user info, bounded length,
// printable ASCII) and how one is shown once stored (masked: scheme, host and port, then
// "/…" and the last 4 characters, so a secret path or token is never shown again).
#pragma once

#include <string>
#include <string_view>

#include "dashboard/server/result.h"
#include "core/dashboard_address.h"

namespace siagent::dashboard::notify {

inline constexpr size_t kMaxWebhookUrlBytes = 2048;

struct WebhookUrl {
    DashboardAddress address;  // scheme, host, port
    std::string target;        // path and query as given ("/" when none)
};

// A 400 Failure whose reason never repeats the URL (it may be a secret).
Result<WebhookUrl> parse_webhook_url(std::string_view url);

// "https://hooks.example.com/…AbCd"; "https://hooks.example.com/" when there is no path.
std::string mask_webhook_url(std::string_view url);

}  // namespace siagent::dashboard::notify
