// Reads for the UI. Every statement joins `apps` on the caller's account id, so an id of
// another account's app matches nothing.
#include "dashboard/server/model/memory_metrics.h"
#include "dashboard/server/sqlite/rows.h"
#include "dashboard/server/sqlite/sqlite_storage.h"

namespace siagent::dashboard::sqlite {
namespace {

// Binds ?1 app, ?2 account, ?3 from, ?4 to and the filter ?12 to ?15; ?5 to ?11 are left
// NULL for the statement's own parameters (bind_at). Empty strings and a missing pid bind
// NULL, which the statements read as "any".
// Series holding span trees (span_reports.h) are not profile kinds of their own: a query
// reads them only when it asks for one span (?7, the span tree series' type).
#define SI_SERIES_OF_SPAN " AND (CASE WHEN ?7 IS NULL THEN s.type NOT GLOB 'span-profile:*' ELSE s.type = ?7 END)"

#define SI_PROCESS_FILTER                                                                     \
    " AND (?12 IS NULL OR p.version = ?12) AND (?13 IS NULL OR p.environment = ?13)"         \
    " AND (?14 IS NULL OR p.host = ?14) AND (?15 IS NULL OR p.pid = ?15)"

std::optional<std::string> any_if_empty(const std::string& value) {
    return value.empty() ? std::nullopt : std::optional<std::string>(value);
}

Statement prepare_filtered(Connection& db, const char* sql, const AppScope& scope, const QueryFilter& filter) {
    Statement statement = db.prepare(sql);
    statement.bind(scope.app_id, scope.account_id, filter.from, filter.to, Null{}, Null{}, Null{}, Null{}, Null{},
                   Null{}, Null{}, any_if_empty(filter.version), any_if_empty(filter.environment),
                   any_if_empty(filter.host), filter.pid);
    return statement;
}

std::vector<std::string> distinct(Connection& db, const char* sql, int64_t app_id) {
    auto row = db.prepare(sql);
    return collect(row.bind(app_id), [](const Statement& value) { return value.text(0); });
}

}  // namespace

std::vector<AppRow> SqliteStorage::apps(int64_t account_id, int64_t now, int64_t live_seconds) {
    auto db = reader();
    auto row = db->prepare(
        "SELECT a.id, a.name, (SELECT MAX(last_seen) FROM processes WHERE app_id = a.id),"
        " (SELECT COUNT(*) FROM processes WHERE app_id = a.id AND last_seen >= ?2 - 86400),"
        " (SELECT COUNT(*) FROM processes WHERE app_id = a.id AND last_seen >= ?2 - ?5 AND ended IS NULL),"
        " (SELECT COUNT(*) FROM processes WHERE app_id = a.id AND last_seen >= ?2 - ?5 AND ended IS NULL AND active = 1),"
        " (SELECT AVG(r.value) FROM series s JOIN reports r ON r.series_id = s.id WHERE s.app_id = a.id"
        "   AND s.category = 'cpu' AND s.name = 'CPU usage' AND r.timestamp >= ?2 - 600),"
        " (SELECT AVG(r.value * CASE s.unit WHEN 'kilobyte' THEN 1024 ELSE 1 END) FROM series s"
        "   JOIN reports r ON r.series_id = s.id WHERE s.app_id = a.id AND s.category = 'memory'"
        "   AND s.name IN (?3, ?4) AND r.timestamp >= ?2 - 600),"
        " (SELECT SUM(count) / 10.0 FROM errors WHERE app_id = a.id AND crash = 0 AND timestamp >= ?2 - 600),"
        " (SELECT COUNT(*) FROM anomalies n WHERE n.app_id = a.id AND n.acknowledged = 0 AND n.muted = 0"
        "   AND n.time >= ?2 - 86400 AND NOT EXISTS (SELECT 1 FROM anomaly_rules r WHERE" SI_RULE_COVERS "))"
        " FROM apps a WHERE a.account_id = ?1 ORDER BY a.name");
    static_assert(kResidentMemoryNames.size() == 2, "one parameter per name in the query");
    row.bind(account_id, now, std::string(kResidentMemoryNames[0]), std::string(kResidentMemoryNames[1]), live_seconds);
    std::vector<AppRow> apps;
    while (row.step()) {
        AppRow app;
        app.id = row.integer(0);
        app.name = row.text(1);
        app.last_seen = row.optional_integer(2);
        app.processes_total = row.integer(3);
        app.processes_live = row.integer(4);
        app.processes_active = row.integer(5);
        app.cpu_usage = row.optional_real(6);
        app.rss_bytes = row.optional_real(7);
        app.errors_per_min = row.optional_real(8).value_or(0.0);
        app.anomalies_open = row.integer(9);
        apps.push_back(std::move(app));
    }
    for (AppRow& app : apps) {
        app.environments = distinct(*db, "SELECT DISTINCT environment FROM processes WHERE app_id = ? AND environment <> '' ORDER BY 1", app.id);
        app.versions = distinct(*db, "SELECT DISTINCT version FROM processes WHERE app_id = ? AND version <> '' ORDER BY 1", app.id);
        app.hosts = distinct(*db, "SELECT DISTINCT host FROM processes WHERE app_id = ? AND host <> '' ORDER BY 1", app.id);
        app.runtimes = distinct(*db, "SELECT DISTINCT runtime_type FROM processes WHERE app_id = ? AND runtime_type <> '' ORDER BY 1", app.id);
    }
    return apps;
}

std::optional<AppSettings> SqliteStorage::settings(const AppScope& scope) {
    auto db = reader();
    auto row = db->prepare("SELECT max_active_processes, max_active_percent FROM apps WHERE id = ? AND account_id = ?");
    if (!row.bind(scope.app_id, scope.account_id).step()) return std::nullopt;
    return AppSettings{row.optional_integer(0), row.optional_real(1)};
}

std::vector<ProcessRow> SqliteStorage::processes(const AppScope& scope, const QueryFilter& filter) {
    auto db = reader();
    auto row = prepare_filtered(*db,
        "SELECT p.id, p.host, p.pid, p.run_id, p.version, p.environment, p.first_seen, p.last_seen, p.active,"
        " p.runtime_type, p.runtime_version, p.agent_version, p.ended FROM processes p JOIN apps a ON a.id = p.app_id WHERE a.id = ?1 AND a.account_id = ?2"
        " AND p.last_seen >= ?3 AND p.first_seen <= ?4" SI_PROCESS_FILTER " ORDER BY p.last_seen DESC LIMIT 10000",
        scope, filter);
    return collect(row, process_row);
}

std::vector<SeriesKey> SqliteStorage::profile_kinds(const AppScope& scope, const QueryFilter& filter) {
    auto db = reader();
    auto row = prepare_filtered(*db,
        "SELECT s.type, s.category, s.name, s.unit FROM series s JOIN apps a ON a.id = s.app_id"
        " WHERE a.id = ?1 AND a.account_id = ?2 AND EXISTS (SELECT 1 FROM reports r"
        " JOIN processes p ON p.id = r.process_id WHERE r.series_id = s.id AND r.timestamp BETWEEN ?3 AND ?4"
        " AND r.breakdown IS NOT NULL" SI_PROCESS_FILTER ")" SI_SERIES_OF_SPAN " ORDER BY s.category, s.name",
        scope, filter);
    return collect(row, [](const Statement& kind) {
        return SeriesKey{kind.text(0), kind.text(1), kind.text(2), kind.text(3)};
    });
}

void SqliteStorage::for_each_profile(const AppScope& scope, const std::string& category, const std::string& name,
                                     const QueryFilter& filter, const std::function<void(const ProfileRow&)>& each) {
    auto db = reader();
    // Rollups of hours wholly inside the range (unless host or pid is filtered), then the raw
    // reports no such rollup covers. Rollups with 0 reports mark hours too large to roll up:
    // they cover nothing.
    auto row = prepare_filtered(*db,
        "SELECT ro.hour * 3600 + 1800, ro.reports, ro.tree, ro.samples, 0 FROM series s JOIN apps a ON a.id = s.app_id"
        " JOIN rollups ro ON ro.series_id = s.id"
        " WHERE a.id = ?1 AND a.account_id = ?2 AND s.category = ?5 AND s.name = ?6 AND ?14 IS NULL AND ?15 IS NULL"
        SI_SERIES_OF_SPAN
        " AND (?12 IS NULL OR ro.version = ?12) AND (?13 IS NULL OR ro.environment = ?13)"
        " AND ro.reports > 0 AND ro.hour * 3600 >= ?3 AND ro.hour * 3600 + 3599 <= ?4"
        " UNION ALL "
        "SELECT r.timestamp, 1, r.breakdown, r.samples, r.process_id FROM series s JOIN apps a ON a.id = s.app_id"
        " JOIN reports r ON r.series_id = s.id JOIN processes p ON p.id = r.process_id"
        " WHERE a.id = ?1 AND a.account_id = ?2 AND s.category = ?5 AND s.name = ?6" SI_SERIES_OF_SPAN
        " AND r.timestamp BETWEEN ?3 AND ?4 AND r.breakdown IS NOT NULL" SI_PROCESS_FILTER
        " AND NOT (?14 IS NULL AND ?15 IS NULL AND EXISTS (SELECT 1 FROM rollups ro WHERE ro.series_id = r.series_id"
        "   AND ro.hour = r.timestamp / 3600 AND ro.version = p.version AND ro.environment = p.environment"
        "   AND ro.max_report_id >= r.id AND ro.reports > 0 AND ro.hour * 3600 >= ?3 AND ro.hour * 3600 + 3599 <= ?4))",
        scope, filter);
    row.bind_at(5, category);
    row.bind_at(6, name);
    if (!filter.span.empty()) row.bind_at(7, span_profile_type(filter.span));
    while (row.step())
        each(ProfileRow{row.integer(0), row.integer(1), row.integer(4), row.optional_integer(3), row.blob(2)});
}

std::vector<MetricSeries> SqliteStorage::metrics(const AppScope& scope, const QueryFilter& filter) {
    auto db = reader();
    auto row = prepare_filtered(*db,
        "SELECT s.id, s.type, s.category, s.name, s.unit, r.timestamp, r.value, p.host, p.pid FROM series s"
        " JOIN apps a ON a.id = s.app_id JOIN reports r ON r.series_id = s.id JOIN processes p ON p.id = r.process_id"
        " WHERE a.id = ?1 AND a.account_id = ?2 AND r.timestamp BETWEEN ?3 AND ?4 AND r.breakdown IS NULL"
        SI_PROCESS_FILTER " ORDER BY s.id, p.host, p.pid, r.timestamp",
        scope, filter);
    std::vector<MetricSeries> series;
    int64_t current = -1;
    while (row.step()) {
        if (row.integer(0) != current || series.back().host != row.text(7) || series.back().pid != row.integer(8)) {
            current = row.integer(0);
            series.push_back(MetricSeries{SeriesKey{row.text(1), row.text(2), row.text(3), row.text(4)}, row.text(7),
                                          row.integer(8), {}});
        }
        series.back().points.emplace_back(row.integer(5), row.real(6));
    }
    return series;
}

std::vector<ErrorRow> SqliteStorage::errors(const AppScope& scope, const QueryFilter& filter, size_t max_rows) {
    auto db = reader();
    auto row = prepare_filtered(*db,
        "SELECT e.crash, e.timestamp, e.type, e.message, e.site, e.frames, p.host, p.version, p.pid, e.count"
        " FROM errors e JOIN apps a ON a.id = e.app_id JOIN processes p ON p.id = e.process_id"
        " WHERE a.id = ?1 AND a.account_id = ?2 AND e.timestamp BETWEEN ?3 AND ?4" SI_PROCESS_FILTER
        " ORDER BY e.timestamp DESC LIMIT ?5",
        scope, filter);
    row.bind_at(5, static_cast<int64_t>(max_rows));
    return collect(row, [](const Statement& e) {
        return ErrorRow{e.integer(0) != 0, e.integer(1), e.text(2), e.text(3), e.text(4),
                        e.text(5),         e.text(6),    e.text(7), e.integer(8), e.real(9)};
    });
}

ErrorHistory SqliteStorage::error_history(int64_t app_id, int64_t before, size_t max_rows) {
    auto db = reader();
    ErrorHistory history;
    auto app = db->prepare("SELECT created FROM apps WHERE id = ?");
    if (app.bind(app_id).step()) history.app_created = app.integer(0);
    // Frames tell crashes apart (their signature); exceptions are told apart by type and site.
    auto row = db->prepare(
        "SELECT crash, MIN(timestamp), type, site, CASE WHEN crash THEN frames ELSE '' END AS signature_frames"
        " FROM errors WHERE app_id = ?1 AND timestamp < ?2 GROUP BY crash, type, site, signature_frames LIMIT ?3");
    row.bind(app_id, before, static_cast<int64_t>(max_rows));
    history.signatures = collect(row, [](const Statement& e) {
        ErrorRow error;
        error.crash = e.integer(0) != 0;
        error.time = e.integer(1);
        error.type = e.text(2);
        error.site = e.text(3);
        error.frames = e.text(4);
        return error;
    });
    return history;
}

std::vector<SpanBucket> SqliteStorage::span_buckets(const AppScope& scope, const QueryFilter& filter, int64_t width,
                                                    size_t max_rows) {
    auto db = reader();
    // In SQL, so that a long range costs few rows: for a long range without host or pid
    // filter (?7 = 1), the hourly rollups from the first whole hour (?8) up to the last one
    // rolled up (per series), and raw reports only before ?8 and after that; otherwise raw
    // reports only (?8 past ?4). The raw windows are ranges of reports_by_series, so covered
    // hours are never scanned; a report arriving late into a rolled-up hour counts from the
    // next rollup pass. Sums per name and bucket; ?5 width, ?6 row bound; w a report's weight.
    auto row = prepare_filtered(*db,
        "SELECT name, bucket, SUM(n), SUM(c), SUM(t), MAX(m), TOTAL(p50s), TOTAL(p50w), TOTAL(p95s), TOTAL(p95w),"
        " TOTAL(p99s), TOTAL(p99w) FROM ("
        "  SELECT s.name AS name, (ro.hour * 3600 + 1800 - ?3) / ?5 AS bucket, ro.reports AS n, ro.count AS c,"
        "  ro.total_ms AS t, ro.max_ms AS m, ro.p50_sum AS p50s, ro.p50_weight AS p50w, ro.p95_sum AS p95s,"
        "  ro.p95_weight AS p95w, ro.p99_sum AS p99s, ro.p99_weight AS p99w"
        "  FROM series s JOIN apps a ON a.id = s.app_id JOIN span_rollups ro ON ro.series_id = s.id"
        "  WHERE a.id = ?1 AND a.account_id = ?2 AND s.type = 'state' AND s.category = 'span' AND ?7 = 1"
        "  AND (?12 IS NULL OR ro.version = ?12) AND (?13 IS NULL OR ro.environment = ?13)"
        "  AND ro.hour * 3600 >= ?8 AND ro.hour * 3600 + 3599 <= ?4"
        "  UNION ALL"
        "  SELECT name, bucket, 1, c, t, m, w * p50, CASE WHEN p50 IS NULL THEN 0 ELSE w END, w * p95, w, w * p99,"
        "  CASE WHEN p99 IS NULL THEN 0 ELSE w END FROM ("
        "   SELECT s.name AS name, (r.timestamp - ?3) / ?5 AS bucket, r.span_count AS c, r.span_total_ms AS t,"
        "   r.span_max_ms AS m, r.span_p50_ms AS p50, r.value AS p95, r.span_p99_ms AS p99,"
        "   CASE WHEN r.span_count > 0 THEN r.span_count ELSE 1 END AS w"
        "   FROM series s JOIN apps a ON a.id = s.app_id"
        "   JOIN (SELECT ?3 AS lo, MIN(?8, ?4 + 1) - 1 AS hi, 0 AS after UNION ALL SELECT ?8, ?4, 1) win"
        "   JOIN reports r ON r.series_id = s.id AND r.timestamp BETWEEN (CASE WHEN win.after = 0 THEN win.lo"
        "    ELSE MAX(win.lo, COALESCE((SELECT (MAX(ro.hour) + 1) * 3600 FROM span_rollups ro WHERE ro.series_id = s.id"
        "     AND ?7 = 1 AND ro.hour * 3600 >= ?8 AND ro.hour * 3600 + 3599 <= ?4), win.lo)) END) AND win.hi"
        "   JOIN processes p ON p.id = r.process_id WHERE a.id = ?1 AND a.account_id = ?2 AND s.type = 'state'"
        "   AND s.category = 'span' AND r.breakdown IS NULL" SI_PROCESS_FILTER "))"
        " GROUP BY name, bucket ORDER BY name, bucket LIMIT ?6",
        scope, filter);
    const bool rolled = filter.to - filter.from >= kSpanRollupRange && !filter.pid && filter.host.empty();
    const int64_t first_whole_hour = (filter.from + 3599) / 3600 * 3600;
    row.bind_at(7, static_cast<int64_t>(rolled ? 1 : 0));
    row.bind_at(8, rolled ? first_whole_hour : filter.to + 1);
    const int64_t bucket_width = std::max<int64_t>(width, 1);
    row.bind_at(5, bucket_width);
    row.bind_at(6, static_cast<int64_t>(max_rows));
    return collect(row, [&](const Statement& b) {
        SpanBucket bucket;
        bucket.name = b.text(0);
        bucket.time = filter.from + b.integer(1) * bucket_width;
        bucket.reports = b.integer(2);
        bucket.count = b.optional_real(3);
        bucket.total_ms = b.optional_real(4);
        bucket.max_ms = b.optional_real(5);
        bucket.p50_sum = b.real(6);
        bucket.p50_weight = b.real(7);
        bucket.p95_sum = b.real(8);
        bucket.p95_weight = b.real(9);
        bucket.p99_sum = b.real(10);
        bucket.p99_weight = b.real(11);
        return bucket;
    });
}

std::vector<AnomalyRow> SqliteStorage::anomalies(const AppScope& scope, int64_t from, int64_t to, size_t max_rows) {
    auto db = reader();
    // The rule now in force over each anomaly: an off rule before a mute, the longest mute first.
#define SI_RULE_NOW(column) \
    " (SELECT r." column " FROM anomaly_rules r WHERE" SI_RULE_COVERS " ORDER BY r.until IS NULL DESC, r.until DESC LIMIT 1)"
    auto row = db->prepare(
        "SELECT n.id, n.time, n.kind, n.category, n.name, n.host, n.environment, n.value, n.unit, n.score,"
        " n.message, n.acknowledged, n.muted," SI_RULE_NOW("id") "," SI_RULE_NOW("until") ", n.detail"
        " FROM anomalies n JOIN apps a ON a.id = n.app_id"
        " WHERE a.id = ?1 AND a.account_id = ?2 AND n.time BETWEEN ?3 AND ?4 ORDER BY n.time DESC, n.id DESC LIMIT ?5");
#undef SI_RULE_NOW
    row.bind(scope.app_id, scope.account_id, from, to, static_cast<int64_t>(max_rows));
    return collect(row, [](const Statement& n) {
        return AnomalyRow{n.integer(0),       n.integer(1),  n.text(2),
                          n.text(3),          n.text(4),     n.text(5),
                          n.text(6),          n.real(7),     n.text(8),
                          n.real(9),          n.text(10),    n.integer(11) != 0,
                          n.text(15),         n.integer(12) != 0,
                          n.optional_integer(13).value_or(0), n.optional_integer(14)};
    });
}

bool SqliteStorage::acknowledge_anomaly(const AppScope& scope, int64_t anomaly_id) {
    auto db = writer();
    db->prepare(
          "UPDATE anomalies SET acknowledged = 1 WHERE id = ?1 AND app_id = ?2"
          " AND app_id IN (SELECT id FROM apps WHERE id = ?2 AND account_id = ?3)")
        .bind(anomaly_id, scope.app_id, scope.account_id)
        .run();
    if (db->changes() > 0) return true;
    // Already acknowledged counts as success; only a missing or foreign anomaly is false.
    auto row = db->prepare(
        "SELECT 1 FROM anomalies n JOIN apps a ON a.id = n.app_id WHERE n.id = ?1 AND a.id = ?2 AND a.account_id = ?3");
    return row.bind(anomaly_id, scope.app_id, scope.account_id).step();
}

}  // namespace siagent::dashboard::sqlite
