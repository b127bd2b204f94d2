#include "dashboard/server/anomaly/pattern_novelty.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

using namespace siagent::dashboard::anomaly;

namespace {

// A noisy repeating shape: a period of 24 points plus Gaussian noise.
std::vector<double> repeating(size_t points, uint32_t seed) {
    std::mt19937 random(seed);
    std::normal_distribution<double> noise(0, 0.3);
    std::vector<double> values;
    for (size_t i = 0; i < points; ++i) values.push_back(std::sin(2 * M_PI * static_cast<double>(i % 24) / 24) + noise(random));
    return values;
}

std::vector<double> novelties(const std::vector<double>& values, double scale = 1, double offset = 0) {
    PatternNovelty novelty;
    std::vector<double> out;
    for (double value : values) out.push_back(novelty.observe(value * scale + offset));
    return out;
}

}  // namespace

TEST_CASE("pattern novelty: a repeating shape is not novel, a break of it is", "[anomaly]") {
    auto values = repeating(3000, 3);
    double highest_normal = 0;
    for (double q : novelties(values)) highest_normal = std::max(highest_normal, q);
    CHECK(highest_normal < 10);  // novelty_limit: never reaches the threshold

    for (size_t i = 2500; i < 2504; ++i) values[i] = 4;  // a plateau no window of the history has
    auto broken = novelties(values);
    double highest_break = 0;
    for (size_t i = 2500; i < 2508; ++i) highest_break = std::max(highest_break, broken[i]);
    CHECK(highest_break >= 10);
}

TEST_CASE("pattern novelty: an affine change of the values changes nothing", "[anomaly]") {
    auto values = repeating(3000, 4);
    values[2000] += 5;
    const auto plain = novelties(values);
    const auto moved = novelties(values, 1000, -37);
    const auto shrunk = novelties(values, 1e-6, 1e3);
    for (size_t i = 0; i < plain.size(); ++i) {
        INFO("point " << i);
        REQUIRE(moved[i] == Approx(plain[i]).margin(1e-3 * std::max(1.0, std::abs(plain[i]))));
        REQUIRE(shrunk[i] == Approx(plain[i]).margin(1e-2 * std::max(1.0, std::abs(plain[i]))));
    }
}

TEST_CASE("pattern novelty: a constant series scores 0, and its first change is novel", "[anomaly]") {
    PatternNovelty novelty;
    for (int i = 0; i < 500; ++i) REQUIRE(novelty.observe(42.0) == 0.0);
    CHECK(novelty.observe(43.0) > 10);
}

TEST_CASE("pattern novelty: a series that repeats exactly is not alarmed by a one-unit slip", "[anomaly]") {
    PatternNovelty novelty;
    for (int i = 0; i < 600; ++i) novelty.observe(100 + i % 3);
    CHECK(novelty.observe(100) < 10);  // 101 was due
    CHECK(novelty.observe(900) > 10);
}

TEST_CASE("pattern novelty: memory per series is fixed and under 9 KiB", "[anomaly]") {
    STATIC_REQUIRE(sizeof(PatternNovelty) <= 9 * 1024);
}
