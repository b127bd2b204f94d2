// A profile kind merged over a range from at most `max_rows` stored rows (reports or hourly
// rollups), evenly thinned: a first pass counts the rows, a second merges every k-th. It
// bounds what a regression check costs whatever the number of processes reporting (merging
// a tree costs far more than reading its row). The result is an estimate of the shares
// from fewer reports, and says how many it used so the statistics stay honest.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "dashboard/server/model/call_tree.h"
#include "dashboard/server/model/storage.h"

namespace siagent::dashboard::anomaly {

struct SampledProfile {
    std::string category, name;  // the kind's first series with rows in range
    size_t rows_in_range = 0;
    size_t reports = 0;          // reports merged (a rollup counts for its reports)
    std::optional<double> samples = 0.0;  // their sample count; nullopt when one had none
    CallTree tree;               // summed, not averaged
};

// Calls `row` for at most `max_rows` of the series' rows in the filter, evenly thinned
// (every k-th, k = ceil(rows / max_rows)), in storage order; returns how many rows the range held.
size_t for_each_thinned_row(Storage& storage, const AppScope& scope, const std::string& category,
                            const std::string& name, const QueryFilter& filter, size_t max_rows,
                            const std::function<void(const ProfileRow&)>& row);

SampledProfile sampled_profile(Storage& storage, const AppScope& scope, const std::string& kind,
                               const QueryFilter& filter, size_t max_rows, size_t max_nodes);

}  // namespace siagent::dashboard::anomaly
