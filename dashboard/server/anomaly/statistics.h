// The significance tests behind the leak, regression and error rules. Pure functions of
// their inputs, so each rule's decision can be checked with known numbers.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace siagent::dashboard::anomaly {

// P(Z >= z) for a standard normal Z.
double normal_upper_tail(double z);

// The z with normal_upper_tail(z) == p, for p in (0, 0.5]; found by bisection to 1e-9.
double normal_upper_quantile(double p);

// Mann-Kendall trend test on points in time order: the normal score of S (the count of
// rising minus falling pairs, with the tie-corrected variance and a continuity correction).
// Positive for a rising series; about N(0, 1) for noise without a trend. 0 for < 3 points.
double mann_kendall_z(const std::vector<std::pair<int64_t, double>>& points);

// Theil-Sen slope: the median of the slopes of all pairs with distinct times, per second.
// Robust to a few outliers (its breakdown point is 29 %). 0 for < 2 points.
double theil_sen_slope(const std::vector<std::pair<int64_t, double>>& points);

// Least-squares slope of value over time, per second. 0 for < 2 points or a single time.
double least_squares_slope(const std::vector<std::pair<int64_t, double>>& points);

// Two-proportion z-test, one-sided: how far hits_after/n_after is above hits_before/n_before,
// in standard errors of the pooled proportion. 0 when either side has no trials.
double two_proportion_z(double hits_before, double n_before, double hits_after, double n_after);

// P(X >= observed) for X ~ Poisson(expected), exact (a sum of terms in log space).
double poisson_upper_tail(double observed, double expected);

}  // namespace siagent::dashboard::anomaly
