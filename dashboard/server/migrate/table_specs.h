// The tables a migration copies, in an order that satisfies their foreign keys, with their
// columns (the same names in both schemas) and how each is read: i integer, r real, t text,
// b blob. `key` orders rows the same way on both sides (text keys in byte order).
#pragma once

#include <array>

namespace siagent::dashboard::migrate {

struct TableSpec {
    const char* name;
    const char* columns;  // comma-separated
    const char* kinds;    // one letter a column
    const char* key;      // ORDER BY on SQLite (text in byte order)
    const char* pg_key;   // the same order on PostgreSQL
    bool identity;        // an id column whose sequence follows the copied ids
};

inline constexpr std::array kTables = {
    TableSpec{"accounts", "id, name, created, anomaly_threshold", "itir", "id", "id", true},
    TableSpec{"users", "id, account_id, email, role, password_hash, created", "iittti", "id", "id", true},
    TableSpec{"sessions", "token_hash, user_id, csrf_token, expires", "titi", "token_hash", "token_hash COLLATE \"C\"", false},
    TableSpec{"agent_keys", "id, account_id, name, key_hash, prefix, created, last_used", "iitttii", "id", "id", true},
    TableSpec{"apps", "id, account_id, name, created, max_active_processes, max_active_percent", "iitiir", "id", "id",
              true},
    TableSpec{"processes",
              "id, app_id, host, pid, run_id, version, environment, runtime_type, runtime_version, agent_version, run_ts,"
              " extra, first_seen, last_seen, active, ended",
              "iitittttttitiiii", "id", "id", true},
    TableSpec{"series", "id, app_id, type, category, name, unit", "iitttt", "id", "id", true},
    TableSpec{"reports",
              "id, series_id, process_id, timestamp, value, duration, breakdown, span_count, span_total_ms, span_p50_ms,"
              " span_p99_ms, span_max_ms, samples",
              "iiiirrbrrrrri", "id", "id", false},
    TableSpec{"errors", "id, app_id, process_id, crash, timestamp, type, message, site, frames, count", "iiiiittttr", "id",
              "id", true},
    TableSpec{"rollups", "series_id, hour, version, environment, reports, max_report_id, tree, samples", "iittiibi",
              "series_id, hour, version, environment",
              "series_id, hour, version COLLATE \"C\", environment COLLATE \"C\"", false},
    TableSpec{"span_rollups",
              "series_id, hour, version, environment, reports, max_report_id, count, total_ms, max_ms, p50_sum,"
              " p50_weight, p95_sum, p95_weight, p99_sum, p99_weight",
              "iittiirrrrrrrrr", "series_id, hour, version, environment",
              "series_id, hour, version COLLATE \"C\", environment COLLATE \"C\"", false},
    TableSpec{"anomalies",
              "id, app_id, time, kind, category, name, host, environment, value, unit, score, message, acknowledged,"
              " detail, muted",
              "iiitttttrtrtiti", "id", "id", true},
    TableSpec{"anomaly_rules", "id, app_id, kind, category, name, host, environment, until, created", "iitttttii", "id",
              "id", true},
    TableSpec{"webhooks",
              "id, account_id, name, format, sealed_url, masked_url, created, delivery_time, delivery_outcome, delivered,"
              " delivery_failures, deliveries_dropped",
              "iittbtiitiii", "id", "id", true},
    TableSpec{"login_failures", "key, at", "ti", "key, at", "key COLLATE \"C\", at", false},
    TableSpec{"incident_rules", "rule, last_seen, opened_by", "tit", "rule", "rule COLLATE \"C\"", false},
    TableSpec{"judging_queue", "id, payload", "ib", "id", "id", true},
    TableSpec{"webhook_outbox", "id, account_id, webhook_id, body, attempts, due_ms, claimed_until_ms", "iiitiii", "id",
              "id", true},
    TableSpec{"detector_states", "app_id, environment, host, category, name, state, saved", "ittttbi",
              "app_id, environment, host, category, name",
              "app_id, environment COLLATE \"C\", host COLLATE \"C\", category COLLATE \"C\", name COLLATE \"C\"", false},
};

}  // namespace siagent::dashboard::migrate
