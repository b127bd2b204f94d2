// The hour in progress is rolled up too, its rollup extended as reports come (Storage::
// build_rollups, RollupTree::start_from), and long ranges are merged over whole hours
// (merged_range), so a 24 h profile reads one rollup row per hour and almost no raw report.
// SQLite and, under scripts/with-postgres, PostgreSQL.
#include <catch2/catch.hpp>

#include <algorithm>

#include "dashboard/server/model/profile_query.h"
#include "dashboard/server/model/rollup_tree.h"
#include "test/dashboard/storage_fixtures.h"

using namespace siagent::dashboard;
using namespace siagent::testing;

namespace {

// (reports, burn × reports) of the CPU profile over `filter`, and the rows read for it.
struct Merged {
    size_t reports = 0;
    double burn = 0;
    size_t rows = 0;
};

Merged merged(Storage& storage, const AppScope& scope, const QueryFilter& filter) {
    Merged result;
    storage.for_each_profile(scope, "cpu-profile", "CPU usage", merged_range(filter), [&](const ProfileRow&) { ++result.rows; });
    auto profile = merge_profile(storage, scope, "cpu", filter, 1000);
    result.reports = profile->reports;
    result.burn = profile->tree.value(CallTree::kRoot) * static_cast<double>(profile->reports);
    return result;
}

// A store with one account, app and process.
struct OneProcess {
    TempDatabase db;
    int64_t account = db.storage().create_account("a", kNow).value();
    ProcessKey process = db.storage().record_process(account, envelope("demo", "h1", 1), kNow);
    AppScope scope{account, process.app_id};
};

}  // namespace

TEST_CASE("rollups: the hour in progress is rolled up and extended as its reports come", "[dashboard][storage][rollups]") {
    OneProcess fixture;
    Storage& storage = fixture.db.storage();
    const ProcessKey& process = fixture.process;
    const AppScope& scope = fixture.scope;
    const int64_t hour = kNow / 3600 * 3600;  // in progress at kNow
    storage.store_reports(process, {cpu_report(hour + 10, 10, 0), cpu_report(hour + 20, 20, 0)});
    const QueryFilter this_hour{hour, hour + 3599, "", "", "", std::nullopt, ""};
    CHECK(merged(storage, scope, this_hour).rows == 2);  // raw
    CHECK(storage.build_rollups(kNow, 100, 1000) == 1);
    CHECK(storage.build_rollups(kNow, 100, 1000) == 0);
    Merged rolled = merged(storage, scope, this_hour);
    CHECK(rolled.rows == 1);
    CHECK(rolled.reports == 2);
    CHECK(rolled.burn == Approx(30));

    storage.store_reports(process, {cpu_report(hour + 30, 30, 0)});
    CHECK(merged(storage, scope, this_hour).rows == 2);  // the rollup and the new raw report
    CHECK(merged(storage, scope, this_hour).burn == Approx(60));
    CHECK(storage.build_rollups(kNow, 100, 1000) == 1);  // extended
    rolled = merged(storage, scope, this_hour);
    CHECK(rolled.rows == 1);
    CHECK(rolled.reports == 3);
    CHECK(rolled.burn == Approx(60));
    // Reports stamped after the cutoff wait for a later call.
    storage.store_reports(process, {cpu_report(kNow + 5, 40, 0)});
    CHECK(storage.build_rollups(kNow, 100, 1000) == 0);
    // A short range cutting into the hour reads raw reports, as asked.
    const Merged cut = merged(storage, scope, QueryFilter{hour + 15, hour + 3599, "", "", "", std::nullopt, ""});
    CHECK(cut.reports == 3);
    CHECK(cut.burn == Approx(90));
}

TEST_CASE("rollups: an hour in progress too large to roll up waits for its end", "[dashboard][storage][rollups]") {
    OneProcess fixture;
    Storage& storage = fixture.db.storage();
    const ProcessKey& process = fixture.process;
    const AppScope& scope = fixture.scope;
    const int64_t hour = kNow / 3600 * 3600;
    constexpr size_t kTiny = 2;  // nodes: every tree here is larger
    storage.store_reports(process, {cpu_report(hour + 10, 10, 0)});
    CHECK(storage.build_rollups(kNow, 100, kTiny) == 1);  // the marker: the hour stays raw
    storage.store_reports(process, {cpu_report(hour + 20, 20, 0)});
    CHECK(storage.build_rollups(kNow, 100, kTiny) == 0);  // not tried again every tick
    const QueryFilter this_hour{hour, hour + 3599, "", "", "", std::nullopt, ""};
    CHECK(merged(storage, scope, this_hour).rows == 2);
    CHECK(merged(storage, scope, this_hour).burn == Approx(30));
    CHECK(storage.build_rollups(hour + 3600, 100, kTiny) == 1);  // the hour is over: tried once more
    CHECK(storage.build_rollups(hour + 3600, 100, kTiny) == 0);
}

TEST_CASE("rollups: long ranges are merged over whole hours, short or filtered ones as asked", "[dashboard][storage][rollups]") {
    OneProcess fixture;
    Storage& storage = fixture.db.storage();
    const ProcessKey& process = fixture.process;
    const AppScope& scope = fixture.scope;
    const int64_t first = kNow / 3600 * 3600 - 24 * 3600;
    std::vector<ReportToStore> reports;
    for (int64_t h = 0; h <= 24; ++h) {
        reports.push_back(cpu_report(first + h * 3600 + 100, 1, 0));
        reports.push_back(cpu_report(first + h * 3600 + 3000, 2, 0));
    }
    storage.store_reports(process, reports);
    REQUIRE(storage.build_rollups(kNow + 3600, 1000, 1000) == 25);

    // 24 h from inside the first hour to inside the last one: the edges' whole hours.
    const QueryFilter day{first + 2000, first + 24 * 3600 + 200, "", "", "", std::nullopt, ""};
    const QueryFilter widened = merged_range(day);
    CHECK(widened.from == first);
    CHECK(widened.to == first + 25 * 3600 - 1);
    const Merged whole_hours = merged(storage, scope, day);
    CHECK(whole_hours.rows == 25);  // one rollup an hour, no raw report
    CHECK(whole_hours.reports == 50);
    CHECK(whole_hours.burn == Approx(75));
    auto profile = merge_profile(storage, scope, "cpu", day, 1000);
    CHECK(profile->from == first);
    CHECK(profile->to == first + 25 * 3600 - 1);

    // Under 12 h, or for one host: exactly the range asked, from raw reports at the edges.
    const QueryFilter short_range{first + 2000, first + 11 * 3600 + 200, "", "", "", std::nullopt, ""};
    CHECK(merged_range(short_range).from == short_range.from);
    const Merged exact = merged(storage, scope, short_range);
    CHECK(exact.reports == 1 + 20 + 1);  // hour 0's second, hours 1-10, hour 11's first
    QueryFilter one_host = day;
    one_host.host = "h1";
    CHECK(merged_range(one_host).from == day.from);
    CHECK(merged(storage, scope, one_host).reports == 1 + 46 + 1);
}

TEST_CASE("rollups: a rollup extends from its stored tree, not from a marker or garbage", "[dashboard][rollups]") {
    RollupTree first;
    first.add(profile_report(SeriesKey{"profile", "cpu-profile", "CPU usage", "percent"}, kNow, {{"f", 2}}).blob.value(),
              7, 5, 1000);
    const std::string stored = first.stored_tree(1000);
    RollupTree extended;
    REQUIRE(extended.start_from(stored, 1, 7, 5, 1000));
    CHECK(extended.reports == 1);
    CHECK(extended.max_report_id == 7);
    CHECK(extended.samples == 5);
    CHECK(extended.tree.value(CallTree::kRoot) == Approx(first.tree.value(CallTree::kRoot)));
    RollupTree from_marker;
    CHECK_FALSE(from_marker.start_from(CallTree().encode(), 0, 9, 0, 1000));
    CHECK(from_marker.max_report_id == 0);  // built whole
    RollupTree from_garbage;
    CHECK_FALSE(from_garbage.start_from("not a tree", 3, 9, 0, 1000));
    CHECK(from_garbage.reports == 0);
}
