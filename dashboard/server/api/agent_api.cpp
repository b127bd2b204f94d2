#include "dashboard/server/api/agent_api.h"

#include <chrono>

#include "dashboard/server/model/activation.h"
#include "dashboard/server/anomaly/queued_upload.h"
#include "dashboard/server/http/bounded_json.h"
#include "dashboard/server/model/frame_order.h"
#include "dashboard/server/model/gunzip.h"
#include "dashboard/server/secrets.h"

namespace siagent::dashboard {
namespace {

constexpr size_t kErrorEventsPerReport = 100;

// Decides whether the asking process is active now and records the active set when it
// changed. The asker is live by definition: it was just recorded.
bool decide_activation(ServerContext& context, const ProcessKey& asker) {
    const int64_t now = context.now();
    const auto live = context.storage.live_processes(asker.app_id, now - context.settings.live_process_seconds);
    std::vector<int64_t> ids, was_active;
    for (const ProcessRow& process : live) {
        ids.push_back(process.id);
        if (process.active) was_active.push_back(process.id);
    }
    const size_t capacity = activation_capacity(ids.size(), context.storage.app_settings(asker.app_id));
    const int64_t window = now / std::max<int64_t>(context.settings.activation_window_seconds, 1);
    const auto active = active_processes(ids, capacity, window);
    if (active != was_active) context.storage.set_active(asker.app_id, active);
    return std::binary_search(active.begin(), active.end(), asker.process_id);
}

}  // namespace

std::vector<ReportToStore> prepare_reports(AgentRequest& request) {
    std::vector<ReportToStore> reports;
    reports.reserve(request.metrics.size());
    for (Metric& metric : request.metrics) {
        ReportToStore report;
        report.series = SeriesKey{metric.type, metric.category, metric.name, metric.unit};
        report.timestamp = metric.timestamp;
        report.value = metric.value;
        report.duration = metric.duration;
        report.span_stats = metric.span_stats;
        report.samples = metric.samples;
        if (metric.breakdown) {
            if (written_innermost_first(request.envelope.runtime_type, metric.category)) {
                metric.breakdown = with_paths_reversed(*metric.breakdown);
            }
            report.blob = metric.breakdown->encode();
            if (metric.category == "error-profile") {
                report.crash = metric.name == "Crashes";
                report.errors = error_events(*metric.breakdown, kErrorEventsPerReport,
                                             report.crash ? ErrorKind::crash : ErrorKind::exception);
            }
        }
        reports.push_back(std::move(report));
        for (const SpanTree& span : metric.span_trees) {
            ReportToStore part;
            part.series = SeriesKey{span_profile_type(span.span), metric.category, metric.name, metric.unit};
            part.timestamp = metric.timestamp;
            part.value = span.tree.value(CallTree::kRoot);
            part.duration = metric.duration;
            part.blob = span.tree.encode();
            reports.push_back(std::move(part));
        }
    }
    return reports;
}

Result<std::string> agent_body(const Request& request, const Limits& limits) {
    auto encoding = request.find(http::field::content_encoding);
    if (encoding == request.end() || encoding->value().empty() || encoding->value() == "identity") {
        return request.body();
    }
    if (encoding->value() != "gzip") return Failure{415, "only gzip content encoding is accepted"};
    std::string error;
    auto inflated = gunzip(request.body(), limits.decompressed_bytes, error);
    if (!inflated) {
        const bool too_large = error.find("exceeds the limit") != std::string::npos;
        return Failure{too_large ? 413 : 400, error};
    }
    return std::move(*inflated);
}

std::optional<AgentKeyOwner> agent_key_of(ServerContext& context, const Request& request) {
    auto key = basic_auth_user(request[http::field::authorization]);
    return key ? context.storage.agent_key_owner(sha256_hex(*key), context.now()) : std::nullopt;
}

Response refuse_agent(ServerContext& context, const Request& request, const std::optional<AgentKeyOwner>& key,
                      int status, const std::string& reason, const std::string& remote_address) {
    context.agent_rejections.record(
        key, AgentRejection{context.now(), status, reason, std::string(target_path(request.target())), remote_address});
    return error_response(status, reason);
}

Response handle_agent(ServerContext& context, const Request& request, std::string_view endpoint,
                      const std::string& remote_address, const std::optional<AgentKeyOwner>& admitted_key) {
    const auto key = admitted_key ? admitted_key : agent_key_of(context, request);
    auto refuse = [&](int status, const std::string& reason) {
        return refuse_agent(context, request, key, status, reason, remote_address);
    };
    if (endpoint != "config" && endpoint != "upload") return refuse(404, "no such agent endpoint");
    if (request.method() != http::verb::post) return refuse(405, "agent endpoints take POST");
    if (!key) return refuse(401, "unknown agent key");
    const int64_t account = key->account_id;

    auto body = agent_body(request, context.settings.limits);
    if (!body) return refuse(body.failure().status, body.failure().reason);
    rapidjson::Document document;
    if (auto failure = parse_bounded_json(body.value(), context.settings.limits, document)) {
        return refuse(failure->status, failure->reason);
    }
    const bool upload = endpoint == "upload";
    auto parsed = read_agent_request(document, upload, context.settings.limits);
    if (!parsed) return refuse(parsed.failure().status, parsed.failure().reason);

    // Everything is validated before anything is written: a rejected request stores nothing.
    std::vector<ReportToStore> reports;
    if (upload) reports = prepare_reports(parsed.value());
    const auto writing = std::chrono::steady_clock::now();
    const ProcessKey process = context.storage.record_process(account, parsed->envelope, context.now());
    if (upload) {
        const bool queued = context.judge && context.storage.shared();
        context.storage.store_reports(
            process, reports, queued ? anomaly::encode_upload(account, process, parsed->envelope, reports) : std::string());
        context.metrics.time_upload_write(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - writing).count());
        if (queued) context.judge->after_upload();
        else if (context.judge) context.judge->judge_now(account, process, parsed->envelope, reports);
        return json_response(http::status::ok, "{}");
    }
    const bool active = decide_activation(context, process);
    return json_response(http::status::ok, std::string(R"({"agent_enabled":"yes","profiling_disabled":")") +
                                               (active ? "no" : "yes") + "\"}");
}

}  // namespace siagent::dashboard
