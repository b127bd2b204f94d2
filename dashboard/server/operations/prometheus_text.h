// This instance's state in the Prometheus text exposition format (version 0.0.4): the
// counters of server_metrics.h and the gauges read at scrape time. Names and meanings are
// listed in docs/dashboard.md ("Operating: /metrics").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "dashboard/server/operations/server_metrics.h"

namespace siagent::dashboard {

// Read from the server's parts when scraped.
struct ServerGauges {
    int64_t start_time_seconds = 0;      // Unix time this instance started
    uint64_t body_bytes_in_flight = 0;   // request bodies being read or handled
    uint64_t hash_jobs = 0;              // logins and new users queued or running
    uint64_t query_jobs = 0;             // an application's data being read, queued or running
    uint64_t detector_series = 0;        // metric series this instance's detectors follow
    bool judging = false;                // this instance holds the judging lease (anomaly/upload_judge.h)
    uint64_t uploads_judged = 0;         // counter: queued uploads this instance judged since start
    uint64_t webhook_pending = 0;        // notifications queued or being attempted here (not the outbox)
    uint64_t webhook_delivered = 0;      // counters: this instance's deliveries since start
    uint64_t webhook_failed = 0;
    uint64_t webhook_dropped = 0;
    // What waits in the database for every instance; nullopt when it could not be read (the
    // scrape still answers, without these gauges).
    std::optional<uint64_t> uploads_to_judge;
    std::optional<uint64_t> webhook_outbox;
};

std::string prometheus_text(const ServerMetrics& metrics, const ServerGauges& gauges);

}  // namespace siagent::dashboard
