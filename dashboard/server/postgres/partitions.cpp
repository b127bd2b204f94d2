#include "dashboard/server/postgres/partitions.h"

#include <string>

#include "dashboard/server/postgres/advisory_lock.h"

namespace siagent::dashboard::postgres {
namespace {

std::string partition_name(int64_t day) { return "reports_p" + std::to_string(day); }

}  // namespace

std::vector<int64_t> partition_days(Connection& db) {
    auto rows = db.query(
        "SELECT substr(c.relname, 10)::bigint FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'reports'::regclass AND c.relname ~ '^reports_p[0-9]+$' ORDER BY 1");
    std::vector<int64_t> days;
    for (int i = 0; i < rows.size(); ++i) days.push_back(rows.integer(i, 0));
    return days;
}

bool create_day_partition(Connection& db, int64_t day) {
    // Looked up first: CREATE ... PARTITION OF locks the parent table even when it exists.
    const std::string name = partition_name(day);
    if (!db.query("SELECT to_regclass($1)", name).is_null(0, 0)) return true;
    try {
        Transaction transaction(db);
        db.query("SELECT pg_advisory_xact_lock($1)", static_cast<int64_t>(LockKey::partitions));
        // The name and bounds are numbers this function made, not input.
        db.exec("CREATE TABLE IF NOT EXISTS " + name + " PARTITION OF reports FOR VALUES FROM (" +
                std::to_string(day * 86400) + ") TO (" + std::to_string((day + 1) * 86400) + ")");
        transaction.commit();
        return true;
    } catch (const PgError& error) {
        if (error.sqlstate() == "23514") return false;  // reports_default holds rows of that day
        throw;
    }
}

int64_t drop_partitions_before(Connection& db, int64_t cutoff) {
    int64_t removed = 0;
    for (int64_t day : partition_days(db)) {
        if ((day + 1) * 86400 > cutoff) break;
        Transaction transaction(db);
        db.query("SELECT pg_advisory_xact_lock($1)", static_cast<int64_t>(LockKey::partitions));
        const std::string name = partition_name(day);
        if (db.query("SELECT to_regclass($1)", name).is_null(0, 0)) continue;
        auto counted = db.query("SELECT COUNT(*) FROM reports WHERE timestamp >= $1 AND timestamp < $2", day * 86400,
                                (day + 1) * 86400);
        removed += counted.integer(0, 0);
        db.exec("DROP TABLE " + name);
        transaction.commit();
    }
    return removed;
}

}  // namespace siagent::dashboard::postgres
