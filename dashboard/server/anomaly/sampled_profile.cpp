#include "dashboard/server/anomaly/sampled_profile.h"

#include "dashboard/server/profile_kinds.h"

namespace siagent::dashboard::anomaly {

SampledProfile sampled_profile(Storage& storage, const AppScope& scope, const std::string& kind,
                               const QueryFilter& filter, size_t max_rows, size_t max_nodes) {
    SampledProfile profile;
    const auto series = series_of_kind(kind);
    if (!series || max_rows == 0) return profile;
    for (const SeriesName& name : *series) {
        size_t rows = 0;
        storage.for_each_profile(scope, name.category, name.name, filter, [&](const ProfileRow&) { ++rows; });
        if (rows == 0) continue;
        profile.category = name.category;
        profile.name = name.name;
        profile.rows_in_range = rows;
        const size_t stride = (rows + max_rows - 1) / max_rows;
        size_t index = 0;
        storage.for_each_profile(scope, name.category, name.name, filter, [&](const ProfileRow& row) {
            if (index++ % stride != 0) return;
            if (CallTree::merge_encoded(row.blob, max_nodes, 1.0, profile.tree)) {
                profile.reports += static_cast<size_t>(row.reports);
            }
        });
        break;
    }
    return profile;
}

}  // namespace siagent::dashboard::anomaly
