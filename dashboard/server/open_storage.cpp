#include "dashboard/server/open_storage.h"

#include <sys/stat.h>

#include "dashboard/server/postgres/postgres_storage.h"
#include "dashboard/server/sqlite/sqlite_storage.h"

namespace siagent::dashboard {

std::unique_ptr<Storage> open_storage(const std::filesystem::path& data, const std::string& database,
                                      size_t connections) {
    if (!database.empty()) return std::make_unique<postgres::PostgresStorage>(database, connections);
    std::error_code error;
    if (!std::filesystem::exists(data, error)) {
        std::filesystem::create_directories(data, error);
        ::chmod(data.c_str(), 0700);  // the database holds password hashes
    }
    return std::make_unique<sqlite::SqliteStorage>((data / "siagent.db").string(), connections);
}

}  // namespace siagent::dashboard
