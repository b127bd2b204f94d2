// The hot-spot regression rule: which functions' shares of a profile rose significantly
// from a "before" profile to an "after" one. The test's sample count of a side is the
// number of samples its reports hold, as the agents sent it (the breakdown root's
// num_samples); where a report came without one, every report of that side counts as
// kEffectiveSamplesPerReport samples (docs/anomaly-detection.md, "Sample counts"). A
// function is reported when, all together:
//   - its self share rose by at least min_increase (absolute) and to at least
//     min_ratio times its share before;
//   - a one-sided two-proportion z-test on the effective counts is significant at
//     alpha / m, m the number of functions compared (Bonferroni);
//   - both sides hold at least min_reports reports.
// Small profiles (few samples, or few reports) cannot cry wolf.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "dashboard/server/model/call_tree.h"

namespace siagent::dashboard::anomaly {

constexpr double kEffectiveSamplesPerReport = 100;

struct ShareRiseConfig {
    double min_increase = 0.05;
    double min_ratio = 1.25;
    double alpha = 0.001;
    size_t min_reports = 2;
    size_t max_findings = 3;  // per comparison, the largest increases first
};

struct FunctionShare {
    std::string function, file;
    int line = 0;
    double share = 0;  // of the profile's total self value, in [0, 1]
};

// Self shares per function (and file) of a merged tree, largest first.
std::vector<FunctionShare> function_shares(const CallTree& tree);

struct ShareRise {
    std::string function, file;
    int line = 0;
    double before = 0, after = 0;  // shares
    double z = 0;
};

// What one side of a comparison rests on.
struct SideEvidence {
    size_t reports = 0;
    std::optional<double> samples;  // nullopt: unknown (reports * kEffectiveSamplesPerReport)
    double sample_count() const {
        return samples.value_or(static_cast<double>(reports) * kEffectiveSamplesPerReport);
    }
};

std::vector<ShareRise> share_rises(const std::vector<FunctionShare>& before, const SideEvidence& before_evidence,
                                   const std::vector<FunctionShare>& after, const SideEvidence& after_evidence,
                                   const ShareRiseConfig& config = {});

// The same with sample counts unknown on both sides.
std::vector<ShareRise> share_rises(const std::vector<FunctionShare>& before, size_t before_reports,
                                   const std::vector<FunctionShare>& after, size_t after_reports,
                                   const ShareRiseConfig& config = {});

}  // namespace siagent::dashboard::anomaly
