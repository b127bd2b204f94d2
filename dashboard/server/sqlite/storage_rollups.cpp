// Hourly rollups (schema version 2): built in the background from raw reports, read by
// for_each_profile in place of the raw reports they cover.
#include "dashboard/server/sqlite/rollup_groups.h"
#include "dashboard/server/sqlite/sqlite_storage.h"

namespace siagent::dashboard::sqlite {
namespace {

struct Rollup {
    CallTree tree;
    int64_t reports = 0;
    int64_t max_report_id = 0;
    std::optional<int64_t> samples = 0;  // nullopt once a report without a count is merged
};

}  // namespace

size_t SqliteStorage::build_rollups(int64_t complete_before, size_t max_groups, size_t max_nodes) {
    std::vector<RollupGroup> groups;
    {
        auto db = reader();
        groups = uncovered_rollup_groups(*db, "rollups", "r.breakdown IS NOT NULL", complete_before, max_groups);
    }
    for (const RollupGroup& group : groups) {
        // One statement, one snapshot: every report of the group up to max_report_id.
        Rollup rollup;
        {
            auto db = reader();
            auto row = db->prepare(
                "SELECT r.id, r.breakdown, r.samples FROM reports r JOIN processes p ON p.id = r.process_id"
                " WHERE r.series_id = ? AND r.timestamp >= ? AND r.timestamp < ? AND p.version = ?"
                " AND p.environment = ? AND r.breakdown IS NOT NULL");
            row.bind(group.series, group.hour * 3600, group.hour * 3600 + 3600, group.version, group.environment);
            while (row.step()) {
                if (!CallTree::merge_encoded(row.blob(1), max_nodes, 1.0, rollup.tree)) continue;
                ++rollup.reports;
                rollup.max_report_id = std::max(rollup.max_report_id, row.integer(0));
                const std::optional<int64_t> samples = row.optional_integer(2);
                rollup.samples = rollup.samples && samples ? std::optional<int64_t>(*rollup.samples + *samples)
                                                           : std::nullopt;
            }
        }
        // A tree too large to keep stays raw: the marker (0 reports) covers nothing and stops
        // the group from being tried again until a new report arrives.
        const bool keep = rollup.tree.size() <= max_nodes;
        const std::string blob = (keep ? rollup.tree : CallTree()).encode();
        auto db = writer();
        db->prepare("INSERT OR REPLACE INTO rollups(series_id, hour, version, environment, reports, max_report_id, tree,"
                    " samples) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(group.series, group.hour, group.version, group.environment, keep ? rollup.reports : 0,
                  rollup.max_report_id, Blob{blob}, rollup.samples)
            .run();
    }
    return groups.size();
}

}  // namespace siagent::dashboard::sqlite
