// Cost of the leak, regression and error rules at ingest (AnomalyRules::observe) against a
// real SQLite storage, next to the cost of storing the same uploads: `processes` processes
// of one app upload every 60 s for `hours` simulated hours, each upload a CPU profile and a
// heap-in-use profile of synthetic trees (150 stacks), an error profile and the two memory
// metrics; one process leaks. Rule time scales are the defaults (6 h leak window, 1 h
// regression period checked every 10 min), so the run includes regression checks over an
// hour of raw reports (no rollups: the worst case) and one leak finding with its site query.
// Prints the mean cost per upload of each rule (called as AnomalyRules calls them) and of
// storing, and the slowest upload of each rule.
// Usage: anomaly_rules_bench [processes, default 20] [hours, default 3]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include "dashboard/server/anomaly/error_watch.h"
#include "dashboard/server/anomaly/leak_watch.h"
#include "dashboard/server/anomaly/regression_watch.h"
#include "dashboard/server/sqlite/sqlite_storage.h"
#include "test/bench/synthetic_reports.h"

using namespace siagent::dashboard;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int64_t kStart = 1'700'000'000;
constexpr int kStacks = 150;

ReportToStore profile(const std::string& category, const std::string& name, const std::string& unit, int64_t time,
                      const CallTree& tree) {
    ReportToStore report;
    report.series = SeriesKey{"profile", category, name, unit};
    report.timestamp = time;
    report.value = tree.value(CallTree::kRoot);
    report.blob = tree.encode();
    return report;
}

ReportToStore metric(const std::string& name, const std::string& unit, int64_t time, double value) {
    ReportToStore report;
    report.series = SeriesKey{"state", "memory", name, unit};
    report.timestamp = time;
    report.value = value;
    return report;
}

std::vector<ReportToStore> upload_of(int process, int round, int64_t time) {
    const uint32_t seed = static_cast<uint32_t>(process * 7919 + round % 16);
    const bool leaking = process == 0;
    ReportToStore errors = profile("error-profile", "Exceptions", "", time, CallTree());
    errors.errors.push_back(ErrorEvent{"ParseError", "ParseError: bad", "parse (p.cpp:10)", {"parse (p.cpp:10)", "main"}, 3});
    errors.value = 3;
    return {profile("cpu-profile", "CPU usage", "percent", time, siagent::bench::synthetic_tree(seed, kStacks)),
            profile("memory-profile", "Heap in use", "byte", time, siagent::bench::synthetic_tree(seed + 1, kStacks)),
            std::move(errors),
            metric("Heap in use", "byte", time, 50e6 + (leaking ? 20e3 * round : (round % 7) * 1e5)),
            metric("Current RSS", "kilobyte", time, 90e3 + (leaking ? 20 * round : round % 5))};
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct Timing {
    const char* name;
    double total = 0, slowest = 0;
    long found = 0;

    template <class Call>
    void time(Call call) {
        const auto start = Clock::now();
        found += static_cast<long>(call().size());
        const double took = seconds_since(start);
        total += took;
        slowest = std::max(slowest, took);
    }
};

}  // namespace

int main(int argc, char** argv) {
    const int processes = argc > 1 ? std::atoi(argv[1]) : 20;
    const int hours = argc > 2 ? std::atoi(argv[2]) : 3;
    const auto dir = std::filesystem::temp_directory_path() / ("siagent-rules-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        sqlite::SqliteStorage storage((dir / "siagent.db").string());
        const int64_t account = storage.create_account("bench", kStart).value();
        anomaly::RuleSettings settings;
        anomaly::LeakWatch leaks;
        anomaly::ErrorWatch errors;
        anomaly::RegressionWatch regressions;
        Timing store{"store (record_process + store_reports)"}, leak{"leak rule"}, error{"error rules"},
            regression{"regression rule"};
        long uploads = 0;
        for (int round = 0; round < hours * 60; ++round) {
            const int64_t now = kStart + 60 * round;
            for (int p = 0; p < processes; ++p) {
                Envelope envelope;
                envelope.app_name = "bench";
                envelope.app_version = "1.0";
                envelope.host_name = "host-" + std::to_string(p);
                envelope.process_id = 1000 + p;
                envelope.run_id = "run" + std::to_string(p);
                envelope.extra = "{}";
                const auto reports = upload_of(p, round, now);
                ProcessKey key;
                store.time([&] {
                    key = storage.record_process(account, envelope, now);
                    storage.store_reports(key, reports);
                    return std::vector<int>();
                });
                const AppScope scope{account, key.app_id};
                leak.time([&] { return leaks.observe(storage, scope, "", envelope.host_name, reports, settings.leak_window); });
                error.time([&] { return errors.observe(storage, key, "", envelope.host_name, reports, settings.error_warmup); });
                regression.time([&] { return regressions.observe(storage, scope, "1.0", "", settings, now); });
                ++uploads;
            }
        }
        std::printf("%d processes x %d h at one upload a minute: %ld uploads\n", processes, hours, uploads);
        double rules = 0;
        for (const Timing* t : {&store, &leak, &error, &regression}) {
            std::printf("%-40s %7.1f us per upload, slowest %7.1f ms, %ld anomalies\n", t->name, t->total * 1e6 / uploads,
                        t->slowest * 1e3, t->found);
            if (t != &store) rules += t->total;
        }
        std::printf("all rules: %.1f us per upload, %.2f x the cost of storing it\n", rules * 1e6 / uploads,
                    rules / store.total);
    }
    std::filesystem::remove_all(dir);
    return 0;
}
