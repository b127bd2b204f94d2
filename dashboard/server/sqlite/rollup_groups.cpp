#include "dashboard/server/sqlite/rollup_groups.h"

#include "dashboard/server/sqlite/rows.h"

namespace siagent::dashboard::sqlite {

std::vector<RollupGroup> uncovered_rollup_groups(Connection& db, const std::string& rollup_table,
                                                 const std::string& reports_condition, int64_t reports_before,
                                                 size_t max_groups) {
    auto row = db.prepare(
        ("SELECT r.series_id, r.timestamp / 3600, p.version, p.environment FROM reports r"
         " JOIN series s ON s.id = r.series_id JOIN processes p ON p.id = r.process_id"
         " WHERE " + reports_condition + " AND r.timestamp < ?1"
         " AND NOT EXISTS (SELECT 1 FROM " + rollup_table + " ro WHERE ro.series_id = r.series_id"
         "   AND ro.hour = r.timestamp / 3600 AND ro.version = p.version AND ro.environment = p.environment"
         "   AND ro.max_report_id >= r.id)"
         " GROUP BY 1, 2, 3, 4 LIMIT ?2").c_str());
    return collect(row.bind(reports_before, static_cast<int64_t>(max_groups)), [](const Statement& g) {
        return RollupGroup{g.integer(0), g.integer(1), g.text(2), g.text(3)};
    });
}

}  // namespace siagent::dashboard::sqlite
