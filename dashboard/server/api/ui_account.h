// /api/account: users, roles and agent keys of the caller's account. Anyone in the account
// may read; only owners change. Agent keys are shown once, at creation.
#pragma once

#include <string_view>
#include <vector>

#include "dashboard/server/http/http_message.h"
#include "dashboard/server/api/server_context.h"

namespace siagent::dashboard {

// `segments` is the path below /api/account, split at '/'.
Response handle_account(ServerContext& context, const Request& request, const Session& session,
                        const std::vector<std::string_view>& segments);

bool valid_role(std::string_view role);

}  // namespace siagent::dashboard
