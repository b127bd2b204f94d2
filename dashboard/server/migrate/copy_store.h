// siagent-dashboard migrate: copies a SQLite store into an empty PostgreSQL database, every
// table with its ids, in one PostgreSQL transaction (a failed copy leaves the target as it
// was; the source is only read, after being migrated to the current schema as a start of
// the server would). Then reads both sides again in the same order and compares, per table,
// the row count and a SHA-256 over a canonical form of every row.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dashboard/server/result.h"

namespace siagent::dashboard::migrate {

struct TableCopy {
    std::string table;
    int64_t source_rows = 0, target_rows = 0;
    std::string source_sha256, target_sha256;  // hex
    bool same() const { return source_rows == target_rows && source_sha256 == target_sha256; }
};

// Fails (nothing written) when the target holds an account already or cannot be reached.
Result<std::vector<TableCopy>> copy_store(const std::filesystem::path& sqlite_file, const std::string& postgres_url);

// The copy's report, one line a table, and a last line saying whether everything matched.
std::string copy_report(const std::vector<TableCopy>& tables);

}  // namespace siagent::dashboard::migrate
