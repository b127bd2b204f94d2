// The one way anomalies enter the server: stored (muted where a rule in force covers them),
// then the unmuted ones handed to the context's AnomalySink for notification.
#pragma once

#include <vector>

#include "dashboard/server/anomaly_sink.h"
#include "dashboard/server/server_context.h"

namespace siagent::dashboard {

void record_anomalies(ServerContext& context, const AppRef& app, const std::vector<AnomalyRow>& anomalies);

}  // namespace siagent::dashboard
