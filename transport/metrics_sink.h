// Where each interval's runtime metrics go: a JSON-lines file under SI_OUTPUT_DIR
// (transport/metrics_file.h), the dashboard once its transport takes them. Agent thread only.
#pragma once

#include "core/metrics_reader.h"

namespace siagent {

class MetricsSink {
public:
    virtual ~MetricsSink() = default;
    virtual void deliver(const MetricsSnapshot& snapshot) = 0;
};

}  // namespace siagent
