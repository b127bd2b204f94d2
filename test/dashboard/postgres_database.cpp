#include "test/dashboard/postgres_database.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <stdexcept>

namespace siagent::testing {
namespace {

// Runs one statement of the tests' own text on the cluster's maintenance database.
void run(const std::string& cluster, const std::string& sql) {
    PGconn* conn = PQconnectdb(cluster.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        const std::string error = PQerrorMessage(conn);
        PQfinish(conn);
        throw std::runtime_error("test cluster: " + error);
    }
    PGresult* result = PQexec(conn, sql.c_str());
    const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    const std::string error = PQresultErrorMessage(result);
    PQclear(result);
    PQfinish(conn);
    if (!ok) throw std::runtime_error("test cluster: " + sql + ": " + error);
}

}  // namespace

std::optional<std::string> postgres_cluster() {
    const char* url = std::getenv("SIAGENT_TEST_POSTGRES");
    if (url == nullptr || *url == '\0') return std::nullopt;
    return std::string(url);
}

PostgresDatabase::PostgresDatabase(const std::string& cluster) : cluster_(cluster) {
    std::random_device random;
    name_ = "siagent_t" + std::to_string(::getpid()) + "_" + std::to_string(random() % 1'000'000'000);
    // The cluster URL names the database "postgres" (scripts/with-postgres).
    const auto at = cluster_.find("/postgres");
    if (at == std::string::npos) throw std::runtime_error("SIAGENT_TEST_POSTGRES names no /postgres database");
    url_ = cluster_.substr(0, at) + "/" + name_ + cluster_.substr(at + 9);
    run(cluster_, "CREATE DATABASE " + name_);
}

PostgresDatabase::~PostgresDatabase() {
    try {
        run(cluster_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {
        // the cluster goes away with the test run anyway
    }
}

}  // namespace siagent::testing
