// Mute and off rules of anomalies, the webhooks of an account, and open incidents. Every statement is
// scoped: rules through their app's account, webhooks by account id.
#include "dashboard/server/sqlite/rows.h"
#include "dashboard/server/sqlite/sqlite_storage.h"

namespace siagent::dashboard::sqlite {
namespace {

bool app_of_account(Connection& db, const AppScope& scope) {
    auto row = db.prepare("SELECT 1 FROM apps WHERE id = ? AND account_id = ?");
    return row.bind(scope.app_id, scope.account_id).step();
}

}  // namespace

Result<int64_t> SqliteStorage::set_anomaly_rule(const AppScope& scope, const AnomalyRule& rule, size_t max_rules,
                                                int64_t now) {
    auto db = writer();
    Transaction transaction(*db);
    if (!app_of_account(*db, scope)) return Failure{404, "no such application"};
    db->prepare("DELETE FROM anomaly_rules WHERE app_id = ? AND until IS NOT NULL AND until <= ?")
        .bind(scope.app_id, now)
        .run();
    int64_t rules = 0;
    {
        auto count = db->prepare("SELECT COUNT(*) FROM anomaly_rules WHERE app_id = ?");
        if (count.bind(scope.app_id).step()) rules = count.integer(0);
    }
    std::optional<int64_t> existing;
    {
        auto same = db->prepare(
            "SELECT id FROM anomaly_rules WHERE app_id = ? AND kind = ? AND category = ? AND name = ? AND host = ?"
            " AND environment = ?");
        if (same.bind(scope.app_id, rule.kind, rule.category, rule.name, rule.host, rule.environment).step()) {
            existing = same.integer(0);
        }
    }
    if (!existing && static_cast<size_t>(rules) >= max_rules) {
        return Failure{409, "too many mute rules for this application (at most " + std::to_string(max_rules) + ")"};
    }
    db->prepare(
          "INSERT INTO anomaly_rules(app_id, kind, category, name, host, environment, until, created)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (app_id, kind, category, name, host, environment)"
          " DO UPDATE SET until = excluded.until, created = excluded.created")
        .bind(scope.app_id, rule.kind, rule.category, rule.name, rule.host, rule.environment, rule.until, now)
        .run();
    const int64_t rule_id = existing ? *existing : db->last_insert_id();
    transaction.commit();
    return rule_id;
}

std::vector<AnomalyRule> SqliteStorage::anomaly_rules(const AppScope& scope, int64_t now) {
    auto db = reader();
    auto row = db->prepare(
        "SELECT r.id, r.kind, r.category, r.name, r.host, r.environment, r.until, r.created"
        " FROM anomaly_rules r JOIN apps a ON a.id = r.app_id WHERE a.id = ?1 AND a.account_id = ?2"
        " AND (r.until IS NULL OR r.until > ?3) ORDER BY r.created DESC, r.id DESC");
    row.bind(scope.app_id, scope.account_id, now);
    return collect(row, [](const Statement& r) {
        return AnomalyRule{r.integer(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.optional_integer(6),
                           r.integer(7)};
    });
}

bool SqliteStorage::delete_anomaly_rule(const AppScope& scope, int64_t rule_id) {
    auto db = writer();
    db->prepare("DELETE FROM anomaly_rules WHERE id = ? AND app_id IN (SELECT id FROM apps WHERE id = ? AND account_id = ?)")
        .bind(rule_id, scope.app_id, scope.account_id)
        .run();
    return db->changes() > 0;
}

Result<int64_t> SqliteStorage::add_webhook(int64_t account_id, const Webhook& webhook, size_t max_webhooks) {
    auto db = writer();
    Transaction transaction(*db);
    auto count = db->prepare("SELECT COUNT(*) FROM webhooks WHERE account_id = ?");
    count.bind(account_id).step();
    if (static_cast<size_t>(count.integer(0)) >= max_webhooks) {
        return Failure{409, "too many webhooks (at most " + std::to_string(max_webhooks) + " per account)"};
    }
    db->prepare("INSERT INTO webhooks(account_id, name, format, sealed_url, masked_url, created) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(account_id, webhook.name, webhook.format, Blob{webhook.sealed_url}, webhook.masked_url, webhook.created)
        .run();
    const int64_t id = db->last_insert_id();
    transaction.commit();
    return id;
}

std::vector<Webhook> SqliteStorage::webhooks(int64_t account_id) {
    auto db = reader();
    auto row = db->prepare(
        "SELECT id, name, format, sealed_url, masked_url, created FROM webhooks WHERE account_id = ? ORDER BY id");
    return collect(row.bind(account_id), [](const Statement& w) {
        return Webhook{w.integer(0), w.text(1), w.text(2), std::string(w.blob(3)), w.text(4), w.integer(5)};
    });
}

bool SqliteStorage::delete_webhook(int64_t account_id, int64_t webhook_id) {
    auto db = writer();
    db->prepare("DELETE FROM webhooks WHERE id = ? AND account_id = ?").bind(webhook_id, account_id).run();
    return db->changes() > 0;
}

// The writer's mutex serializes instances' calls within this process; SQLite's write lock,
// processes on the same file.
bool SqliteStorage::open_incident(const std::string& rule, int64_t now, int64_t cooldown) {
    auto db = writer();
    Transaction transaction(*db);
    db->prepare("DELETE FROM incident_rules WHERE last_seen <= ?").bind(now - cooldown).run();
    bool opens = false;
    {
        auto existing = db->prepare("SELECT 1 FROM incident_rules WHERE rule = ?");
        opens = !existing.bind(rule).step();
    }
    db->prepare(
          "INSERT INTO incident_rules(rule, last_seen, opened_by) VALUES (?, ?, '') "
          "ON CONFLICT(rule) DO UPDATE SET last_seen = MAX(last_seen, excluded.last_seen)")
        .bind(rule, now)
        .run();
    transaction.commit();
    return opens;
}

void SqliteStorage::note_webhook_delivery(int64_t webhook_id, const WebhookDeliveries& outcome) {
    auto db = writer();
    db->prepare(
          "UPDATE webhooks SET delivery_time = ?, delivery_outcome = ?, delivered = delivered + ?, "
          "delivery_failures = delivery_failures + ?, deliveries_dropped = deliveries_dropped + ? WHERE id = ?")
        .bind(outcome.time, outcome.outcome, static_cast<int64_t>(outcome.delivered),
              static_cast<int64_t>(outcome.failed), static_cast<int64_t>(outcome.dropped), webhook_id)
        .run();
}

std::optional<WebhookDeliveries> SqliteStorage::webhook_deliveries(int64_t webhook_id) {
    auto db = reader();
    auto row = db->prepare(
        "SELECT delivery_time, delivery_outcome, delivered, delivery_failures, deliveries_dropped FROM webhooks "
        "WHERE id = ? AND delivery_time IS NOT NULL");
    if (!row.bind(webhook_id).step()) return std::nullopt;
    return WebhookDeliveries{row.integer(0), row.text(1), static_cast<uint64_t>(row.integer(2)),
                             static_cast<uint64_t>(row.integer(3)), static_cast<uint64_t>(row.integer(4))};
}

}  // namespace siagent::dashboard::sqlite
