// What agents write: apps, processes, reports, errors; and the activation state.
#include "dashboard/server/sqlite/rows.h"
#include "dashboard/server/sqlite/sqlite_storage.h"

namespace siagent::dashboard::sqlite {
namespace {

int64_t find_or_add_app(Connection& db, int64_t account_id, const std::string& name, int64_t now) {
    auto row = db.prepare("SELECT id FROM apps WHERE account_id = ? AND name = ?");
    if (row.bind(account_id, name).step()) return row.integer(0);
    db.prepare("INSERT INTO apps(account_id, name, created) VALUES (?, ?, ?)").bind(account_id, name, now).run();
    return db.last_insert_id();
}

}  // namespace

ProcessKey SqliteStorage::record_process(int64_t account_id, const Envelope& e, int64_t now) {
    auto db = writer();
    Transaction transaction(*db);
    const int64_t app = find_or_add_app(*db, account_id, e.app_name, now);
    db->prepare(
          "INSERT INTO processes(app_id, host, pid, run_id, version, environment, runtime_type, "
          "runtime_version, agent_version, run_ts, extra, first_seen, last_seen, ended) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13) "
          "ON CONFLICT (app_id, host, pid, run_id) DO UPDATE SET version = ?5, environment = ?6, "
          "runtime_type = ?7, runtime_version = ?8, agent_version = ?9, extra = ?11, last_seen = ?12,"
          " ended = COALESCE(ended, ?13)")
        .bind(app, e.host_name, e.process_id, e.run_id, e.app_version, e.app_environment, e.runtime_type,
              e.runtime_version, e.agent_version, e.run_ts, e.extra, now,
              e.ending ? std::optional<int64_t>(now) : std::nullopt)
        .run();
    auto row = db->prepare("SELECT id FROM processes WHERE app_id = ? AND host = ? AND pid = ? AND run_id = ?");
    row.bind(app, e.host_name, e.process_id, e.run_id).step();
    const ProcessKey key{app, row.integer(0)};
    transaction.commit();
    return key;
}

int64_t SqliteStorage::series_id(Connection& db, int64_t app_id, const SeriesKey& key) {
    auto row = db.prepare("SELECT id FROM series WHERE app_id = ? AND category = ? AND name = ? AND type = ? AND unit = ?");
    if (row.bind(app_id, key.category, key.name, key.type, key.unit).step()) return row.integer(0);
    db.prepare("INSERT INTO series(app_id, type, category, name, unit) VALUES (?, ?, ?, ?, ?)")
        .bind(app_id, key.type, key.category, key.name, key.unit)
        .run();
    return db.last_insert_id();
}

void SqliteStorage::store_reports(const ProcessKey& process, const std::vector<ReportToStore>& reports,
                                  const std::string& to_judge) {
    auto db = writer();
    Transaction transaction(*db);
    for (const ReportToStore& report : reports) {
        const int64_t series = series_id(*db, process.app_id, report.series);
        auto insert = db->prepare(
            "INSERT INTO reports(series_id, process_id, timestamp, value, duration, breakdown, span_count,"
            " span_total_ms, span_p50_ms, span_p99_ms, span_max_ms, samples) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        const SpanStats stats = report.span_stats.value_or(SpanStats{});
        insert.bind(series, process.process_id, report.timestamp, report.value, report.duration,
                    report.blob ? std::optional<Blob>(Blob{*report.blob}) : std::nullopt, stats.count,
                    stats.total_ms, stats.p50_ms, stats.p99_ms, stats.max_ms, report.samples);
        insert.run();
        for (const ErrorEvent& error : report.errors) {
            db->prepare(
                  "INSERT INTO errors(app_id, process_id, crash, timestamp, type, message, site, frames, count) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .bind(process.app_id, process.process_id, report.crash ? 1 : 0, report.timestamp, error.type,
                      error.message, error.site, frames_text(error.frames), error.count)
                .run();
        }
    }
    if (!to_judge.empty()) db->prepare("INSERT INTO judging_queue(payload) VALUES (?)").bind(Blob{to_judge}).run();
    transaction.commit();
}

std::vector<AnomalyRow> SqliteStorage::add_anomalies(int64_t app_id, const std::vector<AnomalyRow>& anomalies) {
    std::vector<AnomalyRow> stored;
    if (anomalies.empty()) return stored;
    auto db = writer();
    Transaction transaction(*db);
    for (const AnomalyRow& a : anomalies) {
        db->prepare(
              "INSERT INTO anomalies(app_id, time, kind, category, name, host, environment, value, unit, score, message,"
              " detail, muted) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, EXISTS (SELECT 1 FROM anomaly_rules r,"
              " (SELECT ?1 AS app_id, ?3 AS kind, ?4 AS category, ?5 AS name, ?6 AS host, ?7 AS environment) n"
              " WHERE" SI_RULE_COVERS ")"
              " WHERE NOT (?3 = 'metric' AND EXISTS (SELECT 1 FROM anomalies o WHERE o.app_id = ?1 AND o.time = ?2"
              " AND o.kind = ?3 AND o.category = ?4 AND o.name = ?5 AND o.host = ?6 AND o.environment = ?7))")
            .bind(app_id, a.time, a.kind, a.category, a.name, a.host, a.environment, a.value, a.unit, a.score,
                  a.message, a.detail)
            .run();
        if (db->changes() == 0) continue;  // this point's anomaly is already stored
        AnomalyRow row = a;
        row.id = db->last_insert_id();
        auto muted = db->prepare("SELECT muted FROM anomalies WHERE id = ?");
        row.muted = muted.bind(row.id).step() && muted.integer(0) != 0;
        stored.push_back(std::move(row));
    }
    transaction.commit();
    return stored;
}

AppSettings SqliteStorage::app_settings(int64_t app_id) {
    auto db = reader();
    auto row = db->prepare("SELECT max_active_processes, max_active_percent FROM apps WHERE id = ?");
    if (!row.bind(app_id).step()) return {};
    return AppSettings{row.optional_integer(0), row.optional_real(1)};
}

bool SqliteStorage::set_app_settings(const AppScope& scope, const AppSettings& settings) {
    auto db = writer();
    db->prepare("UPDATE apps SET max_active_processes = ?, max_active_percent = ? WHERE id = ? AND account_id = ?")
        .bind(settings.max_active_processes, settings.max_active_percent, scope.app_id, scope.account_id)
        .run();
    return db->changes() > 0;
}

std::vector<ProcessRow> SqliteStorage::live_processes(int64_t app_id, int64_t seen_since) {
    auto db = reader();
    auto row = db->prepare(
        "SELECT id, host, pid, run_id, version, environment, first_seen, last_seen, active, runtime_type,"
        " runtime_version, agent_version, ended FROM processes "
        "WHERE app_id = ? AND last_seen >= ? AND ended IS NULL ORDER BY id");
    return collect(row.bind(app_id, seen_since), process_row);
}

void SqliteStorage::set_active(int64_t app_id, const std::vector<int64_t>& active_process_ids) {
    auto db = writer();
    Transaction transaction(*db);
    db->prepare("UPDATE processes SET active = 0 WHERE app_id = ? AND active = 1").bind(app_id).run();
    for (int64_t id : active_process_ids) {
        db->prepare("UPDATE processes SET active = 1 WHERE id = ? AND app_id = ?").bind(id, app_id).run();
    }
    transaction.commit();
}

}  // namespace siagent::dashboard::sqlite
