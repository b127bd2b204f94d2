// The one interface between the server and where it keeps things. SQLite implements it
// (sqlite/sqlite_storage.h), and PostgreSQL for a database several instances can share
// (postgres/postgres_storage.h); open_storage.h picks one. Every read for the UI takes the caller's account (AppScope or account id)
// and must return nothing of another account's, whatever ids it is given.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dashboard/server/model/agent_request.h"
#include "dashboard/server/model/error_events.h"
#include "dashboard/server/result.h"
#include "dashboard/server/model/span_reports.h"

namespace siagent::dashboard {

struct User {
    int64_t id = 0;
    int64_t account_id = 0;
    std::string email;
    std::string role;  // owner, member or viewer
    std::string password_hash;
};

struct Session {
    User user;
    std::string account_name;
    std::string csrf_token;
};

struct AgentKey {
    int64_t id = 0;
    std::string name;
    std::string prefix;
    int64_t created = 0;
    std::optional<int64_t> last_used;
};

// The key an agent request carries, as the dashboard knows it.
struct AgentKeyOwner {
    int64_t account_id = 0;
    int64_t key_id = 0;
    std::string name;
};

struct AppScope {
    int64_t account_id = 0;
    int64_t app_id = 0;
};

struct AppSettings {
    std::optional<int64_t> max_active_processes;
    std::optional<double> max_active_percent;
};

struct ProcessRow {
    int64_t id = 0;
    std::string host;
    int64_t pid = 0;
    std::string run_id;
    std::string version;
    std::string environment;
    int64_t first_seen = 0;
    int64_t last_seen = 0;
    bool active = true;
    std::string runtime_type;     // "native" (siagent), "python", "go", "node.js"
    std::string runtime_version;
    std::string agent_version;
    std::optional<int64_t> ended;  // when its agent said the process was ending
};

struct AppRow {
    int64_t id = 0;
    std::string name;
    std::optional<int64_t> last_seen;
    int64_t processes_total = 0;   // seen in the last 24 h
    int64_t processes_live = 0;    // reporting: not ended, heard from within the live time
    int64_t processes_active = 0;  // live and profiling (not waiting their turn)
    std::vector<std::string> environments, versions, hosts;
    std::vector<std::string> runtimes;  // the processes' runtime types, all time
    std::optional<double> cpu_usage, rss_bytes, errors_per_min;  // over the last 10 min
    int64_t anomalies_open = 0;  // unacknowledged, in the last 24 h
};

// Empty strings and a missing pid mean "any".
struct QueryFilter {
    int64_t from = 0;
    int64_t to = 0;
    std::string version, environment, host;
    std::optional<int64_t> pid;
    std::string span;  // for_each_profile: the trees restricted to this span (empty: whole trees)
};

struct SeriesKey {
    std::string type, category, name, unit;
};

// One raw report, or an hourly rollup standing for `reports` raw reports (their trees
// summed; its timestamp is the middle of its hour).
struct ProfileRow {
    int64_t timestamp = 0;
    int64_t reports = 1;
    int64_t process_id = 0;  // the reporting process; 0 for an hourly rollup of several
    std::optional<int64_t> samples;  // of every report the row stands for; nullopt: unknown
    std::string_view blob;  // CallTree::encode() form; valid during the callback only

    bool hourly_rollup() const { return process_id == 0; }
};

// One metric series of one process (host and pid; runs of a reused pid are one).
struct MetricSeries {
    SeriesKey key;
    std::string host;
    int64_t pid = 0;
    std::vector<std::pair<int64_t, double>> points;  // sorted by time
};

struct ErrorRow {
    bool crash = false;
    int64_t time = 0;
    std::string type, message, site, frames, host, version;  // frames: one a line, innermost first
    int64_t pid = 0;
    double count = 0;
};

// One metric of an upload, prepared for storage (encoding happens outside the writer).
struct ReportToStore {
    SeriesKey series;
    int64_t timestamp = 0;
    double value = 0;
    std::optional<double> duration;
    std::optional<std::string> blob;
    std::vector<ErrorEvent> errors;
    bool crash = false;
    std::optional<SpanStats> span_stats;
    std::optional<int64_t> samples;  // the profile's sample count, when the agent sent it
};

// Ranges at least this long read span statistics from hourly rollups (points per hour).
inline constexpr int64_t kSpanRollupRange = 12 * 3600;

// The reports of one span metric (category span, value the p95 in ms) in one bucket of
// time, summed as count-weighted means need them (weight: the report's count, 1 without).
struct SpanBucket {
    std::string name;
    int64_t time = 0;  // the bucket's start
    int64_t reports = 0;
    std::optional<double> count, total_ms, max_ms;  // sums (max: the largest); empty if none sent one
    double p50_sum = 0, p50_weight = 0;  // Σ weight × p50 over the reports with a p50, Σ weight
    double p95_sum = 0, p95_weight = 0;
    double p99_sum = 0, p99_weight = 0;
};

// A flagged point of a metric series (kind "metric"), a leak, a hot-spot regression or an
// error anomaly (docs/anomaly-detection.md); id, acknowledged, muted and rule_* are the
// stored row's (ignored when adding).
struct AnomalyRow {
    int64_t id = 0;
    int64_t time = 0;
    std::string kind, category, name, host, environment;
    double value = 0;
    std::string unit;  // the series' unit, as the agent sent it
    double score = 0;
    std::string message;
    bool acknowledged = false;
    std::string detail;  // a JSON object of kind-specific fields, or empty
    bool muted = false;                  // a rule in force when it was recorded covered it
    int64_t rule_id = 0;                 // the rule in force now that covers it; 0: none
    std::optional<int64_t> rule_until;   // that rule's end; nullopt: off until turned on
};

// What the error rules need to know of an app's past: when it was created and its distinct
// error signatures (crash, type, site; frames for crashes), each with its first time.
struct ErrorHistory {
    int64_t app_created = 0;
    std::vector<ErrorRow> signatures;
};

// Mutes or turns off anomalies of one kind on one series of an app; what "covers" means is
// SI_RULE_COVERS (sqlite/rows.h), docs/anomaly-detection.md "Muting".
// Empty host or environment: every host or environment. `until` nullopt: off until deleted.
struct AnomalyRule {
    int64_t id = 0;
    std::string kind, category, name, host, environment;
    std::optional<int64_t> until;
    int64_t created = 0;
};

// A notification endpoint of an account. The URL is kept sealed (AES-256-GCM, notify/
// secret_box.h); only its masked form is ever shown.
struct Webhook {
    int64_t id = 0;
    std::string name;
    std::string format;      // "json" or "slack"
    std::string sealed_url;  // bytes
    std::string masked_url;
    int64_t created = 0;
};

struct ProcessKey {
    int64_t app_id = 0;
    int64_t process_id = 0;
};

// The last outcome of a webhook's deliveries and their counts, kept in the database so that
// every instance shows the same (notify/notifier.h).
struct WebhookDeliveries {
    int64_t time = 0;       // of the last attempt or drop
    std::string outcome;    // "delivered", "failed; retry 1 of 5 in 5 s", "failed after 6 attempts": never
                            // what the remote answered (no status oracle); the server log has it
    uint64_t delivered = 0, failed = 0, dropped = 0;
};

// A notification on its way to one webhook (notify/notifier.h), kept in the database until
// it is delivered or given up: a restart, or another instance when this one dies, sends what
// was pending. `body` is the payload as it is posted.
struct OutboxDelivery {
    int64_t id = 0;
    int64_t account_id = 0;
    int64_t webhook_id = 0;
    std::string body;
    int attempts = 0;  // made so far
};

// An upload waiting to be judged by the anomaly rules (anomaly/upload_judge.h): what the
// rules read of it, encoded by anomaly/queued_upload.h.
struct QueuedUpload {
    int64_t id = 0;
    std::string payload;
};

// One metric series' detector, saved by the instance that judges (anomaly/metric_watch.h):
// `state` is opaque to storage.
struct DetectorState {
    int64_t app_id = 0;
    std::string environment, host, category, name;
    std::string state;
};

class Storage {
public:
    virtual ~Storage() = default;

    // Accounts, users, sessions, agent keys.
    virtual bool has_accounts() = 0;
    virtual Result<int64_t> create_account(const std::string& name, int64_t now) = 0;
    virtual std::optional<int64_t> account_id(const std::string& name) = 0;
    // The account's anomaly threshold for metric series (anomaly/account_threshold.h);
    // nullopt: none set, the default applies. set_ returns false when there is no such account.
    virtual std::optional<double> anomaly_threshold(int64_t account_id) = 0;
    virtual bool set_anomaly_threshold(int64_t account_id, std::optional<double> threshold) = 0;
    virtual Result<int64_t> add_user(int64_t account_id, const std::string& email, const std::string& role,
                                     const std::string& password_hash, int64_t now) = 0;
    // An email is unique within an account; one email is in at most kMaxAccountsPerEmail
    // accounts (add_user: 409 past that). Every user with `email`, oldest first.
    static constexpr size_t kMaxAccountsPerEmail = 4;
    virtual std::vector<User> users_by_email(const std::string& email) = 0;
    virtual std::vector<User> users(int64_t account_id) = 0;
    virtual bool delete_user(int64_t account_id, int64_t user_id) = 0;
    virtual bool set_role(int64_t account_id, int64_t user_id, const std::string& role) = 0;
    // A user's new password hash; every session of theirs but `kept_session_hash` ends.
    virtual void set_password(int64_t user_id, const std::string& password_hash, const std::string& kept_session_hash) = 0;
    virtual void add_session(const std::string& token_hash, int64_t user_id, const std::string& csrf_token,
                             int64_t expires) = 0;
    virtual std::optional<Session> session(const std::string& token_hash, int64_t now) = 0;
    virtual void delete_session(const std::string& token_hash) = 0;
    // Failed logins, counted across every instance on the database (api/login_limiter.h).
    // `key` names an address or an (address, email) pair (a hash). Adding one also forgets
    // every failure at or before `forget_up_to`, which the limiter no longer asks about.
    virtual void add_login_failure(const std::string& key, int64_t at, int64_t forget_up_to) = 0;
    virtual int64_t login_failures_after(const std::string& key, int64_t after) = 0;
    // Incidents (notify/incident_gate.h), shared by every instance on the database: true
    // when an anomaly of `rule` at `now` opens one (the rule had none within `cooldown`
    // before); either way `now` extends the rule's incident. Atomic: of two instances
    // recording the same rule at once, exactly one opens. Rules quiet for the cooldown are
    // forgotten.
    virtual bool open_incident(const std::string& rule, int64_t now, int64_t cooldown) = 0;
    virtual int64_t add_agent_key(int64_t account_id, const std::string& name, const std::string& key_hash,
                                  const std::string& prefix, int64_t now) = 0;
    // The key of `key_hash` (its last use recorded, to the minute); nullopt for an unknown key.
    virtual std::optional<AgentKeyOwner> agent_key_owner(const std::string& key_hash, int64_t now) = 0;
    virtual std::vector<AgentKey> agent_keys(int64_t account_id) = 0;
    virtual bool delete_agent_key(int64_t account_id, int64_t key_id) = 0;

    // Ingest. record_process finds or creates the app (by name) and the process (by host,
    // pid and run id) and marks it seen at `now`.
    virtual ProcessKey record_process(int64_t account_id, const Envelope& envelope, int64_t now) = 0;
    // Stores an upload's reports and, when `to_judge` is not empty, queues it for judging
    // (queued_uploads below), in one transaction.
    virtual void store_reports(const ProcessKey& process, const std::vector<ReportToStore>& reports,
                               const std::string& to_judge) = 0;
    void store_reports(const ProcessKey& process, const std::vector<ReportToStore>& reports) {
        store_reports(process, reports, std::string());
    }

    // Judging (anomaly/upload_judge.h). False when only this process uses the store (SQLite):
    // uploads are then judged as they come, not queued.
    virtual bool shared() const = 0;
    // One instance on the database at a time holds the
    // judging lease; it keeps it until it ends or its connection to the database does.
    // True when this instance holds it, taking it when it is free (SQLite: always).
    virtual bool hold_judging_lease() = 0;
    // Queued uploads, oldest first, at most `max_rows`, and removing judged ones: only the
    // holder of the lease calls these (PostgreSQL: they fail without it).
    virtual std::vector<QueuedUpload> queued_uploads(size_t max_rows) = 0;
    virtual void forget_queued_uploads(const std::vector<int64_t>& ids) = 0;
    // What waits in the database, for every instance (read by /metrics): uploads stored but
    // not judged yet, and webhook deliveries in the outbox (being attempted or waiting for a
    // retry). Two counts of small tables.
    struct Backlog {
        uint64_t uploads_to_judge = 0;
        uint64_t webhook_deliveries = 0;
    };
    virtual Backlog backlog() = 0;
    // The saved detectors of one app, environment and host; saving replaces a series' state.
    virtual std::vector<DetectorState> detector_states(int64_t app_id, const std::string& environment,
                                                       const std::string& host) = 0;
    virtual void save_detector_states(const std::vector<DetectorState>& states, int64_t now) = 0;

    // Errors stored for the app with timestamps before `before`, at most `max_rows` signatures.
    virtual ErrorHistory error_history(int64_t app_id, int64_t before, size_t max_rows) = 0;
    // Stores flagged points; returns them as stored (ids set, `muted` set where a rule in
    // force at the wall-clock time of the call covers them). A metric anomaly is one point of
    // one series: one already stored for the same series and time is not stored again nor
    // returned (an upload judged twice, when a judge died before dequeuing it, is notified
    // once). Rules' anomalies (leak, regression, error) are all stored.
    virtual std::vector<AnomalyRow> add_anomalies(int64_t app_id, const std::vector<AnomalyRow>& anomalies) = 0;

    // Activation (agent side: the app id comes from record_process).
    virtual AppSettings app_settings(int64_t app_id) = 0;
    virtual bool set_app_settings(const AppScope& scope, const AppSettings& settings) = 0;
    virtual std::vector<ProcessRow> live_processes(int64_t app_id, int64_t seen_since) = 0;
    virtual void set_active(int64_t app_id, const std::vector<int64_t>& active_process_ids) = 0;

    // Queries for the UI, scoped to an account.
    // `live_seconds`: how recently a process that did not say it ended must have reported.
    virtual std::vector<AppRow> apps(int64_t account_id, int64_t now, int64_t live_seconds) = 0;
    virtual std::optional<AppSettings> settings(const AppScope& scope) = 0;  // nullopt: no such app
    virtual std::vector<ProcessRow> processes(const AppScope& scope, const QueryFilter& filter) = 0;
    virtual std::vector<SeriesKey> profile_kinds(const AppScope& scope, const QueryFilter& filter) = 0;
    // Calls `row` for every report with a breakdown of (category, name) in the filter; hours
    // wholly inside the range come as rollups where built, so each report counts once.
    virtual void for_each_profile(const AppScope& scope, const std::string& category, const std::string& name,
                                  const QueryFilter& filter, const std::function<void(const ProfileRow&)>& row) = 0;
    // Metric reports in the filter, one MetricSeries per series and process, by series then
    // host and pid.
    virtual std::vector<MetricSeries> metrics(const AppScope& scope, const QueryFilter& filter) = 0;
    virtual std::vector<ErrorRow> errors(const AppScope& scope, const QueryFilter& filter, size_t max_rows) = 0;
    // Span metric reports in the filter summed per name and bucket of `width` seconds from
    // filter.from, by name then time; at most `max_rows` buckets.
    virtual std::vector<SpanBucket> span_buckets(const AppScope& scope, const QueryFilter& filter, int64_t width,
                                                 size_t max_rows) = 0;
    // Anomalies with from <= time <= to, newest first, at most `max_rows`.
    virtual std::vector<AnomalyRow> anomalies(const AppScope& scope, int64_t from, int64_t to, size_t max_rows) = 0;
    // False when the app or the anomaly is not the account's.
    virtual bool acknowledge_anomaly(const AppScope& scope, int64_t anomaly_id) = 0;

    // Mute and off rules. set_anomaly_rule replaces the rule of the same identity (kind,
    // category, name, host, environment); fails past `max_rules` rules in force per app.
    virtual Result<int64_t> set_anomaly_rule(const AppScope& scope, const AnomalyRule& rule, size_t max_rules,
                                             int64_t now) = 0;
    virtual std::vector<AnomalyRule> anomaly_rules(const AppScope& scope, int64_t now) = 0;  // in force
    virtual bool delete_anomaly_rule(const AppScope& scope, int64_t rule_id) = 0;

    // Webhooks of an account; add fails past `max_webhooks`.
    virtual Result<int64_t> add_webhook(int64_t account_id, const Webhook& webhook, size_t max_webhooks) = 0;
    virtual std::vector<Webhook> webhooks(int64_t account_id) = 0;
    virtual bool delete_webhook(int64_t account_id, int64_t webhook_id) = 0;
    // A delivery outcome of a webhook, counted (nothing when the webhook was deleted), and
    // what was counted so far: nullopt before the first.
    virtual void note_webhook_delivery(int64_t webhook_id, const WebhookDeliveries& outcome) = 0;
    virtual std::optional<WebhookDeliveries> webhook_deliveries(int64_t webhook_id) = 0;
    // The webhook outbox (notify/notifier.h), shared by every instance on the database; times
    // in milliseconds since the epoch. queue_delivery adds a delivery that the caller holds
    // until `claimed_until_ms` (it attempts it at once); nullopt when `max_rows` are queued.
    virtual std::optional<int64_t> queue_delivery(int64_t account_id, int64_t webhook_id, const std::string& body,
                                                  int64_t claimed_until_ms, size_t max_rows) = 0;
    // Claims, until `claimed_until_ms`, up to `limit` deliveries due at `now_ms` that no one
    // holds (a claim lapses at its end: its instance died during the attempt), oldest due
    // first. Of instances claiming at once, each delivery goes to one.
    virtual std::vector<OutboxDelivery> claim_deliveries(int64_t now_ms, int64_t claimed_until_ms, size_t limit) = 0;
    // After a failed attempt: `attempts` made so far, due again at `due_ms`, held by no one.
    virtual void retry_delivery(int64_t id, int attempts, int64_t due_ms) = 0;
    // Delivered, or given up: out of the outbox.
    virtual void finish_delivery(int64_t id) = 0;

    // Builds hourly rollups (the summed trees of one series, version and environment over one
    // hour) of the raw reports stamped before `reports_before` that no rollup covers yet: the
    // hour in progress too, its rollup extended with each call by the reports that came since
    // (RollupTree::start_from). At most `max_groups` per call; a rollup past `max_nodes`
    // nodes is not kept (its hour stays raw; in the hour in progress it is not tried again
    // before the hour is over). Returns how many rollups it wrote. Queries are correct
    // without rollups; rollups make long ranges cheap.
    virtual size_t build_rollups(int64_t reports_before, size_t max_groups, size_t max_nodes) = 0;
    // The same for span metric reports (the sums of span_buckets per hour); span_buckets
    // reads them for ranges of at least kSpanRollupRange without host or pid filter.
    virtual size_t build_span_rollups(int64_t complete_before, size_t max_groups) = 0;

    // Retention: removes reports, errors, anomalies and detector states saved before `cutoff`, then processes
    // last seen before it, expired sessions and expired mute rules; returns the number of reports removed.
    // PostgreSQL also makes the next days' partitions and refreshes the planner's statistics of
    // `reports` (which autovacuum does not gather for a partitioned table).
    virtual int64_t delete_before(int64_t cutoff, int64_t now) = 0;
};

}  // namespace siagent::dashboard
