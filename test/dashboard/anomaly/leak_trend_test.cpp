// LeakTrend: sustained growth is a leak, once per episode; noise, a spike or a step are not.
#include <catch2/catch.hpp>

#include <random>

#include "dashboard/server/anomaly/leak_trend.h"

using namespace siagent::dashboard::anomaly;

namespace {

constexpr double kMiB = 1 << 20;

LeakTrendConfig ten_minutes() {
    LeakTrendConfig config;
    config.window = 600;
    return config;
}

// Points every 30 s from t = 0; returns how many findings `value(i)` produced.
template <class Value>
int findings(LeakTrend& trend, int from, int to, Value value, std::vector<LeakFinding>* found = nullptr) {
    int count = 0;
    for (int i = from; i < to; ++i) {
        if (auto finding = trend.add(i * 30, value(i))) {
            ++count;
            if (found) found->push_back(*finding);
        }
    }
    return count;
}

}  // namespace

TEST_CASE("leak trend: steady growth is found as soon as its young window is clear, with its slope", "[dashboard][anomaly]") {
    LeakTrend trend(ten_minutes());
    std::mt19937 random(1);
    std::normal_distribution<double> noise(0, 0.05 * kMiB);
    std::vector<LeakFinding> found;
    // 10 MiB growing by 0.1 MiB every 30 s: 2 MiB per window, 20 % of the level.
    CHECK(findings(trend, 0, 200, [&](int i) { return 10 * kMiB + 0.1 * kMiB * i + noise(random); }, &found) == 1);
    REQUIRE(found.size() == 1);
    // Judged on the data it has (5 min at the least), not after the whole 10 min window.
    CHECK(found[0].window >= 300);
    CHECK(found[0].window < 600);
    CHECK(static_cast<double>(found[0].to - found[0].from) >= 0.75 * static_cast<double>(found[0].window));
    CHECK(found[0].z >= trend.z_bar(found[0].window));
    CHECK(found[0].slope_per_second == Approx(0.1 * kMiB / 30).epsilon(0.1));
    CHECK(found[0].relative_growth > 0.1);
    CHECK(found[0].z >= 3.09);
    CHECK(trend.points() <= 121);
}

TEST_CASE("leak trend: noise, a spike and a one-off step are not leaks", "[dashboard][anomaly]") {
    std::mt19937 random(2);
    std::normal_distribution<double> noise(0, 0.5 * kMiB);
    LeakTrend noisy(ten_minutes());
    CHECK(findings(noisy, 0, 2000, [&](int) { return 10 * kMiB + noise(random); }) == 0);

    LeakTrend spiky(ten_minutes());
    CHECK(findings(spiky, 0, 200, [&](int i) { return 10 * kMiB + (i == 100 ? 50 * kMiB : 0) + noise(random); }) == 0);

    // A step up (a cache filled once) rises in the trend test for a window, but the robust
    // slope of a step in noise stays small: at most one window's finding, never repeated.
    LeakTrend step(ten_minutes());
    CHECK(findings(step, 0, 400, [&](int i) { return 10 * kMiB + (i >= 200 ? 0.2 * kMiB : 0) + noise(random); }) == 0);
}

TEST_CASE("leak trend: small absolute growth is ignored however steady", "[dashboard][anomaly]") {
    LeakTrend trend(ten_minutes());
    // 1 KiB rising by 10 bytes a point: 20 % of the level but far below 1 MiB.
    CHECK(findings(trend, 0, 200, [](int i) { return 1024.0 + 10 * i; }) == 0);
    // The same in kilobytes (an RSS series) is 1,000 times larger in bytes: 2 MiB per window.
    LeakTrend rss(ten_minutes());
    int count = 0;
    for (int i = 0; i < 200; ++i) count += rss.add(i * 30, 10240.0 + 100 * i, 1024).has_value();
    CHECK(count == 1);
}

TEST_CASE("leak trend: a new episode starts only after the growth stopped", "[dashboard][anomaly]") {
    LeakTrend trend(ten_minutes());
    std::mt19937 random(3);
    std::normal_distribution<double> noise(0, 0.05 * kMiB);
    double level = 10 * kMiB;
    double step = 0.1 * kMiB;
    auto grow = [&](int) { return level += step, level + noise(random); };
    auto flat = [&](int) { return level + noise(random); };
    CHECK(findings(trend, 0, 100, grow) == 1);
    CHECK(findings(trend, 100, 300, grow) == 0);  // the same leak, still going
    CHECK(findings(trend, 300, 400, flat) == 0);  // it stopped: the episode ends
    step = 0.5 * kMiB;  // 10 MiB a window: growth relative to the 40 MiB reached
    CHECK(findings(trend, 400, 500, grow) == 1);  // it started again
}

TEST_CASE("leak trend: late, repeated and non-finite points change nothing", "[dashboard][anomaly]") {
    LeakTrend trend(ten_minutes());
    CHECK(!trend.add(100, 1));
    CHECK(!trend.add(100, 2));
    CHECK(!trend.add(50, 3));
    CHECK(!trend.add(200, std::nan("")));
    CHECK(trend.points() == 1);
}
