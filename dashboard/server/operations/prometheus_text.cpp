#include "dashboard/server/operations/prometheus_text.h"

#include <cstdio>

namespace siagent::dashboard {
namespace {

class Exposition {
public:
    void family(const char* name, const char* type, const char* help) {
        text_ += "# HELP ";
        text_ += name;
        text_ += ' ';
        text_ += help;
        text_ += "\n# TYPE ";
        text_ += name;
        text_ += ' ';
        text_ += type;
        text_ += '\n';
    }

    // `labels` is empty or `a="x",b="y"` (values here are fixed names: nothing to escape).
    void sample(const std::string& name, const std::string& labels, double value) {
        char number[64];
        std::snprintf(number, sizeof number, "%.17g", value);
        text_ += name;
        if (!labels.empty()) text_ += "{" + labels + "}";
        text_ += ' ';
        text_ += number;
        text_ += '\n';
    }

    void histogram(const std::string& name, const std::string& labels, const LatencyHistogram::Snapshot& snapshot) {
        const std::string separator = labels.empty() ? "" : ",";
        for (size_t i = 0; i < LatencyHistogram::kBounds.size(); ++i) {
            char bound[32];
            std::snprintf(bound, sizeof bound, "%g", LatencyHistogram::kBounds[i]);
            sample(name + "_bucket", labels + separator + "le=\"" + bound + "\"",
                   static_cast<double>(snapshot.at_most[i]));
        }
        sample(name + "_bucket", labels + separator + "le=\"+Inf\"", static_cast<double>(snapshot.count));
        sample(name + "_sum", labels, snapshot.sum_seconds);
        sample(name + "_count", labels, static_cast<double>(snapshot.count));
    }

    std::string take() { return std::move(text_); }

private:
    std::string text_;
};

constexpr RequestKind kKinds[] = {RequestKind::upload, RequestKind::config,      RequestKind::ui,
                                  RequestKind::metrics, RequestKind::static_file, RequestKind::other};
constexpr UploadOutcome kOutcomes[] = {UploadOutcome::stored, UploadOutcome::rejected, UploadOutcome::busy,
                                       UploadOutcome::failed};

std::string kind_label(RequestKind kind) { return "kind=\"" + std::string(request_kind_name(kind)) + "\""; }

}  // namespace

std::string prometheus_text(const ServerMetrics& metrics, const ServerGauges& gauges) {
    Exposition out;
    out.family("siagent_dashboard_uploads_total", "counter",
               "Agents' uploads answered, by outcome: stored, rejected (4xx), busy (503/429: sent again), "
               "failed (other 5xx).");
    for (UploadOutcome outcome : kOutcomes) {
        out.sample("siagent_dashboard_uploads_total", "outcome=\"" + std::string(upload_outcome_name(outcome)) + "\"",
                   static_cast<double>(metrics.uploads(outcome)));
    }
    out.family("siagent_dashboard_upload_bytes_total", "counter", "Bytes of upload bodies received, as sent.");
    out.sample("siagent_dashboard_upload_bytes_total", "", static_cast<double>(metrics.upload_bytes()));

    out.family("siagent_dashboard_answers_total", "counter", "Answers sent, by kind of request and status class.");
    for (RequestKind kind : kKinds) {
        for (int status_class = 2; status_class <= 5; ++status_class) {
            out.sample("siagent_dashboard_answers_total",
                       kind_label(kind) + ",code=\"" + std::to_string(status_class) + "xx\"",
                       static_cast<double>(metrics.answers(kind, status_class)));
        }
    }
    out.family("siagent_dashboard_answer_seconds", "histogram",
               "Time from a request's headers to its answer, by kind of request.");
    for (RequestKind kind : kKinds) out.histogram("siagent_dashboard_answer_seconds", kind_label(kind),
                                                  metrics.answer_latency(kind));
    out.family("siagent_dashboard_database_write_seconds", "histogram",
               "Database writes of one stored upload (its process and reports).");
    out.histogram("siagent_dashboard_database_write_seconds", "", metrics.upload_write_latency());

    out.family("siagent_dashboard_body_bytes_in_flight", "gauge", "Request body bytes being read or handled.");
    out.sample("siagent_dashboard_body_bytes_in_flight", "", static_cast<double>(gauges.body_bytes_in_flight));
    out.family("siagent_dashboard_worker_jobs", "gauge", "Slow UI requests queued or running, by pool.");
    out.sample("siagent_dashboard_worker_jobs", "pool=\"hash\"", static_cast<double>(gauges.hash_jobs));
    out.sample("siagent_dashboard_worker_jobs", "pool=\"query\"", static_cast<double>(gauges.query_jobs));
    out.family("siagent_dashboard_detector_series", "gauge", "Metric series this instance's anomaly detectors follow.");
    out.sample("siagent_dashboard_detector_series", "", static_cast<double>(gauges.detector_series));
    out.family("siagent_dashboard_judging", "gauge",
               "1 when this instance judges the uploads for anomalies (it holds the judging lease).");
    out.sample("siagent_dashboard_judging", "", gauges.judging ? 1 : 0);
    out.family("siagent_dashboard_uploads_judged_total", "counter", "Uploads this instance judged for anomalies.");
    out.sample("siagent_dashboard_uploads_judged_total", "", static_cast<double>(gauges.uploads_judged));
    out.family("siagent_dashboard_webhook_pending", "gauge",
               "Notifications queued or being attempted by this instance (retries waiting for their time are in the "
               "outbox).");
    out.sample("siagent_dashboard_webhook_pending", "", static_cast<double>(gauges.webhook_pending));
    out.family("siagent_dashboard_webhook_deliveries_total", "counter",
               "Webhook deliveries by this instance, by outcome (failed: after its last attempt).");
    out.sample("siagent_dashboard_webhook_deliveries_total", "outcome=\"delivered\"",
               static_cast<double>(gauges.webhook_delivered));
    out.sample("siagent_dashboard_webhook_deliveries_total", "outcome=\"failed\"",
               static_cast<double>(gauges.webhook_failed));
    out.sample("siagent_dashboard_webhook_deliveries_total", "outcome=\"dropped\"",
               static_cast<double>(gauges.webhook_dropped));
    if (gauges.uploads_to_judge) {
        out.family("siagent_dashboard_uploads_to_judge", "gauge",
                   "Uploads stored but not judged for anomalies yet, in the database (all instances).");
        out.sample("siagent_dashboard_uploads_to_judge", "", static_cast<double>(*gauges.uploads_to_judge));
    }
    if (gauges.webhook_outbox) {
        out.family("siagent_dashboard_webhook_outbox", "gauge",
                   "Webhook deliveries in the database's outbox (all instances): being attempted or waiting to retry.");
        out.sample("siagent_dashboard_webhook_outbox", "", static_cast<double>(*gauges.webhook_outbox));
    }
    out.family("siagent_dashboard_start_time_seconds", "gauge", "When this instance started, Unix time.");
    out.sample("siagent_dashboard_start_time_seconds", "", static_cast<double>(gauges.start_time_seconds));
    return out.take();
}

}  // namespace siagent::dashboard
