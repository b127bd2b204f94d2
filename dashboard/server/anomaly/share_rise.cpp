#include "dashboard/server/anomaly/share_rise.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "dashboard/server/anomaly/statistics.h"
#include "dashboard/server/model/hotspots.h"

namespace siagent::dashboard::anomaly {

std::vector<FunctionShare> function_shares(const CallTree& tree) {
    const auto spots = hotspots(tree, tree.size());
    double total = 0;
    for (const Hotspot& spot : spots) total += std::max(spot.self, 0.0);
    std::vector<FunctionShare> shares;
    if (total <= 0) return shares;
    for (const Hotspot& spot : spots) {
        if (spot.self > 0) shares.push_back(FunctionShare{spot.function, spot.file, spot.line, spot.self / total});
    }
    return shares;
}

std::vector<ShareRise> share_rises(const std::vector<FunctionShare>& before, size_t before_reports,
                                   const std::vector<FunctionShare>& after, size_t after_reports,
                                   const ShareRiseConfig& config) {
    return share_rises(before, SideEvidence{before_reports, std::nullopt}, after, SideEvidence{after_reports, std::nullopt},
                       config);
}

std::vector<ShareRise> share_rises(const std::vector<FunctionShare>& before, const SideEvidence& before_evidence,
                                   const std::vector<FunctionShare>& after, const SideEvidence& after_evidence,
                                   const ShareRiseConfig& config) {
    if (before_evidence.reports < config.min_reports || after_evidence.reports < config.min_reports) return {};
    std::map<std::pair<std::string, std::string>, double> share_before;
    for (const FunctionShare& f : before) share_before[{f.function, f.file}] += f.share;
    size_t compared = share_before.size();
    for (const FunctionShare& f : after) compared += share_before.count({f.function, f.file}) ? 0 : 1;
    const double n_before = before_evidence.sample_count();
    const double n_after = after_evidence.sample_count();
    if (n_before <= 0 || n_after <= 0) return {};
    const double alpha = config.alpha / static_cast<double>(std::max<size_t>(compared, 1));

    std::vector<ShareRise> rises;
    for (const FunctionShare& f : after) {
        auto found = share_before.find({f.function, f.file});
        const double was = found == share_before.end() ? 0 : found->second;
        if (f.share - was < config.min_increase || f.share < config.min_ratio * was) continue;
        const double z = two_proportion_z(was * n_before, n_before, f.share * n_after, n_after);
        if (normal_upper_tail(z) > alpha) continue;
        rises.push_back(ShareRise{f.function, f.file, f.line, was, f.share, z});
    }
    std::sort(rises.begin(), rises.end(),
              [](const ShareRise& a, const ShareRise& b) { return a.after - a.before > b.after - b.before; });
    if (rises.size() > config.max_findings) rises.resize(config.max_findings);
    return rises;
}

}  // namespace siagent::dashboard::anomaly
