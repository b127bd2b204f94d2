#include "dashboard/server/anomaly_recording.h"

namespace siagent::dashboard {

void record_anomalies(ServerContext& context, const AppRef& app, const std::vector<AnomalyRow>& anomalies) {
    if (anomalies.empty()) return;
    std::vector<AnomalyRow> stored = context.storage.add_anomalies(app.app_id, anomalies);
    if (context.anomaly_sink == nullptr) return;
    std::erase_if(stored, [](const AnomalyRow& row) { return row.muted; });
    if (!stored.empty()) context.anomaly_sink->recorded(app, stored);
}

}  // namespace siagent::dashboard
