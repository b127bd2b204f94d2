// The hot-spot table of a merged call tree: per function (and file), the self value (the
// node's value minus its children's) and the total (inclusive value, counted once per
// stack even when the function recurses), ranked as core/hotspot_ranking.h defines.
#pragma once

#include <string>
#include <vector>

#include "dashboard/server/model/call_tree.h"

namespace siagent::dashboard {

struct Hotspot {
    std::string function;
    std::string file;
    int line = 0;  // the line of the function's frame with the largest self value
    double self = 0;
    double total = 0;
};

// The first `max_rows` rows: largest self, then total, then function name.
std::vector<Hotspot> hotspots(const CallTree& tree, size_t max_rows);

}  // namespace siagent::dashboard
