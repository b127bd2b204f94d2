// Webhooks of the caller's account (docs/dashboard-api.md, "Webhooks"):
//   GET    /api/account/webhooks               list, URLs masked, with the last delivery outcome
//   POST   /api/account/webhooks               {"name", "url", "format": "json"|"slack"} (owners)
//   DELETE /api/account/webhooks/{id}          (owners)
//   POST   /api/account/webhooks/{id}/test     queue a test message (owners)
// The URL is a secret: sealed before it is stored, never answered or logged after creation.
#pragma once

#include <string_view>
#include <vector>

#include "dashboard/server/http/http_message.h"
#include "dashboard/server/api/server_context.h"

namespace siagent::dashboard {

inline constexpr size_t kMaxWebhooksPerAccount = 20;

// `segments` is the path below /api/account, starting with "webhooks".
Response handle_webhooks(ServerContext& context, const Request& request, const Session& session,
                         const std::vector<std::string_view>& segments);

}  // namespace siagent::dashboard
