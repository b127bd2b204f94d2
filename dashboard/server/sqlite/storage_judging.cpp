// The judging queue and saved detectors (model/storage.h, "Judging"). One process owns a
// SQLite store, so it always holds the judging lease.
#include "dashboard/server/sqlite/sqlite_storage.h"

namespace siagent::dashboard::sqlite {

bool SqliteStorage::hold_judging_lease() { return true; }

std::vector<QueuedUpload> SqliteStorage::queued_uploads(size_t max_rows) {
    auto db = reader();
    auto row = db->prepare("SELECT id, payload FROM judging_queue ORDER BY id LIMIT ?");
    row.bind(static_cast<int64_t>(max_rows));
    std::vector<QueuedUpload> queued;
    while (row.step()) queued.push_back(QueuedUpload{row.integer(0), std::string(row.blob(1))});
    return queued;
}

void SqliteStorage::forget_queued_uploads(const std::vector<int64_t>& ids) {
    if (ids.empty()) return;
    auto db = writer();
    Transaction transaction(*db);
    for (int64_t id : ids) db->prepare("DELETE FROM judging_queue WHERE id = ?").bind(id).run();
    transaction.commit();
}

Storage::Backlog SqliteStorage::backlog() {
    auto db = reader();
    auto row = db->prepare("SELECT (SELECT COUNT(*) FROM judging_queue), (SELECT COUNT(*) FROM webhook_outbox)");
    row.step();
    return Backlog{static_cast<uint64_t>(row.integer(0)), static_cast<uint64_t>(row.integer(1))};
}

std::vector<DetectorState> SqliteStorage::detector_states(int64_t app_id, const std::string& environment,
                                                          const std::string& host) {
    auto db = reader();
    auto row = db->prepare(
        "SELECT category, name, state FROM detector_states WHERE app_id = ? AND environment = ? AND host = ?");
    row.bind(app_id, environment, host);
    std::vector<DetectorState> states;
    while (row.step()) {
        states.push_back(DetectorState{app_id, environment, host, row.text(0), row.text(1), std::string(row.blob(2))});
    }
    return states;
}

void SqliteStorage::save_detector_states(const std::vector<DetectorState>& states, int64_t now) {
    if (states.empty()) return;
    auto db = writer();
    Transaction transaction(*db);
    for (const DetectorState& s : states) {
        db->prepare(
              "INSERT INTO detector_states(app_id, environment, host, category, name, state, saved)"
              " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (app_id, environment, host, category, name)"
              " DO UPDATE SET state = excluded.state, saved = excluded.saved")
            .bind(s.app_id, s.environment, s.host, s.category, s.name, Blob{s.state}, now)
            .run();
    }
    transaction.commit();
}

}  // namespace siagent::dashboard::sqlite
