#include "dashboard/server/model/profile_timeline.h"

#include <algorithm>
#include <map>

#include "dashboard/server/model/call_tree.h"
#include "dashboard/server/model/profile_query.h"
#include "dashboard/server/model/time_buckets.h"

namespace siagent::dashboard {
namespace {

constexpr int64_t kHour = 3600;

struct Sums {
    double roots = 0;
    double reports = 0;  // fractional where a rollup is shared among buckets
};

// Calls add(bucket index, share) for the buckets `row` falls in: a raw report's one bucket
// (share 1); for an hourly rollup (timestamp: the middle of its hour, the hour wholly inside
// the range), each bucket its hour overlaps, with the overlap's share of the hour.
template <class Add>
void spread(const ProfileRow& row, int64_t from, int64_t width, Add&& add) {
    if (!row.hourly_rollup()) {
        add(bucket_index(row.timestamp, from, width), 1.0);
        return;
    }
    const int64_t start = row.timestamp - kHour / 2;
    const int64_t last = bucket_index(start + kHour - 1, from, width);
    for (int64_t index = bucket_index(start, from, width); index <= last; ++index) {
        const int64_t bucket = bucket_time(index, from, width);
        const int64_t begin = std::max(start, bucket);
        const int64_t overlap = std::min(start + kHour - begin, bucket - begin + width);
        add(index, static_cast<double>(overlap) / kHour);
    }
}

}  // namespace

std::optional<ProfileTimeline> profile_timeline(Storage& storage, const AppScope& scope, const std::string& kind,
                                                const QueryFilter& filter, size_t max_nodes) {
    const auto series = profile_series(storage, scope, kind, filter);
    if (!series) return std::nullopt;
    const std::vector<SeriesKey>& chosen = series->chosen;
    ProfileTimeline timeline{kind, chosen.empty() ? "" : chosen[0].unit, bucket_seconds(filter.from, filter.to), {}};
    if (chosen.empty()) return timeline;
    const int64_t width = timeline.bucket_seconds;
    std::map<int64_t, Sums> buckets;  // by index: at most kMaxSeriesPoints + 1
    const bool span = !filter.span.empty();
    for (const SeriesKey& key : chosen) {
        storage.for_each_profile(scope, key.category, key.name, filter, [&](const ProfileRow& row) {
            const auto root = CallTree::encoded_root_value(row.blob, max_nodes);
            if (!root) return;
            spread(row, filter.from, width, [&](int64_t index, double share) {
                buckets[index].roots += *root * share;
                if (!span) buckets[index].reports += static_cast<double>(row.reports) * share;
            });
        });
    }
    if (span) {
        // A span's part is averaged over every report of the whole profile (merge_profile).
        QueryFilter whole = filter;
        whole.span.clear();
        for (const SeriesKey& key : chosen) {
            storage.for_each_profile(scope, key.category, key.name, whole, [&](const ProfileRow& row) {
                spread(row, filter.from, width, [&](int64_t index, double share) {
                    buckets[index].reports += static_cast<double>(row.reports) * share;
                });
            });
        }
    }
    const bool averaged = averaged_over_reports(chosen[0].category);
    for (const auto& [index, sums] : buckets) {
        if (sums.reports <= 0) continue;
        timeline.points.emplace_back(bucket_time(index, filter.from, width),
                                     averaged ? sums.roots / sums.reports : sums.roots);
    }
    return timeline;
}

}  // namespace siagent::dashboard
