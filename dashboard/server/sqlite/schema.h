// The database schema, versioned by SQLite's user_version: migrate() applies, in one
// transaction each, every migration newer than the file's version. Migrations are only
// ever appended; a released one is never edited.
#pragma once

#include "dashboard/server/sqlite/connection.h"

namespace siagent::dashboard::sqlite {

// Returns the version the database has afterwards; throws when the file is newer than
// this program knows. `up_to` stops at that version (tests of a migration); -1: the latest.
int migrate(Connection& connection, int up_to = -1);

}  // namespace siagent::dashboard::sqlite
