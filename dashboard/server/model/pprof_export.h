// A merged profile as pprof, for /api/apps/{id}/profile/pprof: what `go tool pprof` and
// other pprof readers open. One sample per call path that has a value of its own (a node's
// value less its children's), its frames leaf first; one location per distinct frame name,
// with the function, file and line the agents wrote into it (frame_name.h). Values are the
// merged tree's, the numbers the profile view shows for the same range and filters,
// rounded to integers, in the profile's unit.
#pragma once

#include <string>

#include "core/profile.h"
#include "dashboard/server/model/profile_query.h"

namespace siagent::dashboard {

// `from_seconds` and `to_seconds`: the range merged (the file's time and duration).
Profile merged_profile_as_pprof(const MergedProfile& merged, int64_t from_seconds, int64_t to_seconds);

}  // namespace siagent::dashboard
