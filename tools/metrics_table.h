// The view of `siagent metrics FILE`: one row per interval of a metrics-<pid>.jsonl file.
// Pure functions (no I/O).
#pragma once

#include <string>
#include <vector>

#include "transport/metrics_file.h"

namespace siagent {

// A table with the time (UTC), CPU use, memory, threads, descriptors, context switches,
// page faults and I/O of every line, then the agent's own health from the last line.
// Values a line does not have are shown as "-".
std::string render_metrics(const std::vector<MetricsLine>& lines);

}  // namespace siagent
