#include "dashboard/server/operations/server_metrics.h"

#include <algorithm>
#include <cmath>

namespace siagent::dashboard {
namespace {

constexpr std::array<std::string_view, kRequestKinds> kKindNames = {"upload", "config", "ui", "metrics", "static",
                                                                     "other"};
constexpr std::array<std::string_view, kUploadOutcomes> kOutcomeNames = {"stored", "rejected", "busy", "failed"};

}  // namespace

std::string_view request_kind_name(RequestKind kind) { return kKindNames[static_cast<size_t>(kind)]; }

std::string_view upload_outcome_name(UploadOutcome outcome) { return kOutcomeNames[static_cast<size_t>(outcome)]; }

UploadOutcome upload_outcome(int status) {
    if (status >= 200 && status < 300) return UploadOutcome::stored;
    if (status == 503 || status == 429) return UploadOutcome::busy;
    if (status >= 500) return UploadOutcome::failed;
    return UploadOutcome::rejected;
}

void LatencyHistogram::observe(double seconds) {
    if (!(seconds >= 0)) seconds = 0;  // NaN or a clock step back
    size_t bucket = 0;
    while (bucket < kBounds.size() && seconds > kBounds[bucket]) ++bucket;
    buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
    const double nanoseconds = std::min(seconds * 1e9, 1e15);  // 11 days: no overflow of the sum
    sum_nanoseconds_.fetch_add(static_cast<uint64_t>(std::llround(nanoseconds)), std::memory_order_relaxed);
}

LatencyHistogram::Snapshot LatencyHistogram::snapshot() const {
    Snapshot snapshot;
    uint64_t running = 0;
    for (size_t i = 0; i < kBounds.size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        snapshot.at_most[i] = running;
    }
    snapshot.count = running + buckets_[kBounds.size()].load(std::memory_order_relaxed);
    snapshot.sum_seconds = static_cast<double>(sum_nanoseconds_.load(std::memory_order_relaxed)) / 1e9;
    return snapshot;
}

void ServerMetrics::count_answer(RequestKind kind, int status, double seconds, size_t body_bytes) {
    const size_t index = static_cast<size_t>(kind);
    const int status_class = status >= 100 && status < 600 ? status / 100 : 5;
    answers_[index][static_cast<size_t>(status_class - 1)].fetch_add(1, std::memory_order_relaxed);
    answer_latency_[index].observe(seconds);
    if (kind != RequestKind::upload) return;
    uploads_[static_cast<size_t>(upload_outcome(status))].fetch_add(1, std::memory_order_relaxed);
    upload_bytes_.fetch_add(body_bytes, std::memory_order_relaxed);
}

uint64_t ServerMetrics::answers(RequestKind kind, int status_class) const {
    if (status_class < 1 || status_class > 5) return 0;
    return answers_[static_cast<size_t>(kind)][static_cast<size_t>(status_class - 1)].load(std::memory_order_relaxed);
}

uint64_t ServerMetrics::uploads(UploadOutcome outcome) const {
    return uploads_[static_cast<size_t>(outcome)].load(std::memory_order_relaxed);
}

LatencyHistogram::Snapshot ServerMetrics::answer_latency(RequestKind kind) const {
    return answer_latency_[static_cast<size_t>(kind)].snapshot();
}

}  // namespace siagent::dashboard
