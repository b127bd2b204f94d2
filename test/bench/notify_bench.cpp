// What notifications cost the ingest path, and sealing a webhook URL. On the recording
// thread an anomaly is stored (SqliteStorage::add_anomalies) and then handed to the notifier
// (Notifier::recorded: the incident gate, and for a new incident a post to the notifier's
// queue); the notifier's thread is not started here, so only the recording side is timed.
// Prints each cost and the ratio of notifying to storing.
// Usage: notify_bench [anomalies, default 20000]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "dashboard/server/notify/notifier.h"
#include "dashboard/server/sqlite/sqlite_storage.h"

using namespace siagent::dashboard;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

AnomalyRow anomaly_of_series(long series, int64_t time) {
    AnomalyRow row;
    row.time = time;
    row.kind = "metric";
    row.category = "memory";
    row.name = "series " + std::to_string(series);
    row.host = "host-" + std::to_string(series % 50);
    row.environment = "prod";
    row.score = 0.95;
    row.message = "memory / series at 5e+08 byte, expected about 1e+08 byte (12.0 deviations)";
    return row;
}

}  // namespace

int main(int argc, char** argv) {
    const long count = argc > 1 ? std::atol(argv[1]) : 20000;
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("siagent-notify-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        sqlite::SqliteStorage storage((dir / "siagent.db").string());
        const int64_t account = storage.create_account("bench", 1).value();
        Envelope envelope;
        envelope.app_name = "bench";
        envelope.extra = "{}";
        const int64_t app = storage.record_process(account, envelope, 1).app_id;
        storage.set_anomaly_rule(AppScope{account, app}, AnomalyRule{0, "metric", "cpu", "muted", "", "", std::nullopt, 0},
                                 1000, 1);

        std::vector<AnomalyRow> anomalies;
        for (long i = 0; i < count; ++i) anomalies.push_back(anomaly_of_series(i, 1'700'000'000 + i));

        // Stored one upload at a time, as ingest does (one anomaly per upload: the worst case).
        auto start = std::chrono::steady_clock::now();
        for (const AnomalyRow& row : anomalies) storage.add_anomalies(app, {row});
        const double store = seconds_since(start) / static_cast<double>(count);

        notify::KeyFile key(dir / "webhook.key");
        notify::NotifierSettings settings;
        settings.max_pending = static_cast<size_t>(count) + 1;
        notify::Notifier notifier(storage, key, settings);  // not started: recording side only
        const AppRef ref{account, app, "bench"};
        start = std::chrono::steady_clock::now();
        for (const AnomalyRow& row : anomalies) notifier.recorded(ref, {row});
        const double opens = seconds_since(start) / static_cast<double>(count);
        start = std::chrono::steady_clock::now();
        for (const AnomalyRow& row : anomalies) notifier.recorded(ref, {row});  // same rules again: joins
        const double joins = seconds_since(start) / static_cast<double>(count);

        const std::string url = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";
        const long seals = 20000;
        start = std::chrono::steady_clock::now();
        size_t opened = 0;
        for (long i = 0; i < seals; ++i) {
            opened += key.open(key.seal(url, "account 1").value(), "account 1").value().size();
        }
        const double seal_open = seconds_since(start) / static_cast<double>(seals);

        std::printf("anomalies: %ld, each in its own upload\n", count);
        std::printf("store (add_anomalies, one SQLite transaction): %.1f us per anomaly\n", store * 1e6);
        std::printf("notify, new incident (gate + queue):            %.2f us per anomaly\n", opens * 1e6);
        std::printf("notify, same incident (gate only):              %.2f us per anomaly\n", joins * 1e6);
        std::printf("ratio notify/store: new incident %.3f, same incident %.3f\n", opens / store, joins / store);
        std::printf("seal + open one webhook URL (AES-256-GCM): %.2f us (%zu bytes opened)\n", seal_open * 1e6, opened);
    }
    std::filesystem::remove_all(dir);
    return 0;
}
