// Hourly rollups of profile trees and of span metric reports (sqlite/storage_rollups.cpp and
// storage_span_rollups.cpp say what they hold). One instance builds them at a time (the
// advisory lock LockKey::rollups), and only from reports up to the committed horizon
// (postgres_storage.h), so a report committing late is never counted as covered.
#include "dashboard/server/postgres/advisory_lock.h"
#include "dashboard/server/postgres/postgres_storage.h"
#include "dashboard/server/model/rollup_tree.h"

namespace siagent::dashboard::postgres {
namespace {

struct RollupGroup {
    int64_t series = 0;
    int64_t hour = 0;  // Unix seconds / 3600
    std::string version;
    std::string environment;
};

// The groups (series, complete hour, version, environment) with a report up to `horizon`
// that no rollup covers yet. `sql` takes $1 horizon, $2 complete_before, $3 max_groups.
std::vector<RollupGroup> uncovered_groups(Connection& db, const char* sql, int64_t horizon, int64_t complete_before,
                                          size_t max_groups) {
    auto rows = db.query(sql, horizon, complete_before, static_cast<int64_t>(max_groups));
    std::vector<RollupGroup> groups;
    for (int i = 0; i < rows.size(); ++i) {
        groups.push_back(RollupGroup{rows.integer(i, 0), rows.integer(i, 1), rows.text(i, 2), rows.text(i, 3)});
    }
    return groups;
}

}  // namespace

size_t PostgresStorage::build_rollups(int64_t reports_before, size_t max_groups, size_t max_nodes) {
    auto db = connection();
    SessionLock lock(*db, LockKey::rollups, SessionLock::Mode::try_once);
    if (!lock.held()) return 0;
    const int64_t horizon = committed_report_horizon(*db);
    const auto groups = uncovered_groups(*db,
        "SELECT r.series_id, r.timestamp / 3600, p.version, p.environment FROM reports r"
        " JOIN processes p ON p.id = r.process_id WHERE r.breakdown IS NOT NULL AND r.id <= $1"
        " AND r.timestamp < $2 AND NOT EXISTS (SELECT 1 FROM rollups ro WHERE ro.series_id = r.series_id"
        "   AND ro.hour = r.timestamp / 3600 AND ro.version = p.version AND ro.environment = p.environment"
        "   AND ro.max_report_id >= r.id) GROUP BY 1, 2, 3, 4 LIMIT $3",
        horizon, reports_before, max_groups);
    size_t built = 0;
    for (const RollupGroup& group : groups) {
        // The group's rollup so far, extended with the reports after it up to the horizon
        // (every id up to its max_report_id was committed when it was built), or built whole.
        RollupTree rollup;
        auto stored = db->query(
            "SELECT tree, reports, max_report_id, samples FROM rollups WHERE series_id = $1 AND hour = $2"
            " AND version = $3 AND environment = $4",
            group.series, group.hour, group.version, group.environment);
        if (!stored.empty()) {
            // Too large to keep (a marker of 0 reports): tried again once its hour is over.
            if (stored.integer(0, 1) == 0 && group.hour * 3600 + 3600 > reports_before) continue;
            rollup.start_from(stored.bytes(0, 0), stored.integer(0, 1), stored.integer(0, 2),
                              stored.optional_integer(0, 3), max_nodes);
        }
        Params params;
        params.add(group.series);
        params.add(group.hour * 3600);
        params.add(group.version);
        params.add(group.environment);
        params.add(horizon);
        params.add(rollup.max_report_id);
        db->each_row(
            "SELECT r.id, r.breakdown, r.samples FROM reports r JOIN processes p ON p.id = r.process_id"
            " WHERE r.series_id = $1 AND r.timestamp >= $2 AND r.timestamp < $2 + 3600 AND p.version = $3"
            " AND p.environment = $4 AND r.breakdown IS NOT NULL AND r.id <= $5 AND r.id > $6",
            params, [&](const Rows& row) {
                rollup.add(row.bytes(0, 1), row.integer(0, 0), row.optional_integer(0, 2), max_nodes);
            });
        db->query(
            "INSERT INTO rollups(series_id, hour, version, environment, reports, max_report_id, tree, samples)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (series_id, hour, version, environment) DO UPDATE"
            " SET reports = excluded.reports, max_report_id = excluded.max_report_id, tree = excluded.tree,"
            " samples = excluded.samples",
            group.series, group.hour, group.version, group.environment, rollup.stored_reports(max_nodes),
            rollup.max_report_id, Blob{rollup.stored_tree(max_nodes)}, rollup.samples);
        ++built;
    }
    return built;
}

size_t PostgresStorage::build_span_rollups(int64_t complete_before, size_t max_groups) {
    auto db = connection();
    SessionLock lock(*db, LockKey::rollups, SessionLock::Mode::try_once);
    if (!lock.held()) return 0;
    const int64_t horizon = committed_report_horizon(*db);
    const auto groups = uncovered_groups(*db,
        "SELECT r.series_id, r.timestamp / 3600, p.version, p.environment FROM reports r"
        " JOIN series s ON s.id = r.series_id JOIN processes p ON p.id = r.process_id"
        " WHERE s.type = 'state' AND s.category = 'span' AND r.breakdown IS NULL AND r.id <= $1"
        " AND r.timestamp < $2 / 3600 * 3600 AND NOT EXISTS (SELECT 1 FROM span_rollups ro"
        "   WHERE ro.series_id = r.series_id AND ro.hour = r.timestamp / 3600 AND ro.version = p.version"
        "   AND ro.environment = p.environment AND ro.max_report_id >= r.id) GROUP BY 1, 2, 3, 4 LIMIT $3",
        horizon, complete_before, max_groups);
    for (const RollupGroup& group : groups) {
        // One statement: every report of the group up to the horizon. The sums are those of
        // span_buckets (w: a report's weight, its count or 1).
        db->query(
            "INSERT INTO span_rollups SELECT $1, $2, $3, $4, COUNT(*), MAX(r.id), SUM(r.span_count),"
            " SUM(r.span_total_ms), MAX(r.span_max_ms), COALESCE(SUM(w * r.span_p50_ms), 0),"
            " COALESCE(SUM(CASE WHEN r.span_p50_ms IS NULL THEN 0 ELSE w END), 0), COALESCE(SUM(w * r.value), 0),"
            " COALESCE(SUM(w), 0), COALESCE(SUM(w * r.span_p99_ms), 0),"
            " COALESCE(SUM(CASE WHEN r.span_p99_ms IS NULL THEN 0 ELSE w END), 0) FROM ("
            "  SELECT r.*, CASE WHEN r.span_count > 0 THEN r.span_count ELSE 1 END AS w FROM reports r"
            "  JOIN processes p ON p.id = r.process_id WHERE r.series_id = $1 AND r.timestamp >= $2 * 3600"
            "  AND r.timestamp < $2 * 3600 + 3600 AND p.version = $3 AND p.environment = $4"
            "  AND r.breakdown IS NULL AND r.id <= $5) r WHERE true"
            " ON CONFLICT (series_id, hour, version, environment) DO UPDATE SET reports = excluded.reports,"
            " max_report_id = excluded.max_report_id, count = excluded.count, total_ms = excluded.total_ms,"
            " max_ms = excluded.max_ms, p50_sum = excluded.p50_sum, p50_weight = excluded.p50_weight,"
            " p95_sum = excluded.p95_sum, p95_weight = excluded.p95_weight, p99_sum = excluded.p99_sum,"
            " p99_weight = excluded.p99_weight",
            group.series, group.hour, group.version, group.environment, horizon);
    }
    return groups.size();
}

}  // namespace siagent::dashboard::postgres
