// What the hourly rollups (storage_rollups.cpp, storage_span_rollups.cpp) have left to do:
// the groups of reports, one series, hour, version and environment each, that hold
// a report their rollup table does not cover yet (no row, or one built before that report
// arrived: its max_report_id is lower).
#pragma once

#include <string>
#include <vector>

#include "dashboard/server/sqlite/connection.h"

namespace siagent::dashboard::sqlite {

struct RollupGroup {
    int64_t series = 0;
    int64_t hour = 0;  // Unix seconds / 3600
    std::string version;
    std::string environment;
};

// `rollup_table` is `rollups` or `span_rollups`; `reports_condition` is an SQL condition over
// the report `r` and its series `s` (both constant text of the callers, never input). At
// most `max_groups`, of reports stamped before `reports_before` (a whole hour's start, for
// complete hours only).
std::vector<RollupGroup> uncovered_rollup_groups(Connection& db, const std::string& rollup_table,
                                                 const std::string& reports_condition, int64_t reports_before,
                                                 size_t max_groups);

}  // namespace siagent::dashboard::sqlite
