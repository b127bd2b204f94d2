// siagent-dashboard: the self-hosted dashboard (see docs/dashboard.md).
#include <iostream>

#include "dashboard/server/bootstrap.h"
#include "dashboard/server/command_line.h"
#include "dashboard/server/server.h"
#include "dashboard/server/sqlite/sqlite_storage.h"

using namespace siagent::dashboard;

namespace {

int add_user_command(const UserAddOptions& options) {
    std::error_code error;
    if (!std::filesystem::exists(options.data / "siagent.db", error)) {
        std::filesystem::create_directories(options.data, error);
    }
    sqlite::SqliteStorage storage((options.data / "siagent.db").string(), 1);
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    auto text = add_user(storage, options, now);
    if (!text) {
        std::cerr << "siagent-dashboard: " << text.failure().reason << "\n";
        return 1;
    }
    std::cout << text.value();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    auto command = parse_command_line(argc, argv);
    if (!command) {
        std::cerr << "siagent-dashboard: " << command.failure().reason;
        return 2;
    }
    try {
        switch (command->kind) {
            case Command::Kind::help:
                std::cout << kUsage;
                return 0;
            case Command::Kind::user_add:
                return add_user_command(command->user);
            case Command::Kind::serve:
                return run_server(command->serve);
        }
    } catch (const std::exception& error) {
        std::cerr << "siagent-dashboard: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
