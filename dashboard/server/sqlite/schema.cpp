#include "dashboard/server/sqlite/schema.h"

#include <algorithm>
#include <array>
#include <string>

namespace siagent::dashboard::sqlite {
namespace {

// Reports and errors refer to processes without a foreign key: they are the high-volume
// tables, and retention deletes them by time before it deletes processes.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE accounts(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created INTEGER NOT NULL);
CREATE TABLE users(id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'member', 'viewer')),
  password_hash TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE sessions(token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL, expires INTEGER NOT NULL);
CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE TABLE agent_keys(id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL,
  created INTEGER NOT NULL, last_used INTEGER);
CREATE TABLE apps(id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL, created INTEGER NOT NULL,
  max_active_processes INTEGER, max_active_percent REAL,
  UNIQUE (account_id, name));
CREATE TABLE processes(id INTEGER PRIMARY KEY,
  app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  host TEXT NOT NULL, pid INTEGER NOT NULL, run_id TEXT NOT NULL,
  version TEXT NOT NULL, environment TEXT NOT NULL,
  runtime_type TEXT NOT NULL, runtime_version TEXT NOT NULL, agent_version TEXT NOT NULL,
  run_ts INTEGER NOT NULL, extra TEXT NOT NULL,
  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, active INTEGER NOT NULL DEFAULT 1,
  UNIQUE (app_id, host, pid, run_id));
CREATE TABLE series(id INTEGER PRIMARY KEY,
  app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  type TEXT NOT NULL, category TEXT NOT NULL, name TEXT NOT NULL, unit TEXT NOT NULL,
  UNIQUE (app_id, category, name, type, unit));
CREATE TABLE reports(id INTEGER PRIMARY KEY,
  series_id INTEGER NOT NULL, process_id INTEGER NOT NULL,
  timestamp INTEGER NOT NULL, value REAL NOT NULL, duration REAL, breakdown BLOB);
CREATE INDEX reports_by_series ON reports(series_id, timestamp);
CREATE INDEX reports_by_time ON reports(timestamp);
CREATE TABLE errors(id INTEGER PRIMARY KEY,
  app_id INTEGER NOT NULL, process_id INTEGER NOT NULL, crash INTEGER NOT NULL,
  timestamp INTEGER NOT NULL, type TEXT NOT NULL, message TEXT NOT NULL, site TEXT NOT NULL,
  frames TEXT NOT NULL, count REAL NOT NULL);
CREATE INDEX errors_by_app ON errors(app_id, timestamp);
CREATE INDEX errors_by_time ON errors(timestamp);
)sql";

// Hourly rollups: the trees of one series over hour `hour` (Unix hours) from every process
// of one version and environment, summed over `reports` raw reports, all those with ids up
// to max_report_id. A raw report of that hour with a larger id (it arrived later) is merged
// on top at query time. Host and pid filters do not use rollups.
constexpr const char* kVersion2 = R"sql(
CREATE TABLE rollups(series_id INTEGER NOT NULL, hour INTEGER NOT NULL,
  version TEXT NOT NULL, environment TEXT NOT NULL,
  reports INTEGER NOT NULL, max_report_id INTEGER NOT NULL, tree BLOB NOT NULL,
  PRIMARY KEY (series_id, hour, version, environment));
CREATE INDEX rollups_by_hour ON rollups(hour);
)sql";

// Flagged points of metric series (docs/anomaly-detection.md); kind says what flagged them.
constexpr const char* kVersion3 = R"sql(
CREATE TABLE anomalies(id INTEGER PRIMARY KEY,
  app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  time INTEGER NOT NULL, kind TEXT NOT NULL, category TEXT NOT NULL, name TEXT NOT NULL,
  host TEXT NOT NULL, environment TEXT NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL, score REAL NOT NULL,
  message TEXT NOT NULL, acknowledged INTEGER NOT NULL DEFAULT 0);
CREATE INDEX anomalies_by_app ON anomalies(app_id, time);
CREATE INDEX anomalies_by_time ON anomalies(time);
)sql";

// Kind-specific fields of leak, regression and error anomalies, as a JSON object.
constexpr const char* kAnomalyDetail = R"sql(
ALTER TABLE anomalies ADD COLUMN detail TEXT NOT NULL DEFAULT '';
)sql";

// Mute and off rules of anomalies (until NULL: off), whether a rule covered an anomaly when
// it was recorded, and the webhooks of an account (URL sealed, docs/anomaly-detection.md).
constexpr const char* kVersionNotify = R"sql(
CREATE TABLE anomaly_rules(id INTEGER PRIMARY KEY,
  app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  kind TEXT NOT NULL, category TEXT NOT NULL, name TEXT NOT NULL,
  host TEXT NOT NULL, environment TEXT NOT NULL, until INTEGER, created INTEGER NOT NULL,
  UNIQUE (app_id, kind, category, name, host, environment));
ALTER TABLE anomalies ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;
CREATE TABLE webhooks(id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL, format TEXT NOT NULL CHECK (format IN ('json', 'slack')),
  sealed_url BLOB NOT NULL, masked_url TEXT NOT NULL, created INTEGER NOT NULL);
)sql";

// What a span metric's measurement.stats adds to its value (the p95), docs/dashboard-api.md;
// and hourly rollups of span metric reports (like `rollups`: one series, hour, version and
// environment, every report with an id up to max_report_id), as the sums that count-weighted
// means need (storage.h SpanBucket).
constexpr const char* kSpanStats = R"sql(
ALTER TABLE reports ADD COLUMN span_count REAL;
ALTER TABLE reports ADD COLUMN span_total_ms REAL;
ALTER TABLE reports ADD COLUMN span_p50_ms REAL;
ALTER TABLE reports ADD COLUMN span_p99_ms REAL;
ALTER TABLE reports ADD COLUMN span_max_ms REAL;
CREATE TABLE span_rollups(series_id INTEGER NOT NULL, hour INTEGER NOT NULL,
  version TEXT NOT NULL, environment TEXT NOT NULL, reports INTEGER NOT NULL, max_report_id INTEGER NOT NULL,
  count REAL, total_ms REAL, max_ms REAL, p50_sum REAL NOT NULL, p50_weight REAL NOT NULL,
  p95_sum REAL NOT NULL, p95_weight REAL NOT NULL, p99_sum REAL NOT NULL, p99_weight REAL NOT NULL,
  PRIMARY KEY (series_id, hour, version, environment));
)sql";

// The sample count of a profile report (its breakdown root's num_samples) and of a rollup
// (the sum over its reports; NULL when one of them had none), for the regression rule's test.
constexpr const char* kSampleCounts = R"sql(
ALTER TABLE reports ADD COLUMN samples INTEGER;
ALTER TABLE rollups ADD COLUMN samples INTEGER;
)sql";

// Webhook ids are never used twice (AUTOINCREMENT): what is kept by id outside the table
// (delivery status) can never be shown for another account's newer webhook.
constexpr const char* kWebhookIdsOnce = R"sql(
CREATE TABLE webhooks_once(id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL, format TEXT NOT NULL CHECK (format IN ('json', 'slack')),
  sealed_url BLOB NOT NULL, masked_url TEXT NOT NULL, created INTEGER NOT NULL);
INSERT INTO webhooks_once SELECT id, account_id, name, format, sealed_url, masked_url, created FROM webhooks;
DROP TABLE webhooks;
ALTER TABLE webhooks_once RENAME TO webhooks;
)sql";

// An email is unique within an account, not across accounts: adding a user tells an owner
// nothing about other accounts (no existence oracle). The table is rebuilt (SQLite cannot
// drop a constraint); dropping the old one cascades to sessions, which are kept aside and
// put back (the user ids do not change).
constexpr const char* kEmailsPerAccount = R"sql(
CREATE TABLE users_per_account(id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  email TEXT NOT NULL COLLATE NOCASE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'member', 'viewer')),
  password_hash TEXT NOT NULL, created INTEGER NOT NULL,
  UNIQUE (account_id, email));
INSERT INTO users_per_account SELECT id, account_id, email, role, password_hash, created FROM users;
CREATE TEMP TABLE sessions_kept AS SELECT * FROM sessions;
DROP TABLE users;
ALTER TABLE users_per_account RENAME TO users;
INSERT INTO sessions SELECT * FROM sessions_kept;
DROP TABLE sessions_kept;
CREATE INDEX users_by_email ON users(email);
)sql";

// When a process said it was ending (its agent's last uploads): gone at once, not when
// its reports stop.
constexpr const char* kProcessEnd = R"sql(
ALTER TABLE processes ADD COLUMN ended INTEGER;
)sql";

// An account's anomaly threshold for metric series; NULL: the default (anomaly/account_threshold.h).
constexpr const char* kAccountThreshold = R"sql(
ALTER TABLE accounts ADD COLUMN anomaly_threshold REAL;
)sql";

// Failed logins, shared by every instance on the database (api/login_limiter.h): `key`
// is a hash naming an address or an (address, email) pair. Rows older than the limiter's
// window are deleted as new ones come.
constexpr const char* kLoginFailures = R"sql(
CREATE TABLE login_failures(key TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX login_failures_by_key ON login_failures(key, at);
CREATE INDEX login_failures_by_time ON login_failures(at);
)sql";

// Open incidents (notify/incident_gate.h), shared by every instance: a rule's last anomaly
// and a token naming the anomaly that opened its incident. Rules quiet for the cooldown are
// deleted as new anomalies come.
constexpr const char* kIncidentRules = R"sql(
CREATE TABLE incident_rules(rule TEXT PRIMARY KEY, last_seen INTEGER NOT NULL, opened_by TEXT NOT NULL);
CREATE INDEX incident_rules_by_time ON incident_rules(last_seen);
)sql";

// Each webhook's deliveries (model/storage.h's WebhookDeliveries), shared by every instance:
// delivery_time NULL until the first.
constexpr const char* kWebhookDeliveries = R"sql(
ALTER TABLE webhooks ADD COLUMN delivery_time INTEGER;
ALTER TABLE webhooks ADD COLUMN delivery_outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN delivered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhooks ADD COLUMN delivery_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhooks ADD COLUMN deliveries_dropped INTEGER NOT NULL DEFAULT 0;
)sql";

// Judging (anomaly/upload_judge.h): uploads queued for the instance that judges them, and
// the metric detectors it saves, one row per series of an app, environment and host.
constexpr const char* kJudging = R"sql(
CREATE TABLE judging_queue(id INTEGER PRIMARY KEY, payload BLOB NOT NULL);
CREATE TABLE detector_states(app_id INTEGER NOT NULL, environment TEXT NOT NULL, host TEXT NOT NULL,
  category TEXT NOT NULL, name TEXT NOT NULL, state BLOB NOT NULL, saved INTEGER NOT NULL,
  PRIMARY KEY (app_id, environment, host, category, name));
CREATE INDEX detector_states_by_time ON detector_states(saved);
)sql";

// The webhook outbox (notify/notifier.h): deliveries not yet delivered or given up, each
// held by the instance attempting it until claimed_until_ms (0: by no one).
constexpr const char* kWebhookOutbox = R"sql(
CREATE TABLE webhook_outbox(id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, webhook_id INTEGER NOT NULL,
  body TEXT NOT NULL, attempts INTEGER NOT NULL, due_ms INTEGER NOT NULL, claimed_until_ms INTEGER NOT NULL);
CREATE INDEX webhook_outbox_by_due ON webhook_outbox(due_ms);
)sql";

// Profile reports by series and time, with their process: a merged profile checks every raw
// report in its range against the rollups (docs/dashboard.md, "Merged profiles") from this
// index alone, and reads a report's row (its tree, kilobytes) only when no rollup covers it.
// Through reports_by_series, each check read the row itself: 72,000 rows for a day of 100
// processes.
constexpr const char* kProfileReportIndex = R"sql(
CREATE INDEX reports_with_trees ON reports(series_id, timestamp, process_id) WHERE breakdown IS NOT NULL;
)sql";

constexpr std::array kMigrations = {kVersion1,      kVersion2,  kVersion3,     kAnomalyDetail,   kVersionNotify,
                                    kSpanStats, kSampleCounts, kWebhookIdsOnce, kEmailsPerAccount, kProcessEnd,
                                    kAccountThreshold, kLoginFailures, kIncidentRules, kWebhookDeliveries, kJudging,
                                    kWebhookOutbox, kProfileReportIndex};

int user_version(Connection& connection) {
    auto statement = connection.prepare("PRAGMA user_version");
    return statement.step() ? static_cast<int>(statement.integer(0)) : 0;
}

}  // namespace

int migrate(Connection& connection, int up_to) {
    int version = user_version(connection);
    const int last = up_to < 0 ? static_cast<int>(kMigrations.size()) : std::min<int>(up_to, kMigrations.size());
    if (version > static_cast<int>(kMigrations.size())) {
        throw SqliteError("the database has schema version " + std::to_string(version) +
                              ", newer than this program's " + std::to_string(kMigrations.size()),
                          SQLITE_ERROR);
    }
    for (; version < last; ++version) {
        Transaction transaction(connection);
        connection.exec(kMigrations[version]);
        connection.exec(("PRAGMA user_version = " + std::to_string(version + 1)).c_str());
        transaction.commit();
    }
    return version;
}

}  // namespace siagent::dashboard::sqlite
