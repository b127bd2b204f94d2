// siagent-dashboard: the self-hosted dashboard (see docs/dashboard.md).
#include <fstream>
#include <iostream>

#include "dashboard/server/anomaly/csv_series.h"

#include "dashboard/server/bootstrap.h"
#include "dashboard/server/command_line.h"
#include "dashboard/server/server.h"
#include "dashboard/server/migrate/copy_store.h"
#include "dashboard/server/open_storage.h"

using namespace siagent::dashboard;

namespace {

int add_user_command(const UserAddOptions& options) {
    const auto owned_storage = open_storage(options.data, options.database, 1);
    Storage& storage = *owned_storage;
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

// Streams the server's detector over a CSV series (docs/anomaly-detection.md).
int anomalies_command(const AnomaliesOptions& options) {
    anomaly::DetectorConfig config;
    if (options.threshold) config.threshold = *options.threshold;
    std::ifstream file;
    if (options.csv != "-") {
        file.open(options.csv);
        if (!file) {
            std::cerr << "siagent-dashboard: cannot read " << options.csv.string() << "\n";
            return 1;
        }
    }
    std::ios::sync_with_stdio(false);
    auto summary = anomaly::score_csv(options.csv == "-" ? std::cin : file, std::cout, config);
    std::cout.flush();
    if (!summary) {
        std::cerr << "siagent-dashboard: " << options.csv.string() << ": " << summary.failure().reason << "\n";
        return 1;
    }
    if (summary->invalid_values || summary->out_of_order) {
        std::cerr << "siagent-dashboard: skipped " << summary->invalid_values << " non-finite values and "
                  << summary->out_of_order << " rows whose timestamp was not after the previous one (score 0)\n";
    }
    return 0;
}

// Copies a SQLite store into PostgreSQL and prints what it compared; fails on a difference.
int migrate_command(const MigrateOptions& options) {
    auto copied = migrate::copy_store(options.from / "siagent.db", options.to);
    if (!copied) {
        std::cerr << "siagent-dashboard: " << copied.failure().reason << "\n";
        return 1;
    }
    std::cout << migrate::copy_report(copied.value());
    for (const auto& table : copied.value()) {
        if (!table.same()) return 1;
    }
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
            case Command::Kind::anomalies:
                return anomalies_command(command->anomalies);
            case Command::Kind::migrate:
                return migrate_command(command->migrate);
            case Command::Kind::serve:
                return run_server(command->serve);
        }
    } catch (const std::exception& error) {
        std::cerr << "siagent-dashboard: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
