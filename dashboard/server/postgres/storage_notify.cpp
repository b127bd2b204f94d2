// Mute and off rules of anomalies, the webhooks of an account, and open incidents. Every statement is
// scoped: rules through their app's account, webhooks by account id. Bounds per app or
// account hold across instances: the counting transaction locks the app or account row.
#include "dashboard/server/postgres/postgres_storage.h"
#include "dashboard/server/postgres/rows.h"
#include "dashboard/server/secrets.h"

namespace siagent::dashboard::postgres {

Result<int64_t> PostgresStorage::set_anomaly_rule(const AppScope& scope, const AnomalyRule& rule, size_t max_rules,
                                                  int64_t now) {
    auto db = connection();
    Transaction transaction(*db);
    if (db->query("SELECT 1 FROM apps WHERE id = $1 AND account_id = $2 FOR UPDATE", scope.app_id, scope.account_id)
            .empty()) {
        return Failure{404, "no such application"};
    }
    db->query("DELETE FROM anomaly_rules WHERE app_id = $1 AND until IS NOT NULL AND until <= $2", scope.app_id, now);
    const int64_t rules = db->query("SELECT COUNT(*) FROM anomaly_rules WHERE app_id = $1", scope.app_id).integer(0, 0);
    auto same = db->query(
        "SELECT id FROM anomaly_rules WHERE app_id = $1 AND kind = $2 AND category = $3 AND name = $4 AND host = $5"
        " AND environment = $6",
        scope.app_id, rule.kind, rule.category, rule.name, rule.host, rule.environment);
    if (same.empty() && static_cast<size_t>(rules) >= max_rules) {
        return Failure{409, "too many mute rules for this application (at most " + std::to_string(max_rules) + ")"};
    }
    auto id = db->query(
        "INSERT INTO anomaly_rules(app_id, kind, category, name, host, environment, until, created)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (app_id, kind, category, name, host, environment)"
        " DO UPDATE SET until = excluded.until, created = excluded.created RETURNING id",
        scope.app_id, rule.kind, rule.category, rule.name, rule.host, rule.environment, rule.until, now);
    transaction.commit();
    return id.integer(0, 0);
}

std::vector<AnomalyRule> PostgresStorage::anomaly_rules(const AppScope& scope, int64_t now) {
    auto db = connection();
    auto r = db->query(
        "SELECT r.id, r.kind, r.category, r.name, r.host, r.environment, r.until, r.created"
        " FROM anomaly_rules r JOIN apps a ON a.id = r.app_id WHERE a.id = $1 AND a.account_id = $2"
        " AND (r.until IS NULL OR r.until > $3) ORDER BY r.created DESC, r.id DESC",
        scope.app_id, scope.account_id, now);
    std::vector<AnomalyRule> rules;
    for (int i = 0; i < r.size(); ++i) {
        rules.push_back(AnomalyRule{r.integer(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4),
                                    r.text(i, 5), r.optional_integer(i, 6), r.integer(i, 7)});
    }
    return rules;
}

bool PostgresStorage::delete_anomaly_rule(const AppScope& scope, int64_t rule_id) {
    auto db = connection();
    return db
               ->query("DELETE FROM anomaly_rules WHERE id = $1 AND app_id IN (SELECT id FROM apps WHERE id = $2 AND"
                       " account_id = $3)",
                       rule_id, scope.app_id, scope.account_id)
               .changes() > 0;
}

Result<int64_t> PostgresStorage::add_webhook(int64_t account_id, const Webhook& webhook, size_t max_webhooks) {
    auto db = connection();
    Transaction transaction(*db);
    db->query("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE", account_id);
    const int64_t count = db->query("SELECT COUNT(*) FROM webhooks WHERE account_id = $1", account_id).integer(0, 0);
    if (static_cast<size_t>(count) >= max_webhooks) {
        return Failure{409, "too many webhooks (at most " + std::to_string(max_webhooks) + " per account)"};
    }
    auto id = db->query(
        "INSERT INTO webhooks(account_id, name, format, sealed_url, masked_url, created) VALUES ($1, $2, $3, $4, $5, $6)"
        " RETURNING id",
        account_id, webhook.name, webhook.format, Blob{webhook.sealed_url}, webhook.masked_url, webhook.created);
    transaction.commit();
    return id.integer(0, 0);
}

std::vector<Webhook> PostgresStorage::webhooks(int64_t account_id) {
    auto db = connection();
    auto w = db->query(
        "SELECT id, name, format, sealed_url, masked_url, created FROM webhooks WHERE account_id = $1 ORDER BY id",
        account_id);
    std::vector<Webhook> hooks;
    for (int i = 0; i < w.size(); ++i) {
        hooks.push_back(Webhook{w.integer(i, 0), w.text(i, 1), w.text(i, 2), w.bytes(i, 3), w.text(i, 4), w.integer(i, 5)});
    }
    return hooks;
}

bool PostgresStorage::delete_webhook(int64_t account_id, int64_t webhook_id) {
    auto db = connection();
    return db->query("DELETE FROM webhooks WHERE id = $1 AND account_id = $2", webhook_id, account_id).changes() > 0;
}

// The upsert's row lock orders two instances recording the same rule, and only the one
// whose token the row keeps opened the incident. Quiet rules are deleted by a statement of
// their own: in one with the upsert, two instances could each hold the row the other waits
// for (PostgreSQL would abort one of them as a deadlock).
bool PostgresStorage::open_incident(const std::string& rule, int64_t now, int64_t cooldown) {
    auto db = connection();
    db->query("DELETE FROM incident_rules WHERE last_seen <= $1 AND rule <> $2", now - cooldown, rule);
    const std::string token = random_hex(8);
    return db
               ->query("INSERT INTO incident_rules(rule, last_seen, opened_by) VALUES ($1, $2, $3) "
                       "ON CONFLICT (rule) DO UPDATE SET "
                       "opened_by = CASE WHEN incident_rules.last_seen <= EXCLUDED.last_seen - $4 "
                       "THEN EXCLUDED.opened_by ELSE incident_rules.opened_by END, "
                       "last_seen = GREATEST(incident_rules.last_seen, EXCLUDED.last_seen) "
                       "RETURNING (opened_by = $3)::int",
                       rule, now, token, cooldown)
               .integer(0, 0) == 1;
}

void PostgresStorage::note_webhook_delivery(int64_t webhook_id, const WebhookDeliveries& outcome) {
    auto db = connection();
    db->query("UPDATE webhooks SET delivery_time = $1, delivery_outcome = $2, delivered = delivered + $3, "
              "delivery_failures = delivery_failures + $4, deliveries_dropped = deliveries_dropped + $5 WHERE id = $6",
              outcome.time, outcome.outcome, static_cast<int64_t>(outcome.delivered),
              static_cast<int64_t>(outcome.failed), static_cast<int64_t>(outcome.dropped), webhook_id);
}

std::optional<WebhookDeliveries> PostgresStorage::webhook_deliveries(int64_t webhook_id) {
    auto db = connection();
    auto rows = db->query(
        "SELECT delivery_time, delivery_outcome, delivered, delivery_failures, deliveries_dropped FROM webhooks "
        "WHERE id = $1 AND delivery_time IS NOT NULL",
        webhook_id);
    if (rows.empty()) return std::nullopt;
    return WebhookDeliveries{rows.integer(0, 0), rows.text(0, 1), static_cast<uint64_t>(rows.integer(0, 2)),
                             static_cast<uint64_t>(rows.integer(0, 3)), static_cast<uint64_t>(rows.integer(0, 4))};
}

}  // namespace siagent::dashboard::postgres
