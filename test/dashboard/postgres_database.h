// A fresh PostgreSQL database for one test, in the cluster scripts/with-postgres started
// (SIAGENT_TEST_POSTGRES); dropped, with any connection left to it, by the destructor.
#pragma once

#include <optional>
#include <string>

namespace siagent::testing {

// The cluster's URL, when the tests run against PostgreSQL.
std::optional<std::string> postgres_cluster();

class PostgresDatabase {
public:
    explicit PostgresDatabase(const std::string& cluster);  // throws when it cannot
    ~PostgresDatabase();
    PostgresDatabase(const PostgresDatabase&) = delete;
    PostgresDatabase& operator=(const PostgresDatabase&) = delete;

    const std::string& url() const { return url_; }  // postgresql://... of this database
    const std::string& name() const { return name_; }

private:
    std::string cluster_;
    std::string name_;
    std::string url_;
};

}  // namespace siagent::testing
