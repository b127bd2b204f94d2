#include "dashboard/server/anomaly/sampled_profile.h"

#include "dashboard/server/model/profile_kinds.h"

namespace siagent::dashboard::anomaly {

size_t for_each_thinned_row(Storage& storage, const AppScope& scope, const std::string& category,
                            const std::string& name, const QueryFilter& filter, size_t max_rows,
                            const std::function<void(const ProfileRow&)>& row) {
    size_t rows = 0;
    storage.for_each_profile(scope, category, name, filter, [&](const ProfileRow&) { ++rows; });
    if (rows == 0 || max_rows == 0) return rows;
    const size_t stride = (rows + max_rows - 1) / max_rows;
    size_t index = 0;
    storage.for_each_profile(scope, category, name, filter, [&](const ProfileRow& one) {
        if (index++ % stride == 0) row(one);
    });
    return rows;
}

SampledProfile sampled_profile(Storage& storage, const AppScope& scope, const std::string& kind,
                               const QueryFilter& filter, size_t max_rows, size_t max_nodes) {
    SampledProfile profile;
    const auto series = series_of_kind(kind);
    if (!series || max_rows == 0) return profile;
    for (const SeriesName& name : *series) {
        profile.rows_in_range = for_each_thinned_row(storage, scope, name.category, name.name, filter, max_rows,
                                                     [&](const ProfileRow& row) {
            if (CallTree::merge_encoded(row.blob, max_nodes, 1.0, profile.tree)) {
                profile.reports += static_cast<size_t>(row.reports);
                profile.samples = profile.samples && row.samples
                                      ? std::optional<double>(*profile.samples + static_cast<double>(*row.samples))
                                      : std::nullopt;
            }
        });
        if (profile.rows_in_range == 0) continue;
        profile.category = name.category;
        profile.name = name.name;
        break;
    }
    return profile;
}

}  // namespace siagent::dashboard::anomaly
