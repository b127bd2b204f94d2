// Maps a request to its handler: /agent/v1/* for agents, /api/* for the UI (session
// required except for login), everything else static files. Never throws: an internal
// error becomes a 500 without detail, logged once on stderr.
#pragma once

#include <optional>
#include <string>

#include "dashboard/server/http/http_message.h"
#include "dashboard/server/api/server_context.h"

namespace siagent::dashboard {

// `admitted_key`: the agent key admission checked from the headers (admission.h), if any.
Response route(ServerContext& context, const Request& request, const std::string& remote_address,
               const std::optional<AgentKeyOwner>& admitted_key = std::nullopt);

// The kind a request for `path` (its target without the query) is counted as, by where
// route() sends it (server_metrics.h).
RequestKind request_kind(std::string_view path);

// The pool a request must run on, off the I/O threads (login and adding a user hash a
// password; /api/apps/* merge stored reports); null for the rest (agents, static files,
// sessions), which are quick.
WorkerPool* worker_pool_for(ServerContext& context, const Request& request);

// The answer when that pool is full: 503 with Retry-After, with route()'s headers.
Response busy_response(const Request& request);

}  // namespace siagent::dashboard
