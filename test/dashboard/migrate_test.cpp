// siagent-dashboard migrate (migrate/copy_store.h): a SQLite store copied into PostgreSQL
// reads the same. Runs in "dashboard units (postgresql)"; without a cluster it has nothing
// to copy into.
#include "dashboard/server/migrate/copy_store.h"

#include <catch2/catch.hpp>

#include "dashboard/server/model/profile_query.h"
#include "test/dashboard/storage_fixtures.h"

using namespace siagent::dashboard;
using namespace siagent::testing;

TEST_CASE("migrate: a SQLite store copied into PostgreSQL has the same rows and answers", "[dashboard][storage][migrate]") {
    TempDatabase db;
    if (!db.postgres) return;
    sqlite::SqliteStorage source(db.path());
    const int64_t a = source.create_account("a", kNow).value();
    const int64_t user = source.add_user(a, "Dev@x", "owner", "hash", kNow).value();
    source.add_session("token", user, "csrf", kNow + 3600);
    source.add_agent_key(a, "key", "keyhash", "si_abc", kNow);
    const ProcessKey one = source.record_process(a, envelope("demo", "h1", 1), kNow);
    const ProcessKey two = source.record_process(a, envelope("demo", "h2", 2, "2.0"), kNow);
    const int64_t hour = kNow / 3600 * 3600 - 7200;
    ReportToStore errors;
    errors.series = SeriesKey{"profile", "error-profile", "Exceptions", ""};
    errors.timestamp = hour + 5;
    errors.errors = {ErrorEvent{"E", "E: boom", "f (a.cpp:1)", {"f (a.cpp:1)", "main"}, 2}};
    source.store_reports(one, {cpu_report(hour + 10, 10, 1), cpu_report(hour + 20, 20, 2), errors});
    source.store_reports(two, {cpu_report(hour + 3700, 30, 3)});
    REQUIRE(source.build_rollups(kNow, 100, 1000) == 2);
    source.store_reports(one, {cpu_report(hour + 30, 0.1, 0.2)});  // after the rollup: raw on top
    AnomalyRow anomaly;
    anomaly.time = hour;
    anomaly.kind = "metric";
    anomaly.name = "CPU usage";
    anomaly.value = 0.25;
    source.add_anomalies(one.app_id, {anomaly});
    source.set_anomaly_rule(AppScope{a, one.app_id}, AnomalyRule{0, "metric", "", "CPU usage", "", "", std::nullopt, 0}, 10,
                            kNow);
    source.add_webhook(a, Webhook{0, "hook", "json", std::string("\0sealed\xff", 8), "https://x/…", kNow}, 5);
    const int64_t hook = source.webhooks(a).at(0).id;
    source.note_webhook_delivery(hook, WebhookDeliveries{kNow, "delivered", 1, 0, 0});
    source.note_webhook_delivery(hook, WebhookDeliveries{kNow + 1, "failed after 6 attempt(s)", 0, 1, 0});
    source.add_login_failure("address-hash", kNow, kNow - 60);
    source.add_login_failure("address-hash", kNow + 1, kNow - 59);
    REQUIRE(source.open_incident("rule-hash", kNow, 3600));
    source.store_reports(two, {cpu_report(hour + 3800, 1, 1)}, "queued, not judged yet");
    source.save_detector_states({DetectorState{one.app_id, "prod", "h1", "memory", "RSS", std::string("\0state", 6)}}, kNow);
    REQUIRE(source.queue_delivery(a, hook, R"({"event":"anomaly"})", kNow * 1000, 10));  // a pending retry

    auto copied = migrate::copy_store(db.path(), db.postgres->url());
    REQUIRE(copied);
    INFO(migrate::copy_report(copied.value()));
    CHECK(copied.value().size() == 19);
    for (const auto& table : copied.value()) {
        CHECK(table.same());
        CHECK(table.source_sha256.size() == 64);
    }
    auto rows_of = [&](const std::string& name) {
        for (const auto& table : copied.value()) {
            if (table.table == name) return table.target_rows;
        }
        return int64_t{-1};
    };
    CHECK(rows_of("reports") == 6);
    CHECK(rows_of("rollups") == 2);
    CHECK(rows_of("errors") == 1);
    CHECK(rows_of("webhooks") == 1);
    CHECK(rows_of("login_failures") == 2);
    CHECK(rows_of("incident_rules") == 1);
    CHECK(rows_of("judging_queue") == 1);
    CHECK(rows_of("detector_states") == 1);
    CHECK(rows_of("webhook_outbox") == 1);
    CHECK(migrate::copy_report(copied.value()).find("every table copied identically") != std::string::npos);

    Storage& target = db.storage();
    const AppScope scope{a, one.app_id};
    const QueryFilter whole{hour - 3600, kNow, "", "", "", std::nullopt, ""};
    auto before = merge_profile(source, scope, "cpu", whole, 1000);
    auto after = merge_profile(target, scope, "cpu", whole, 1000);
    CHECK(after->reports == before->reports);
    CHECK(after->tree.value(CallTree::kRoot) == Approx(before->tree.value(CallTree::kRoot)));
    CHECK(target.session("token", kNow)->user.email == "Dev@x");
    CHECK(target.agent_key_owner("keyhash", kNow)->account_id == a);
    CHECK(target.webhooks(a).at(0).sealed_url == std::string("\0sealed\xff", 8));
    // What several instances share goes along: delivery counts, failed logins, open incidents.
    const auto deliveries = target.webhook_deliveries(hook);
    REQUIRE(deliveries);
    CHECK(deliveries->delivered == 1);
    CHECK(deliveries->failed == 1);
    CHECK(deliveries->outcome == "failed after 6 attempt(s)");
    CHECK(target.login_failures_after("address-hash", kNow - 1) == 2);
    CHECK_FALSE(target.open_incident("rule-hash", kNow + 10, 3600));  // still open after the copy
    CHECK(target.anomalies(scope, 0, kNow, 10).at(0).rule_id != 0);
    CHECK(target.create_account("b", kNow).value() > a);  // ids go on after the copied ones
    // The judging goes on: what was queued, and the detectors without a new warm-up.
    REQUIRE(target.hold_judging_lease());
    const auto queued = target.queued_uploads(10);
    REQUIRE(queued.size() == 1);
    CHECK(queued[0].payload == "queued, not judged yet");
    const auto states = target.detector_states(one.app_id, "prod", "h1");
    REQUIRE(states.size() == 1);
    CHECK(states[0].state == std::string("\0state", 6));

    auto again = migrate::copy_store(db.path(), db.postgres->url());
    REQUIRE_FALSE(again);  // into a store that is not empty: refused, nothing written
    CHECK(again.failure().reason.find("holds accounts") != std::string::npos);
    CHECK(target.users(a).size() == 1);
}
