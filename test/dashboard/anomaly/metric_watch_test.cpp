// MetricWatch: which metrics are series, one detector per series key, the bound on series.
#include <catch2/catch.hpp>

#include "dashboard/server/anomaly/metric_watch.h"
#include "test/dashboard/storage_fixtures.h"

using namespace siagent::dashboard;

namespace {

ReportToStore point(const std::string& type, const std::string& name, int64_t time, double value) {
    ReportToStore report;
    report.series = SeriesKey{type, "memory", name, "byte"};
    report.timestamp = time;
    report.value = value;
    return report;
}

// `count` steady points every 300 s from `start`, with a small alternating wiggle.
std::vector<ReportToStore> steady(const std::string& name, int64_t start, int count) {
    std::vector<ReportToStore> reports;
    for (int i = 0; i < count; ++i) reports.push_back(point("state", name, start + i * 300, 100 + (i % 3)));
    return reports;
}

}  // namespace

TEST_CASE("metric watch: a spike after warm-up is flagged once, with its series and message", "[dashboard][anomaly]") {
    anomaly::MetricWatch watch;
    CHECK(watch.observe(1, "prod", "h", steady("RSS", 0, 400)).empty());
    // Out of upload order on purpose: each series is scored in time order.
    std::vector<ReportToStore> next{point("state", "RSS", 400 * 300 + 300, 101), point("state", "RSS", 400 * 300, 900)};
    auto flagged = watch.observe(1, "prod", "h", next);
    REQUIRE(flagged.size() == 1);
    CHECK(flagged[0].time == 400 * 300);
    CHECK(flagged[0].kind == "metric");
    CHECK(flagged[0].category == "memory");
    CHECK(flagged[0].name == "RSS");
    CHECK(flagged[0].host == "h");
    CHECK(flagged[0].environment == "prod");
    CHECK(flagged[0].value == 900);
    CHECK(flagged[0].unit == "byte");
    CHECK(flagged[0].score >= 0.9);
    CHECK(flagged[0].message.find("memory / RSS at 900 byte") != std::string::npos);
}

TEST_CASE("metric watch: hosts and apps are separate series; profiles are not series", "[dashboard][anomaly]") {
    anomaly::MetricWatch watch;
    watch.observe(1, "prod", "h1", steady("RSS", 0, 10));
    watch.observe(1, "prod", "h2", steady("RSS", 0, 10));
    watch.observe(2, "prod", "h1", steady("RSS", 0, 10));
    auto profile = point("profile", "Heap", 0, 5);
    profile.blob = std::string("tree");
    watch.observe(1, "prod", "h1", {profile, point("counter", "Allocations", 0, 3)});
    CHECK(watch.series() == 4);
}

TEST_CASE("metric watch: past its bound the least recently updated series is dropped", "[dashboard][anomaly]") {
    anomaly::MetricWatch watch(2);
    watch.observe(1, "", "h", steady("a", 0, 400));
    watch.observe(1, "", "h", steady("b", 0, 10));
    watch.observe(1, "", "h", {point("state", "a", 400 * 300, 100)});  // a is now the most recent
    watch.observe(1, "", "h", steady("c", 0, 10));                      // drops b
    CHECK(watch.series() == 2);
    // a kept its history: past warm-up, a spike is flagged.
    CHECK(watch.observe(1, "", "h", {point("state", "a", 401 * 300, 900)}).size() == 1);
}

TEST_CASE("metric watch: the account's threshold decides which scores are anomalies, the scores stay", "[dashboard][anomaly]") {
    // A point after the steady history that scores between 0.5 and the default 0.9.
    auto score_of = [](double value) {
        anomaly::SeriesDetector detector;
        for (const ReportToStore& report : steady("RSS", 0, 400)) detector.add(report.timestamp, report.value);
        return detector.add(400 * 300, value).score;
    };
    double moderate = 0;
    for (double value = 102; value < 200 && moderate == 0; value += 0.25) {
        const double score = score_of(value);
        if (score > 0.6 && score < 0.85) moderate = value;
    }
    REQUIRE(moderate > 0);
    auto flagged_at = [&](double threshold, double value) {
        anomaly::MetricWatch watch;
        watch.observe(1, "prod", "h", steady("RSS", 0, 400), threshold);
        return watch.observe(1, "prod", "h", {point("state", "RSS", 400 * 300, value)}, threshold);
    };
    CHECK(flagged_at(0.9, moderate).empty());
    auto sensitive = flagged_at(0.5, moderate);
    REQUIRE(sensitive.size() == 1);
    CHECK(sensitive[0].score == Approx(score_of(moderate)));
    CHECK(flagged_at(0.999, 900).size() == 1);
    // One anomaly per episode at any threshold: a second high point right after is not another.
    anomaly::MetricWatch watch;
    watch.observe(1, "prod", "h", steady("RSS", 0, 400), 0.5);
    CHECK(watch.observe(1, "prod", "h", {point("state", "RSS", 400 * 300, 900), point("state", "RSS", 401 * 300, 900)}, 0.5)
              .size() == 1);
}

// Saved detectors (Storage::detector_states): a watch that loads them judges like the one
// that saved them, with no new warm-up; a state of another layout is ignored.
TEST_CASE("metric watch: saved detectors go on where they left off", "[dashboard][anomaly][judging]") {
    siagent::testing::TempDatabase database;
    Storage& storage = database.storage();
    auto spike_at = [](int64_t index) { return std::vector<ReportToStore>{point("state", "RSS", index * 300, 900)}; };

    anomaly::MetricWatch saving(100, {}, &storage);
    anomaly::MetricWatch uninterrupted;
    for (auto* watch : {&saving, &uninterrupted}) CHECK(watch->observe(1, "prod", "h", steady("RSS", 0, 400)).empty());
    CHECK(saving.observe(1, "prod", "h", spike_at(400)).size() == 1);
    CHECK(uninterrupted.observe(1, "prod", "h", spike_at(400)).size() == 1);
    auto states = saving.changed_states();
    REQUIRE(states.size() == 1);
    CHECK(states[0].app_id == 1);
    CHECK(states[0].environment == "prod");
    CHECK(states[0].host == "h");
    CHECK(states[0].category == "memory");
    CHECK(states[0].name == "RSS");
    CHECK(saving.changed_states().empty());  // nothing changed since
    storage.save_detector_states(states, siagent::testing::kNow);

    anomaly::MetricWatch loading(100, {}, &storage);
    anomaly::MetricWatch fresh(100, {}, &storage);
    fresh.observe(2, "prod", "h", steady("RSS", 0, 1));  // another group: nothing saved for it
    std::vector<ReportToStore> after = steady("RSS", 401 * 300, 150);
    CHECK(loading.observe(1, "prod", "h", after).empty());
    CHECK(uninterrupted.observe(1, "prod", "h", after).empty());
    CHECK(loading.observe(1, "prod", "h", spike_at(551)).size() == 1);
    CHECK(uninterrupted.observe(1, "prod", "h", spike_at(551)).size() == 1);
    CHECK(fresh.observe(2, "prod", "h", spike_at(551)).empty());  // warming up

    // A state of another layout (or damaged) is skipped: the series warms up again.
    states[0].state.resize(states[0].state.size() - 1);
    storage.save_detector_states(states, siagent::testing::kNow);
    anomaly::MetricWatch other_layout(100, {}, &storage);
    CHECK(other_layout.observe(1, "prod", "h", spike_at(600)).empty());
    CHECK(other_layout.series() == 1);
}

// A save that failed: its states are marked changed again, and given by the next call.
TEST_CASE("metric watch: detectors whose save failed are changed again", "[dashboard][anomaly][judging]") {
    siagent::testing::TempDatabase database;
    anomaly::MetricWatch watch(100, {}, &database.storage());
    watch.observe(1, "prod", "h", steady("RSS", 0, 10));
    auto states = watch.changed_states();
    REQUIRE(states.size() == 1);
    CHECK(watch.changed_states().empty());
    watch.mark_unsaved(states);
    CHECK(watch.changed_states().size() == 1);
    states[0].name = "not kept";
    watch.mark_unsaved(states);  // a series the watch does not keep: nothing
    CHECK(watch.changed_states().empty());
}
