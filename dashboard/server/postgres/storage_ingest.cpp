// What agents write: apps, processes, reports, errors; and the activation state. Finding or
// creating an app, process or series is race-free across instances (INSERT ... ON CONFLICT).
#include "dashboard/server/postgres/advisory_lock.h"
#include "dashboard/server/postgres/postgres_storage.h"
#include "dashboard/server/postgres/rows.h"

namespace siagent::dashboard::postgres {

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
    // One statement of one text for any number of reports and errors, each column an array
    // (array_param.h): prepared once per connection, atomic on its own, one round trip. The
    // report_ids lock is taken (CTE `l`) before any row takes an id.
    using Element = ArrayParam::Element;
    ArrayParam series_ids(Element::int8), timestamps(Element::int8), values(Element::float8),
        durations(Element::float8), breakdowns(Element::bytea), span_counts(Element::float8),
        span_totals(Element::float8), span_p50s(Element::float8), span_p99s(Element::float8),
        span_maxes(Element::float8), samples(Element::int8);
    ArrayParam error_crashes(Element::int8), error_times(Element::int8), error_types(Element::text),
        error_messages(Element::text), error_sites(Element::text), error_frames(Element::text),
        error_counts(Element::float8);
    for (size_t i = 0; i < reports.size(); ++i) {
        const ReportToStore& report = reports[i];
        const SpanStats stats = report.span_stats.value_or(SpanStats{});
        series_ids.add(series[i]);
        timestamps.add(report.timestamp);
        values.add(report.value);
        durations.add(report.duration);
        if (report.blob) breakdowns.add(std::string_view(*report.blob));
        else breakdowns.add_null();
        span_counts.add(stats.count);
        span_totals.add(stats.total_ms);
        span_p50s.add(stats.p50_ms);
        span_p99s.add(stats.p99_ms);
        span_maxes.add(stats.max_ms);
        samples.add(report.samples);
        for (const ErrorEvent& error : report.errors) {
            error_crashes.add(int64_t{report.crash ? 1 : 0});
            error_times.add(report.timestamp);
            error_types.add(std::string_view(error.type));
            error_messages.add(std::string_view(error.message));
            error_sites.add(std::string_view(error.site));
            error_frames.add(std::string_view(frames_text(error.frames)));
            error_counts.add(error.count);
        }
    }
    db->query(
        "WITH l AS (SELECT pg_advisory_xact_lock_shared($22::bigint)),"
        " r AS (INSERT INTO reports(series_id, process_id, timestamp, value, duration, breakdown, span_count,"
        " span_total_ms, span_p50_ms, span_p99_ms, span_max_ms, samples)"
        " SELECT v.series_id, $1::bigint, v.timestamp, v.value, v.duration, v.breakdown, v.span_count,"
        " v.span_total_ms, v.span_p50_ms, v.span_p99_ms, v.span_max_ms, v.samples FROM l,"
        " unnest($3::bigint[], $4::bigint[], $5::float8[], $6::float8[], $7::bytea[], $8::float8[], $9::float8[],"
        " $10::float8[], $11::float8[], $12::float8[], $13::bigint[]) AS v(series_id, timestamp, value, duration,"
        " breakdown, span_count, span_total_ms, span_p50_ms, span_p99_ms, span_max_ms, samples)),"
        " q AS (INSERT INTO judging_queue(payload) SELECT $14::bytea FROM l WHERE $14::bytea IS NOT NULL)"
        " INSERT INTO errors(app_id, process_id, crash, timestamp, type, message, site, frames, count)"
        " SELECT $2::bigint, $1::bigint, e.crash, e.timestamp, e.type, e.message, e.site, e.frames, e.count FROM l,"
        " unnest($15::bigint[], $16::bigint[], $17::text[], $18::text[], $19::text[], $20::text[], $21::float8[])"
        " AS e(crash, timestamp, type, message, site, frames, count)",
        process.process_id, process.app_id, std::move(series_ids), std::move(timestamps), std::move(values),
        std::move(durations), std::move(breakdowns), std::move(span_counts), std::move(span_totals),
        std::move(span_p50s), std::move(span_p99s), std::move(span_maxes), std::move(samples),
        to_judge.empty() ? std::optional<Blob>() : std::optional<Blob>(Blob{to_judge}), std::move(error_crashes),
        std::move(error_times), std::move(error_types), std::move(error_messages), std::move(error_sites),
        std::move(error_frames), std::move(error_counts), static_cast<int64_t>(LockKey::report_ids));
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
