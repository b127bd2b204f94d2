// The allocation sites that keep growing: from the stored heap-in-use profiles of a window
// (kind "inuse", profile_kinds.h), each function's in-use bytes (self) per report as a
// series of each process, tested like the leak itself (Mann-Kendall, Theil-Sen). A site
// whose in-use bytes merely turn over (a cache, a working set) has no significant trend
// even when it is large; a leaking one rises report after report. Series are per process:
// reports of processes that hold different sites, interleaved, would look like noise, and
// a constant live set would seem to grow as processes join. The sampled in-use profile sees
// only allocations made while the allocation profiler ran, so site rates are lower than the
// heap's: they rank sites, they do not account for all the growth.
//
// Used by the leak rule (its "growing most") and by the Heap in use view's suspected leaks,
// which judge the data in the range, however little of the range it fills.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "dashboard/server/model/storage.h"

namespace siagent::dashboard::anomaly {

struct GrowingSite {
    std::string function, file;
    int line = 0;
    double growth_bytes_per_second = 0;  // Theil-Sen, summed over the processes where it grows
    double z = 0;                        // Mann-Kendall, the largest of those processes'
};

// Sites that grow in at least one process of the window, the fastest first, at most
// `max_sites`. A site grows in a process with 4 or more reports when its trend is
// significant (z >= 1.64, one-sided p 0.05) and material: over the process's reports it grew
// by at least a quarter of its median size, which a live set that only turns over, sampled
// with noise, does not (of up to 200 sites tested, a few would pass the trend test by
// chance alone). At most 240
// reports of the window are read (evenly thinned); in each process only the 200 largest
// functions of its last report are tested, so the cost is bounded.
std::vector<GrowingSite> growing_sites(Storage& storage, const AppScope& scope, const QueryFilter& window,
                                       size_t max_sites);

}  // namespace siagent::dashboard::anomaly
