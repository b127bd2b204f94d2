#include "dashboard/server/model/profile_query.h"

#include <algorithm>
#include <map>

#include "dashboard/server/anomaly/growing_sites.h"
#include "dashboard/server/model/profile_kinds.h"

namespace siagent::dashboard {
namespace {

constexpr size_t kMaxLeaks = 20;

// A span's tree is averaged over every report of the range, not only over those with
// samples in the span, so that it is the span's part of the whole profile's mean.
size_t reports_of_whole_trees(Storage& storage, const AppScope& scope, const std::vector<SeriesKey>& chosen,
                              QueryFilter filter) {
    filter.span.clear();
    size_t reports = 0;
    for (const SeriesKey& series : chosen) {
        storage.for_each_profile(scope, series.category, series.name, filter,
                                 [&](const ProfileRow& row) { reports += static_cast<size_t>(row.reports); });
    }
    return reports;
}

}  // namespace

std::optional<ProfileSeries> profile_series(Storage& storage, const AppScope& scope, const std::string& kind,
                                            const QueryFilter& filter) {
    auto wanted = series_of_kind(kind);
    if (!wanted) return std::nullopt;
    const auto available = storage.profile_kinds(scope, filter);
    std::vector<SeriesKey> chosen;
    for (const SeriesName& series : *wanted) {
        auto found = std::find_if(available.begin(), available.end(), [&](const SeriesKey& key) {
            return key.category == series.category && key.name == series.name;
        });
        if (found == available.end()) continue;
        const bool adds_up = !chosen.empty() && !averaged_over_reports(found->category) &&
                             found->category == chosen[0].category;
        if (chosen.empty() || adds_up) chosen.push_back(*found);
    }
    return ProfileSeries{std::move(*wanted), std::move(chosen)};
}

QueryFilter merged_range(const QueryFilter& filter) {
    QueryFilter merged = filter;
    if (filter.to - filter.from < kWholeHourRange || filter.pid || !filter.host.empty() || filter.from < 0) return merged;
    merged.from = filter.from / 3600 * 3600;
    merged.to = filter.to / 3600 * 3600 + 3599;
    return merged;
}

std::optional<MergedProfile> merge_profile(Storage& storage, const AppScope& scope, const std::string& kind,
                                           const QueryFilter& asked, size_t max_nodes) {
    const QueryFilter filter = merged_range(asked);
    const auto series = profile_series(storage, scope, kind, filter);
    if (!series) return std::nullopt;
    const std::vector<SeriesKey>& chosen = series->chosen;
    MergedProfile profile;
    profile.kind = kind;
    profile.from = filter.from;
    profile.to = filter.to;
    profile.category = chosen.empty() ? series->wanted.front().category : chosen[0].category;
    profile.name = chosen.empty() ? series->wanted.front().name : chosen[0].name;
    for (size_t i = 1; i < chosen.size(); ++i) profile.name += " + " + chosen[i].name;
    profile.unit = chosen.empty() ? "" : chosen[0].unit;
    if (chosen.empty()) return profile;

    auto merge_row = [&](const ProfileRow& row) {
        if (!CallTree::merge_encoded(row.blob, max_nodes, 1.0, profile.tree)) {
            ++profile.corrupt_reports;
            return;
        }
        profile.reports += static_cast<size_t>(row.reports);
    };
    for (const SeriesKey& series : chosen) storage.for_each_profile(scope, series.category, series.name, filter, merge_row);
    if (!filter.span.empty()) profile.reports = reports_of_whole_trees(storage, scope, chosen, filter);
    if (profile.reports > 0 && averaged_over_reports(profile.category)) {
        profile.tree.scale(1.0 / static_cast<double>(profile.reports));
    }
    // Suspected leaks: sites that keep growing within a process, judged on the reports in
    // the range wherever they fall in it (anomaly/growing_sites.h).
    if (kind == "inuse" && filter.span.empty()) {
        for (const anomaly::GrowingSite& site : anomaly::growing_sites(storage, scope, filter, kMaxLeaks))
            profile.leaks.push_back(Leak{site.function, site.file, site.line, site.growth_bytes_per_second});
    }
    return profile;
}

}  // namespace siagent::dashboard
