// Reads for the UI. Every statement joins `apps` on the caller's account id, so an id of
// another account's app matches nothing. The statements are sqlite/storage_queries.cpp's in
// PostgreSQL's dialect; each numbers its own parameters.
#include "dashboard/server/model/memory_metrics.h"
#include "dashboard/server/postgres/postgres_storage.h"
#include "dashboard/server/postgres/rows.h"

namespace siagent::dashboard::postgres {
namespace {

// The filter's version, environment, host and pid as parameters $v, $e, $h, $p (added by
// add_filter); NULL means "any".
#define SI_PG_PROCESS_FILTER(v, e, h, p)                                                   \
    " AND ($" v "::text IS NULL OR p.version = $" v "::text) AND ($" e "::text IS NULL OR"  \
    " p.environment = $" e "::text) AND ($" h "::text IS NULL OR p.host = $" h "::text)"    \
    " AND ($" p "::bigint IS NULL OR p.pid = $" p "::bigint)"

// Series holding span trees (span_reports.h) are not profile kinds of their own: a query
// reads them only when it asks for one span ($n, the span tree series' type).
#define SI_PG_SERIES_OF_SPAN(n)                                                              \
    " AND (CASE WHEN $" n "::text IS NULL THEN NOT starts_with(s.type, 'span-profile:')"     \
    " ELSE s.type = $" n "::text END)"

std::optional<std::string> any_if_empty(const std::string& value) {
    return value.empty() ? std::nullopt : std::optional<std::string>(value);
}

void add_filter(Params& params, const QueryFilter& filter) {
    params.add(any_if_empty(filter.version));
    params.add(any_if_empty(filter.environment));
    params.add(any_if_empty(filter.host));
    params.add(filter.pid);
}

// $1 app, $2 account, $3 from, $4 to; the caller adds the rest.
Params scoped(const AppScope& scope, const QueryFilter& filter) {
    Params params;
    params.add(scope.app_id);
    params.add(scope.account_id);
    params.add(filter.from);
    params.add(filter.to);
    return params;
}

// scoped(), then the filter as $5 to $8.
Params scoped_filtered(const AppScope& scope, const QueryFilter& filter) {
    Params params = scoped(scope, filter);
    add_filter(params, filter);
    return params;
}

std::vector<std::string> distinct(Connection& db, const char* sql, int64_t app_id) {
    auto rows = db.query(sql, app_id);
    std::vector<std::string> values;
    for (int i = 0; i < rows.size(); ++i) values.push_back(rows.text(i, 0));
    return values;
}

}  // namespace

std::vector<AppRow> PostgresStorage::apps(int64_t account_id, int64_t now, int64_t live_seconds) {
    auto db = connection();
    static_assert(kResidentMemoryNames.size() == 2, "one parameter per name in the query");
    auto row = db->query(
        "SELECT a.id, a.name, (SELECT MAX(last_seen) FROM processes WHERE app_id = a.id),"
        " (SELECT COUNT(*) FROM processes WHERE app_id = a.id AND last_seen >= $2 - 86400),"
        " (SELECT COUNT(*) FROM processes WHERE app_id = a.id AND last_seen >= $2 - $5 AND ended IS NULL),"
        " (SELECT COUNT(*) FROM processes WHERE app_id = a.id AND last_seen >= $2 - $5 AND ended IS NULL AND active = 1),"
        " (SELECT AVG(r.value) FROM series s JOIN reports r ON r.series_id = s.id WHERE s.app_id = a.id"
        "   AND s.category = 'cpu' AND s.name = 'CPU usage' AND r.timestamp >= $2 - 600),"
        " (SELECT AVG(r.value * CASE s.unit WHEN 'kilobyte' THEN 1024 ELSE 1 END) FROM series s"
        "   JOIN reports r ON r.series_id = s.id WHERE s.app_id = a.id AND s.category = 'memory'"
        "   AND s.name IN ($3, $4) AND r.timestamp >= $2 - 600),"
        " (SELECT SUM(count) / 10.0 FROM errors WHERE app_id = a.id AND crash = 0 AND timestamp >= $2 - 600),"
        " (SELECT COUNT(*) FROM anomalies n WHERE n.app_id = a.id AND n.acknowledged = 0 AND n.muted = 0"
        "   AND n.time >= $2 - 86400 AND NOT EXISTS (SELECT 1 FROM anomaly_rules r WHERE" SI_PG_RULE_COVERS "))"
        " FROM apps a WHERE a.account_id = $1 ORDER BY a.name",
        account_id, now, std::string(kResidentMemoryNames[0]), std::string(kResidentMemoryNames[1]), live_seconds);
    std::vector<AppRow> apps;
    for (int i = 0; i < row.size(); ++i) {
        AppRow app;
        app.id = row.integer(i, 0);
        app.name = row.text(i, 1);
        app.last_seen = row.optional_integer(i, 2);
        app.processes_total = row.integer(i, 3);
        app.processes_live = row.integer(i, 4);
        app.processes_active = row.integer(i, 5);
        app.cpu_usage = row.optional_real(i, 6);
        app.rss_bytes = row.optional_real(i, 7);
        app.errors_per_min = row.optional_real(i, 8).value_or(0.0);
        app.anomalies_open = row.integer(i, 9);
        apps.push_back(std::move(app));
    }
    for (AppRow& app : apps) {
        app.environments = distinct(*db, "SELECT DISTINCT environment FROM processes WHERE app_id = $1 AND environment <> '' ORDER BY 1", app.id);
        app.versions = distinct(*db, "SELECT DISTINCT version FROM processes WHERE app_id = $1 AND version <> '' ORDER BY 1", app.id);
        app.hosts = distinct(*db, "SELECT DISTINCT host FROM processes WHERE app_id = $1 AND host <> '' ORDER BY 1", app.id);
        app.runtimes = distinct(*db, "SELECT DISTINCT runtime_type FROM processes WHERE app_id = $1 AND runtime_type <> '' ORDER BY 1", app.id);
    }
    return apps;
}

std::optional<AppSettings> PostgresStorage::settings(const AppScope& scope) {
    auto db = connection();
    auto row = db->query("SELECT max_active_processes, max_active_percent FROM apps WHERE id = $1 AND account_id = $2",
                         scope.app_id, scope.account_id);
    if (row.empty()) return std::nullopt;
    return AppSettings{row.optional_integer(0, 0), row.optional_real(0, 1)};
}

std::vector<ProcessRow> PostgresStorage::processes(const AppScope& scope, const QueryFilter& filter) {
    auto db = connection();
    const Params params = scoped_filtered(scope, filter);
    return process_rows(db->run(
        "SELECT p.id, p.host, p.pid, p.run_id, p.version, p.environment, p.first_seen, p.last_seen, p.active,"
        " p.runtime_type, p.runtime_version, p.agent_version, p.ended FROM processes p JOIN apps a ON a.id = p.app_id"
        " WHERE a.id = $1 AND a.account_id = $2 AND p.last_seen >= $3 AND p.first_seen <= $4"
        SI_PG_PROCESS_FILTER("5", "6", "7", "8") " ORDER BY p.last_seen DESC LIMIT 10000",
        params));
}

std::vector<SeriesKey> PostgresStorage::profile_kinds(const AppScope& scope, const QueryFilter& filter) {
    auto db = connection();
    const Params params = scoped_filtered(scope, filter);
    auto rows = db->run(
        "SELECT s.type, s.category, s.name, s.unit FROM series s JOIN apps a ON a.id = s.app_id"
        " WHERE a.id = $1 AND a.account_id = $2 AND EXISTS (SELECT 1 FROM reports r"
        " JOIN processes p ON p.id = r.process_id WHERE r.series_id = s.id AND r.timestamp BETWEEN $3 AND $4"
        " AND r.breakdown IS NOT NULL" SI_PG_PROCESS_FILTER("5", "6", "7", "8") ")"
        " AND NOT starts_with(s.type, 'span-profile:') ORDER BY s.category, s.name",
        params);
    std::vector<SeriesKey> kinds;
    for (int i = 0; i < rows.size(); ++i) {
        kinds.push_back(SeriesKey{rows.text(i, 0), rows.text(i, 1), rows.text(i, 2), rows.text(i, 3)});
    }
    return kinds;
}

void PostgresStorage::for_each_profile(const AppScope& scope, const std::string& category, const std::string& name,
                                       const QueryFilter& filter, const std::function<void(const ProfileRow&)>& each) {
    auto db = connection();
    Params params = scoped(scope, filter);
    params.add(category);                                                                          // $5
    params.add(name);                                                                              // $6
    params.add(filter.span.empty() ? std::nullopt : std::optional<std::string>(span_profile_type(filter.span)));  // $7
    add_filter(params, filter);                                                                    // $8 to $11
    // Rollups of hours wholly inside the range, then the raw reports no such rollup covers;
    // with a host or pid filter, raw reports only. Rollups with 0 reports mark hours too large
    // to roll up: they cover nothing. Two statements rather than one with the filter as a
    // condition, so that the planner sees a plain NOT EXISTS, which it can run as an anti-join.
    // Streamed: a long range never sits in memory whole.
    const bool raw_only = !filter.host.empty() || filter.pid.has_value();
    const char* sql =
        raw_only
            ? "SELECT r.timestamp, 1, r.breakdown, r.samples, r.process_id FROM series s JOIN apps a ON a.id = s.app_id"
              " JOIN reports r ON r.series_id = s.id JOIN processes p ON p.id = r.process_id"
              " WHERE a.id = $1 AND a.account_id = $2 AND s.category = $5 AND s.name = $6" SI_PG_SERIES_OF_SPAN("7")
              " AND r.timestamp BETWEEN $3 AND $4 AND r.breakdown IS NOT NULL" SI_PG_PROCESS_FILTER("8", "9", "10", "11")
            : "SELECT ro.hour * 3600 + 1800, ro.reports, ro.tree, ro.samples, 0 FROM series s"
              " JOIN apps a ON a.id = s.app_id JOIN rollups ro ON ro.series_id = s.id"
              " WHERE a.id = $1 AND a.account_id = $2 AND s.category = $5 AND s.name = $6 AND $10::text IS NULL"
              " AND $11::bigint IS NULL" SI_PG_SERIES_OF_SPAN("7")
              " AND ($8::text IS NULL OR ro.version = $8::text) AND ($9::text IS NULL OR ro.environment = $9::text)"
              " AND ro.reports > 0 AND ro.hour * 3600 >= $3 AND ro.hour * 3600 + 3599 <= $4"
              " UNION ALL "
              "SELECT r.timestamp, 1, r.breakdown, r.samples, r.process_id FROM series s JOIN apps a ON a.id = s.app_id"
              " JOIN reports r ON r.series_id = s.id JOIN processes p ON p.id = r.process_id"
              " WHERE a.id = $1 AND a.account_id = $2 AND s.category = $5 AND s.name = $6" SI_PG_SERIES_OF_SPAN("7")
              " AND r.timestamp BETWEEN $3 AND $4 AND r.breakdown IS NOT NULL" SI_PG_PROCESS_FILTER("8", "9", "10", "11")
              " AND NOT EXISTS (SELECT 1 FROM rollups ro WHERE ro.series_id = r.series_id"
              "   AND ro.hour = r.timestamp / 3600 AND ro.version = p.version AND ro.environment = p.environment"
              "   AND ro.max_report_id >= r.id AND ro.reports > 0 AND ro.hour * 3600 >= $3 AND ro.hour * 3600 + 3599 <= $4)";
    db->each_row(sql,
        params, [&](const Rows& row) {
            const std::string blob = row.bytes(0, 2);
            each(ProfileRow{row.integer(0, 0), row.integer(0, 1), row.integer(0, 4), row.optional_integer(0, 3), blob});
        });
}

std::vector<MetricSeries> PostgresStorage::metrics(const AppScope& scope, const QueryFilter& filter) {
    auto db = connection();
    const Params params = scoped_filtered(scope, filter);
    auto row = db->run(
        "SELECT s.id, s.type, s.category, s.name, s.unit, r.timestamp, r.value, p.host, p.pid FROM series s"
        " JOIN apps a ON a.id = s.app_id JOIN reports r ON r.series_id = s.id JOIN processes p ON p.id = r.process_id"
        " WHERE a.id = $1 AND a.account_id = $2 AND r.timestamp BETWEEN $3 AND $4 AND r.breakdown IS NULL"
        SI_PG_PROCESS_FILTER("5", "6", "7", "8") " ORDER BY s.id, p.host, p.pid, r.timestamp",
        params);
    std::vector<MetricSeries> series;
    int64_t current = -1;
    for (int i = 0; i < row.size(); ++i) {
        if (row.integer(i, 0) != current || series.back().host != row.text(i, 7) ||
            series.back().pid != row.integer(i, 8)) {
            current = row.integer(i, 0);
            series.push_back(MetricSeries{SeriesKey{row.text(i, 1), row.text(i, 2), row.text(i, 3), row.text(i, 4)},
                                          row.text(i, 7), row.integer(i, 8), {}});
        }
        series.back().points.emplace_back(row.integer(i, 5), row.real(i, 6));
    }
    return series;
}

std::vector<ErrorRow> PostgresStorage::errors(const AppScope& scope, const QueryFilter& filter, size_t max_rows) {
    auto db = connection();
    Params params = scoped(scope, filter);
    params.add(static_cast<int64_t>(max_rows));  // $5
    add_filter(params, filter);                   // $6 to $9
    auto e = db->run(
        "SELECT e.crash, e.timestamp, e.type, e.message, e.site, e.frames, p.host, p.version, p.pid, e.count"
        " FROM errors e JOIN apps a ON a.id = e.app_id JOIN processes p ON p.id = e.process_id"
        " WHERE a.id = $1 AND a.account_id = $2 AND e.timestamp BETWEEN $3 AND $4" SI_PG_PROCESS_FILTER("6", "7", "8", "9")
        " ORDER BY e.timestamp DESC, e.id DESC LIMIT $5",
        params);
    std::vector<ErrorRow> errors;
    for (int i = 0; i < e.size(); ++i) {
        errors.push_back(ErrorRow{e.integer(i, 0) != 0, e.integer(i, 1), e.text(i, 2), e.text(i, 3), e.text(i, 4),
                                  e.text(i, 5), e.text(i, 6), e.text(i, 7), e.integer(i, 8), e.real(i, 9)});
    }
    return errors;
}

ErrorHistory PostgresStorage::error_history(int64_t app_id, int64_t before, size_t max_rows) {
    auto db = connection();
    ErrorHistory history;
    auto app = db->query("SELECT created FROM apps WHERE id = $1", app_id);
    if (!app.empty()) history.app_created = app.integer(0, 0);
    // Frames tell crashes apart (their signature); exceptions are told apart by type and site.
    auto e = db->query(
        "SELECT crash, MIN(timestamp), type, site, CASE WHEN crash <> 0 THEN frames ELSE '' END AS signature_frames"
        " FROM errors WHERE app_id = $1 AND timestamp < $2 GROUP BY crash, type, site, signature_frames LIMIT $3",
        app_id, before, static_cast<int64_t>(max_rows));
    for (int i = 0; i < e.size(); ++i) {
        ErrorRow error;
        error.crash = e.integer(i, 0) != 0;
        error.time = e.integer(i, 1);
        error.type = e.text(i, 2);
        error.site = e.text(i, 3);
        error.frames = e.text(i, 4);
        history.signatures.push_back(std::move(error));
    }
    return history;
}

std::vector<SpanBucket> PostgresStorage::span_buckets(const AppScope& scope, const QueryFilter& filter, int64_t width,
                                                      size_t max_rows) {
    auto db = connection();
    const bool rolled = filter.to - filter.from >= kSpanRollupRange && !filter.pid && filter.host.empty();
    const int64_t first_whole_hour = (filter.from + 3599) / 3600 * 3600;
    const int64_t bucket_width = std::max<int64_t>(width, 1);
    Params params = scoped(scope, filter);
    params.add(bucket_width);                                    // $5
    params.add(static_cast<int64_t>(max_rows));                  // $6
    params.add(static_cast<int64_t>(rolled ? 1 : 0));            // $7
    params.add(rolled ? first_whole_hour : filter.to + 1);       // $8
    add_filter(params, filter);                                  // $9 to $12
    // As sqlite/storage_queries.cpp span_buckets: for a long range without host or pid
    // filter ($7 = 1) the hourly rollups from the first whole hour ($8) up to the last one
    // rolled up (per series), and raw reports before $8 and after that; otherwise raw
    // reports only ($8 past $4). w is a report's weight.
    auto b = db->run(
        "SELECT name, bucket, SUM(n), SUM(c), SUM(t), MAX(m), COALESCE(SUM(p50s), 0), COALESCE(SUM(p50w), 0),"
        " COALESCE(SUM(p95s), 0), COALESCE(SUM(p95w), 0), COALESCE(SUM(p99s), 0), COALESCE(SUM(p99w), 0) FROM ("
        "  SELECT s.name AS name, (ro.hour * 3600 + 1800 - $3) / $5 AS bucket, ro.reports AS n, ro.count AS c,"
        "  ro.total_ms AS t, ro.max_ms AS m, ro.p50_sum AS p50s, ro.p50_weight AS p50w, ro.p95_sum AS p95s,"
        "  ro.p95_weight AS p95w, ro.p99_sum AS p99s, ro.p99_weight AS p99w"
        "  FROM series s JOIN apps a ON a.id = s.app_id JOIN span_rollups ro ON ro.series_id = s.id"
        "  WHERE a.id = $1 AND a.account_id = $2 AND s.type = 'state' AND s.category = 'span' AND $7 = 1"
        "  AND ($9::text IS NULL OR ro.version = $9::text) AND ($10::text IS NULL OR ro.environment = $10::text)"
        "  AND ro.hour * 3600 >= $8 AND ro.hour * 3600 + 3599 <= $4"
        "  UNION ALL"
        "  SELECT name, bucket, 1, c, t, m, w * p50, CASE WHEN p50 IS NULL THEN 0 ELSE w END, w * p95, w, w * p99,"
        "  CASE WHEN p99 IS NULL THEN 0 ELSE w END FROM ("
        "   SELECT s.name AS name, (r.timestamp - $3) / $5 AS bucket, r.span_count AS c, r.span_total_ms AS t,"
        "   r.span_max_ms AS m, r.span_p50_ms AS p50, r.value AS p95, r.span_p99_ms AS p99,"
        "   CASE WHEN r.span_count > 0 THEN r.span_count ELSE 1 END AS w"
        "   FROM series s JOIN apps a ON a.id = s.app_id"
        "   CROSS JOIN (SELECT $3 AS lo, LEAST($8, $4 + 1) - 1 AS hi, 0 AS after UNION ALL SELECT $8, $4, 1) win"
        "   JOIN reports r ON r.series_id = s.id AND r.timestamp BETWEEN (CASE WHEN win.after = 0 THEN win.lo"
        "    ELSE GREATEST(win.lo, COALESCE((SELECT (MAX(ro.hour) + 1) * 3600 FROM span_rollups ro"
        "     WHERE ro.series_id = s.id AND $7 = 1 AND ro.hour * 3600 >= $8 AND ro.hour * 3600 + 3599 <= $4), win.lo))"
        "    END) AND win.hi"
        "   JOIN processes p ON p.id = r.process_id WHERE a.id = $1 AND a.account_id = $2 AND s.type = 'state'"
        "   AND s.category = 'span' AND r.breakdown IS NULL" SI_PG_PROCESS_FILTER("9", "10", "11", "12") ") raw) rows"
        " GROUP BY name, bucket ORDER BY name, bucket LIMIT $6",
        params);
    std::vector<SpanBucket> buckets;
    for (int i = 0; i < b.size(); ++i) {
        SpanBucket bucket;
        bucket.name = b.text(i, 0);
        bucket.time = filter.from + b.integer(i, 1) * bucket_width;
        bucket.reports = b.integer(i, 2);
        bucket.count = b.optional_real(i, 3);
        bucket.total_ms = b.optional_real(i, 4);
        bucket.max_ms = b.optional_real(i, 5);
        bucket.p50_sum = b.real(i, 6);
        bucket.p50_weight = b.real(i, 7);
        bucket.p95_sum = b.real(i, 8);
        bucket.p95_weight = b.real(i, 9);
        bucket.p99_sum = b.real(i, 10);
        bucket.p99_weight = b.real(i, 11);
        buckets.push_back(std::move(bucket));
    }
    return buckets;
}

std::vector<AnomalyRow> PostgresStorage::anomalies(const AppScope& scope, int64_t from, int64_t to, size_t max_rows) {
    auto db = connection();
    // The rule now in force over each anomaly: an off rule before a mute, the longest mute first.
#define SI_PG_RULE_NOW(column)                                                                                 \
    " (SELECT r." column " FROM anomaly_rules r WHERE" SI_PG_RULE_COVERS                                       \
    " ORDER BY r.until IS NULL DESC, r.until DESC LIMIT 1)"
    auto n = db->query(
        "SELECT n.id, n.time, n.kind, n.category, n.name, n.host, n.environment, n.value, n.unit, n.score,"
        " n.message, n.acknowledged, n.muted," SI_PG_RULE_NOW("id") "," SI_PG_RULE_NOW("until") ", n.detail"
        " FROM anomalies n JOIN apps a ON a.id = n.app_id"
        " WHERE a.id = $1 AND a.account_id = $2 AND n.time BETWEEN $3 AND $4 ORDER BY n.time DESC, n.id DESC LIMIT $5",
        scope.app_id, scope.account_id, from, to, static_cast<int64_t>(max_rows));
#undef SI_PG_RULE_NOW
    std::vector<AnomalyRow> rows;
    for (int i = 0; i < n.size(); ++i) {
        rows.push_back(AnomalyRow{n.integer(i, 0), n.integer(i, 1), n.text(i, 2), n.text(i, 3), n.text(i, 4),
                                  n.text(i, 5), n.text(i, 6), n.real(i, 7), n.text(i, 8), n.real(i, 9), n.text(i, 10),
                                  n.integer(i, 11) != 0, n.text(i, 15), n.integer(i, 12) != 0,
                                  n.optional_integer(i, 13).value_or(0), n.optional_integer(i, 14)});
    }
    return rows;
}

bool PostgresStorage::acknowledge_anomaly(const AppScope& scope, int64_t anomaly_id) {
    auto db = connection();
    // Already acknowledged counts as success; only a missing or foreign anomaly is false.
    return db
               ->query("UPDATE anomalies n SET acknowledged = 1 FROM apps a WHERE n.id = $1 AND n.app_id = $2"
                       " AND a.id = n.app_id AND a.account_id = $3",
                       anomaly_id, scope.app_id, scope.account_id)
               .changes() > 0;
}

}  // namespace siagent::dashboard::postgres
