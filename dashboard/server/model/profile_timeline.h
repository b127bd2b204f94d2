// A profile's total over time, for the timeline above every profile view
// (/api/apps/{id}/profile/timeline). Per time bucket (time_buckets.h), the value that
// /profile's `total` would have over that bucket alone, read from the same rows (hourly
// rollups where the profile reads them) of the same series (profile_series):
// - kinds averaged over reports (averaged_over_reports): the bucket's summed tree roots
//   divided by its reports (with a span: by every report of the whole profile in the
//   bucket), so the profile's total over a range is the report-weighted mean of its buckets;
// - kinds whose reports add up (errors, crashes): the bucket's summed roots, so the buckets
//   add up to the profile's total.
// An hourly rollup stands for reports spread over its hour: its root and its reports are
// shared among the buckets its hour overlaps, in proportion to the overlap. A corrupt row
// counts nowhere, as in merge_profile.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dashboard/server/model/storage.h"

namespace siagent::dashboard {

struct ProfileTimeline {
    std::string kind, unit;
    int64_t bucket_seconds = 0;
    std::vector<std::pair<int64_t, double>> points;  // (bucket start, value), oldest first; buckets with reports only
};

// nullopt for a malformed kind (series_of_kind). Requires filter.from <= filter.to.
std::optional<ProfileTimeline> profile_timeline(Storage& storage, const AppScope& scope, const std::string& kind,
                                                const QueryFilter& filter, size_t max_nodes);

}  // namespace siagent::dashboard
