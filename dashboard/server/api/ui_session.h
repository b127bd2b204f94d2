// Logins and sessions of the web UI. A session is a random token in an HttpOnly,
// SameSite=Strict cookie, stored as its SHA-256; state-changing requests must also carry
// the session's CSRF token in X-CSRF-Token.
#pragma once

#include <string>

#include "dashboard/server/http/http_message.h"
#include "dashboard/server/api/server_context.h"

namespace siagent::dashboard {

// The caller's session: 401 without a valid one, 403 when a state-changing request lacks
// the CSRF token.
Result<Session> authenticate(ServerContext& context, const Request& request);

Response handle_login(ServerContext& context, const Request& request, const std::string& address);
Response handle_logout(ServerContext& context, const Request& request);
Response handle_me(const Session& session);
// POST /api/me/password {"current_password", "new_password"}: the current one must match
// (failures count against the login limit); the caller's other sessions end.
Response handle_change_password(ServerContext& context, const Request& request, const Session& session,
                                const std::string& address);

// Parses a small JSON request body of the UI (bounded like agent bodies, but tighter).
// Computes the decoy password hash now (at start), so the first login with an unknown
// email takes as long as any other.
void prepare_logins();

std::optional<Failure> read_ui_json(const ServerContext& context, const Request& request, rapidjson::Document& out);

}  // namespace siagent::dashboard
