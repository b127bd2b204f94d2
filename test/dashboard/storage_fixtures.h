// What storage tests share: a database file in a fresh directory, and a process envelope.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "dashboard/server/agent_request.h"
#include "dashboard/server/secrets.h"

namespace siagent::dashboard::testing {

struct TempDatabase {
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("siagent-storage-" + std::to_string(::getpid()) + "-" + random_hex(4));
    TempDatabase() { std::filesystem::create_directories(dir); }
    ~TempDatabase() { std::filesystem::remove_all(dir); }
    std::string path() const { return (dir / "siagent.db").string(); }
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

}  // namespace siagent::dashboard::testing
