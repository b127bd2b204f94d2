#include "dashboard/server/api/metrics_endpoint.h"

#include <boost/beast/core/string.hpp>

#include "dashboard/server/notify/notifier.h"
#include "dashboard/server/operations/prometheus_text.h"
#include "dashboard/server/secrets.h"

namespace siagent::dashboard {
namespace {

bool holds_token(const ServerContext& context, const Request& request) {
    constexpr std::string_view kScheme = "Bearer ";
    const std::string_view authorization = request[http::field::authorization];
    if (authorization.size() <= kScheme.size() || !boost::beast::iequals(authorization.substr(0, kScheme.size()), kScheme)) {
        return false;
    }
    return equal_constant_time(sha256_hex(authorization.substr(kScheme.size())), context.settings.metrics_token_sha256);
}

ServerGauges read_gauges(const ServerContext& context) {
    ServerGauges gauges;
    gauges.start_time_seconds = context.started_at;
    gauges.body_bytes_in_flight = context.body_budget.held();
    gauges.hash_jobs = context.hash_workers != nullptr ? context.hash_workers->jobs() : 0;
    gauges.query_jobs = context.query_workers != nullptr ? context.query_workers->jobs() : 0;
    gauges.detector_series = context.judge ? context.judge->series() : 0;
    gauges.judging = context.judge && context.judge->leading();
    gauges.uploads_judged = context.judge ? context.judge->judged() : 0;
    if (const notify::Notifier* notifier = context.notifier) {
        gauges.webhook_pending = notifier->pending();
        gauges.webhook_delivered = notifier->delivered();
        gauges.webhook_failed = notifier->failed();
        gauges.webhook_dropped = notifier->dropped();
    }
    try {
        const Storage::Backlog backlog = context.storage.backlog();
        gauges.uploads_to_judge = backlog.uploads_to_judge;
        gauges.webhook_outbox = backlog.webhook_deliveries;
    } catch (const std::exception&) {
        // The database is unreachable: the other gauges still answer.
    }
    return gauges;
}

}  // namespace

Response handle_metrics(ServerContext& context, const Request& request) {
    if (context.settings.metrics_token_sha256.empty()) {
        return error_response(404, "/metrics is off: start the dashboard with --metrics-token-file FILE");
    }
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
        return error_response(405, "/metrics takes GET");
    }
    if (!holds_token(context, request)) {
        Response refused = error_response(401, "/metrics wants Authorization: Bearer <the --metrics-token-file token>");
        refused.set(http::field::www_authenticate, "Bearer");
        return refused;
    }
    Response response{http::status::ok, request.version()};
    response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    response.set(http::field::cache_control, "no-store");
    response.body() = prometheus_text(context.metrics, read_gauges(context));
    return response;
}

}  // namespace siagent::dashboard
