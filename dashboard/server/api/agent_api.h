// The agent endpoints of docs/protocol.md: POST /agent/v1/config and /agent/v1/upload.
#pragma once

#include <optional>
#include <string_view>

#include "dashboard/server/http/http_message.h"
#include "dashboard/server/api/server_context.h"

namespace siagent::dashboard {

// The agent key the request's Basic authorization carries, or nullopt.
std::optional<AgentKeyOwner> agent_key_of(ServerContext& context, const Request& request);

// `endpoint` is "config" or "upload"; any other path under /agent is refused (404). Every
// refusal is recorded (agent_rejections.h). `admitted_key`: the key admission found from the
// headers (admission.h), used as it is; without one the key is looked up here.
Response handle_agent(ServerContext& context, const Request& request, std::string_view endpoint,
                      const std::string& remote_address,
                      const std::optional<AgentKeyOwner>& admitted_key = std::nullopt);

// Answers an agent with an error and records the refusal; `key` as agent_key_of gave it.
Response refuse_agent(ServerContext& context, const Request& request, const std::optional<AgentKeyOwner>& key,
                      int status, const std::string& reason, const std::string& remote_address);

// An upload's metrics as storage rows: each metric, then one row per span tree of its
// breakdown (span_reports.h).
std::vector<ReportToStore> prepare_reports(AgentRequest& request);

// The request body as JSON text: gunzipped when Content-Encoding says gzip, within the
// decompressed bound (413 past it; 400 for a corrupt or truncated stream).
Result<std::string> agent_body(const Request& request, const Limits& limits);

}  // namespace siagent::dashboard
