// GET /metrics: this instance's state for Prometheus (operations/prometheus_text.h), for a
// scraper holding the token of --metrics-token-file, sent as "Authorization: Bearer TOKEN".
// The token is compared by its SHA-256 in constant time; only the hash is kept. Without a
// configured token the path does not exist (404); a missing or wrong token is a 401.
#pragma once

#include "dashboard/server/api/server_context.h"
#include "dashboard/server/http/http_message.h"

namespace siagent::dashboard {

Response handle_metrics(ServerContext& context, const Request& request);

}  // namespace siagent::dashboard
