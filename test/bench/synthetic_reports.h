// Synthetic but realistic agent reports for the dashboard benchmark: call trees grown from
// random stacks over a fixed pool of C++-looking frame names (a few thousand distinct
// frames, depths 5 to 25, skewed so some functions are hot), as every profiler reports them.
#pragma once

#include <cstdint>
#include <string>

#include "dashboard/server/model/call_tree.h"

namespace siagent::bench {

// A call tree of `stacks` random stacks; `seed` selects which.
dashboard::CallTree synthetic_tree(uint32_t seed, int stacks);

// An upload body (JSON) of one process: CPU, allocation, heap and blocking profiles of
// `stacks` stacks each, plus a dozen process metrics. With `spans` > 0, stack i was taken
// in span "span_<i % spans>": every node carries metadata.spans, as siagent's agent sends.
std::string synthetic_upload(const std::string& app, int pid, int64_t timestamp, uint32_t seed, int stacks,
                             int spans = 0);

}  // namespace siagent::bench
