// What an agent sends (docs/protocol.md), validated: the envelope of every request and
// the metrics of an upload. Validation is strict on types and lenient on content: unknown
// envelope fields are kept, unknown categories and names pass.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dashboard/server/model/call_tree.h"
#include "dashboard/server/input_limits.h"
#include "dashboard/server/result.h"
#include "dashboard/server/model/span_reports.h"

namespace siagent::dashboard {

struct Envelope {
    std::string runtime_type;
    std::string runtime_version;
    std::string agent_version;
    std::string app_name;
    std::string app_version;
    std::string app_environment;
    std::string host_name;
    int64_t process_id = 0;
    std::string run_id;   // lower-case, as sent (dashed or bare hex)
    int64_t run_ts = 0;   // 0 when absent
    int64_t sent_at = 0;  // 0 when absent
    // payload.process_ending: the process's last uploads (a siagent extension; absent in
    // the original agents' and in config requests).
    bool ending = false;
    // Fields the server does not read (runtime_path, build_id...) are not kept: an empty
    // JSON object, for the processes.extra column of older stores.
    std::string extra = "{}";
};

struct Metric {
    std::string type;
    std::string category;
    std::string name;
    std::string unit;
    int64_t timestamp = 0;
    double value = 0;
    std::optional<double> duration;
    std::optional<CallTree> breakdown;
    std::vector<SpanTree> span_trees;   // from the breakdown's metadata.spans (span_reports.h)
    std::optional<SpanStats> span_stats;  // measurement.stats of a span metric
    // The breakdown root's num_samples: how many samples the profile holds (absent: unknown).
    std::optional<int64_t> samples;
};

struct AgentRequest {
    Envelope envelope;
    std::vector<Metric> metrics;  // empty for config
    size_t skipped_messages = 0;  // topics other than "metric"
};

// `with_messages` selects the upload form (payload.messages) over the config form.
Result<AgentRequest> read_agent_request(const rapidjson::Value& body, bool with_messages, const Limits& limits);

// A breakdown node's num_samples: nullopt when absent or null; an error when it is not a
// whole number >= 0.
Result<std::optional<int64_t>> read_num_samples(const rapidjson::Value& node);

// The JSON breakdown of a metric as a CallTree (iterative: no recursion on agent input).
// With `spans`, the nodes' metadata.spans shares are appended to it (span_reports.h).
Result<CallTree> read_breakdown(const rapidjson::Value& breakdown, const Limits& limits,
                                std::vector<SpanShare>* spans = nullptr);

}  // namespace siagent::dashboard
