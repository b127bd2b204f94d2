// The PostgreSQL schema, versioned like SQLite's (sqlite/schema.h): the table
// schema_version holds the version, and migrate() applies every newer migration in one
// transaction each, under an advisory lock so that instances starting together migrate
// once. Migrations are only ever appended; a released one is never edited. Version 1 is
// the SQLite schema at its version 10, with reports partitioned by day (partitions.h).
#pragma once

#include "dashboard/server/postgres/connection.h"

namespace siagent::dashboard::postgres {

// Returns the version the database has afterwards; throws when it is newer than this
// program knows.
int migrate(Connection& connection);

}  // namespace siagent::dashboard::postgres
