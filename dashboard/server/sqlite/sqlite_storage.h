// Storage on one SQLite file in WAL mode. Writes go through the single writer connection,
// one thread at a time (writer_mutex_); reads take one of a few reader connections, which
// WAL lets run beside the writer. A connection is never used by two threads at once.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dashboard/server/sqlite/connection.h"
#include "dashboard/server/model/storage.h"

namespace siagent::dashboard::sqlite {

class SqliteStorage final : public Storage {
public:
    // Opens or creates `path` and migrates its schema; throws SqliteError on failure.
    SqliteStorage(const std::string& path, size_t readers = 3);

    bool has_accounts() override;
    Result<int64_t> create_account(const std::string& name, int64_t now) override;
    std::optional<int64_t> account_id(const std::string& name) override;
    std::optional<double> anomaly_threshold(int64_t account_id) override;
    bool set_anomaly_threshold(int64_t account_id, std::optional<double> threshold) override;
    Result<int64_t> add_user(int64_t account_id, const std::string& email, const std::string& role,
                             const std::string& password_hash, int64_t now) override;
    std::vector<User> users_by_email(const std::string& email) override;
    void set_password(int64_t user_id, const std::string& password_hash, const std::string& kept_session_hash) override;
    std::vector<User> users(int64_t account_id) override;
    bool delete_user(int64_t account_id, int64_t user_id) override;
    bool set_role(int64_t account_id, int64_t user_id, const std::string& role) override;
    void add_session(const std::string& token_hash, int64_t user_id, const std::string& csrf_token,
                     int64_t expires) override;
    std::optional<Session> session(const std::string& token_hash, int64_t now) override;
    void delete_session(const std::string& token_hash) override;
    void add_login_failure(const std::string& key, int64_t at, int64_t forget_up_to) override;
    int64_t login_failures_after(const std::string& key, int64_t after) override;
    bool open_incident(const std::string& rule, int64_t now, int64_t cooldown) override;
    void note_webhook_delivery(int64_t webhook_id, const WebhookDeliveries& outcome) override;
    std::optional<WebhookDeliveries> webhook_deliveries(int64_t webhook_id) override;
    std::optional<int64_t> queue_delivery(int64_t account_id, int64_t webhook_id, const std::string& body,
                                          int64_t claimed_until_ms, size_t max_rows) override;
    std::vector<OutboxDelivery> claim_deliveries(int64_t now_ms, int64_t claimed_until_ms, size_t limit) override;
    void retry_delivery(int64_t id, int attempts, int64_t due_ms) override;
    void finish_delivery(int64_t id) override;
    int64_t add_agent_key(int64_t account_id, const std::string& name, const std::string& key_hash,
                          const std::string& prefix, int64_t now) override;
    std::optional<AgentKeyOwner> agent_key_owner(const std::string& key_hash, int64_t now) override;
    std::vector<AgentKey> agent_keys(int64_t account_id) override;
    bool delete_agent_key(int64_t account_id, int64_t key_id) override;

    ProcessKey record_process(int64_t account_id, const Envelope& envelope, int64_t now) override;
    using Storage::store_reports;
    void store_reports(const ProcessKey& process, const std::vector<ReportToStore>& reports,
                       const std::string& to_judge) override;
    bool shared() const override { return false; }
    bool hold_judging_lease() override;
    std::vector<QueuedUpload> queued_uploads(size_t max_rows) override;
    void forget_queued_uploads(const std::vector<int64_t>& ids) override;
    Backlog backlog() override;
    std::vector<DetectorState> detector_states(int64_t app_id, const std::string& environment,
                                               const std::string& host) override;
    void save_detector_states(const std::vector<DetectorState>& states, int64_t now) override;
    ErrorHistory error_history(int64_t app_id, int64_t before, size_t max_rows) override;
    std::vector<AnomalyRow> add_anomalies(int64_t app_id, const std::vector<AnomalyRow>& anomalies) override;

    AppSettings app_settings(int64_t app_id) override;
    bool set_app_settings(const AppScope& scope, const AppSettings& settings) override;
    std::vector<ProcessRow> live_processes(int64_t app_id, int64_t seen_since) override;
    void set_active(int64_t app_id, const std::vector<int64_t>& active_process_ids) override;

    std::vector<AppRow> apps(int64_t account_id, int64_t now, int64_t live_seconds) override;
    std::optional<AppSettings> settings(const AppScope& scope) override;
    std::vector<ProcessRow> processes(const AppScope& scope, const QueryFilter& filter) override;
    std::vector<SeriesKey> profile_kinds(const AppScope& scope, const QueryFilter& filter) override;
    void for_each_profile(const AppScope& scope, const std::string& category, const std::string& name,
                          const QueryFilter& filter, const std::function<void(const ProfileRow&)>& row) override;
    std::vector<MetricSeries> metrics(const AppScope& scope, const QueryFilter& filter) override;
    std::vector<ErrorRow> errors(const AppScope& scope, const QueryFilter& filter, size_t max_rows) override;
    std::vector<SpanBucket> span_buckets(const AppScope& scope, const QueryFilter& filter, int64_t width,
                                         size_t max_rows) override;
    std::vector<AnomalyRow> anomalies(const AppScope& scope, int64_t from, int64_t to, size_t max_rows) override;
    bool acknowledge_anomaly(const AppScope& scope, int64_t anomaly_id) override;
    Result<int64_t> set_anomaly_rule(const AppScope& scope, const AnomalyRule& rule, size_t max_rules,
                                     int64_t now) override;
    std::vector<AnomalyRule> anomaly_rules(const AppScope& scope, int64_t now) override;
    bool delete_anomaly_rule(const AppScope& scope, int64_t rule_id) override;
    Result<int64_t> add_webhook(int64_t account_id, const Webhook& webhook, size_t max_webhooks) override;
    std::vector<Webhook> webhooks(int64_t account_id) override;
    bool delete_webhook(int64_t account_id, int64_t webhook_id) override;

    size_t build_rollups(int64_t reports_before, size_t max_groups, size_t max_nodes) override;
    size_t build_span_rollups(int64_t complete_before, size_t max_groups) override;
    int64_t delete_before(int64_t cutoff, int64_t now) override;

private:
    // A reader connection on loan; returned to the pool when this dies.
    class Reader {
    public:
        Reader(SqliteStorage& owner, std::unique_ptr<Connection> connection)
            : owner_(owner), connection_(std::move(connection)) {}
        ~Reader();
        Connection* operator->() { return connection_.get(); }
        Connection& operator*() { return *connection_; }

    private:
        SqliteStorage& owner_;
        std::unique_ptr<Connection> connection_;
    };
    Reader reader();
    // The writer, locked for the caller's scope.
    struct Writer {
        std::unique_lock<std::mutex> lock;
        Connection& connection;
        Connection* operator->() { return &connection; }
        Connection& operator*() { return connection; }
    };
    Writer writer() { return Writer{std::unique_lock<std::mutex>(writer_mutex_), *writer_}; }

    int64_t series_id(Connection& connection, int64_t app_id, const SeriesKey& key);

    std::string path_;
    std::mutex writer_mutex_;
    std::unique_ptr<Connection> writer_;
    std::mutex readers_mutex_;
    std::condition_variable reader_returned_;
    std::vector<std::unique_ptr<Connection>> idle_readers_;
};

}  // namespace siagent::dashboard::sqlite
