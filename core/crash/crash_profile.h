// Crashes that earlier processes of this application left in the spool, as a profile of kind
// "crash" (error-profile "Crashes" on the wire): one sample of count 1 per crash, its stack
// symbolized from the module map the crashing process recorded, with crash_leaf_name (the
// signal, its code, the exception in flight) as the leaf, so the dashboard lists it with the
// exceptions' shape (`Type: what` below the site). Agent thread only.
#pragma once

#include <vector>

#include "core/crash/crash_record.h"
#include "core/stack_aggregator.h"

namespace siagent {

// Labels on each sample: signal, pid, version (the crashed process's), exception. The
// profile covers the report period [start_ns, end_ns) (wall clock, Unix epoch) that picked
// the crashes up.
Profile crash_profile(const std::vector<CrashRecord>& crashes, int64_t start_ns, int64_t end_ns);

}  // namespace siagent
