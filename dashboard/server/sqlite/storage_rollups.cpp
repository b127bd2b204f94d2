// Hourly rollups (schema version 2): built in the background from raw reports, read by
// for_each_profile in place of the raw reports they cover.
#include "dashboard/server/model/rollup_tree.h"
#include "dashboard/server/sqlite/rollup_groups.h"
#include "dashboard/server/sqlite/sqlite_storage.h"

namespace siagent::dashboard::sqlite {

size_t SqliteStorage::build_rollups(int64_t complete_before, size_t max_groups, size_t max_nodes) {
    std::vector<RollupGroup> groups;
    {
        auto db = reader();
        groups = uncovered_rollup_groups(*db, "rollups", "r.breakdown IS NOT NULL", complete_before, max_groups);
    }
    for (const RollupGroup& group : groups) {
        // One statement, one snapshot: every report of the group up to max_report_id.
        RollupTree rollup;
        {
            auto db = reader();
            auto row = db->prepare(
                "SELECT r.id, r.breakdown, r.samples FROM reports r JOIN processes p ON p.id = r.process_id"
                " WHERE r.series_id = ? AND r.timestamp >= ? AND r.timestamp < ? AND p.version = ?"
                " AND p.environment = ? AND r.breakdown IS NOT NULL");
            row.bind(group.series, group.hour * 3600, group.hour * 3600 + 3600, group.version, group.environment);
            while (row.step()) rollup.add(row.blob(1), row.integer(0), row.optional_integer(2), max_nodes);
        }
        const std::string blob = rollup.stored_tree(max_nodes);
        auto db = writer();
        db->prepare("INSERT OR REPLACE INTO rollups(series_id, hour, version, environment, reports, max_report_id, tree,"
                    " samples) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(group.series, group.hour, group.version, group.environment, rollup.stored_reports(max_nodes),
                  rollup.max_report_id, Blob{blob}, rollup.samples)
            .run();
    }
    return groups.size();
}

}  // namespace siagent::dashboard::sqlite
