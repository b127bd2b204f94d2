// Day partitions of `reports` (schema.cpp): reports_p<day> holds the timestamps of Unix day
// <day> (timestamp / 86400). A partition is created for days near the wall clock only
// (kPartitionDaysAround), so an agent's odd timestamps cannot create tables without bound;
// other reports go to reports_default, which retention prunes by DELETE. Creating and
// dropping happen under the advisory lock LockKey::partitions, in their own transactions.
#pragma once

#include <cstdint>
#include <vector>

#include "dashboard/server/postgres/connection.h"

namespace siagent::dashboard::postgres {

inline constexpr int64_t kPartitionDaysAround = 2;

// Makes sure day `day`'s partition exists. False when it cannot (reports of that day are in
// reports_default already): they go on going there.
bool create_day_partition(Connection& db, int64_t day);

// Drops the day partitions wholly before `cutoff`; returns the reports they held.
int64_t drop_partitions_before(Connection& db, int64_t cutoff);

// The days that have a partition, oldest first.
std::vector<int64_t> partition_days(Connection& db);

}  // namespace siagent::dashboard::postgres
