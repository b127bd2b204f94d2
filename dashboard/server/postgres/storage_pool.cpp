// The connection pool, report partitions on the write path, and retention.
#include <chrono>

#include "dashboard/server/postgres/advisory_lock.h"
#include "dashboard/server/postgres/partitions.h"
#include "dashboard/server/postgres/postgres_storage.h"
#include "dashboard/server/postgres/schema.h"

namespace siagent::dashboard::postgres {
namespace {

int64_t wall_clock_day() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::seconds>(now).count() / 86400;
}

int64_t day_of(int64_t timestamp) { return timestamp >= 0 ? timestamp / 86400 : (timestamp - 86399) / 86400; }

}  // namespace

PostgresStorage::PostgresStorage(const std::string& url, size_t connections)
    : url_(url), max_connections_(std::max<size_t>(connections, 1)) {
    auto first = std::make_unique<Connection>(url_);
    migrate(*first);
    for (int64_t day = wall_clock_day(); day <= wall_clock_day() + 1; ++day) create_day_partition(*first, day);
    idle_.push_back(std::move(first));
    open_ = 1;
}

PostgresStorage::Lease PostgresStorage::connection() {
    std::unique_lock lock(pool_mutex_);
    returned_.wait(lock, [this] { return !idle_.empty() || open_ < max_connections_; });
    if (!idle_.empty()) {
        auto connection = std::move(idle_.back());
        idle_.pop_back();
        return Lease(*this, std::move(connection));
    }
    ++open_;
    lock.unlock();
    try {
        return Lease(*this, std::make_unique<Connection>(url_));
    } catch (...) {
        std::lock_guard relock(pool_mutex_);
        --open_;
        returned_.notify_one();
        throw;
    }
}

PostgresStorage::Lease::~Lease() {
    if (!connection_) return;  // moved from
    {
        std::lock_guard lock(owner_.pool_mutex_);
        if (connection_->healthy()) owner_.idle_.push_back(std::move(connection_));
        else --owner_.open_;  // the next caller opens a new one
    }
    owner_.returned_.notify_one();
}

void PostgresStorage::ensure_partitions(const std::vector<ReportToStore>& reports) {
    const int64_t today = wall_clock_day();
    std::vector<int64_t> missing;
    {
        std::lock_guard lock(days_mutex_);
        for (const ReportToStore& report : reports) {
            const int64_t day = day_of(report.timestamp);
            if (day < today - kPartitionDaysAround || day > today + kPartitionDaysAround) continue;
            if (!known_days_.count(day)) missing.push_back(day);
        }
    }
    if (missing.empty()) return;
    auto db = connection();
    for (int64_t day : missing) {
        create_day_partition(*db, day);  // false: the day stays in reports_default, also known
        std::lock_guard lock(days_mutex_);
        known_days_.insert(day);
    }
}

int64_t PostgresStorage::committed_report_horizon(Connection& db) {
    Transaction transaction(db);
    db.query("SELECT pg_advisory_xact_lock($1)", static_cast<int64_t>(LockKey::report_ids));
    auto rows = db.query("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM reports_id_seq");
    const int64_t horizon = rows.integer(0, 0);
    transaction.commit();
    return horizon;
}

int64_t PostgresStorage::delete_before(int64_t cutoff, int64_t now) {
    auto db = connection();
    // One instance at a time; another one running retention now does this instance's work.
    SessionLock lock(*db, LockKey::retention, SessionLock::Mode::try_once);
    if (!lock.held()) return 0;
    int64_t removed = drop_partitions_before(*db, cutoff);
    {
        std::lock_guard lock(days_mutex_);
        known_days_.erase(known_days_.begin(), known_days_.lower_bound(day_of(cutoff)));
    }
    Transaction transaction(*db);
    // What is left: the day the cutoff falls in, and reports_default.
    removed += db->query("DELETE FROM reports WHERE timestamp < $1", cutoff).changes();
    db->query("DELETE FROM errors WHERE timestamp < $1", cutoff);
    db->query("DELETE FROM anomalies WHERE time < $1", cutoff);
    db->query("DELETE FROM detector_states WHERE saved < $1", cutoff);
    db->query("DELETE FROM rollups WHERE hour * 3600 < $1", cutoff);
    db->query("DELETE FROM span_rollups WHERE hour * 3600 < $1", cutoff);
    db->query("DELETE FROM processes WHERE last_seen < $1", cutoff);
    db->query("DELETE FROM sessions WHERE expires < $1", now);
    db->query("DELETE FROM anomaly_rules WHERE until IS NOT NULL AND until < $1", now);
    transaction.commit();
    // Partitions for the next days, made ahead of the uploads that need them.
    for (int64_t day = wall_clock_day(); day <= wall_clock_day() + 1; ++day) create_day_partition(*db, day);
    // Statistics of the partitioned `reports` as a whole, which autovacuum never gathers (it
    // analyzes each partition only): without them the planner joins a range's reports with
    // processes and rollups row by row, and the 24 h merged profile took 0.18 s instead of
    // 0.09 s. ANALYZE samples a bounded number of rows per table, whatever their size.
    db->exec("ANALYZE reports");
    return removed;
}

}  // namespace siagent::dashboard::postgres
