// A siagent-dashboard started for one test: an empty data directory (and, when the tests run
// against PostgreSQL, a fresh database there: postgres_database.h), a free loopback port,
// and the first start's secrets read from what it printed. Stopped by the destructor.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "test/dashboard/postgres_database.h"
#include "test/integration/background_process.h"
#include "test/integration/process_runner.h"

namespace siagent::testing {

// The binary meson built (SIAGENT_DASHBOARD).
std::string dashboard_binary();

class DashboardServer {
public:
    // Starts the server with `extra` flags after --listen and --data; REQUIREs that it listens.
    explicit DashboardServer(const std::vector<std::string>& extra = {});
    ~DashboardServer();

    int port() const { return port_; }
    const std::string& password() const { return password_; }   // admin@localhost's
    const std::string& agent_key() const { return agent_key_; }  // the first key
    const std::string& data_dir() const { return data_dir_; }
    // The --data and (on PostgreSQL) --database flags of this server's store.
    std::vector<std::string> store_flags() const;
    std::string output() const;  // all it printed so far

    // Stops the server with `signal` (SIGTERM: as an operator does; SIGKILL: a crash) and
    // starts it again on the same port and store; REQUIREs that it listens.
    void restart(int signal);

    // `siagent-dashboard user add` against this data directory; returns the new password.
    std::string add_user(const std::string& email, const std::string& role, const std::string& account);

private:
    TemporaryDirectory directory_;
    std::unique_ptr<PostgresDatabase> database_;  // null: SQLite in data_dir_
    std::string data_dir_;
    std::string output_file_;
    int port_ = 0;
    std::string password_;
    std::string agent_key_;
    std::vector<std::string> argv_;
    std::unique_ptr<BackgroundProcess> process_;

    void start();
};

}  // namespace siagent::testing
