#include "dashboard/server/anomaly/anomaly_recording.h"

namespace siagent::dashboard {

void record_anomalies(Storage& storage, AnomalySink* sink, const AppRef& app,
                      const std::vector<AnomalyRow>& anomalies) {
    if (anomalies.empty()) return;
    std::vector<AnomalyRow> stored = storage.add_anomalies(app.app_id, anomalies);
    if (sink == nullptr) return;
    std::erase_if(stored, [](const AnomalyRow& row) { return row.muted; });
    if (!stored.empty()) sink->recorded(app, stored);
}

}  // namespace siagent::dashboard
