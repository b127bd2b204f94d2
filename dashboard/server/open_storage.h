// The storage a command line names: PostgreSQL at `database` when given, otherwise SQLite
// in `data`/siagent.db (created with the directory).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "dashboard/server/model/storage.h"

namespace siagent::dashboard {

// `connections`: SQLite's reader connections or PostgreSQL's pool. Throws when the
// database cannot be opened or migrated.
std::unique_ptr<Storage> open_storage(const std::filesystem::path& data, const std::string& database,
                                      size_t connections);

}  // namespace siagent::dashboard
