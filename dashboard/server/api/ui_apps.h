// The application endpoints of docs/dashboard-api.md: /api/apps and /api/apps/{id}/...
// The caller's account scopes every read; an id of another account's app answers 404.
#pragma once

#include <string_view>
#include <vector>

#include "dashboard/server/http/http_message.h"
#include "dashboard/server/api/server_context.h"

namespace siagent::dashboard {

// `segments` is the path below /api/apps, split at '/'.
Response handle_apps(ServerContext& context, const Request& request, const Session& session,
                     const std::vector<std::string_view>& segments);

// from/to and the filters of a query string: from defaults to an hour before `to`, which
// defaults to now; 400 for values that are not whole numbers or a reversed range.
Result<QueryFilter> read_filter(const Request& request, int64_t now);

}  // namespace siagent::dashboard
