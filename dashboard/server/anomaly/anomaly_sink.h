// Where newly recorded anomalies go after storage: every kind of anomaly (metric, leak,
// regression, error, ...) is recorded through record_anomalies (anomaly_recording.h), which
// stores them and hands the ones no rule muted to the sink (the notifier).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dashboard/server/model/storage.h"

namespace siagent::dashboard {

struct AppRef {
    int64_t account_id = 0;
    int64_t app_id = 0;
    std::string name;
};

class AnomalySink {
public:
    virtual ~AnomalySink() = default;
    // Called on the recording thread with stored rows (ids set, none muted); must not block.
    virtual void recorded(const AppRef& app, const std::vector<AnomalyRow>& anomalies) = 0;
};

}  // namespace siagent::dashboard
