// Hourly rollups (schema version 2): built in the background from raw reports, read by
// for_each_profile in place of the raw reports they cover.
#include "dashboard/server/model/rollup_tree.h"
#include "dashboard/server/sqlite/rollup_groups.h"
#include "dashboard/server/sqlite/sqlite_storage.h"

namespace siagent::dashboard::sqlite {

size_t SqliteStorage::build_rollups(int64_t reports_before, size_t max_groups, size_t max_nodes) {
    std::vector<RollupGroup> groups;
    {
        auto db = reader();
        groups = uncovered_rollup_groups(*db, "rollups", "r.breakdown IS NOT NULL", reports_before, max_groups);
    }
    size_t built = 0;
    for (const RollupGroup& group : groups) {
        RollupTree rollup;
        {
            auto db = reader();
            // The group's rollup so far, extended with the reports after it (ids grow in
            // commit order: the one writer), or built whole.
            auto stored = db->prepare(
                "SELECT tree, reports, max_report_id, samples FROM rollups WHERE series_id = ? AND hour = ?"
                " AND version = ? AND environment = ?");
            if (stored.bind(group.series, group.hour, group.version, group.environment).step()) {
                // Too large to keep (a marker of 0 reports): tried again once its hour is over.
                if (stored.integer(1) == 0 && group.hour * 3600 + 3600 > reports_before) continue;
                rollup.start_from(stored.blob(0), stored.integer(1), stored.integer(2), stored.optional_integer(3),
                                  max_nodes);
            }
            auto row = db->prepare(
                "SELECT r.id, r.breakdown, r.samples FROM reports r JOIN processes p ON p.id = r.process_id"
                " WHERE r.series_id = ? AND r.timestamp >= ? AND r.timestamp < ? AND p.version = ?"
                " AND p.environment = ? AND r.breakdown IS NOT NULL AND r.id > ?");
            row.bind(group.series, group.hour * 3600, group.hour * 3600 + 3600, group.version, group.environment,
                     rollup.max_report_id);
            while (row.step()) rollup.add(row.blob(1), row.integer(0), row.optional_integer(2), max_nodes);
        }
        const std::string blob = rollup.stored_tree(max_nodes);
        auto db = writer();
        db->prepare("INSERT OR REPLACE INTO rollups(series_id, hour, version, environment, reports, max_report_id, tree,"
                    " samples) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(group.series, group.hour, group.version, group.environment, rollup.stored_reports(max_nodes),
                  rollup.max_report_id, Blob{blob}, rollup.samples)
            .run();
        ++built;
    }
    return built;
}

}  // namespace siagent::dashboard::sqlite
