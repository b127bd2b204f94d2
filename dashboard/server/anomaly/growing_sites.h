// The allocation sites behind a leak: from the stored heap-in-use profiles of a window (kind
// "inuse", profile_kinds.h), each function's in-use bytes (self) per report as a series, tested like the leak itself
// (Mann-Kendall, Theil-Sen). A site whose in-use bytes merely turn over (a cache, a working
// set) has no significant trend even when it is large; a leaking one rises report after
// report. The sampled in-use profile sees only allocations made while the allocation
// profiler ran, so site rates are lower than the heap's: they rank sites, they do not
// account for all the growth.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "dashboard/server/storage.h"

namespace siagent::dashboard::anomaly {

struct GrowingSite {
    std::string function, file;
    int line = 0;
    double growth_bytes_per_second = 0;  // Theil-Sen
    double z = 0;                        // Mann-Kendall
};

// Sites with a rising trend (z >= 1.64, one-sided p 0.05) in the window, the fastest first,
// at most `max_sites`. At most 120 reports of the window are read (evenly thinned) and only
// the 200 largest functions of the last one are tested, so the cost is bounded.
std::vector<GrowingSite> growing_sites(Storage& storage, const AppScope& scope, const QueryFilter& window,
                                       size_t max_sites);

}  // namespace siagent::dashboard::anomaly
