#include "dashboard/server/anomaly/anomaly_rules.h"

#include <algorithm>

namespace siagent::dashboard::anomaly {

std::vector<AnomalyRow> AnomalyRules::observe(Storage& storage, const RuleSettings& settings, int64_t account_id,
                                              const ProcessKey& process, const Envelope& envelope,
                                              const std::vector<ReportToStore>& reports, int64_t now) {
    const AppScope scope{account_id, process.app_id};
    const std::string& environment = envelope.app_environment;
    const std::string& host = envelope.host_name;
    auto rows = leaks_.observe(storage, scope, environment, host, reports, settings.leak_window);
    for (AnomalyRow& row : errors_.observe(storage, process, environment, host, reports, settings.error_warmup)) {
        rows.push_back(std::move(row));
    }
    const bool has_profile = std::any_of(reports.begin(), reports.end(), [](const ReportToStore& r) { return r.blob.has_value(); });
    if (has_profile) {
        for (AnomalyRow& row : regressions_.observe(storage, scope, envelope.app_version, environment, settings, now)) {
            rows.push_back(std::move(row));
        }
    }
    return rows;
}

}  // namespace siagent::dashboard::anomaly
