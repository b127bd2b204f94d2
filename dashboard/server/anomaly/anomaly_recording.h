// The one way anomalies enter the server: stored (muted where a rule in force covers them),
// then the unmuted ones handed to `sink` (when there is one) for notification.
#pragma once

#include <vector>

#include "dashboard/server/anomaly/anomaly_sink.h"
#include "dashboard/server/model/storage.h"

namespace siagent::dashboard {

void record_anomalies(Storage& storage, AnomalySink* sink, const AppRef& app,
                      const std::vector<AnomalyRow>& anomalies);

}  // namespace siagent::dashboard
