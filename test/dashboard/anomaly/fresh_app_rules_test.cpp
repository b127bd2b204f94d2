// The leak, regression and error rules on an application a few minutes old, with the
// default settings (6 h leak window, 1 h regression period, 10 min interval, 1 h error
// warm-up): their windows grow with the data, so a clear leak, regression or new error is
// reported within minutes, and normal data of a fresh series stays within the false-alarm
// bound of the synthetic tests (<= 1 per 1,000 points).
#include <catch2/catch.hpp>

#include <random>

#include "dashboard/server/anomaly/anomaly_rules.h"
#include "dashboard/server/anomaly/leak_trend.h"
#include "test/dashboard/storage_fixtures.h"

using namespace siagent::dashboard;
using namespace siagent::testing;

namespace {

constexpr double kMiB = 1 << 20;
constexpr double kKiB = 1 << 10;

struct FreshApp {
    TempDatabase db;
    Storage& storage = db.storage();
    int64_t account = storage.create_account("fresh", kNow).value();
    anomaly::RuleSettings settings;  // the defaults
    anomaly::AnomalyRules rules;

    std::vector<AnomalyRow> upload(const Envelope& process, const std::vector<ReportToStore>& reports, int64_t now) {
        const ProcessKey key = storage.record_process(account, process, now);
        storage.store_reports(key, reports);
        return rules.observe(storage, settings, account, key, process, reports, now);
    }
};

ReportToStore heap_metric(int64_t time, double bytes) {
    ReportToStore report;
    report.series = SeriesKey{"state", "memory", "Heap in use", "byte"};
    report.timestamp = time;
    report.value = bytes;
    return report;
}

ReportToStore heap_profile(int64_t time, double leaking) {
    return profile_report(SeriesKey{"profile", "memory-profile", "Heap in use", "byte"}, time,
                          {{"leak_here (leak.cpp:5)", leaking}, {"stable (stable.cpp:9)", 30 * kMiB}});
}

ReportToStore exceptions(int64_t time, const std::string& type, const std::string& site) {
    ReportToStore report;
    report.series = SeriesKey{"profile", "error-profile", "Exceptions", ""};
    report.timestamp = time;
    report.blob = CallTree().encode();
    report.errors.push_back(ErrorEvent{type, type + ": oops", site, {site, "main (demo.cpp:3)"}, 2});
    report.value = 2;
    return report;
}

// Kept points and findings of fresh series of `seconds` at 10 s reports, `value(t, noise)`.
template <class Value>
std::pair<int, int> fresh_series(int seeds, int seconds, Value value) {
    int points = 0, findings = 0;
    for (int seed = 0; seed < seeds; ++seed) {
        anomaly::LeakTrend trend(anomaly::LeakTrendConfig{});
        std::mt19937 random(static_cast<unsigned>(seed) + 100);
        std::normal_distribution<double> noise(0, 0.25 * kMiB);
        for (int t = 0; t < seconds; t += 10, ++points) findings += trend.add(t, value(t, noise(random))).has_value();
    }
    return {points, findings};
}

}  // namespace

TEST_CASE("fresh app: a 16 KiB/s leak is a leak within minutes with the default 6 h window", "[dashboard][anomaly]") {
    FreshApp f;
    const Envelope process = envelope("fresh", "h1", 10);
    std::mt19937 random(7);
    std::normal_distribution<double> noise(0, 0.1 * kMiB);
    std::vector<std::pair<int, AnomalyRow>> found;
    for (int t = 0; t <= 1200; t += 10) {
        const double leaked = 16 * kKiB * t;
        for (AnomalyRow& row : f.upload(process, {heap_metric(kNow + t, 40 * kMiB + leaked + noise(random)),
                                                  heap_profile(kNow + t, leaked)}, kNow + t)) {
            found.push_back({t, row});
        }
    }
    REQUIRE(found.size() == 1);
    CHECK(found[0].first <= 600);  // within 10 minutes of the app's first report
    CHECK(found[0].second.kind == "leak");
    CHECK(found[0].second.value == Approx(16 * kKiB * 3600).epsilon(0.1));  // per hour
    CHECK(found[0].second.message.find("leak_here (leak.cpp:5)") != std::string::npos);
}

TEST_CASE("fresh app: the leak bar is higher on a shorter window", "[dashboard][anomaly]") {
    anomaly::LeakTrend trend(anomaly::LeakTrendConfig{});
    CHECK(trend.z_bar(6 * 3600) == Approx(3.09).epsilon(0.001));
    CHECK(trend.z_bar(300) > 4.1);
    CHECK(trend.z_bar(300) < 4.3);
    CHECK(trend.z_bar(3600) > trend.z_bar(6 * 3600));
}

TEST_CASE("fresh app: normal memory and a start-up ramp are no leaks, within the false-alarm bound", "[dashboard][anomaly]") {
    // 100 fresh series of two hours each: noise around 40 MiB...
    auto [points, findings] = fresh_series(100, 7200, [](int, double noise) { return 40 * kMiB + noise; });
    CHECK(findings * 1000 <= points);
    CHECK(findings == 0);
    // ... and start-ups that fill 20 MiB of caches in their first 1 to 3 minutes, then stay:
    // the later half of the 5 min window does not rise.
    for (int ramp : {60, 120, 180}) {
        auto [ramp_points, ramp_findings] = fresh_series(100, 7200, [ramp](int t, double noise) {
            return 20 * kMiB + 20 * kMiB * std::min(t, ramp) / ramp + noise;
        });
        INFO(ramp);
        CHECK(ramp_findings * 1000 <= ramp_points);
        CHECK(ramp_findings == 0);
    }
}

TEST_CASE("fresh app: a +30 point regression of a new version is found a minute or two after it started",
          "[dashboard][anomaly]") {
    FreshApp f;
    const Envelope v1 = envelope("svc", "h1", 1, "1.0");
    const Envelope v2 = envelope("svc", "h1", 2, "2.0");
    for (int t = 0; t < 300; t += 10) CHECK(f.upload(v1, {cpu_report(kNow + t, 20, 80)}, kNow + t).empty());
    std::vector<std::pair<int, AnomalyRow>> found;
    for (int t = 300; t < 900; t += 10) {
        for (AnomalyRow& row : f.upload(v2, {cpu_report(kNow + t, 50, 50)}, kNow + t)) found.push_back({t, row});
    }
    REQUIRE(found.size() == 1);
    CHECK(found[0].first - 300 <= 120);
    CHECK(found[0].second.kind == "regression");
    CHECK(found[0].second.name == "burn");
    CHECK(found[0].second.message.find("version 2.0 against 1.0") != std::string::npos);
}

TEST_CASE("fresh app: the same profile in a new version is no regression at its frequent early checks",
          "[dashboard][anomaly]") {
    FreshApp f;
    std::mt19937 random(11);
    std::uniform_real_distribution<double> jitter(-3, 3);
    int found = 0;
    for (int t = 0; t < 300; t += 10) found += static_cast<int>(f.upload(envelope("svc", "h1", 1, "1.0"), {cpu_report(kNow + t, 20 + jitter(random), 80)}, kNow + t).size());
    for (int t = 300; t < 2400; t += 10) found += static_cast<int>(f.upload(envelope("svc", "h1", 2, "2.0"), {cpu_report(kNow + t, 20 + jitter(random), 80)}, kNow + t).size());
    CHECK(found == 0);
}

TEST_CASE("fresh app: a new exception type minutes after start-up is reported; start-up errors are not",
          "[dashboard][anomaly]") {
    FreshApp f;
    const Envelope process = envelope("svc", "h1", 1);
    // Start-up errors in the first seconds: remembered, not reported.
    CHECK(f.upload(process, {exceptions(kNow + 2, "ConfigMissing", "load (c.cpp:1)")}, kNow + 2).empty());
    CHECK(f.upload(process, {exceptions(kNow + 8, "Retry", "connect (n.cpp:4)")}, kNow + 8).empty());
    // Settled after 2 minutes (the first errors came within seconds): a new type is new.
    CHECK(f.upload(process, {exceptions(kNow + 60, "ConfigMissing", "load (c.cpp:1)")}, kNow + 60).empty());
    auto found = f.upload(process, {exceptions(kNow + 180, "Timeout", "wait (w.cpp:7)")}, kNow + 180);
    REQUIRE(found.size() == 1);
    CHECK(found[0].name == "Timeout");
    CHECK(found[0].message == "New exception type Timeout at wait (w.cpp:7), 2 times");
}

TEST_CASE("fresh app: errors still coming in keep the warm-up going, up to --error-warmup", "[dashboard][anomaly]") {
    // Each new type in the warm-up extends it to as long again without one.
    auto first_reported = [](int64_t warmup) {
        FreshApp f;
        f.settings.error_warmup = warmup;
        const Envelope process = envelope("svc", "h1", 1);
        const std::vector<std::pair<int, std::string>> types = {{0, "A"},   {100, "B"}, {200, "C"},
                                                                {350, "D"}, {600, "E"}, {1300, "F"}};
        for (const auto& [t, type] : types) {
            if (!f.upload(process, {exceptions(kNow + t, type, type + " (x.cpp:1)")}, kNow + t).empty()) return type;
        }
        return std::string();
    };
    // C at 200 s came 100 s after B (less than the 120 s floor), D 150 s after C (less than
    // the 200 s C came at), E 250 s after D: all warm-up. F, 700 s after E, is new.
    CHECK(first_reported(3600) == "F");
    // --error-warmup bounds it: at 500 s the warm-up is over whatever came before.
    CHECK(first_reported(500) == "E");
}
