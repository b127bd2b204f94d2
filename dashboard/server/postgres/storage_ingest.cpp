// What agents write: apps, processes, reports, errors; and the activation state. Finding or
// creating an app, process or series is race-free across instances (INSERT ... ON CONFLICT).
#include "dashboard/server/postgres/advisory_lock.h"
#include "dashboard/server/postgres/postgres_storage.h"
#include "dashboard/server/postgres/rows.h"

namespace siagent::dashboard::postgres {
namespace {

// Placeholders "($n::t1, ..., $m::tk), (...)" from $`first` for `rows` rows of the column
// types `types` (cast: a column of NULLs alone would read as text).
std::string value_rows(size_t rows, const std::vector<const char*>& types, size_t first) {
    std::string text;
    for (size_t row = 0, n = first; row < rows; ++row) {
        text += row ? ", (" : "(";
        for (size_t column = 0; column < types.size(); ++column, ++n) {
            text += (column ? ", $" : "$") + std::to_string(n) + "::" + types[column];
        }
        text += ")";
    }
    return text;
}

const std::vector<const char*> kReportTypes = {"bigint", "bigint", "bigint", "float8", "float8", "bytea",
                                               "float8", "float8", "float8", "float8", "float8", "bigint"};
const std::vector<const char*> kErrorTypes = {"bigint", "bigint", "integer", "bigint", "text",
                                              "text",   "text",   "text",    "float8"};

// PostgreSQL takes at most 65,535 parameters a statement; a chunk of reports stays below.
constexpr size_t kMaxParams = 60'000;

}  // namespace

int64_t PostgresStorage::app_id(Connection& db, int64_t account_id, const std::string& name, int64_t now) {
    {
        std::lock_guard lock(ids_mutex_);
        auto found = app_ids_.find({account_id, name});
        if (found != app_ids_.end()) return found->second;
    }
    auto rows = db.query("SELECT id FROM apps WHERE account_id = $1 AND name = $2", account_id, name);
    if (rows.empty()) {
        rows = db.query(
            "INSERT INTO apps(account_id, name, created) VALUES ($1, $2, $3) ON CONFLICT (account_id, name) DO NOTHING"
            " RETURNING id",
            account_id, name, now);
    }
    if (rows.empty()) rows = db.query("SELECT id FROM apps WHERE account_id = $1 AND name = $2", account_id, name);
    const int64_t id = rows.integer(0, 0);
    std::lock_guard lock(ids_mutex_);
    if (app_ids_.size() >= kMaxCachedIds) app_ids_.clear();
    app_ids_.emplace(std::make_pair(account_id, name), id);
    return id;
}

ProcessKey PostgresStorage::record_process(int64_t account_id, const Envelope& e, int64_t now) {
    auto db = connection();
    const int64_t app = app_id(*db, account_id, e.app_name, now);
    auto row = db->query(
        "INSERT INTO processes(app_id, host, pid, run_id, version, environment, runtime_type, runtime_version,"
        " agent_version, run_ts, extra, first_seen, last_seen, ended)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)"
        " ON CONFLICT (app_id, host, pid, run_id) DO UPDATE SET version = $5, environment = $6, runtime_type = $7,"
        " runtime_version = $8, agent_version = $9, extra = $11, last_seen = $12,"
        " ended = COALESCE(processes.ended, $13) RETURNING id",
        app, e.host_name, e.process_id, e.run_id, e.app_version, e.app_environment, e.runtime_type, e.runtime_version,
        e.agent_version, e.run_ts, e.extra, now, e.ending ? std::optional<int64_t>(now) : std::nullopt);
    return ProcessKey{app, row.integer(0, 0)};
}

int64_t PostgresStorage::series_id(Connection& db, int64_t app_id, const SeriesKey& key) {
    auto cache_key = std::make_tuple(app_id, key.type, key.category, key.name, key.unit);
    {
        std::lock_guard lock(ids_mutex_);
        auto found = series_ids_.find(cache_key);
        if (found != series_ids_.end()) return found->second;
    }
    auto rows = db.query("SELECT id FROM series WHERE app_id = $1 AND category = $2 AND name = $3 AND type = $4 AND unit = $5",
                         app_id, key.category, key.name, key.type, key.unit);
    if (rows.empty()) {
        rows = db.query(
            "INSERT INTO series(app_id, type, category, name, unit) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (app_id, category, name, type, unit) DO NOTHING RETURNING id",
            app_id, key.type, key.category, key.name, key.unit);
    }
    if (rows.empty()) {
        rows = db.query("SELECT id FROM series WHERE app_id = $1 AND category = $2 AND name = $3 AND type = $4 AND unit = $5",
                        app_id, key.category, key.name, key.type, key.unit);
    }
    const int64_t id = rows.integer(0, 0);
    std::lock_guard lock(ids_mutex_);
    if (series_ids_.size() >= kMaxCachedIds) series_ids_.clear();
    series_ids_.emplace(std::move(cache_key), id);
    return id;
}

void PostgresStorage::store_reports(const ProcessKey& process, const std::vector<ReportToStore>& reports,
                                    const std::string& to_judge) {
    if (reports.empty()) return;
    ensure_partitions(reports);
    auto db = connection();
    // Series first, each committed on its own whatever becomes of the reports; the reports'
    // statement then holds no lock a series insert waits for.
    std::vector<int64_t> series;
    series.reserve(reports.size());
    for (const ReportToStore& report : reports) series.push_back(series_id(*db, process.app_id, report.series));
    // Chunks of reports with their errors, one statement each: a usual upload is one round
    // trip, atomic on its own; an upload of several chunks is one transaction. The
    // report_ids lock is taken (CTE `l`) before any row takes an id.
    std::vector<std::pair<size_t, size_t>> chunks;  // [first, end) of reports
    for (size_t first = 0, params = 0, i = 0; i < reports.size(); ++i) {
        const size_t cost = kReportTypes.size() + reports[i].errors.size() * kErrorTypes.size();
        if (i > first && params + cost > kMaxParams) {
            chunks.emplace_back(first, i);
            first = i;
            params = 0;
        }
        params += cost;
        if (i + 1 == reports.size()) chunks.emplace_back(first, i + 1);
    }
    std::optional<Transaction> transaction;
    if (chunks.size() > 1) transaction.emplace(*db);
    for (const auto& [first, end] : chunks) {
        Params params;
        size_t errors = 0;
        for (size_t i = first; i < end; ++i) {
            const ReportToStore& report = reports[i];
            const SpanStats stats = report.span_stats.value_or(SpanStats{});
            params.add(series[i]);
            params.add(process.process_id);
            params.add(report.timestamp);
            params.add(report.value);
            params.add(report.duration);
            params.add(report.blob ? std::optional<Blob>(Blob{*report.blob}) : std::nullopt);
            params.add(stats.count);
            params.add(stats.total_ms);
            params.add(stats.p50_ms);
            params.add(stats.p99_ms);
            params.add(stats.max_ms);
            params.add(report.samples);
        }
        for (size_t i = first; i < end; ++i) {
            for (const ErrorEvent& error : reports[i].errors) {
                params.add(process.app_id);
                params.add(process.process_id);
                params.add(reports[i].crash ? 1 : 0);
                params.add(reports[i].timestamp);
                params.add(error.type);
                params.add(error.message);
                params.add(error.site);
                params.add(frames_text(error.frames));
                params.add(error.count);
                ++errors;
            }
        }
        const size_t count = end - first;
        std::string sql =
            "WITH l AS (SELECT pg_advisory_xact_lock_shared(" + std::to_string(static_cast<int64_t>(LockKey::report_ids)) +
            ")), r AS (INSERT INTO reports(series_id, process_id, timestamp, value, duration, breakdown, span_count,"
            " span_total_ms, span_p50_ms, span_p99_ms, span_max_ms, samples) SELECT v.* FROM l, (VALUES " +
            value_rows(count, kReportTypes, 1) + ") v) ";
        if (!to_judge.empty() && end == reports.size()) {  // with the last chunk: queued once, atomically
            sql.insert(sql.size() - 1, ", q AS (INSERT INTO judging_queue(payload) SELECT $" +
                                           std::to_string(count * kReportTypes.size() + errors * kErrorTypes.size() + 1) +
                                           "::bytea FROM l)");
            params.add(Blob{to_judge});
        }
        if (errors == 0) {
            sql += "SELECT 1";  // r runs whether read or not
        } else {
            sql += "INSERT INTO errors(app_id, process_id, crash, timestamp, type, message, site, frames, count)"
                   " SELECT v.* FROM l, (VALUES " +
                   value_rows(errors, kErrorTypes, count * kReportTypes.size() + 1) + ") v";
        }
        db->run_built(sql, params);
    }
    if (transaction) transaction->commit();
}

std::vector<AnomalyRow> PostgresStorage::add_anomalies(int64_t app_id, const std::vector<AnomalyRow>& anomalies) {
    std::vector<AnomalyRow> stored;
    if (anomalies.empty()) return stored;
    auto db = connection();
    Transaction transaction(*db);
    for (const AnomalyRow& a : anomalies) {
        auto rows = db->query(
            "INSERT INTO anomalies(app_id, time, kind, category, name, host, environment, value, unit, score, message,"
            " detail, muted) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, CASE WHEN EXISTS (SELECT 1 FROM"
            " anomaly_rules r, (SELECT $1::bigint AS app_id, $3::text AS kind, $4::text AS category, $5::text AS name,"
            " $6::text AS host, $7::text AS environment) n WHERE" SI_PG_RULE_COVERS ") THEN 1 ELSE 0 END"
            " WHERE NOT ($3 = 'metric' AND EXISTS (SELECT 1 FROM anomalies o WHERE o.app_id = $1 AND o.time = $2"
            " AND o.kind = $3 AND o.category = $4 AND o.name = $5 AND o.host = $6 AND o.environment = $7))"
            " RETURNING id, muted",
            app_id, a.time, a.kind, a.category, a.name, a.host, a.environment, a.value, a.unit, a.score, a.message,
            a.detail);
        if (rows.empty()) continue;  // this point's anomaly is already stored
        AnomalyRow row = a;
        row.id = rows.integer(0, 0);
        row.muted = rows.integer(0, 1) != 0;
        stored.push_back(std::move(row));
    }
    transaction.commit();
    return stored;
}

AppSettings PostgresStorage::app_settings(int64_t app_id) {
    auto db = connection();
    auto row = db->query("SELECT max_active_processes, max_active_percent FROM apps WHERE id = $1", app_id);
    if (row.empty()) return {};
    return AppSettings{row.optional_integer(0, 0), row.optional_real(0, 1)};
}

bool PostgresStorage::set_app_settings(const AppScope& scope, const AppSettings& settings) {
    auto db = connection();
    return db
               ->query("UPDATE apps SET max_active_processes = $1, max_active_percent = $2 WHERE id = $3 AND account_id = $4",
                       settings.max_active_processes, settings.max_active_percent, scope.app_id, scope.account_id)
               .changes() > 0;
}

std::vector<ProcessRow> PostgresStorage::live_processes(int64_t app_id, int64_t seen_since) {
    auto db = connection();
    return process_rows(db->query(
        "SELECT id, host, pid, run_id, version, environment, first_seen, last_seen, active, runtime_type,"
        " runtime_version, agent_version, ended FROM processes"
        " WHERE app_id = $1 AND last_seen >= $2 AND ended IS NULL ORDER BY id",
        app_id, seen_since));
}

void PostgresStorage::set_active(int64_t app_id, const std::vector<int64_t>& active_process_ids) {
    auto db = connection();
    Transaction transaction(*db);
    db->query("UPDATE processes SET active = 0 WHERE app_id = $1 AND active = 1", app_id);
    for (int64_t id : active_process_ids) {
        db->query("UPDATE processes SET active = 1 WHERE id = $1 AND app_id = $2", id, app_id);
    }
    transaction.commit();
}

}  // namespace siagent::dashboard::postgres
