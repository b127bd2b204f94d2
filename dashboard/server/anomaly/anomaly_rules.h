// The leak, hot-spot regression and error rules, run together on each upload after it is
// stored (metric series have their own MetricWatch). Each rule keeps its own bounded state.
#pragma once

#include <vector>

#include "dashboard/server/model/agent_request.h"
#include "dashboard/server/anomaly/error_watch.h"
#include "dashboard/server/anomaly/leak_watch.h"
#include "dashboard/server/anomaly/regression_watch.h"
#include "dashboard/server/anomaly/rule_settings.h"
#include "dashboard/server/model/storage.h"

namespace siagent::dashboard::anomaly {

class AnomalyRules {
public:
    std::vector<AnomalyRow> observe(Storage& storage, const RuleSettings& settings, int64_t account_id,
                                    const ProcessKey& process, const Envelope& envelope,
                                    const std::vector<ReportToStore>& reports, int64_t now);

private:
    LeakWatch leaks_;
    RegressionWatch regressions_;
    ErrorWatch errors_;
};

}  // namespace siagent::dashboard::anomaly
