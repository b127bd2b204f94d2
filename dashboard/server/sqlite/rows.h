// Row readers shared by the storage files; each expects the columns in the order its
// comment names.
#pragma once

#include <vector>

#include "dashboard/server/sqlite/connection.h"
#include "dashboard/server/model/storage.h"

namespace siagent::dashboard::sqlite {

// The one definition of "a rule in force covers an anomaly", for `anomaly_rules r` and an
// anomaly row `n` (app_id, kind, category, name, host, environment): same app, kind and
// series, the rule's host and environment empty ("all") or equal, and not expired at the
// database's wall clock.
#define SI_RULE_COVERS                                                                         \
    " r.app_id = n.app_id AND r.kind = n.kind AND r.category = n.category AND r.name = n.name" \
    " AND (r.host = '' OR r.host = n.host) AND (r.environment = '' OR r.environment = n.environment)" \
    " AND (r.until IS NULL OR r.until > unixepoch())"

// Every remaining row of `statement`, each read by `read(statement)`.
template <class Read>
auto collect(Statement& statement, Read read) {
    std::vector<decltype(read(statement))> rows;
    while (statement.step()) rows.push_back(read(statement));
    return rows;
}

// id, host, pid, run_id, version, environment, first_seen, last_seen, active, runtime_type,
// runtime_version, agent_version, ended
inline ProcessRow process_row(const Statement& row) {
    return ProcessRow{row.integer(0), row.text(1),    row.integer(2),    row.text(3),
                      row.text(4),    row.text(5),    row.integer(6),    row.integer(7),
                      row.integer(8) != 0, row.text(9), row.text(10), row.text(11), row.optional_integer(12)};
}

}  // namespace siagent::dashboard::sqlite
