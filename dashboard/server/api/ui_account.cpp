#include "dashboard/server/api/ui_account.h"

#include "dashboard/server/json_out.h"
#include "dashboard/server/secrets.h"
#include "dashboard/server/api/ui_fields.h"
#include "dashboard/server/api/ui_session.h"
#include "dashboard/server/api/ui_threshold.h"
#include "dashboard/server/api/ui_webhooks.h"

namespace siagent::dashboard {
namespace {

Response created(int64_t id, const std::string& key = {}) {
    JsonOut out;
    out.object().field("id", id);
    if (!key.empty()) out.field("key", key);
    out.end_object();
    return json_response(http::status::created, out.str());
}

Response describe(ServerContext& context, const Session& session) {
    JsonOut out;
    out.object().field("id", session.user.account_id).field("name", session.account_name).key("users").array();
    for (const User& user : context.storage.users(session.user.account_id)) {
        out.object().field("id", user.id).field("email", user.email).field("role", user.role).end_object();
    }
    out.end_array().key("keys").array();
    for (const AgentKey& key : context.storage.agent_keys(session.user.account_id)) {
        out.object().field("id", key.id).field("name", key.name).field("prefix", key.prefix);
        out.field("created", key.created).field("last_used", key.last_used).key("refused").array();
        for (const AgentRejection& refused : context.agent_rejections.last(key.id)) {
            out.object().field("time", refused.time).field("status", refused.status).field("reason", refused.reason);
            out.field("endpoint", refused.endpoint).field("address", refused.address).end_object();
        }
        out.end_array().end_object();
    }
    out.end_array().end_object();
    return json_response(http::status::ok, out.str());
}

Response add_user(ServerContext& context, const Request& request, const Session& session) {
    rapidjson::Document body;
    if (auto failure = read_ui_json(context, request, body)) return error_response(failure->status, failure->reason);
    auto email = string_field(body, "email");
    auto role = string_field(body, "role");
    auto password = string_field(body, "password");
    if (!email || email->find('@') == std::string::npos || email->size() > 320) return error_response(400, "email is not an address");
    if (!role || !valid_role(*role)) return error_response(400, "role must be owner, member or viewer");
    if (!password || password->size() < kMinPasswordLength) return error_response(400, "password must have at least 10 characters");
    auto id = context.storage.add_user(session.user.account_id, *email, *role, hash_password(*password), context.now());
    if (!id) return error_response(id.failure().status, id.failure().reason);
    return created(id.value());
}

Response change_user(ServerContext& context, const Request& request, const Session& session, int64_t user_id) {
    if (request.method() == http::verb::delete_) {
        if (user_id == session.user.id) return error_response(400, "you cannot delete yourself");
        if (!context.storage.delete_user(session.user.account_id, user_id)) return error_response(404, "no such user");
        return empty_response(http::status::no_content);
    }
    rapidjson::Document body;
    if (auto failure = read_ui_json(context, request, body)) return error_response(failure->status, failure->reason);
    auto role = string_field(body, "role");
    if (!role || !valid_role(*role)) return error_response(400, "role must be owner, member or viewer");
    // Owners change others' roles, never their own: the account always keeps an owner.
    if (user_id == session.user.id) return error_response(400, "you cannot change your own role");
    if (!context.storage.set_role(session.user.account_id, user_id, *role)) return error_response(404, "no such user");
    return empty_response(http::status::no_content);
}

Response add_key(ServerContext& context, const Request& request, const Session& session) {
    rapidjson::Document body;
    if (auto failure = read_ui_json(context, request, body)) return error_response(failure->status, failure->reason);
    auto name = string_field(body, "name").value_or("agent key");
    if (name.size() > 200) return error_response(400, "name is too long");
    const std::string key = new_agent_key();
    const int64_t id = context.storage.add_agent_key(session.user.account_id, name, sha256_hex(key),
                                                     agent_key_prefix(key), context.now());
    return created(id, key);
}

}  // namespace

bool valid_role(std::string_view role) { return role == "owner" || role == "member" || role == "viewer"; }

Response handle_account(ServerContext& context, const Request& request, const Session& session,
                        const std::vector<std::string_view>& segments) {
    const auto method = request.method();
    if (segments.empty()) {
        if (method != http::verb::get) return error_response(405, "account takes GET");
        return describe(context, session);
    }
    if (segments[0] == "webhooks") return handle_webhooks(context, request, session, segments);
    if (segments[0] == "anomaly-threshold") return handle_anomaly_threshold(context, request, session, segments);
    if (session.user.role != "owner") return error_response(403, "only owners change the account");
    if (segments.size() > 2 || (segments[0] != "users" && segments[0] != "keys")) return error_response(404, "no such resource");
    const bool users = segments[0] == "users";
    if (segments.size() == 1) {
        if (method != http::verb::post) return error_response(405, "use POST to add");
        return users ? add_user(context, request, session) : add_key(context, request, session);
    }
    auto id = whole_number(segments[1]);
    if (!id) return error_response(404, "no such resource");
    if (users && (method == http::verb::delete_ || method == http::verb::put)) return change_user(context, request, session, *id);
    if (!users && method == http::verb::delete_) {
        if (!context.storage.delete_agent_key(session.user.account_id, *id)) return error_response(404, "no such key");
        return empty_response(http::status::no_content);
    }
    return error_response(405, "method not allowed here");
}

}  // namespace siagent::dashboard
