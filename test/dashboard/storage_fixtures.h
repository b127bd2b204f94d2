// Shared by the tests that run against a real storage: a temporary database (SQLite, or a
// fresh PostgreSQL database when SIAGENT_TEST_POSTGRES names a cluster, scripts/
// with-postgres), an agent's envelope, a small CPU profile report.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dashboard/server/model/call_tree.h"
#include "dashboard/server/secrets.h"
#include "dashboard/server/postgres/postgres_storage.h"
#include "dashboard/server/sqlite/sqlite_storage.h"
#include "dashboard/server/model/storage.h"
#include "test/dashboard/postgres_database.h"

namespace siagent::testing {

using dashboard::CallTree;
using dashboard::Envelope;
using dashboard::ReportToStore;
using dashboard::SeriesKey;

constexpr int64_t kNow = 1'700'000'000;

struct TempDatabase {
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("siagent-storage-" + std::to_string(::getpid()) + "-" + dashboard::random_hex(4));
    std::unique_ptr<PostgresDatabase> postgres;  // null: SQLite in `dir`

    TempDatabase() {
        std::filesystem::create_directories(dir);
        if (auto cluster = postgres_cluster()) postgres = std::make_unique<PostgresDatabase>(*cluster);
    }
    ~TempDatabase() {
        storage_.reset();  // its connections first
        std::filesystem::remove_all(dir);
    }
    std::string path() const { return (dir / "siagent.db").string(); }  // the SQLite file

    // A new storage on this database (schema migrated); `connections`: SQLite's readers or
    // PostgreSQL's pool.
    std::unique_ptr<dashboard::Storage> open(size_t connections = 3) const {
        if (postgres) return std::make_unique<dashboard::postgres::PostgresStorage>(postgres->url(), connections);
        return std::make_unique<dashboard::sqlite::SqliteStorage>(path(), connections);
    }
    // The storage of this database, opened on first use and closed with it.
    dashboard::Storage& storage() {
        if (!storage_) storage_ = open();
        return *storage_;
    }

private:
    std::unique_ptr<dashboard::Storage> storage_;
};

inline Envelope envelope(const std::string& app, const std::string& host, int64_t pid,
                         const std::string& version = "1.0") {
    Envelope e;
    e.runtime_type = "native";
    e.app_name = app;
    e.host_name = host;
    e.process_id = pid;
    e.run_id = "run" + std::to_string(pid) + "abcdef";
    e.app_version = version;
    e.app_environment = "prod";
    e.extra = "{}";
    return e;
}

// A profile report of `series`: main calling each (frame, self value) of `leaves`.
inline ReportToStore profile_report(const SeriesKey& series, int64_t timestamp,
                                    const std::vector<std::pair<std::string, double>>& leaves) {
    CallTree tree;
    const uint32_t main = tree.child(CallTree::kRoot, "main (demo.cpp:3)");
    ReportToStore report;
    for (const auto& [frame, value] : leaves) {
        tree.add(tree.child(main, frame), value);
        report.value += value;
    }
    tree.make_inclusive();
    report.series = series;
    report.timestamp = timestamp;
    report.blob = tree.encode();
    return report;
}

// main calling burn and idle, with those self values.
inline ReportToStore cpu_report(int64_t timestamp, double burn, double idle) {
    return profile_report(SeriesKey{"profile", "cpu-profile", "CPU usage", "percent"}, timestamp,
                          {{"burn (demo.cpp:10)", burn}, {"idle (demo.cpp:20)", idle}});
}

}  // namespace siagent::testing
