// Hourly rollups of span metric reports (schema kSpanStats): built in the background from
// raw reports, read by span_buckets for long ranges in place of the raw reports they cover.
#include "dashboard/server/sqlite/rollup_groups.h"
#include "dashboard/server/sqlite/sqlite_storage.h"

namespace siagent::dashboard::sqlite {

size_t SqliteStorage::build_span_rollups(int64_t complete_before, size_t max_groups) {
    std::vector<RollupGroup> groups;
    {
        auto db = reader();
        groups = uncovered_rollup_groups(*db, "span_rollups",
                                         "s.type = 'state' AND s.category = 'span' AND r.breakdown IS NULL",
                                         complete_before / 3600 * 3600, max_groups);  // complete hours
    }
    for (const RollupGroup& group : groups) {
        auto db = writer();  // per group: uploads wait for one group at most
        // One statement: every report of the group up to the largest id it saw. The sums are
        // those of span_buckets (w: a report's weight, its count or 1).
        db->prepare(
              "INSERT OR REPLACE INTO span_rollups SELECT ?1, ?2, ?3, ?4, COUNT(*), MAX(r.id), SUM(r.span_count),"
              " SUM(r.span_total_ms), MAX(r.span_max_ms), TOTAL(w * r.span_p50_ms),"
              " TOTAL(CASE WHEN r.span_p50_ms IS NULL THEN 0 ELSE w END), TOTAL(w * r.value), TOTAL(w),"
              " TOTAL(w * r.span_p99_ms), TOTAL(CASE WHEN r.span_p99_ms IS NULL THEN 0 ELSE w END) FROM ("
              "  SELECT r.*, CASE WHEN r.span_count > 0 THEN r.span_count ELSE 1 END AS w FROM reports r"
              "  JOIN processes p ON p.id = r.process_id WHERE r.series_id = ?1 AND r.timestamp >= ?2 * 3600"
              "  AND r.timestamp < ?2 * 3600 + 3600 AND p.version = ?3 AND p.environment = ?4"
              "  AND r.breakdown IS NULL) r")
            .bind(group.series, group.hour, group.version, group.environment)
            .run();
    }
    return groups.size();
}

}  // namespace siagent::dashboard::sqlite
