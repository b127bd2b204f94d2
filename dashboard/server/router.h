// Maps a request to its handler: /agent/v1/* for agents, /api/* for the UI (session
// required except for login), everything else static files. Never throws: an internal
// error becomes a 500 without detail, logged once on stderr.
#pragma once

#include <string>

#include "dashboard/server/http_message.h"
#include "dashboard/server/server_context.h"

namespace siagent::dashboard {

Response route(ServerContext& context, const Request& request, const std::string& remote_address);

}  // namespace siagent::dashboard
