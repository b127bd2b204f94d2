#include "dashboard/server/anomaly/growing_sites.h"

#include <algorithm>
#include <map>

#include "dashboard/server/anomaly/sampled_profile.h"
#include "dashboard/server/anomaly/statistics.h"
#include "dashboard/server/model/hotspots.h"
#include "dashboard/server/model/profile_kinds.h"

namespace siagent::dashboard::anomaly {
namespace {

constexpr size_t kMaxNodes = 50'000;
constexpr size_t kMaxCandidates = 200;
constexpr size_t kMinReports = 4;
constexpr size_t kMaxReports = 240;  // evenly thinned past that
constexpr double kMinZ = 1.64;
constexpr double kMinRelativeGrowth = 0.25;  // of the median size, over the process's reports
constexpr double kMinHeapShare = 0.01;       // and of the last report's heap: no rounding noise

using FunctionKey = std::pair<std::string, std::string>;  // function, file

struct Snapshot {
    int64_t time = 0;
    std::map<FunctionKey, Hotspot> by_function;  // self bytes, per report
};

double median_of(std::vector<double> values) {
    if (values.empty()) return 0;
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2), values.end());
    return values[values.size() / 2];
}

// The sites growing in one process's reports (sorted by time), merged into `growing`.
void add_growing_in(const std::vector<Snapshot>& snapshots, std::map<FunctionKey, GrowingSite>& growing) {
    if (snapshots.size() < kMinReports) return;
    // Candidates: the largest functions of the last report (a leaking site is large by then).
    std::vector<const Hotspot*> candidates;
    for (const auto& [key, spot] : snapshots.back().by_function) candidates.push_back(&spot);
    std::sort(candidates.begin(), candidates.end(), [](const Hotspot* a, const Hotspot* b) { return a->self > b->self; });
    if (candidates.size() > kMaxCandidates) candidates.resize(kMaxCandidates);
    const double span = static_cast<double>(snapshots.back().time - snapshots.front().time);
    double heap = 0;
    for (const auto& [key, spot] : snapshots.back().by_function) heap += spot.self;
    for (const Hotspot* candidate : candidates) {
        std::vector<std::pair<int64_t, double>> points;
        std::vector<double> values;
        for (const Snapshot& snapshot : snapshots) {
            auto found = snapshot.by_function.find({candidate->function, candidate->file});
            points.emplace_back(snapshot.time, found == snapshot.by_function.end() ? 0 : found->second.self);
            values.push_back(points.back().second);
        }
        const double z = mann_kendall_z(points);
        // A sampled heap profile grows in steps (one sample stands for 512 KiB on average):
        // a site with few samples keeps one value across most pairs of reports, where the
        // Theil-Sen median slope is 0 although the site only grew. The Mann-Kendall z says
        // the rise is no accident; the least-squares slope says how fast.
        const double slope = least_squares_slope(points);
        if (z < kMinZ || slope <= 0 || slope * span < kMinRelativeGrowth * median_of(values) ||
            slope * span < kMinHeapShare * heap)
            continue;
        GrowingSite& site = growing[{candidate->function, candidate->file}];
        site.function = candidate->function;
        site.file = candidate->file;
        site.line = candidate->line;
        site.growth_bytes_per_second += slope;
        site.z = std::max(site.z, z);
    }
}

}  // namespace

std::vector<GrowingSite> growing_sites(Storage& storage, const AppScope& scope, const QueryFilter& window,
                                       size_t max_sites) {
    std::map<int64_t, std::vector<Snapshot>> by_process;  // process 0: hourly rollups
    // The first heap-in-use series with reports (an app's agent sends one of them).
    const auto heap_series = series_of_kind("inuse").value();
    for (const SeriesName& series : heap_series) {
        for_each_thinned_row(storage, scope, series.category, series.name, window, kMaxReports, [&](const ProfileRow& row) {
            auto tree = CallTree::decode(row.blob, kMaxNodes);
            if (!tree || row.reports < 1) return;
            Snapshot snapshot{row.timestamp, {}};
            for (Hotspot& spot : hotspots(*tree, tree->size())) {
                spot.self /= static_cast<double>(row.reports);  // a rollup stands for its reports' average
                snapshot.by_function[{spot.function, spot.file}] = spot;
            }
            by_process[row.process_id].push_back(std::move(snapshot));
        });
        if (!by_process.empty()) break;
    }
    std::map<FunctionKey, GrowingSite> growing;
    for (auto& [process, snapshots] : by_process) {
        std::stable_sort(snapshots.begin(), snapshots.end(),
                         [](const Snapshot& a, const Snapshot& b) { return a.time < b.time; });
        add_growing_in(snapshots, growing);
    }
    std::vector<GrowingSite> sites;
    for (auto& [key, site] : growing) sites.push_back(std::move(site));
    std::sort(sites.begin(), sites.end(), [](const GrowingSite& a, const GrowingSite& b) {
        return a.growth_bytes_per_second > b.growth_bytes_per_second;
    });
    if (sites.size() > max_sites) sites.resize(max_sites);
    return sites;
}

}  // namespace siagent::dashboard::anomaly
