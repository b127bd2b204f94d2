// The error rules in the server, fed with each upload's error-profile reports after they
// are stored: ErrorNovelty per app (seeded once from the app's stored errors) and
// ExceptionRate per process. Findings become anomalies of kind "error". An app's reports
// during its warm-up do not report new exception types or sites (nor rate jumps). The warm-up
// adapts to the app: it lasts at most `error_warmup` from the app's creation, and ends
// earlier once the app's errors have settled: at least kMinWarmup (at most `error_warmup`)
// after creation, and no new type or site for as long as the app had run when the last new
// one came (start-up errors within the first seconds: warm-up over at kMinWarmup). Bounded: at most kMaxApps apps and kMaxProcesses process baselines; past
// that an arbitrary one is dropped (an app is seeded again from storage). Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "dashboard/server/anomaly/error_novelty.h"
#include "dashboard/server/anomaly/exception_rate.h"
#include "dashboard/server/model/storage.h"

namespace siagent::dashboard::anomaly {

class ErrorWatch {
public:
    static constexpr size_t kMaxApps = 10'000;
    static constexpr size_t kMaxProcesses = 100'000;
    static constexpr size_t kMaxSignatures = 20'000;  // read from storage per app
    static constexpr int64_t kMinWarmup = 120;        // seconds

    std::vector<AnomalyRow> observe(Storage& storage, const ProcessKey& process, const std::string& environment,
                                    const std::string& host, const std::vector<ReportToStore>& reports,
                                    int64_t warmup_seconds);

private:
    struct App {
        ErrorNovelty novelty;
        int64_t created = 0;
        int64_t last_new = 0;  // the last report that brought a new type or site in the warm-up
    };
    static bool warming_up(const App& app, int64_t time, int64_t warmup_seconds);
    App& app(Storage& storage, int64_t app_id, int64_t stored_before);

    std::mutex mutex_;
    std::unordered_map<int64_t, App> apps_;
    std::unordered_map<int64_t, ExceptionRate> rates_;  // by process id
};

}  // namespace siagent::dashboard::anomaly
