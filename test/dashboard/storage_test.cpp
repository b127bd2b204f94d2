#include "dashboard/server/sqlite/sqlite_storage.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <ctime>

#include "dashboard/server/model/profile_query.h"
#include "dashboard/server/secrets.h"
#include "dashboard/server/postgres/partitions.h"
#include "dashboard/server/postgres/schema.h"
#include "dashboard/server/sqlite/schema.h"
#include "test/dashboard/storage_fixtures.h"

using namespace siagent::dashboard;
using namespace siagent::testing;


TEST_CASE("storage: accounts, users, sessions and keys round-trip", "[dashboard][storage]") {
    TempDatabase db;
    Storage& storage = db.storage();
    CHECK_FALSE(storage.has_accounts());
    const int64_t account = storage.create_account("default", kNow).value();
    CHECK(storage.create_account("default", kNow).failure().status == 409);
    const int64_t user = storage.add_user(account, "a@x", "owner", "hash", kNow).value();
    CHECK(storage.add_user(account, "A@X", "viewer", "hash", kNow).failure().status == 409);
    REQUIRE(storage.users_by_email("a@x").size() == 1);
    CHECK(storage.users_by_email("a@x")[0].id == user);
    // The same email in other accounts, up to the bound.
    for (size_t i = 1; i < Storage::kMaxAccountsPerEmail; ++i) {
        const int64_t other = storage.create_account("other " + std::to_string(i), kNow).value();
        CHECK(storage.add_user(other, "a@X", "member", "hash", kNow));
    }
    CHECK(storage.users_by_email("A@x").size() == Storage::kMaxAccountsPerEmail);
    const int64_t one_too_many = storage.create_account("one too many", kNow).value();
    CHECK(storage.add_user(one_too_many, "a@x", "member", "hash", kNow).failure().status == 409);
    storage.add_session("tokenhash", user, "csrf", kNow + 100);
    CHECK(storage.session("tokenhash", kNow)->csrf_token == "csrf");
    CHECK_FALSE(storage.session("tokenhash", kNow + 100));  // expired
    storage.add_agent_key(account, "k", "keyhash", "si_abcd", kNow);
    CHECK(storage.agent_key_owner("keyhash", kNow)->account_id == account);
    CHECK(storage.agent_key_owner("keyhash", kNow)->name == "k");
    CHECK_FALSE(storage.agent_key_owner("other", kNow));
    CHECK(storage.agent_keys(account).at(0).last_used == kNow);
    CHECK(storage.has_accounts());
}

TEST_CASE("storage: reports round-trip and merge per account", "[dashboard][storage]") {
    TempDatabase db;
    Storage& storage = db.storage();
    const int64_t a = storage.create_account("a", kNow).value();
    const int64_t b = storage.create_account("b", kNow).value();
    const ProcessKey one = storage.record_process(a, envelope("demo", "h1", 100), kNow);
    const ProcessKey two = storage.record_process(a, envelope("demo", "h2", 200, "2.0"), kNow);
    CHECK(one.app_id == two.app_id);
    CHECK(one.process_id != two.process_id);
    storage.store_reports(one, {cpu_report(kNow - 60, 60, 20)});
    storage.store_reports(two, {cpu_report(kNow - 30, 80, 0)});

    QueryFilter filter{kNow - 3600, kNow, "", "", "", std::nullopt, ""};
    auto profile = merge_profile(storage, AppScope{a, one.app_id}, "cpu", filter, 10'000);
    REQUIRE(profile);
    CHECK(profile->reports == 2);
    CHECK(profile->unit == "percent");
    CHECK(profile->tree.value(CallTree::kRoot) == Approx(80));  // (80 + 80) / 2: averaged

    filter.version = "2.0";
    CHECK(merge_profile(storage, AppScope{a, one.app_id}, "cpu", filter, 10'000)->reports == 1);
    filter.version.clear();
    filter.host = "h1";
    filter.pid = 100;
    CHECK(merge_profile(storage, AppScope{a, one.app_id}, "cpu", filter, 10'000)->reports == 1);

    // Account b asking for a's app by id sees nothing.
    filter = QueryFilter{kNow - 3600, kNow, "", "", "", std::nullopt, ""};
    CHECK_FALSE(storage.settings(AppScope{b, one.app_id}));
    CHECK(merge_profile(storage, AppScope{b, one.app_id}, "cpu", filter, 10'000)->reports == 0);
    CHECK(storage.processes(AppScope{b, one.app_id}, filter).empty());
    CHECK(storage.apps(b, kNow, 150).empty());
    CHECK(storage.apps(a, kNow, 150).size() == 1);
}

TEST_CASE("storage: unknown series, metrics and errors", "[dashboard][storage]") {
    TempDatabase db;
    Storage& storage = db.storage();
    const int64_t a = storage.create_account("a", kNow).value();
    const ProcessKey process = storage.record_process(a, envelope("demo", "h1", 1), kNow);
    ReportToStore metric;
    metric.series = SeriesKey{"counter", "quantum", "Qubits flipped", ""};
    metric.timestamp = kNow - 10;
    metric.value = 3;
    ReportToStore odd = cpu_report(kNow - 10, 1, 1);
    odd.series = SeriesKey{"profile", "gpu-profile", "Kernel time", "millisecond"};
    ReportToStore errors;
    errors.series = SeriesKey{"profile", "error-profile", "Exceptions", ""};
    errors.timestamp = kNow - 5;
    errors.errors = {ErrorEvent{"std::runtime_error", "std::runtime_error: boom", "parse (a.cpp:3)", {"parse (a.cpp:3)", "main"}, 4}};
    storage.store_reports(process, {metric, odd, errors});

    const AppScope scope{a, process.app_id};
    const QueryFilter filter{kNow - 3600, kNow, "", "", "", std::nullopt, ""};
    auto series = storage.metrics(scope, filter);
    REQUIRE(series.size() == 2);  // the counter and the error profile's value
    CHECK(series[0].key.category == "quantum");
    auto kinds = storage.profile_kinds(scope, filter);
    REQUIRE(kinds.size() == 1);
    CHECK(kinds[0].category == "gpu-profile");
    CHECK(merge_profile(storage, scope, "gpu-profile/Kernel time", filter, 1000)->reports == 1);
    auto rows = storage.errors(scope, filter, 10);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].frames == "parse (a.cpp:3)\nmain");
    CHECK(rows[0].count == 4);
}

TEST_CASE("storage: an upload of thousands of reports and errors is stored whole", "[dashboard][storage]") {
    // PostgreSQL takes at most 65,535 parameters a statement: an upload's rows go as arrays,
    // one statement of one text for any number of them.
    TempDatabase db;
    Storage& storage = db.storage();
    const int64_t a = storage.create_account("a", kNow).value();
    const ProcessKey process = storage.record_process(a, envelope("demo", "h1", 1), kNow);
    std::vector<ReportToStore> reports;
    for (int i = 0; i < 6000; ++i) reports.push_back(cpu_report(kNow - 7000 + i, 1, 2));
    ReportToStore crash;
    crash.series = SeriesKey{"profile", "error-profile", "Exceptions", ""};
    crash.timestamp = kNow - 5;
    crash.crash = true;
    crash.errors = {ErrorEvent{"SIGSEGV", "SIGSEGV: at 0x0", "f (a.cpp:1)", {"f (a.cpp:1)", "main"}, 1},
                    ErrorEvent{"std::bad_alloc", std::string("std::bad_alloc\0tail", 19), "g (b.cpp:2)", {"g (b.cpp:2)"}, 3}};
    reports.push_back(crash);
    storage.store_reports(process, reports);

    const AppScope scope{a, process.app_id};
    const QueryFilter filter{kNow - 7200, kNow, "", "", "", std::nullopt, ""};
    auto merged = merge_profile(storage, scope, "cpu", filter, 1000);
    REQUIRE(merged);
    CHECK(merged->reports == 6000);
    auto errors = storage.errors(scope, filter, 10);
    REQUIRE(errors.size() == 2);
    std::sort(errors.begin(), errors.end(), [](const ErrorRow& x, const ErrorRow& y) { return x.count < y.count; });
    CHECK(errors[0].crash);
    CHECK(errors[0].type == "SIGSEGV");
    CHECK(errors[0].frames == "f (a.cpp:1)\nmain");
    CHECK(errors[1].count == 3);
    CHECK(errors[1].message.starts_with("std::bad_alloc"));  // PostgreSQL's text ends at a NUL
    CHECK(errors[1].site == "g (b.cpp:2)");
}

TEST_CASE("storage: retention deletes what is older than the cutoff", "[dashboard][storage][retention]") {
    TempDatabase db;
    Storage& storage = db.storage();
    const int64_t a = storage.create_account("a", kNow).value();
    const ProcessKey old_process = storage.record_process(a, envelope("demo", "h1", 1), kNow - 10 * 86400);
    storage.store_reports(old_process, {cpu_report(kNow - 10 * 86400, 5, 5)});
    const ProcessKey process = storage.record_process(a, envelope("demo", "h2", 2), kNow);
    storage.store_reports(process, {cpu_report(kNow - 60, 5, 5), cpu_report(kNow - 8 * 86400, 5, 5)});
    CHECK(storage.delete_before(kNow - 7 * 86400, kNow) == 2);
    const QueryFilter all{0, kNow, "", "", "", std::nullopt, ""};
    CHECK(merge_profile(storage, AppScope{a, process.app_id}, "cpu", all, 1000)->reports == 1);
    CHECK(storage.processes(AppScope{a, process.app_id}, all).size() == 1);
}

TEST_CASE("storage (PostgreSQL): prepared statements are planned with their values at every execution",
          "[dashboard][storage]") {
    // PostgreSQL's default switches a prepared statement to one generic plan from its sixth
    // execution; for a query with optional filters ("$1 IS NULL OR ...") that plan keeps every
    // filter, and the 24 h merged profile took 5 s instead of 40 ms on an analyzed database.
    TempDatabase db;
    if (!db.postgres) return;  // SQLite has no plan cache of this kind
    db.open();
    postgres::Connection connection(db.postgres->url());
    for (int run = 0; run < 8; ++run) {
        const std::optional<int64_t> any;
        CHECK(connection.query("SELECT count(*) FROM schema_version WHERE ($1::bigint IS NULL OR version = $1::bigint)",
                               any).integer(0, 0) == 1);
    }
    auto plans = connection.query("SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                                  " WHERE statement LIKE 'SELECT count(*) FROM schema_version%'");
    REQUIRE(plans.size() == 1);
    CHECK(plans.integer(0, 0) == 0);
    CHECK(plans.integer(0, 1) == 8);
}

TEST_CASE("storage: the schema is migrated once and data survives reopening", "[dashboard][storage]") {
    TempDatabase db;
    db.open()->create_account("kept", kNow);
    CHECK(db.open()->account_id("kept"));
    if (db.postgres) {
        postgres::Connection connection(db.postgres->url());
        const int64_t version = connection.query("SELECT version FROM schema_version").integer(0, 0);
        CHECK(version >= 1);
        CHECK(version == postgres::migrate(connection));  // up to date: migrate() changes nothing
        return;
    }
    sqlite::Connection connection(db.path(), false);
    int64_t version = 0;
    {
        auto row = connection.prepare("PRAGMA user_version");
        REQUIRE(row.step());
        version = row.integer(0);
    }
    CHECK(version >= 6);
    CHECK(version == sqlite::migrate(connection));  // up to date: migrate() changes nothing
    auto mode = connection.prepare("PRAGMA journal_mode");
    REQUIRE(mode.step());
    CHECK(mode.text(0) == "wal");
}

TEST_CASE("storage: a merged profile checks raw reports against rollups without reading their rows",
          "[dashboard][storage][rollups]") {
    // The raw part of a merged profile (SqliteStorage::for_each_profile) filters every report
    // of the range by series, time, tree present and process; read from the table, each
    // check cost a row with its tree (a day of 100 processes: 72,000 rows, 0.17 s of 0.2).
    TempDatabase db;
    db.open();
    if (db.postgres) return;  // its own plan: an anti-join over the range (docs/performance.md)
    sqlite::Connection connection(db.path(), false);
    auto plan = connection.prepare(
        "EXPLAIN QUERY PLAN SELECT r.id, r.process_id FROM reports r"
        " WHERE r.series_id = ?1 AND r.timestamp BETWEEN ?2 AND ?3 AND r.breakdown IS NOT NULL");
    std::string details;
    while (plan.step()) details += plan.text(3) + "\n";
    INFO(details);
    // (Not "covering" in SQLite's words, since the query names breakdown; the partial
    // index's own condition is not checked again, so no row is read for it.)
    CHECK(details.find("INDEX reports_with_trees") != std::string::npos);
}

TEST_CASE("storage: emails become unique per account; users and sessions survive the migration", "[dashboard][storage]") {
    TempDatabase db;
    if (db.postgres) return;  // a migration of SQLite's; PostgreSQL's schema began after it
    {
        sqlite::Connection connection(db.path(), true);
        REQUIRE(sqlite::migrate(connection, 8) == 8);  // before emails were per account
        connection.exec("INSERT INTO accounts(id, name, created) VALUES (1, 'a', 0), (2, 'b', 0)");
        connection.exec("INSERT INTO users(id, account_id, email, role, password_hash, created) "
                        "VALUES (7, 1, 'Dev@x', 'owner', 'hash', 0)");
        connection.exec("INSERT INTO sessions(token_hash, user_id, csrf_token, expires) VALUES ('t', 7, 'c', 99999999999)");
        // The old schema refused the email in any other account: the oracle.
        CHECK_THROWS(connection.exec("INSERT INTO users(account_id, email, role, password_hash, created) "
                                     "VALUES (2, 'dev@x', 'member', 'h', 0)"));
    }
    Storage& storage = db.storage();  // what SQLite makes of the old file
    auto session = storage.session("t", kNow);
    REQUIRE(session);
    CHECK(session->user.id == 7);
    CHECK(storage.add_user(2, "dev@X", "member", "hash", kNow));
    CHECK(storage.add_user(1, "dev@x", "member", "hash", kNow).failure().status == 409);
    CHECK(storage.users_by_email("DEV@x").size() == 2);
}

TEST_CASE("storage: hourly rollups stand for their reports, late ones still count once", "[dashboard][storage][rollups]") {
    TempDatabase db;
    Storage& storage = db.storage();
    const int64_t a = storage.create_account("a", kNow).value();
    const ProcessKey process = storage.record_process(a, envelope("demo", "h1", 1), kNow);
    const int64_t hour = kNow / 3600 * 3600 - 7200;  // two hours back: complete
    storage.store_reports(process, {cpu_report(hour + 10, 10, 0), cpu_report(hour + 1000, 20, 0),
                                    cpu_report(hour + 3590, 30, 0), cpu_report(hour + 4000, 40, 0)});
    const AppScope scope{a, process.app_id};
    auto burn = [&](const QueryFilter& filter) {
        auto profile = merge_profile(storage, scope, "cpu", filter, 1000);
        return std::make_pair(profile->reports, profile->tree.value(CallTree::kRoot) * profile->reports);
    };
    const QueryFilter whole{hour - 3600, kNow, "", "", "", std::nullopt, ""};
    const QueryFilter partial{hour + 500, kNow, "", "", "", std::nullopt, ""};  // cuts into the rolled-up hour
    const auto before_whole = burn(whole), before_partial = burn(partial);
    CHECK(before_whole == std::make_pair<size_t, double>(4, 100));
    CHECK(before_partial == std::make_pair<size_t, double>(3, 90));

    CHECK(storage.build_rollups(kNow, 100, 1000) == 2);  // the two complete hours
    CHECK(storage.build_rollups(kNow, 100, 1000) == 0);  // nothing left to do
    CHECK(burn(whole) == before_whole);
    CHECK(burn(partial) == before_partial);
    QueryFilter by_host = whole;
    by_host.host = "h1";  // host filters read raw reports: the same answer
    CHECK(burn(by_host) == before_whole);
    QueryFilter by_version = whole;
    by_version.version = "9.9";
    CHECK(burn(by_version).first == 0);

    storage.store_reports(process, {cpu_report(hour + 2000, 5, 0)});  // arrives late
    CHECK(burn(whole) == std::make_pair<size_t, double>(5, 105));
    CHECK(storage.build_rollups(kNow, 100, 1000) == 1);  // rebuilt with it
    CHECK(burn(whole) == std::make_pair<size_t, double>(5, 105));

    storage.delete_before(hour + 3600, kNow);  // retention drops the first hour and its rollup
    CHECK(burn(whole) == std::make_pair<size_t, double>(1, 40));
}

TEST_CASE("storage: profile rows carry their sample counts, summed by rollups, unknown when one is", "[dashboard][storage][rollups]") {
    TempDatabase db;
    Storage& storage = db.storage();
    const int64_t a = storage.create_account("a", kNow).value();
    const ProcessKey process = storage.record_process(a, envelope("demo", "h1", 1), kNow);
    const int64_t hour = kNow / 3600 * 3600 - 7200;  // two complete hours back
    auto counted = [](int64_t timestamp, std::optional<int64_t> samples) {
        ReportToStore report = cpu_report(timestamp, 10, 0);
        report.samples = samples;
        return report;
    };
    // Hour 1: both counted; hour 2: one without a count.
    storage.store_reports(process, {counted(hour + 10, 40), counted(hour + 20, 60), counted(hour + 3610, 7),
                                    counted(hour + 3620, std::nullopt)});
    const AppScope scope{a, process.app_id};
    const QueryFilter whole{hour - 3600, kNow, "", "", "", std::nullopt, ""};
    auto rows = [&] {
        std::vector<std::pair<int64_t, std::optional<int64_t>>> found;
        storage.for_each_profile(scope, "cpu-profile", "CPU usage", whole,
                                 [&](const ProfileRow& row) { found.push_back({row.reports, row.samples}); });
        std::sort(found.begin(), found.end());
        return found;
    };
    using Rows = std::vector<std::pair<int64_t, std::optional<int64_t>>>;
    CHECK(rows() == Rows{{1, std::nullopt}, {1, 7}, {1, 40}, {1, 60}});
    REQUIRE(storage.build_rollups(kNow, 100, 1000) == 2);
    CHECK(rows() == Rows{{2, std::nullopt}, {2, 100}});
}

TEST_CASE("storage: retention removes whole days of recent reports (PostgreSQL: drops their partitions, analyzes the rest)", "[dashboard][storage][retention]") {
    TempDatabase db;
    Storage& storage = db.storage();
    const int64_t now = std::time(nullptr);
    const int64_t today = now / 86400 * 86400;
    const int64_t a = storage.create_account("a", now).value();
    const ProcessKey process = storage.record_process(a, envelope("demo", "h1", 1), now);
    // Two days back (a partition of its own on PostgreSQL), yesterday, today.
    storage.store_reports(process, {cpu_report(today - 2 * 86400 + 60, 5, 5), cpu_report(today - 2 * 86400 + 120, 5, 5),
                                    cpu_report(today - 86400 + 60, 5, 5), cpu_report(now - 1, 5, 5)});
    std::optional<postgres::Connection> connection;
    auto has_partition = [&](int64_t day_start) {
        const auto days = postgres::partition_days(*connection);
        return std::find(days.begin(), days.end(), day_start / 86400) != days.end();
    };
    if (db.postgres) {
        connection.emplace(db.postgres->url());
        CHECK(has_partition(today - 2 * 86400));
        CHECK(has_partition(today - 86400));
        CHECK(has_partition(today));
    }
    const QueryFilter all{0, now, "", "", "", std::nullopt, ""};
    CHECK(merge_profile(storage, AppScope{a, process.app_id}, "cpu", all, 1000)->reports == 4);
    CHECK(storage.delete_before(today - 86400 + 30, now) == 2);  // the first day whole, none of yesterday's
    CHECK(merge_profile(storage, AppScope{a, process.app_id}, "cpu", all, 1000)->reports == 2);
    if (db.postgres) {
        CHECK_FALSE(has_partition(today - 2 * 86400));
        CHECK(has_partition(today - 86400));
        // The planner's statistics of the partitioned table as a whole, which autovacuum
        // never gathers: retention refreshes them.
        CHECK(connection->query("SELECT count(*) FROM pg_stats WHERE tablename = 'reports' AND inherited")
                  .integer(0, 0) > 0);
    }
    CHECK(storage.delete_before(today - 86400 + 61, now) == 1);  // a cut inside a day deletes rows
    CHECK(merge_profile(storage, AppScope{a, process.app_id}, "cpu", all, 1000)->reports == 1);
}
