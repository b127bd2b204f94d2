// The time scales of the leak, regression and error rules (docs/anomaly-detection.md). The
// defaults suit production; the server options (--leak-window, --regression-period,
// --regression-interval, --error-warmup) shorten them for tests and demos, down to floors
// below which the rules would have too few reports to decide anything.
#pragma once

#include <cstdint>

namespace siagent::dashboard::anomaly {

struct RuleSettings {
    static constexpr int64_t kMinLeakWindow = 10;        // seconds
    static constexpr int64_t kMinRegressionPeriod = 10;  // seconds
    static constexpr int64_t kMinRegressionInterval = 1;
    static constexpr int64_t kMinErrorWarmup = 1;

    int64_t leak_window = 6 * 3600;         // growth must be sustained over this long
    int64_t regression_period = 3600;       // profiles compared: this long now vs before
    int64_t regression_interval = 600;      // at most one regression check per app this often
    int64_t error_warmup = 3600;            // an app's first errors are not "new"
};

}  // namespace siagent::dashboard::anomaly
