// Row readers and SQL fragments shared by the PostgreSQL storage files.
#pragma once

#include "dashboard/server/postgres/connection.h"
#include "dashboard/server/model/storage.h"

namespace siagent::dashboard::postgres {

// The one definition of "a rule in force covers an anomaly" (sqlite/rows.h SI_RULE_COVERS),
// for `anomaly_rules r` and an anomaly row `n`, at the database's wall clock.
#define SI_PG_RULE_COVERS                                                                       \
    " r.app_id = n.app_id AND r.kind = n.kind AND r.category = n.category AND r.name = n.name"  \
    " AND (r.host = '' OR r.host = n.host) AND (r.environment = '' OR r.environment = n.environment)" \
    " AND (r.until IS NULL OR r.until > extract(epoch FROM clock_timestamp())::bigint)"

// id, host, pid, run_id, version, environment, first_seen, last_seen, active, runtime_type,
// runtime_version, agent_version, ended
inline ProcessRow process_row(const Rows& r, int i) {
    return ProcessRow{r.integer(i, 0),       r.text(i, 1),  r.integer(i, 2),  r.text(i, 3),
                      r.text(i, 4),          r.text(i, 5),  r.integer(i, 6),  r.integer(i, 7),
                      r.integer(i, 8) != 0,  r.text(i, 9),  r.text(i, 10),    r.text(i, 11), r.optional_integer(i, 12)};
}

inline std::vector<ProcessRow> process_rows(const Rows& rows) {
    std::vector<ProcessRow> processes;
    for (int i = 0; i < rows.size(); ++i) processes.push_back(process_row(rows, i));
    return processes;
}

}  // namespace siagent::dashboard::postgres
