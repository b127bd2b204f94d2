// The dashboard protocol's metric and breakdown (see docs/protocol.md), as plain
// values the encoders fill and the JSON writer serializes. Agent thread only.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "transport/agent_identity.h"

namespace siagent {

// A call tree. The root's children are outermost frames, leaves innermost. After
// propagate(), a node's measurement, num_samples and spans are its own plus its children's.
struct Breakdown {
    std::string name;
    double measurement = 0;
    int64_t num_samples = 0;
    // The part of `measurement` taken inside each span (innermost span name); sent as the
    // node's metadata.spans (a siagent extension, docs/dashboard-api.md). Invariant: the
    // values sum to at most `measurement`.
    std::map<std::string, double> spans;
    std::vector<Breakdown> children;

    void propagate();
    size_t node_count() const;
};

struct Metric {
    std::string id;        // metric_id(...)
    std::string type;      // "state", "counter", "profile"
    std::string category;  // "cpu-profile", "memory", ...
    std::string name;
    std::string unit;
    // The measurement.
    std::string measurement_id;  // a UUID
    double value = 0;
    double duration = 0;  // seconds; 0 = null
    int64_t timestamp = 0;  // Unix seconds
    bool has_breakdown = false;
    Breakdown breakdown;
    // Extra numbers of the measurement, sent as measurement.stats (a siagent extension:
    // a span metric's count and percentiles, docs/dashboard-api.md). Empty: not sent.
    std::vector<std::pair<std::string, double>> stats;
};

// SHA-1 (hex) of app name + environment + host + type + category + name + unit, as the
// original agents compute it: the same metric of the same application keeps its id.
std::string metric_id(const AgentIdentity& identity, const std::string& type,
                      const std::string& category, const std::string& name,
                      const std::string& unit);

// metric_id, computed once per metric of an agent (a report reuses the same few).
class MetricIds {
public:
    explicit MetricIds(AgentIdentity identity) : identity_(std::move(identity)) {}
    // Empty when it was never computed and OpenSSL is gone (at exit).
    std::string id(const std::string& type, const std::string& category,
                   const std::string& name, const std::string& unit);

private:
    AgentIdentity identity_;
    std::map<std::string, std::string> ids_;
};

}  // namespace siagent
