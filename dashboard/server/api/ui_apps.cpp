#include "dashboard/server/api/ui_apps.h"

#include <set>

#include "dashboard/server/anomaly/detector.h"
#include "dashboard/server/json_out.h"
#include "dashboard/server/model/profile_kinds.h"
#include "dashboard/server/api/ui_fields.h"
#include "dashboard/server/api/ui_profile.h"
#include "dashboard/server/api/ui_rules.h"
#include "dashboard/server/api/ui_session.h"

namespace siagent::dashboard {
namespace {

Response list_apps(ServerContext& context, const Session& session) {
    JsonOut out;
    out.object().key("apps").array();
    for (const AppRow& app :
         context.storage.apps(session.user.account_id, context.now(), context.settings.live_process_seconds)) {
        out.object().field("id", app.id).field("name", app.name).field("last_seen", app.last_seen);
        out.field("processes_total", app.processes_total).field("processes_live", app.processes_live);
        out.field("processes_active", app.processes_active);
        out.field("environments", app.environments).field("versions", app.versions).field("hosts", app.hosts);
        out.field("runtimes", app.runtimes);
        out.key("health").object().field("cpu_usage", app.cpu_usage).field("rss_bytes", app.rss_bytes);
        out.field("errors_per_min", app.errors_per_min).end_object();
        out.field("anomalies_open", app.anomalies_open).end_object();
    }
    out.end_array().end_object();
    return json_response(http::status::ok, out.str());
}

Response filters(ServerContext& context, const AppScope& scope, const QueryFilter& filter) {
    const auto processes = context.storage.processes(scope, filter);
    std::set<std::string> versions, environments, hosts;
    // An agent that sets no version or environment sends "": that is no value to filter by.
    auto add = [](std::set<std::string>& set, const std::string& value) {
        if (!value.empty()) set.insert(value);
    };
    for (const ProcessRow& process : processes) {
        add(versions, process.version);
        add(environments, process.environment);
        add(hosts, process.host);
    }
    auto list = [](const std::set<std::string>& set) { return std::vector<std::string>(set.begin(), set.end()); };
    JsonOut out;
    out.object().field("versions", list(versions)).field("environments", list(environments));
    out.field("hosts", list(hosts)).key("processes").array();
    for (const ProcessRow& process : processes) {
        out.object().field("host", process.host).field("pid", process.pid).field("run_id", process.run_id);
        out.field("version", process.version).field("environment", process.environment);
        out.field("last_seen", process.last_seen).field("active", process.active).field("ended", process.ended);
        out.field("live", !process.ended && process.last_seen >= context.now() - context.settings.live_process_seconds);
        out.field("runtime_type", process.runtime_type).field("runtime_version", process.runtime_version);
        out.field("agent_version", process.agent_version).end_object();
    }
    out.end_array().end_object();
    return json_response(http::status::ok, out.str());
}

Response settings(ServerContext& context, const Request& request, const Session& session, const AppScope& scope) {
    if (request.method() == http::verb::put) {
        if (session.user.role == "viewer") return error_response(403, "viewers cannot change settings");
        rapidjson::Document body;
        if (auto failure = read_ui_json(context, request, body)) return error_response(failure->status, failure->reason);
        AppSettings wanted;
        auto processes = body.FindMember("max_active_processes");
        auto percent = body.FindMember("max_active_percent");
        if (processes != body.MemberEnd() && !processes->value.IsNull()) {
            if (!processes->value.IsInt64() || processes->value.GetInt64() < 1) return error_response(400, "max_active_processes must be null or a positive integer");
            wanted.max_active_processes = processes->value.GetInt64();
        }
        if (percent != body.MemberEnd() && !percent->value.IsNull()) {
            if (!percent->value.IsNumber() || percent->value.GetDouble() <= 0 || percent->value.GetDouble() > 100) return error_response(400, "max_active_percent must be null or in (0, 100]");
            wanted.max_active_percent = percent->value.GetDouble();
        }
        if (!context.storage.set_app_settings(scope, wanted)) return error_response(404, "no such application");
    } else if (request.method() != http::verb::get) {
        return error_response(405, "settings take GET or PUT");
    }
    auto current = context.storage.settings(scope);
    if (!current) return error_response(404, "no such application");
    JsonOut out;
    out.object().field("max_active_processes", current->max_active_processes);
    out.field("max_active_percent", current->max_active_percent).end_object();
    return json_response(http::status::ok, out.str());
}

constexpr size_t kMaxAnomalies = 1000;

// When the detectors can first judge this app: since when it reports, and each rule's time
// scale (the Anomalies tab's empty state says what is still warming up, and until when).
void write_judging(ServerContext& context, const AppScope& scope, JsonOut& out) {
    QueryFilter all_time;
    all_time.from = 0;
    all_time.to = context.now();
    std::optional<int64_t> since;
    for (const ProcessRow& process : context.storage.processes(scope, all_time)) {
        since = std::min(since.value_or(process.first_seen), process.first_seen);
    }
    const anomaly::RuleSettings& rules = context.settings.anomaly_rules;
    out.key("judging").object().field("reporting_since", since);
    out.field("metric_warmup_points", anomaly::DetectorConfig{}.warmup_steps);
    out.field("leak_window_seconds", rules.leak_window).field("regression_period_seconds", rules.regression_period);
    out.field("error_warmup_seconds", rules.error_warmup).end_object();
}

Response anomalies(ServerContext& context, const Request& request, const Session& session, const AppScope& scope,
                   const std::vector<std::string_view>& segments) {
    if (segments.size() == 2) {
        if (request.method() != http::verb::get) return error_response(405, "anomalies take GET");
        auto filter = read_filter(request, context.now());
        if (!filter) return error_response(filter.failure().status, filter.failure().reason);
        JsonOut out;
        out.object().key("anomalies").array();
        for (const AnomalyRow& a : context.storage.anomalies(scope, filter->from, filter->to, kMaxAnomalies)) {
            out.object().field("id", a.id).field("time", a.time).field("kind", a.kind);
            out.field("category", a.category).field("name", a.name).field("host", a.host);
            out.field("environment", a.environment).field("value", a.value);
            out.field("unit", a.unit).field("score", a.score);
            out.field("message", a.message).field("acknowledged", a.acknowledged).field("muted", a.muted);
            if (!a.detail.empty()) out.key("detail").raw(a.detail);
            write_rule_state(out, a);
            out.end_object();
        }
        out.end_array();
        out.field("threshold", context.anomaly_thresholds.get(context.storage, scope.account_id, context.now()));
        write_judging(context, scope, out);
        out.end_object();
        return json_response(http::status::ok, out.str());
    }
    auto anomaly_id = whole_number(segments[2]);
    if (segments.size() != 4 || segments[3] != "acknowledge" || !anomaly_id) return error_response(404, "no such resource");
    if (request.method() != http::verb::post) return error_response(405, "acknowledge takes POST");
    if (session.user.role == "viewer") return error_response(403, "viewers cannot acknowledge anomalies");
    if (!context.storage.acknowledge_anomaly(scope, *anomaly_id)) return error_response(404, "no such anomaly");
    return json_response(http::status::ok, "{}");
}

}  // namespace

Result<QueryFilter> read_filter(const Request& request, int64_t now) {
    auto parameters = query_parameters(request.target());
    QueryFilter filter;
    filter.to = now;
    if (parameters.count("to")) {
        auto to = whole_number(parameters["to"]);
        if (!to) return Failure{400, "to is not a time in seconds"};
        filter.to = *to;
    }
    filter.from = filter.to - 3600;
    if (parameters.count("from")) {
        auto from = whole_number(parameters["from"]);
        if (!from) return Failure{400, "from is not a time in seconds"};
        filter.from = *from;
    }
    if (filter.from > filter.to) return Failure{400, "from is after to"};
    filter.version = parameters["version"];
    filter.environment = parameters["environment"];
    filter.host = parameters["host"];
    filter.span = parameters["span"];
    if (filter.span.size() > kMaxSpanNameBytes) return Failure{400, "span is longer than " + std::to_string(kMaxSpanNameBytes) + " bytes"};
    if (!parameters["pid"].empty()) {
        filter.pid = whole_number(parameters["pid"]);
        if (!filter.pid) return Failure{400, "pid is not a number"};
    }
    return filter;
}

Response handle_apps(ServerContext& context, const Request& request, const Session& session,
                     const std::vector<std::string_view>& segments) {
    if (segments.empty()) {
        if (request.method() != http::verb::get) return error_response(405, "apps take GET");
        return list_apps(context, session);
    }
    auto app_id = whole_number(segments[0]);
    if (!app_id || segments.size() < 2 || segments.size() > 4) return error_response(404, "no such resource");
    const AppScope scope{session.user.account_id, *app_id};
    if (!context.storage.settings(scope)) return error_response(404, "no such application");
    const std::string_view what = segments[1];
    if (what == "settings" && segments.size() == 2) return settings(context, request, session, scope);
    if (what == "anomalies") return anomalies(context, request, session, scope, segments);
    if (what == "rules") return handle_rules(context, request, session, scope, segments);
    if (segments.size() > 3) return error_response(404, "no such resource");
    if (request.method() != http::verb::get) return error_response(405, "this resource takes GET");
    auto filter = read_filter(request, context.now());
    if (!filter) return error_response(filter.failure().status, filter.failure().reason);
    if (what == "filters" && segments.size() == 2) return filters(context, scope, filter.value());
    if (what == "profile" && segments.size() == 2) return profile_response(context, request, scope, filter.value());
    if (what == "profile" && segments[2] == "kinds") return kinds_response(context, scope, filter.value());
    if (what == "profile" && segments[2] == "pprof") return pprof_response(context, request, scope, filter.value());
    if (what == "profile" && segments[2] == "timeline") return timeline_response(context, request, scope, filter.value());
    if (what == "metrics" && segments.size() == 2) return metrics_response(context, request, scope, filter.value());
    if (what == "errors" && segments.size() == 2) return errors_response(context, scope, filter.value());
    if (what == "spans" && segments.size() == 2) return spans_response(context, scope, filter.value());
    return error_response(404, "no such resource");
}

}  // namespace siagent::dashboard
