// What this dashboard instance counts about its own work, for /metrics (prometheus_text.h):
// answers by kind and status class, agents' uploads by outcome and bytes, how long answers
// and the database writes of uploads take. Each instance counts its own; Prometheus sums
// instances. Lock-free: relaxed atomics updated by every I/O and worker thread, read by a
// scrape (a scrape may see one answer counted and its latency not yet: never less than it
// saw before).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace siagent::dashboard {

enum class RequestKind { upload, config, ui, metrics, static_file, other };
inline constexpr size_t kRequestKinds = 6;
std::string_view request_kind_name(RequestKind kind);  // request_kind(path): api/router.h

// stored: 2xx; busy: 503 or 429 (sent again later by the agent); failed: another 5xx
// (the server's fault); rejected: any other status (the agent's request was refused).
enum class UploadOutcome { stored, rejected, busy, failed };
inline constexpr size_t kUploadOutcomes = 4;
std::string_view upload_outcome_name(UploadOutcome outcome);
UploadOutcome upload_outcome(int status);

// Cumulative counts per upper bound, in seconds, as Prometheus histograms are read.
class LatencyHistogram {
public:
    static constexpr std::array<double, 12> kBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                       0.1,   0.25,   0.5,   1,    2.5,   10};
    struct Snapshot {
        std::array<uint64_t, kBounds.size()> at_most{};  // cumulative, per bound
        uint64_t count = 0;                             // every observation (+Inf)
        double sum_seconds = 0;
    };

    void observe(double seconds);
    Snapshot snapshot() const;

private:
    std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};  // last: above every bound
    std::atomic<uint64_t> sum_nanoseconds_{0};
};

class ServerMetrics {
public:
    // One answer sent: `status` to a request of `kind` that took `seconds` from its headers
    // to its answer; `body_bytes` as received (compressed or not).
    void count_answer(RequestKind kind, int status, double seconds, size_t body_bytes);
    // The database writes of one accepted upload (its process row and reports).
    void time_upload_write(double seconds) { upload_writes_.observe(seconds); }

    // Answers of `kind` with status class `status_class` (1 to 5).
    uint64_t answers(RequestKind kind, int status_class) const;
    uint64_t uploads(UploadOutcome outcome) const;
    uint64_t upload_bytes() const { return upload_bytes_.load(std::memory_order_relaxed); }
    LatencyHistogram::Snapshot answer_latency(RequestKind kind) const;
    LatencyHistogram::Snapshot upload_write_latency() const { return upload_writes_.snapshot(); }

private:
    std::array<std::array<std::atomic<uint64_t>, 5>, kRequestKinds> answers_{};
    std::array<std::atomic<uint64_t>, kUploadOutcomes> uploads_{};
    std::atomic<uint64_t> upload_bytes_{0};
    std::array<LatencyHistogram, kRequestKinds> answer_latency_{};
    LatencyHistogram upload_writes_;
};

}  // namespace siagent::dashboard
