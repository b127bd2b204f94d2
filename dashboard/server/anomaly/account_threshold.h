// The anomaly threshold of an account: a metric series' point is above it when its score
// (detector.h, in [0, 1]) reaches it, and the first such point of an episode is an anomaly.
// The default is the detector's own threshold, 0.9, the rounded optimum of NAB's threshold
// optimisation for this detector (0.906 on the standard profile: docs/anomaly-detection.md,
// "Threshold"). An account may set its own within [kMin, kMax]: lower flags more, higher
// fewer. AccountThresholds caches the stored values (Storage::anomaly_threshold) for ingest:
// a value set through this server applies at once, one set through another server sharing
// the database within kRefreshSeconds. Bounded: at most kMaxAccounts cached (all forgotten
// past that, read again). Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "dashboard/server/anomaly/detector.h"
#include "dashboard/server/model/storage.h"

namespace siagent::dashboard::anomaly {

inline const double kDefaultThreshold = DetectorConfig{}.threshold;
constexpr double kMinThreshold = 0.5;
constexpr double kMaxThreshold = 0.999;

// Empty when `threshold` is finite and within [kMinThreshold, kMaxThreshold]; else why not.
std::string threshold_problem(double threshold);

class AccountThresholds {
public:
    static constexpr size_t kMaxAccounts = 100'000;
    static constexpr int64_t kRefreshSeconds = 60;

    // The account's threshold, the default when none is set.
    double get(Storage& storage, int64_t account_id, int64_t now);
    // Stores `threshold` (nullopt: back to the default); false when there is no such account.
    bool set(Storage& storage, int64_t account_id, std::optional<double> threshold, int64_t now);

private:
    struct Cached {
        double threshold = 0;
        int64_t read_at = 0;
    };
    std::mutex mutex_;
    std::unordered_map<int64_t, Cached> cache_;
};

}  // namespace siagent::dashboard::anomaly
