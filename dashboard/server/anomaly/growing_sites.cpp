#include "dashboard/server/anomaly/growing_sites.h"

#include <algorithm>
#include <map>

#include "dashboard/server/anomaly/sampled_profile.h"
#include "dashboard/server/anomaly/statistics.h"
#include "dashboard/server/hotspots.h"
#include "dashboard/server/profile_kinds.h"

namespace siagent::dashboard::anomaly {
namespace {

constexpr size_t kMaxNodes = 50'000;
constexpr size_t kMaxCandidates = 200;
constexpr size_t kMinReports = 4;
constexpr size_t kMaxReports = 120;  // evenly thinned past that
constexpr double kMinZ = 1.64;

using FunctionKey = std::pair<std::string, std::string>;  // function, file

struct Snapshot {
    int64_t time = 0;
    std::map<FunctionKey, Hotspot> by_function;  // self bytes, per report
};

}  // namespace

std::vector<GrowingSite> growing_sites(Storage& storage, const AppScope& scope, const QueryFilter& window,
                                       size_t max_sites) {
    std::vector<Snapshot> snapshots;
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
            snapshots.push_back(std::move(snapshot));
        });
        if (!snapshots.empty()) break;
    }
    if (snapshots.size() < kMinReports) return {};
    std::stable_sort(snapshots.begin(), snapshots.end(), [](const Snapshot& a, const Snapshot& b) { return a.time < b.time; });

    // Candidates: the largest functions of the last report (a leaking site is large by then).
    std::vector<const Hotspot*> candidates;
    for (const auto& [key, spot] : snapshots.back().by_function) candidates.push_back(&spot);
    std::sort(candidates.begin(), candidates.end(), [](const Hotspot* a, const Hotspot* b) { return a->self > b->self; });
    if (candidates.size() > kMaxCandidates) candidates.resize(kMaxCandidates);

    std::vector<GrowingSite> sites;
    for (const Hotspot* candidate : candidates) {
        std::vector<std::pair<int64_t, double>> points;
        for (const Snapshot& snapshot : snapshots) {
            auto found = snapshot.by_function.find({candidate->function, candidate->file});
            points.emplace_back(snapshot.time, found == snapshot.by_function.end() ? 0 : found->second.self);
        }
        const double z = mann_kendall_z(points);
        const double slope = theil_sen_slope(points);
        if (z < kMinZ || slope <= 0) continue;
        sites.push_back(GrowingSite{candidate->function, candidate->file, candidate->line, slope, z});
    }
    std::sort(sites.begin(), sites.end(), [](const GrowingSite& a, const GrowingSite& b) {
        return a.growth_bytes_per_second > b.growth_bytes_per_second;
    });
    if (sites.size() > max_sites) sites.resize(max_sites);
    return sites;
}

}  // namespace siagent::dashboard::anomaly
