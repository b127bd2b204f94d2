// Cost of the leak, regression and error rules at ingest (AnomalyRules::observe) against a
// real SQLite storage, next to the cost of storing the same uploads: `processes` processes
// of one app upload every 60 s for `hours` simulated hours, each upload a CPU profile and a
// heap-in-use profile of synthetic trees (150 stacks), an error profile and the two memory
// metrics; one process leaks. Rule time scales are the defaults (6 h leak window, 1 h
// regression period checked every 10 min), so the run includes regression checks over an
// hour of raw reports (no rollups: the worst case) and one leak finding with its site query.
// Prints the mean cost per upload and the share of it the rules take.
// Usage: anomaly_rules_bench [processes, default 20] [hours, default 3]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include "dashboard/server/anomaly/anomaly_rules.h"
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
        anomaly::AnomalyRules rules;
        double store_seconds = 0, rule_seconds = 0, slowest = 0;
        long uploads = 0, found = 0;
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
                auto start = Clock::now();
                const ProcessKey key = storage.record_process(account, envelope, now);
                storage.store_reports(key, reports);
                store_seconds += seconds_since(start);
                start = Clock::now();
                found += static_cast<long>(rules.observe(storage, settings, account, key, envelope, reports, now).size());
                const double took = seconds_since(start);
                rule_seconds += took;
                slowest = std::max(slowest, took);
                ++uploads;
            }
        }
        std::printf("%d processes x %d h at one upload a minute: %ld uploads, %ld anomalies\n", processes, hours,
                    uploads, found);
        std::printf("store (record_process + store_reports): %.0f us per upload\n", store_seconds * 1e6 / uploads);
        std::printf("rules (AnomalyRules::observe): %.0f us per upload, %.1f %% of store; slowest upload %.1f ms "
                    "(a regression check or leak-site query)\n",
                    rule_seconds * 1e6 / uploads, 100 * rule_seconds / store_seconds, slowest * 1e3);
    }
    std::filesystem::remove_all(dir);
    return 0;
}
