// The judging lease, queue and saved detectors (model/storage.h, "Judging"). The lease is
// the session advisory lock LockKey::judging, taken on a connection of its own that this
// instance keeps open while it holds it: if the instance dies or loses that connection,
// the lock ends and another instance takes it at its next try. The queue is read and
// emptied on that connection only, so an instance that lost the lease cannot drain it.
#include "dashboard/server/postgres/advisory_lock.h"
#include "dashboard/server/postgres/postgres_storage.h"

namespace siagent::dashboard::postgres {
namespace {

std::string comma_separated(const std::vector<int64_t>& ids) {
    std::string text;
    for (int64_t id : ids) text += (text.empty() ? "" : ",") + std::to_string(id);
    return text;
}

}  // namespace

bool PostgresStorage::hold_judging_lease() {
    std::lock_guard lock(lease_mutex_);
    try {
        if (lease_session_ && !lease_session_->healthy()) {
            lease_session_.reset();
            lease_held_ = false;
        }
        if (!lease_session_) lease_session_ = std::make_unique<Connection>(url_);
        if (lease_held_) {
            lease_session_->query("SELECT 1");  // the session, and so the lock, is still there
        } else {
            lease_held_ = lease_session_->query("SELECT pg_try_advisory_lock($1)", static_cast<int64_t>(LockKey::judging))
                              .text(0, 0) == "t";
        }
        return lease_held_;
    } catch (const PgError&) {
        lease_session_.reset();
        lease_held_ = false;
        return false;
    }
}

// Called with lease_mutex_ held.
Connection& PostgresStorage::lease_connection() {
    if (!lease_held_ || !lease_session_ || !lease_session_->healthy()) {
        lease_session_.reset();
        lease_held_ = false;
        throw PgError("this instance does not hold the judging lease", "");
    }
    return *lease_session_;
}

std::vector<QueuedUpload> PostgresStorage::queued_uploads(size_t max_rows) {
    std::lock_guard lock(lease_mutex_);
    auto rows = lease_connection().query("SELECT id, payload FROM judging_queue ORDER BY id LIMIT $1",
                                         static_cast<int64_t>(max_rows));
    std::vector<QueuedUpload> queued;
    for (int i = 0; i < rows.size(); ++i) queued.push_back(QueuedUpload{rows.integer(i, 0), rows.bytes(i, 1)});
    return queued;
}

void PostgresStorage::forget_queued_uploads(const std::vector<int64_t>& ids) {
    if (ids.empty()) return;
    std::lock_guard lock(lease_mutex_);
    lease_connection().query("DELETE FROM judging_queue WHERE id = ANY(string_to_array($1, ',')::bigint[])",
                             comma_separated(ids));
}

// Any instance reads it, on a pooled connection (the queue's own reads need the lease).
Storage::Backlog PostgresStorage::backlog() {
    auto db = connection();
    auto rows = db->query("SELECT (SELECT COUNT(*) FROM judging_queue), (SELECT COUNT(*) FROM webhook_outbox)");
    return Backlog{static_cast<uint64_t>(rows.integer(0, 0)), static_cast<uint64_t>(rows.integer(0, 1))};
}

std::vector<DetectorState> PostgresStorage::detector_states(int64_t app_id, const std::string& environment,
                                                            const std::string& host) {
    auto db = connection();
    auto rows = db->query(
        "SELECT category, name, state FROM detector_states WHERE app_id = $1 AND environment = $2 AND host = $3",
        app_id, environment, host);
    std::vector<DetectorState> states;
    for (int i = 0; i < rows.size(); ++i) {
        states.push_back(DetectorState{app_id, environment, host, rows.text(i, 0), rows.text(i, 1), rows.bytes(i, 2)});
    }
    return states;
}

void PostgresStorage::save_detector_states(const std::vector<DetectorState>& states, int64_t now) {
    if (states.empty()) return;
    auto db = connection();
    Transaction transaction(*db);
    for (const DetectorState& s : states) {
        db->query(
            "INSERT INTO detector_states(app_id, environment, host, category, name, state, saved)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (app_id, environment, host, category, name)"
            " DO UPDATE SET state = excluded.state, saved = excluded.saved",
            s.app_id, s.environment, s.host, s.category, s.name, Blob{s.state}, now);
    }
    transaction.commit();
}

}  // namespace siagent::dashboard::postgres
