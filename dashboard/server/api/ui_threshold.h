// The caller's account's anomaly threshold for metric series (anomaly/account_threshold.h;
// docs/dashboard-api.md, "Anomaly threshold"):
//   GET /api/account/anomaly-threshold   {"threshold", "default", "min", "max", "custom"}
//   PUT /api/account/anomaly-threshold   {"threshold": number | null} (owners; null: default)
// Always the session's account: no id in the path, so no other account's can be named.
#pragma once

#include <string_view>
#include <vector>

#include "dashboard/server/api/server_context.h"
#include "dashboard/server/http/http_message.h"

namespace siagent::dashboard {

// `segments` is the path below /api/account, starting with "anomaly-threshold".
Response handle_anomaly_threshold(ServerContext& context, const Request& request, const Session& session,
                                  const std::vector<std::string_view>& segments);

}  // namespace siagent::dashboard
