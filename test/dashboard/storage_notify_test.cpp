// Mute rules and webhooks in the storage (sqlite/ and postgres/storage_notify.cpp), and how rules mark anomalies.
#include <catch2/catch.hpp>

#include <ctime>
#include <filesystem>

#include "test/dashboard/storage_fixtures.h"
#include "test/integration/process_runner.h"

using namespace siagent::dashboard;
using siagent::testing::TemporaryDirectory;

namespace {

struct TwoAccounts {
    TemporaryDirectory directory;
    siagent::testing::TempDatabase db;
    Storage& storage = db.storage();
    int64_t now = std::time(nullptr);
    int64_t account_a = storage.create_account("a", now).value();
    int64_t account_b = storage.create_account("b", now).value();
    AppScope a{account_a, app(account_a, "checkout")};
    AppScope b{account_b, app(account_b, "billing")};

    int64_t app(int64_t account, const std::string& name) {
        Envelope e;
        e.app_name = name;
        e.host_name = "h1";
        e.run_id = "run-" + name;
        e.extra = "{}";
        return storage.record_process(account, e, now).app_id;
    }
};

AnomalyRow anomaly(const std::string& name, const std::string& host, int64_t time) {
    AnomalyRow row;
    row.time = time;
    row.kind = "metric";
    row.category = "memory";
    row.name = name;
    row.host = host;
    row.environment = "prod";
    row.score = 0.95;
    return row;
}

AnomalyRule rule(const std::string& name, const std::string& host, std::optional<int64_t> until) {
    return AnomalyRule{0, "metric", "memory", name, host, "", until, 0};
}

}  // namespace

TEST_CASE("storage: a rule in force marks new anomalies muted and keeps them off the badge",
          "[dashboard][storage][notify]") {
    TwoAccounts db;
    const int64_t t = db.now - 60;
    // Current RSS off on every host; Heap in use muted on h2 only, for an hour.
    const int64_t off = db.storage.set_anomaly_rule(db.a, rule("Current RSS", "", std::nullopt), 10, db.now).value();
    db.storage.set_anomaly_rule(db.a, rule("Heap in use", "h2", db.now + 3600), 10, db.now).value();
    auto stored = db.storage.add_anomalies(
        db.a.app_id, {anomaly("Current RSS", "h1", t), anomaly("Heap in use", "h1", t), anomaly("Heap in use", "h2", t)});
    REQUIRE(stored.size() == 3);
    CHECK(stored[0].muted);
    CHECK_FALSE(stored[1].muted);
    CHECK(stored[2].muted);
    CHECK(stored[0].id > 0);

    auto apps = db.storage.apps(db.account_a, db.now, 150);
    REQUIRE(apps.size() == 1);
    CHECK(apps[0].anomalies_open == 1);

    auto listed = db.storage.anomalies(db.a, t - 1, t + 1, 100);
    REQUIRE(listed.size() == 3);
    for (const AnomalyRow& row : listed) {
        INFO(row.name << " " << row.host);
        CHECK(row.muted == (row.name == "Current RSS" || row.host == "h2"));
        CHECK((row.rule_id != 0) == row.muted);
        if (row.name == "Current RSS") {
            CHECK(row.rule_id == off);
            CHECK_FALSE(row.rule_until);
        }
        if (row.host == "h2") CHECK(row.rule_until == db.now + 3600);
    }

    // Turning the rule back on: new anomalies are not muted, old ones stay marked as recorded.
    CHECK(db.storage.delete_anomaly_rule(db.a, off));
    CHECK_FALSE(db.storage.add_anomalies(db.a.app_id, {anomaly("Current RSS", "h1", t + 1)})[0].muted);
    CHECK(db.storage.apps(db.account_a, db.now, 150)[0].anomalies_open == 2);
}

TEST_CASE("storage: a rule for one environment mutes that environment's anomalies only",
          "[dashboard][storage][notify]") {
    TwoAccounts db;
    const int64_t t = db.now - 60;
    AnomalyRule staging = rule("Current RSS", "", std::nullopt);
    staging.environment = "staging";
    db.storage.set_anomaly_rule(db.a, staging, 10, db.now).value();
    AnomalyRow in_staging = anomaly("Current RSS", "h1", t);
    in_staging.environment = "staging";
    auto stored = db.storage.add_anomalies(db.a.app_id, {anomaly("Current RSS", "h1", t), in_staging});
    REQUIRE(stored.size() == 2);
    CHECK_FALSE(stored[0].muted);  // prod
    CHECK(stored[1].muted);
    CHECK(db.storage.apps(db.account_a, db.now, 150)[0].anomalies_open == 1);
}

TEST_CASE("storage: muting an open anomaly's rule takes it off the badge; an expired mute mutes nothing",
          "[dashboard][storage][notify]") {
    TwoAccounts db;
    db.storage.add_anomalies(db.a.app_id, {anomaly("Current RSS", "h1", db.now - 60)});
    CHECK(db.storage.apps(db.account_a, db.now, 150)[0].anomalies_open == 1);
    const int64_t id = db.storage.set_anomaly_rule(db.a, rule("Current RSS", "h1", db.now + 60), 10, db.now).value();
    CHECK(db.storage.apps(db.account_a, db.now, 150)[0].anomalies_open == 0);
    // Same identity: replaced, not added.
    CHECK(db.storage.set_anomaly_rule(db.a, rule("Current RSS", "h1", db.now + 120), 10, db.now).value() == id);
    REQUIRE(db.storage.anomaly_rules(db.a, db.now).size() == 1);
    CHECK(db.storage.anomaly_rules(db.a, db.now)[0].until == db.now + 120);

    // A mute that ended (stored directly in the past) is not in force.
    db.storage.set_anomaly_rule(db.a, rule("Heap in use", "", db.now - 1), 10, db.now - 100);
    CHECK(db.storage.anomaly_rules(db.a, db.now).size() == 1);
    CHECK_FALSE(db.storage.add_anomalies(db.a.app_id, {anomaly("Heap in use", "h1", db.now)})[0].muted);
}

TEST_CASE("storage: a metric point's anomaly is stored once however often it is judged; rules' are all kept",
          "[dashboard][storage][notify]") {
    // A judge that dies after recording an upload's anomalies and before dequeuing the upload
    // leaves it to the next judge, which records them again.
    TwoAccounts db;
    const int64_t t = db.now - 60;
    REQUIRE(db.storage.add_anomalies(db.a.app_id, {anomaly("Current RSS", "h1", t)}).size() == 1);
    AnomalyRow again = anomaly("Current RSS", "h1", t);
    again.score = 0.97;  // the next judge's detector restarted from a saved state
    auto stored = db.storage.add_anomalies(db.a.app_id, {again, anomaly("Current RSS", "h2", t), anomaly("Current RSS", "h1", t + 1)});
    REQUIRE(stored.size() == 2);  // only the other host's and the next point's are new
    CHECK(stored[0].host == "h2");
    CHECK(stored[1].time == t + 1);
    CHECK(db.storage.add_anomalies(db.b.app_id, {anomaly("Current RSS", "h1", t)}).size() == 1);  // another app
    CHECK(db.storage.anomalies(db.a, t - 1, t + 2, 100).size() == 3);

    // Two new sites of one exception type in one report: one anomaly each.
    AnomalyRow site = anomaly("TypeError", "h1", t);
    site.kind = "error";
    site.category = "error-profile";
    site.message = "TypeError thrown from a new site at a.js:1";
    AnomalyRow other_site = site;
    other_site.message = "TypeError thrown from a new site at b.js:2";
    CHECK(db.storage.add_anomalies(db.a.app_id, {site, other_site}).size() == 2);
    CHECK(db.storage.anomalies(db.a, t - 1, t + 2, 100).size() == 5);
}

TEST_CASE("storage: rules and webhooks are bounded and private to their account", "[dashboard][storage][notify]") {
    TwoAccounts db;
    CHECK(db.storage.set_anomaly_rule(db.a, rule("r1", "", std::nullopt), 2, db.now));
    CHECK(db.storage.set_anomaly_rule(db.a, rule("r2", "", std::nullopt), 2, db.now));
    auto third = db.storage.set_anomaly_rule(db.a, rule("r3", "", std::nullopt), 2, db.now);
    REQUIRE_FALSE(third);
    CHECK(third.failure().status == 409);
    // Another account's app: not found, not listed, not deletable.
    const AppScope foreign{db.account_b, db.a.app_id};
    CHECK(db.storage.set_anomaly_rule(foreign, rule("x", "", std::nullopt), 10, db.now).failure().status == 404);
    CHECK(db.storage.anomaly_rules(foreign, db.now).empty());
    const int64_t r1 = db.storage.anomaly_rules(db.a, db.now).back().id;
    CHECK_FALSE(db.storage.delete_anomaly_rule(foreign, r1));
    CHECK_FALSE(db.storage.delete_anomaly_rule(db.b, r1));
    CHECK(db.storage.delete_anomaly_rule(db.a, r1));

    Webhook hook{0, "ops", "json", std::string("\x01\x02sealed", 8), "https://h/…abcd", db.now};
    const int64_t w1 = db.storage.add_webhook(db.account_a, hook, 2).value();
    db.storage.add_webhook(db.account_a, hook, 2).value();
    CHECK(db.storage.add_webhook(db.account_a, hook, 2).failure().status == 409);
    auto listed = db.storage.webhooks(db.account_a);
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].sealed_url == hook.sealed_url);
    CHECK(listed[0].masked_url == "https://h/…abcd");
    CHECK(db.storage.webhooks(db.account_b).empty());
    CHECK_FALSE(db.storage.delete_webhook(db.account_b, w1));
    CHECK(db.storage.delete_webhook(db.account_a, w1));
    CHECK(db.storage.webhooks(db.account_a).size() == 1);
    // Ids are never used again, even after the newest is deleted (delivery status is kept
    // by id: account B's new webhook once showed A's deleted one's "delivered").
    const int64_t newest = db.storage.add_webhook(db.account_a, hook, 2).value();
    CHECK(db.storage.delete_webhook(db.account_a, newest));
    const int64_t next = db.storage.add_webhook(db.account_b, hook, 2).value();
    CHECK(next > newest);
}

TEST_CASE("storage: a webhook's deliveries are counted in the database, seen by every instance",
          "[dashboard][storage][notify]") {
    TwoAccounts db;
    Webhook hook{0, "ops", "json", std::string("\x01\x02sealed", 8), "https://h/…abcd", db.now};
    const int64_t id = db.storage.add_webhook(db.account_a, hook, 5).value();
    CHECK_FALSE(db.storage.webhook_deliveries(id));  // none yet
    db.storage.note_webhook_delivery(id, WebhookDeliveries{100, "delivered", 1, 0, 0});
    auto other_instance = db.db.open();
    other_instance->note_webhook_delivery(id, WebhookDeliveries{105, "failed after 6 attempt(s)", 0, 1, 0});
    for (Storage* storage : {&db.storage, other_instance.get()}) {
        auto seen = storage->webhook_deliveries(id);
        REQUIRE(seen);
        CHECK(seen->time == 105);
        CHECK(seen->outcome == "failed after 6 attempt(s)");
        CHECK(seen->delivered == 1);
        CHECK(seen->failed == 1);
        CHECK(seen->dropped == 0);
    }
    // Deleted with its webhook; a note for a deleted webhook counts nowhere.
    CHECK(db.storage.delete_webhook(db.account_a, id));
    db.storage.note_webhook_delivery(id, WebhookDeliveries{110, "dropped: full", 0, 0, 1});
    CHECK_FALSE(other_instance->webhook_deliveries(id));
}

TEST_CASE("storage: the webhook outbox hands each delivery to one instance, holds it while claimed, keeps retries",
          "[dashboard][storage][notify]") {
    TwoAccounts db;
    Storage& one = db.storage;
    auto other_instance = db.db.open();
    Storage& two = *other_instance;
    const int64_t t = 1'700'000'000'000;
    // Queued by one instance, which holds it for its first attempt until t + 100.
    const auto id = one.queue_delivery(db.account_a, 7, R"({"event":"anomaly"})", t + 100, 3);
    REQUIRE(id);
    CHECK(two.claim_deliveries(t, t + 100, 10).empty());
    // That instance died: once its claim lapses, another takes the delivery over, and only one does.
    auto taken = two.claim_deliveries(t + 100, t + 200, 10);
    REQUIRE(taken.size() == 1);
    CHECK(taken[0].id == *id);
    CHECK(taken[0].account_id == db.account_a);
    CHECK(taken[0].webhook_id == 7);
    CHECK(taken[0].body == R"({"event":"anomaly"})");
    CHECK(taken[0].attempts == 0);
    CHECK(one.claim_deliveries(t + 150, t + 250, 10).empty());
    // A failed attempt: due again at t + 1000, held by no one until then; then anyone's.
    two.retry_delivery(*id, 1, t + 1000);
    CHECK(one.claim_deliveries(t + 999, t + 2000, 10).empty());
    auto retried = one.claim_deliveries(t + 1000, t + 2000, 10);
    REQUIRE(retried.size() == 1);
    CHECK(retried[0].attempts == 1);
    // Delivered: gone for every instance.
    one.finish_delivery(*id);
    CHECK(two.claim_deliveries(t + 5000, t + 6000, 10).empty());
    // Bounded, oldest due first, at most `limit` a claim.
    const auto first = one.queue_delivery(db.account_a, 7, "a", t, 2);
    const auto second = one.queue_delivery(db.account_b, 8, "b", t, 2);
    REQUIRE(first);
    REQUIRE(second);
    CHECK_FALSE(one.queue_delivery(db.account_a, 7, "c", t, 2));
    one.retry_delivery(*first, 1, t + 20);
    one.retry_delivery(*second, 1, t + 10);
    auto oldest = two.claim_deliveries(t + 30, t + 40, 1);
    REQUIRE(oldest.size() == 1);
    CHECK(oldest[0].body == "b");
    CHECK(two.claim_deliveries(t + 30, t + 40, 5).size() == 1);
}
