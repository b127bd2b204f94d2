// The tests behind the leak, regression and error rules, against known values.
#include <catch2/catch.hpp>

#include <random>

#include "dashboard/server/anomaly/anomaly_text.h"
#include "dashboard/server/anomaly/statistics.h"

using namespace siagent::dashboard::anomaly;

namespace {

std::vector<std::pair<int64_t, double>> series(int n, double slope, double noise, unsigned seed) {
    std::mt19937 random(seed);
    std::normal_distribution<double> gauss(0, noise);
    std::vector<std::pair<int64_t, double>> points;
    for (int i = 0; i < n; ++i) points.emplace_back(i * 60, 1000 + slope * i + gauss(random));
    return points;
}

}  // namespace

TEST_CASE("statistics: normal upper tail at known points", "[dashboard][anomaly]") {
    CHECK(normal_upper_tail(0) == Approx(0.5));
    CHECK(normal_upper_tail(1.6449) == Approx(0.05).margin(1e-4));
    CHECK(normal_upper_tail(3.0902) == Approx(0.001).margin(1e-5));
    CHECK(normal_upper_tail(-1.96) == Approx(0.975).margin(1e-4));
}

TEST_CASE("statistics: Mann-Kendall is large for growth and small for noise", "[dashboard][anomaly]") {
    // 10 strictly rising points: S = 45, variance 125, z = 44 / sqrt(125).
    std::vector<std::pair<int64_t, double>> rising;
    for (int i = 0; i < 10; ++i) rising.emplace_back(i, i * 2.0);
    CHECK(mann_kendall_z(rising) == Approx(44 / std::sqrt(125.0)));
    // Falling is the mirror image.
    for (auto& point : rising) point.second = -point.second;
    CHECK(mann_kendall_z(rising) == Approx(-44 / std::sqrt(125.0)));
    // Constant: every pair is a tie, no trend.
    CHECK(mann_kendall_z({{0, 5}, {1, 5}, {2, 5}, {3, 5}}) == 0);
    CHECK(mann_kendall_z({{0, 1}, {1, 2}}) == 0);  // too few points

    int false_trends = 0;
    for (unsigned seed = 0; seed < 200; ++seed) false_trends += mann_kendall_z(series(60, 0, 10, seed)) >= 3.09;
    CHECK(false_trends <= 2);  // p = 0.001 each
    // A slope of a tenth of the noise per point is found over 60 points.
    int found = 0;
    for (unsigned seed = 0; seed < 50; ++seed) found += mann_kendall_z(series(60, 1, 10, seed)) >= 3.09;
    CHECK(found >= 45);
}

TEST_CASE("statistics: Theil-Sen ignores outliers a least-squares fit would follow", "[dashboard][anomaly]") {
    std::vector<std::pair<int64_t, double>> points;
    for (int i = 0; i < 20; ++i) points.emplace_back(i * 10, 100 + 5.0 * i);  // 0.5 per second
    points[3].second = 1e6;
    points[15].second = -1e6;
    CHECK(theil_sen_slope(points) == Approx(0.5));
    CHECK(theil_sen_slope({{0, 1}}) == 0);
    CHECK(theil_sen_slope({{0, 1}, {10, 3}}) == Approx(0.2));
}

TEST_CASE("statistics: least squares follows a step-like sampled growth that Theil-Sen reads as flat",
          "[dashboard][anomaly]") {
    // A leaking site of a sampled heap profile: 0 in 18 of 25 reports, then one sample of
    // 512 KiB, then two (the Unix-seconds times must lose no precision).
    std::vector<std::pair<int64_t, double>> points;
    for (int i = 0; i < 25; ++i) points.emplace_back(1'796'461'170 + i, i < 18 ? 0 : i < 22 ? 524'288 : 1'048'576);
    CHECK(theil_sen_slope(points) == 0);
    CHECK(least_squares_slope(points) > 20'000);
    CHECK(mann_kendall_z(points) > 1.64);
    std::vector<std::pair<int64_t, double>> line;
    for (int i = 0; i < 10; ++i) line.emplace_back(1'700'000'000 + 2 * i, 7 - 3.0 * i);
    CHECK(least_squares_slope(line) == Approx(-1.5));
    CHECK(least_squares_slope({{5, 1}}) == 0);
    CHECK(least_squares_slope({{5, 1}, {5, 9}}) == 0);
}

TEST_CASE("statistics: two-proportion z grows with the sample size", "[dashboard][anomaly]") {
    // 20 % -> 30 % with 100 trials a side: pooled 0.25, se = sqrt(0.25 * 0.75 * 0.02).
    CHECK(two_proportion_z(20, 100, 30, 100) == Approx(0.1 / std::sqrt(0.25 * 0.75 * 0.02)));
    CHECK(two_proportion_z(200, 1000, 300, 1000) > 5);
    CHECK(two_proportion_z(30, 100, 20, 100) < 0);
    CHECK(two_proportion_z(0, 0, 5, 10) == 0);
    CHECK(two_proportion_z(0, 10, 0, 10) == 0);  // nothing anywhere: no variance, no rise
}

TEST_CASE("statistics: Poisson upper tail against exact sums", "[dashboard][anomaly]") {
    // P(X >= 1 | 2) = 1 - e^-2; P(X >= 3 | 1) = 1 - e^-1 (1 + 1 + 1/2).
    CHECK(poisson_upper_tail(1, 2) == Approx(1 - std::exp(-2.0)));
    CHECK(poisson_upper_tail(3, 1) == Approx(1 - std::exp(-1.0) * 2.5));
    CHECK(poisson_upper_tail(0, 5) == 1);
    CHECK(poisson_upper_tail(50, 5) < 1e-20);
    CHECK(poisson_upper_tail(3, 0) == 0);
    // Far tails and huge counts end quickly and stay in [0, 1].
    CHECK(poisson_upper_tail(1e9, 0.5) == 0);
    CHECK(poisson_upper_tail(1e9, 1e9) == Approx(0.5).margin(0.01));
    CHECK(poisson_upper_tail(1000, 1000) == Approx(0.5042052).margin(1e-6));  // exact sum (checked in Python)
    CHECK(poisson_upper_tail(1100, 1001) == Approx(normal_upper_tail(98.5 / std::sqrt(1001.0))).epsilon(0.02));
}

TEST_CASE("anomaly text: sizes, durations, shares and sites as messages print them", "[dashboard][anomaly]") {
    CHECK(bytes_text(512) == "512 B");
    CHECK(bytes_text(1.5 * 1024 * 1024) == "1.5 MiB");
    CHECK(bytes_text(72.0 * 1024 * 1024) == "72 MiB");
    CHECK(duration_text(45) == "45 s");
    CHECK(duration_text(1800) == "30 min");
    CHECK(duration_text(21600) == "6 h");
    CHECK(duration_text(9000) == "2.5 h");
    CHECK(percent_text(0.2) == "20.0 %");
    CHECK(site_text("f", "a.cpp", 3) == "f (a.cpp:3)");
    CHECK(site_text("f", "", 0) == "f");
}
