// A profile of one kind merged over a time range and filters: the reports' trees summed
// node by node, then divided by the number of reports unless the category counts events
// (see averaged_over_reports). For `inuse`, suspected leaks: functions whose retained
// bytes keep growing within a process (anomaly/growing_sites.h). With filter.span, the trees
// restricted to that span (no leaks), averaged over all the range's reports.
#pragma once

#include <string>
#include <vector>

#include "dashboard/server/model/call_tree.h"
#include "dashboard/server/model/profile_kinds.h"
#include "dashboard/server/model/storage.h"

namespace siagent::dashboard {

struct Leak {
    std::string function;
    std::string file;
    int line = 0;
    double growth_bytes_per_s = 0;
};

struct MergedProfile {
    std::string kind, category, name, unit;
    int64_t from = 0, to = 0;  // the range merged (merged_range)
    size_t reports = 0;
    size_t corrupt_reports = 0;
    CallTree tree;
    std::vector<Leak> leaks;
};

// The series a profile of `kind` reads: `wanted`, the kind's series (series_of_kind), and
// `chosen`, the stored ones (with their units) it merges: the first of `wanted` with data in
// the filter; for a kind whose reports add up (errors), every one of that category with data
// (Node.js sends uncaught exceptions and unhandled rejections apart). `chosen` is empty when
// none has data; nullopt for a malformed kind.
struct ProfileSeries {
    std::vector<SeriesName> wanted;
    std::vector<SeriesKey> chosen;
};
std::optional<ProfileSeries> profile_series(Storage& storage, const AppScope& scope, const std::string& kind,
                                            const QueryFilter& filter);

// Ranges of at least kWholeHourRange without a host or pid filter (which read raw reports)
// are merged over whole hours: widened to the start of the hour they begin in and the end of
// the hour they end in, so that each hour is read from its rollup (Storage::build_rollups;
// the hour in progress too) and not from up to an hour of raw reports at each edge. Shorter
// or filtered ranges are merged as asked.
inline constexpr int64_t kWholeHourRange = 12 * 3600;
QueryFilter merged_range(const QueryFilter& filter);

// nullopt for a malformed kind. The series chosen is the first of the kind's series with
// data in range (its unit comes from storage), or the kind's first series when none has.
std::optional<MergedProfile> merge_profile(Storage& storage, const AppScope& scope, const std::string& kind,
                                           const QueryFilter& filter, size_t max_nodes);

}  // namespace siagent::dashboard
