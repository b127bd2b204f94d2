#include "dashboard/server/api/ui_rules.h"

#include "dashboard/server/api/ui_fields.h"
#include "dashboard/server/api/ui_session.h"

namespace siagent::dashboard {
namespace {

constexpr size_t kMaxRuleTextBytes = 1024;

Response list(ServerContext& context, const AppScope& scope) {
    JsonOut out;
    out.object().key("rules").array();
    for (const AnomalyRule& rule : context.storage.anomaly_rules(scope, context.now())) {
        out.object().field("id", rule.id).field("kind", rule.kind).field("category", rule.category);
        out.field("name", rule.name).field("host", rule.host).field("environment", rule.environment);
        out.field("until", rule.until).field("created", rule.created).end_object();
    }
    out.end_array().end_object();
    return json_response(http::status::ok, out.str());
}

// The rule a POST body describes; kind, category and name required, host and environment
// optional ("" or absent: all), until a future time within a year, or null for off.
Result<AnomalyRule> read_rule(const rapidjson::Document& body, int64_t now) {
    AnomalyRule rule;
    struct Text {
        const char* key;
        std::string* into;
        bool required;
    };
    for (const Text& text : {Text{"kind", &rule.kind, true}, Text{"category", &rule.category, true},
                             Text{"name", &rule.name, true}, Text{"host", &rule.host, false},
                             Text{"environment", &rule.environment, false}}) {
        auto value = string_field(body, text.key);
        if (body.HasMember(text.key) && !value) return Failure{400, std::string(text.key) + " must be a string"};
        if (text.required && (!value || value->empty())) return Failure{400, std::string(text.key) + " is required"};
        if (value && value->size() > kMaxRuleTextBytes) return Failure{400, std::string(text.key) + " is too long"};
        *text.into = value.value_or("");
    }
    auto until = body.FindMember("until");
    if (until == body.MemberEnd()) return Failure{400, "until is required (a time in seconds, or null to turn the rule off)"};
    if (!until->value.IsNull()) {
        if (!until->value.IsInt64()) return Failure{400, "until must be a time in seconds or null"};
        const int64_t end = until->value.GetInt64();
        if (end <= now) return Failure{400, "until must be in the future"};
        if (end > now + kMaxMuteSeconds) return Failure{400, "a mute lasts at most a year; turn the rule off instead"};
        rule.until = end;
    }
    return rule;
}

}  // namespace

Response handle_rules(ServerContext& context, const Request& request, const Session& session, const AppScope& scope,
                      const std::vector<std::string_view>& segments) {
    const auto method = request.method();
    if (segments.size() == 2 && method == http::verb::get) return list(context, scope);
    if (session.user.role == "viewer" && (method == http::verb::post || method == http::verb::delete_)) {
        return error_response(403, "viewers cannot change mute rules");
    }
    if (segments.size() == 2) {
        if (method != http::verb::post) return error_response(405, "rules take GET or POST");
        rapidjson::Document body;
        if (auto failure = read_ui_json(context, request, body)) return error_response(failure->status, failure->reason);
        auto rule = read_rule(body, context.now());
        if (!rule) return error_response(rule.failure().status, rule.failure().reason);
        auto id = context.storage.set_anomaly_rule(scope, rule.value(), kMaxRulesPerApp, context.now());
        if (!id) return error_response(id.failure().status, id.failure().reason);
        JsonOut out;
        out.object().field("id", id.value()).end_object();
        return json_response(http::status::created, out.str());
    }
    auto rule_id = whole_number(segments[2]);
    if (segments.size() != 3 || !rule_id) return error_response(404, "no such resource");
    if (method != http::verb::delete_) return error_response(405, "a rule takes DELETE");
    if (!context.storage.delete_anomaly_rule(scope, *rule_id)) return error_response(404, "no such rule");
    return empty_response(http::status::no_content);
}

void write_rule_state(JsonOut& out, const AnomalyRow& anomaly) {
    out.key("rule");
    if (anomaly.rule_id == 0) {
        out.null();
        return;
    }
    out.object().field("id", anomaly.rule_id).field("until", anomaly.rule_until).end_object();
}

}  // namespace siagent::dashboard
