// Which processes of an application profile right now. With room for k of n live
// processes, time is cut into windows; in window w the active set is the k processes
// (ordered by id) starting at index (w * k) mod n, wrapping around, so every process gets
// its turn within ceil(n / k) windows and the choice needs no stored state.
#pragma once

#include <cstdint>
#include <vector>

#include "dashboard/server/model/storage.h"

namespace siagent::dashboard {

// How many of `live` processes may profile at once (all when nothing is set; at least 1
// when a limit is set and any process is live).
size_t activation_capacity(size_t live, const AppSettings& settings);

// The active subset of `ids` (ascending) in window `window`.
std::vector<int64_t> active_processes(const std::vector<int64_t>& ids, size_t capacity, int64_t window);

}  // namespace siagent::dashboard
