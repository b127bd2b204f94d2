#include "dashboard/server/api/ui_webhooks.h"

#include <iostream>

#include "dashboard/server/json_out.h"
#include "dashboard/server/notify/notifier.h"
#include "dashboard/server/notify/webhook_url.h"
#include "dashboard/server/api/ui_fields.h"
#include "dashboard/server/api/ui_session.h"

namespace siagent::dashboard {
namespace {

constexpr size_t kMaxWebhookNameBytes = 200;

Response list(ServerContext& context, const Session& session) {
    JsonOut out;
    out.object().key("webhooks").array();
    for (const Webhook& webhook : context.storage.webhooks(session.user.account_id)) {
        out.object().field("id", webhook.id).field("name", webhook.name).field("format", webhook.format);
        out.field("url", webhook.masked_url).field("created", webhook.created).key("delivery");
        auto status = context.notifier->status(webhook.id);
        if (!status) {
            out.null();
        } else {
            out.object().field("time", status->time).field("outcome", status->outcome);
            out.field("delivered", static_cast<int64_t>(status->delivered)).field("failed", static_cast<int64_t>(status->failed));
            out.field("dropped", static_cast<int64_t>(status->dropped)).end_object();
        }
        out.end_object();
    }
    out.end_array().end_object();
    return json_response(http::status::ok, out.str());
}

Response add(ServerContext& context, const Request& request, const Session& session) {
    rapidjson::Document body;
    if (auto failure = read_ui_json(context, request, body)) return error_response(failure->status, failure->reason);
    const std::string name = string_field(body, "name").value_or("webhook");
    const std::string format = string_field(body, "format").value_or("json");
    const std::string url = string_field(body, "url").value_or("");
    if (name.empty() || name.size() > kMaxWebhookNameBytes) return error_response(400, "name must have 1 to 200 bytes");
    if (format != "json" && format != "slack") return error_response(400, "format must be json or slack");
    if (auto parsed = notify::parse_webhook_url(url); !parsed) return error_response(parsed.failure().status, parsed.failure().reason);
    auto sealed = context.notifier->secrets().seal(url, notify::webhook_seal_context(session.user.account_id));
    if (!sealed) {
        std::cerr << "siagent-dashboard: cannot seal a webhook url: " << sealed.failure().reason << "\n";
        return error_response(500, "cannot seal the url (see the server's log)");
    }
    Webhook webhook{0, name, format, sealed.value(), notify::mask_webhook_url(url), context.now()};
    auto id = context.storage.add_webhook(session.user.account_id, webhook, kMaxWebhooksPerAccount);
    if (!id) return error_response(id.failure().status, id.failure().reason);
    JsonOut out;
    out.object().field("id", id.value()).field("url", webhook.masked_url).end_object();
    return json_response(http::status::created, out.str());
}

}  // namespace

Response handle_webhooks(ServerContext& context, const Request& request, const Session& session,
                         const std::vector<std::string_view>& segments) {
    if (context.notifier == nullptr) return error_response(503, "notifications are not set up on this server");
    const auto method = request.method();
    if (session.user.role == "owner") {
        context.notifier->learn_origin(session.user.account_id, context.settings.secure_cookies, request[http::field::host]);
    }
    if (segments.size() == 1 && method == http::verb::get) return list(context, session);
    if (session.user.role != "owner") return error_response(403, "only owners change webhooks");
    if (segments.size() == 1) {
        if (method != http::verb::post) return error_response(405, "webhooks take GET or POST");
        return add(context, request, session);
    }
    auto id = whole_number(segments[1]);
    if (!id || segments.size() > 3 || (segments.size() == 3 && segments[2] != "test")) {
        return error_response(404, "no such resource");
    }
    if (segments.size() == 3) {
        if (method != http::verb::post) return error_response(405, "test takes POST");
        if (!context.notifier->send_test(session.user.account_id, *id)) return error_response(404, "no such webhook");
        return json_response(http::status::accepted, "{}");
    }
    if (method != http::verb::delete_) return error_response(405, "a webhook takes DELETE");
    if (!context.storage.delete_webhook(session.user.account_id, *id)) return error_response(404, "no such webhook");
    return empty_response(http::status::no_content);
}

}  // namespace siagent::dashboard
