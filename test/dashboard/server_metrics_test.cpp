// The counts /metrics reports (dashboard/server/operations/server_metrics.h), and the kind
// each request is counted as (api/router.h).
#include <catch2/catch.hpp>

#include <cmath>
#include <thread>
#include <vector>

#include "dashboard/server/api/router.h"
#include "dashboard/server/operations/prometheus_text.h"
#include "dashboard/server/operations/server_metrics.h"

using namespace siagent::dashboard;

TEST_CASE("server metrics: requests are sorted by path into kinds", "[metrics]") {
    CHECK(request_kind("/agent/v1/upload") == RequestKind::upload);
    CHECK(request_kind("/agent/v1/config") == RequestKind::config);
    CHECK(request_kind("/agent/v1/other") == RequestKind::other);
    CHECK(request_kind("/api/apps/3/profile") == RequestKind::ui);
    CHECK(request_kind("/apiary") == RequestKind::static_file);
    CHECK(request_kind("/metrics") == RequestKind::metrics);
    CHECK(request_kind("/") == RequestKind::static_file);
    CHECK(request_kind("*") == RequestKind::other);
}

TEST_CASE("server metrics: an upload's outcome follows its status", "[metrics]") {
    CHECK(upload_outcome(200) == UploadOutcome::stored);
    CHECK(upload_outcome(401) == UploadOutcome::rejected);
    CHECK(upload_outcome(413) == UploadOutcome::rejected);
    CHECK(upload_outcome(429) == UploadOutcome::busy);
    CHECK(upload_outcome(503) == UploadOutcome::busy);
    CHECK(upload_outcome(500) == UploadOutcome::failed);
}

TEST_CASE("server metrics: latency buckets are cumulative and bounds inclusive", "[metrics]") {
    LatencyHistogram histogram;
    histogram.observe(0.001);   // on the first bound
    histogram.observe(0.0011);  // just above it
    histogram.observe(0.3);
    histogram.observe(60);      // above every bound
    histogram.observe(std::nan(""));
    histogram.observe(-1);      // a clock step back counts as 0
    const auto snapshot = histogram.snapshot();
    CHECK(snapshot.at_most[0] == 3);  // 0.001, NaN, -1
    CHECK(snapshot.at_most[1] == 4);  // 0.0025
    CHECK(snapshot.at_most[7] == 4);  // 0.25
    CHECK(snapshot.at_most[8] == 5);  // 0.5
    CHECK(snapshot.at_most.back() == 5);
    CHECK(snapshot.count == 6);
    CHECK(snapshot.sum_seconds == Approx(60.3021).epsilon(1e-6));
}

TEST_CASE("server metrics: counts from many threads add up", "[metrics]") {
    ServerMetrics metrics;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&metrics] {
            for (int i = 0; i < 10000; ++i) metrics.count_answer(RequestKind::upload, i % 2 ? 200 : 503, 0.002, 10);
        });
    }
    for (auto& thread : threads) thread.join();
    CHECK(metrics.uploads(UploadOutcome::stored) == 20000);
    CHECK(metrics.uploads(UploadOutcome::busy) == 20000);
    CHECK(metrics.upload_bytes() == 400000);
    CHECK(metrics.answers(RequestKind::upload, 2) == 20000);
    CHECK(metrics.answers(RequestKind::upload, 5) == 20000);
    CHECK(metrics.answer_latency(RequestKind::upload).count == 40000);
    CHECK(metrics.answers(RequestKind::ui, 2) == 0);
}

TEST_CASE("server metrics: the exposition has one HELP and TYPE per family and a +Inf bucket", "[metrics]") {
    ServerMetrics metrics;
    metrics.count_answer(RequestKind::upload, 200, 0.004, 1234);
    metrics.time_upload_write(0.003);
    ServerGauges gauges;
    gauges.detector_series = 7;
    gauges.judging = true;
    gauges.uploads_judged = 3;
    const std::string text = prometheus_text(metrics, gauges);
    CHECK(text.find("siagent_dashboard_uploads_total{outcome=\"stored\"} 1\n") != std::string::npos);
    CHECK(text.find("siagent_dashboard_upload_bytes_total 1234\n") != std::string::npos);
    CHECK(text.find("siagent_dashboard_database_write_seconds_bucket{le=\"0.0025\"} 0\n") != std::string::npos);
    CHECK(text.find("siagent_dashboard_database_write_seconds_bucket{le=\"0.005\"} 1\n") != std::string::npos);
    CHECK(text.find("siagent_dashboard_database_write_seconds_bucket{le=\"+Inf\"} 1\n") != std::string::npos);
    CHECK(text.find("siagent_dashboard_answer_seconds_bucket{kind=\"upload\",le=\"+Inf\"} 1\n") != std::string::npos);
    CHECK(text.find("siagent_dashboard_detector_series 7\n") != std::string::npos);
    CHECK(text.find("siagent_dashboard_judging 1\n") != std::string::npos);
    CHECK(text.find("siagent_dashboard_uploads_judged_total 3\n") != std::string::npos);
    size_t types = 0;
    for (size_t at = text.find("# TYPE "); at != std::string::npos; at = text.find("# TYPE ", at + 1)) ++types;
    CHECK(types == 13);
    CHECK(text.back() == '\n');
}
