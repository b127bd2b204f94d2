// The agent endpoints of docs/protocol.md: POST /agent/v1/config and /agent/v1/upload.
#pragma once

#include <optional>
#include <string_view>

#include "dashboard/server/http_message.h"
#include "dashboard/server/server_context.h"

namespace siagent::dashboard {

// The account whose agent key the request's Basic authorization carries, or nullopt.
std::optional<int64_t> agent_account(ServerContext& context, const Request& request);

// `endpoint` is "config" or "upload".
Response handle_agent(ServerContext& context, const Request& request, std::string_view endpoint);

// An upload's metrics as storage rows: each metric, then one row per span tree of its
// breakdown (span_reports.h).
std::vector<ReportToStore> prepare_reports(AgentRequest& request);

// The request body as JSON text: gunzipped when Content-Encoding says gzip, within the
// decompressed bound (413 past it; 400 for a corrupt or truncated stream).
Result<std::string> agent_body(const Request& request, const Limits& limits);

}  // namespace siagent::dashboard
