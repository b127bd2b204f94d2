// The profile timeline against a real SQLite storage: hourly rollups are spread over their
// hour's buckets, and the buckets agree with the merged profile's total.
#include "dashboard/server/model/profile_timeline.h"

#include <catch2/catch.hpp>

#include "dashboard/server/model/profile_query.h"
#include "dashboard/server/sqlite/sqlite_storage.h"
#include "test/dashboard/storage_fixtures.h"

using namespace siagent::dashboard;
using namespace siagent::testing;

namespace {

ReportToStore exceptions_report(int64_t timestamp, double count) {
    return profile_report(SeriesKey{"profile", "error-profile", "Exceptions", ""}, timestamp,
                          {{"std::runtime_error: boom", count}});
}

}  // namespace

TEST_CASE("profile timeline: a rolled-up hour reads as its mean in each of its buckets", "[dashboard][timeline]") {
    TempDatabase db;
    Storage& storage = db.storage();
    const int64_t a = storage.create_account("a", kNow).value();
    const int64_t hour = (kNow / 3600 - 2) * 3600;  // a complete hour, rolled up below
    const ProcessKey one = storage.record_process(a, envelope("demo", "h1", 1), kNow);
    const ProcessKey two = storage.record_process(a, envelope("demo", "h2", 2), kNow);
    storage.store_reports(one, {cpu_report(hour + 100, 10, 0), cpu_report(hour + 1900, 30, 0),
                                exceptions_report(hour + 100, 4), exceptions_report(kNow - 100, 6)});
    storage.store_reports(two, {cpu_report(hour + 2000, 20, 0), cpu_report(kNow - 100, 40, 0)});
    REQUIRE(storage.build_rollups(kNow, 100, 1000) > 0);
    const AppScope scope{a, one.app_id};

    // The hour starts 30 s into a bucket: 61 buckets overlap it, each at the hour's mean (20).
    const QueryFilter filter{hour - 630, kNow, "", "", "", std::nullopt, ""};
    const auto timeline = profile_timeline(storage, scope, "cpu", filter, 1000);
    REQUIRE(timeline);
    CHECK(timeline->unit == "percent");
    CHECK(timeline->bucket_seconds == 60);
    REQUIRE(timeline->points.size() == 62);
    for (size_t i = 0; i < 61; ++i) CHECK(timeline->points[i].second == Approx(20));
    CHECK(timeline->points.front().first == hour - 30);
    CHECK(timeline->points.back().second == Approx(40));
    CHECK(merge_profile(storage, scope, "cpu", filter, 1000)->tree.value(CallTree::kRoot) == Approx(25));

    // A host filter reads raw reports (no rollups): each in its own bucket.
    QueryFilter h1 = filter;
    h1.host = "h1";
    const auto raw = profile_timeline(storage, scope, "cpu", h1, 1000);
    REQUIRE(raw->points.size() == 2);
    CHECK(raw->points[0] == std::pair<int64_t, double>{hour + 90, 10});
    CHECK(raw->points[1].second == Approx(30));

    // Counts add up: the buckets sum to the profile's total, the rolled-up 4 spread over the hour.
    const auto errors = profile_timeline(storage, scope, "error", filter, 1000);
    double sum = 0;
    for (const auto& [time, value] : errors->points) sum += value;
    CHECK(sum == Approx(10));
    CHECK(merge_profile(storage, scope, "error", filter, 1000)->tree.value(CallTree::kRoot) == Approx(10));
    CHECK(errors->points.front().second == Approx(4.0 * 30 / 3600));

    CHECK_FALSE(profile_timeline(storage, scope, "nonsense", filter, 1000));
    CHECK(profile_timeline(storage, AppScope{a + 1, one.app_id}, "cpu", filter, 1000)->points.empty());
}
