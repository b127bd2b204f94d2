// The one output path: a real Agent in this process, with recording sinks added to its
// list of sinks (Agent::start's more_sinks), must hand every sink the same Reports: the
// period's profiles, span summaries and the crash records claimed from the spool, and a
// metrics reading, with nothing in the Agent naming the sink. And the file sink makes of a
// Report every local file.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include "agent/agent.h"
#include "agent/profile_file_sink.h"
#include "core/block/block_profiler.h"
#include "core/span_table.h"
#include "core/thread_id.h"

using namespace siagent;

namespace {

// Written by the agent thread, read by the test once the agent is shut down (its thread
// joined), or under the mutex while it runs.
struct Recording {
    std::mutex mutex;
    std::vector<Report> reports;
};

class RecordingSink : public ReportSink {
public:
    RecordingSink(std::shared_ptr<Recording> into, bool keeps) : into_(std::move(into)), keeps_(keeps) {}
    bool deliver(const Report& report) override {
        std::lock_guard<std::mutex> lock(into_->mutex);
        into_->reports.push_back(report);
        return keeps_;
    }
    bool wants_crash(const CrashRecord&) const override { return true; }

private:
    std::shared_ptr<Recording> into_;
    bool keeps_;
};

// A fresh directory, removed with what is in it.
struct Directory {
    std::string path;
    Directory() {
        std::string pattern = "/tmp/siagent-report-path-XXXXXX";
        REQUIRE(mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~Directory() { std::filesystem::remove_all(path); }
    size_t files(const std::string& prefix) const {
        size_t count = 0;
        for (const auto& entry : std::filesystem::directory_iterator(path))
            if (entry.path().filename().string().rfind(prefix, 0) == 0) ++count;
        return count;
    }
};

const char kCrashRecord[] =
    "siagent crash record 1\nsignal 11 SIGSEGV\ncode 1\nfault_address 0x10\npid 42\ntid 43\n"
    "time_unix_ms 1700000000123\nframes 1\n0x1000\napp demo\nversion -\nenvironment prod\n"
    "host h1\nexecutable /bin/demo\nmodule 0x1000 0x3000 0x0 abcd /bin/demo\nend\n";

// A spool holding one record, as a crashed process of another app left it
// (core/crash/crash_handler.cpp).
struct Spool : Directory {
    Spool() { std::ofstream(path + "/crash-42-43-1700000000.rec") << kCrashRecord; }
    size_t records() const { return files("crash-"); }
};

// Block and error profilers and the crash reporter (the CPU and allocation profilers would
// sample the test itself); reports and readings only at exit unless `every_ms` says.
Config test_config(const Spool& spool, uint64_t every_ms = 60'000) {
    Config config;
    config.app_name = "report-path-test";
    config.cpu_profiler_disabled = true;
    config.allocation_profiler_disabled = true;
    config.spool_dir = spool.path;
    config.report_interval_ms = every_ms;
    config.metrics_interval_ms = every_ms;
    return config;
}

// An Agent whose list of sinks ends with one recording sink per entry of `keeps` (whether
// that sink keeps what it is given).
struct RecordedAgent {
    std::vector<std::shared_ptr<Recording>> recordings;
    std::unique_ptr<Agent> agent;
};

RecordedAgent start_recorded_on(const Config& config, const std::vector<bool>& keeps,
                                Agent::ThreadSource source) {
    RecordedAgent run;
    ReportSinks sinks;
    for (bool keep : keeps) {
        run.recordings.push_back(std::make_shared<Recording>());
        sinks.push_back(std::make_unique<RecordingSink>(run.recordings.back(), keep));
    }
    run.agent = Agent::start(config, std::move(sinks), source);
    return run;
}

RecordedAgent start_recorded(const Config& config, const std::vector<bool>& keeps) {
    RecordedAgent run = start_recorded_on(config, keeps, Agent::ThreadSource::own);
    REQUIRE(run.agent);
    return run;
}

// What the period holds: one blocking call (certain to be sampled) and one span.
void work() {
    record_blocked_call(BlockCall::nanosleep, 2'000'000'000);
    end_span(begin_span("report-path", false));
}

// One period of work(), reported at the agent's exit; what each sink was given.
std::vector<std::shared_ptr<Recording>> one_period(const Spool& spool, const std::vector<bool>& keeps) {
    RecordedAgent run = start_recorded(test_config(spool), keeps);
    work();
    REQUIRE(run.agent->shutdown(std::chrono::milliseconds(2000)));
    return run.recordings;
}

bool has_kind(const Report& report, const std::string& kind) {
    for (const KindProfile& profile : report.profiles)
        if (profile.kind == kind) return true;
    return false;
}

}  // namespace

TEST_CASE("every sink on the list gets the period's one Report: profiles, metrics, spans, crashes") {
    Spool spool;
    auto recordings = one_period(spool, {true, true});
    const Recording& first = *recordings[0];
    const Recording& added = *recordings[1];

    REQUIRE(first.reports.size() == 1);
    const Report& report = first.reports[0];
    CHECK(report.start_ns < report.end_ns);
    CHECK(has_kind(report, "block"));
    REQUIRE(report.spans.size() == 1);
    CHECK(report.spans[0].name == "report-path");
    CHECK(report.spans[0].count == 1);
    REQUIRE(report.crashes.size() == 1);
    CHECK(report.crashes[0].pid == 42);
    CHECK(report.crashes[0].app == "demo");
    REQUIRE(report.metrics.size() == 1);  // the process had samples: its last report reads metrics
    CHECK(report.metrics.back().agent.samples == report.agent.samples);
    CHECK(report.agent.cpu_seconds > 0);
    // Kept by every sink that wanted it: gone from the spool.
    CHECK(spool.records() == 0);

    // The sink added to the list got the same Report.
    REQUIRE(added.reports.size() == 1);
    const Report& copy = added.reports[0];
    CHECK(copy.start_ns == report.start_ns);
    CHECK(copy.end_ns == report.end_ns);
    CHECK(copy.profiles.size() == report.profiles.size());
    CHECK(copy.spans.size() == report.spans.size());
    CHECK(copy.crashes.size() == report.crashes.size());
    CHECK(copy.metrics.size() == report.metrics.size());
}

TEST_CASE("a crash record goes back to the spool when a sink that wanted it could not keep the Report") {
    Spool spool;
    // The second sink could not keep its Report (e.g. a file not written).
    auto recordings = one_period(spool, {true, false});
    const Recording& lost = *recordings[1];
    REQUIRE(lost.reports.size() == 1);
    CHECK(lost.reports[0].crashes.size() == 1);
    CHECK(spool.records() == 1);  // for the next agent
}

TEST_CASE("every Report is a period's: readings and crash records ride the periods") {
    Spool spool;
    // Readings twice as often as reports, so a period holds more than one.
    Config config = test_config(spool, 1000);
    config.metrics_interval_ms = 500;
    RecordedAgent run = start_recorded(config, {true});
    Recording& recording = *run.recordings[0];
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    auto periods_so_far = [&] {
        std::lock_guard<std::mutex> lock(recording.mutex);
        return recording.reports.size();
    };
    // Work all along, so that no period is empty (an empty one is not delivered).
    while (std::chrono::steady_clock::now() < until && periods_so_far() < 3) {
        work();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(run.agent->shutdown(std::chrono::milliseconds(2000)));

    const std::vector<Report>& periods = recording.reports;
    REQUIRE(periods.size() >= 4);  // at least three periodic reports, then the last
    size_t readings = 0, crashes = 0;
    for (size_t i = 0; i < periods.size(); ++i) {
        INFO("period " << i);
        const Report& period = periods[i];
        CHECK(period.start_ns < period.end_ns);  // no Report of a reading or a crash alone
        // Periods follow one another; one with nothing in it is not delivered (a period
        // ended early by the crash records is followed by the report timer's, nearly empty).
        if (i > 0) CHECK(period.start_ns >= periods[i - 1].end_ns);
        crashes += period.crashes.size();
        if (i > 0) CHECK(period.crashes.empty());
        for (const MetricsSnapshot& reading : period.metrics) {
            ++readings;
            CHECK(reading.time_ns >= period.start_ns);
            // The last report's own reading is taken just after its period is closed.
            if (i + 1 < periods.size()) CHECK(reading.time_ns <= period.end_ns);
        }
        for (size_t r = 1; r < period.metrics.size(); ++r)
            CHECK(period.metrics[r - 1].time_ns <= period.metrics[r].time_ns);
    }
    // The spool's record ended the first period early, at the first rescan (1 s) or sooner.
    CHECK(crashes == 1);
    CHECK(periods[0].crashes.size() == 1);
    // Two readings a second for at least three seconds.
    CHECK(readings >= 4);
    CHECK_FALSE(periods.back().metrics.empty());  // metrics were read before: the last reads them too
}

TEST_CASE("the file sink writes a Report's profiles, spans, crash reports and metrics line") {
    Directory output;
    Report report;
    report.start_ns = 1'700'000'000'000'000'000;
    report.end_ns = report.start_ns + 60'000'000'000;
    Profile cpu;
    cpu.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
    cpu.samples.push_back({});
    cpu.samples.back().values = {1, 10'000'000};
    report.profiles.push_back({"cpu", cpu});
    report.spans.push_back({"checkout", 10, 52.1, 5.0, 7.9, 8.1, 8.2, 0});
    CrashRecord crash;
    std::string error;
    REQUIRE(parse_crash_record(kCrashRecord, crash, error));
    report.crashes.push_back(crash);
    report.metrics = {MetricsSnapshot{}};
    report.metrics.back().time_ns = report.end_ns;

    ProfileFileSink sink(output.path);
    CHECK(sink.wants_crash(crash));  // whatever app crashed
    CHECK(sink.deliver(report));
    CHECK(output.files("cpu-") == 1);
    CHECK(output.files("spans-") == 1);
    CHECK(output.files("crash-42-1700000000.txt") == 1);
    CHECK(output.files("metrics-") == 1);

    // Under a file, nothing can be written: the crash records go back to the spool.
    std::ofstream(output.path + "/file") << "x";
    CHECK_FALSE(ProfileFileSink(output.path + "/file/below").deliver(report));
}

TEST_CASE("a spooled crash record reaches the sinks at the first rescan, not a report interval later") {
    Spool spool;
    RecordedAgent run = start_recorded(test_config(spool), {true});  // reports every 60 s
    Recording& recording = *run.recordings[0];
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    size_t crashes = 0;
    while (crashes == 0 && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        std::lock_guard<std::mutex> lock(recording.mutex);
        for (const Report& report : recording.reports) crashes += report.crashes.size();
    }
    CHECK(crashes == 1);
    CHECK(spool.records() == 0);
    REQUIRE(run.agent->shutdown(std::chrono::milliseconds(2000)));
}

namespace {

size_t threads_in_process() {
    size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) ++count;
    return count;
}

std::string thread_name(pid_t tid) {
    std::string name;
    std::getline(std::ifstream("/proc/self/task/" + std::to_string(tid) + "/comm"), name);
    return name;
}

// An agent started with ThreadSource::caller by a helper thread, which then serves it (as the
// first stage's waiting thread does), after `serve_after` when asked. Catch2's assertions are
// for the test's thread: the helper only records.
struct ServedAgent {
    RecordedAgent run;
    pid_t helper_id = 0;
    std::atomic<bool> started{false};
    std::atomic<bool> left_serve{false};
    std::thread helper;

    ServedAgent(const Config& config, std::chrono::milliseconds serve_after = {}) {
        helper = std::thread([this, config, serve_after] {
            helper_id = current_thread_id();
            run = start_recorded_on(config, {true}, Agent::ThreadSource::caller);
            Agent* agent = run.agent.get();
            started.store(true);
            if (agent == nullptr) return;
            std::this_thread::sleep_for(serve_after);
            agent->serve();
            left_serve.store(true);
        });
        while (!started.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~ServedAgent() {
        if (helper.joinable()) helper.join();
    }
    size_t reports() {
        std::lock_guard<std::mutex> lock(run.recordings[0]->mutex);
        return run.recordings[0]->reports.size();
    }
};

}  // namespace

TEST_CASE("an agent started on its caller's thread runs there: no thread of its own, the same reports") {
    Spool spool;
    size_t before = threads_in_process();
    ServedAgent served(test_config(spool));
    REQUIRE(served.run.agent);
    CHECK(threads_in_process() == before + 1);  // the helper, and no agent thread beside it
    CHECK(thread_name(served.helper_id) == "siagent");
    work();
    REQUIRE(served.run.agent->shutdown(std::chrono::milliseconds(2000)));
    served.run.agent.reset();  // shutdown() returned once the helper's loop had ended
    served.helper.join();
    CHECK(served.left_serve.load());
    REQUIRE(served.reports() == 1);
    CHECK(has_kind(served.run.recordings[0]->reports[0], "block"));
}

TEST_CASE("pausing an agent served by its caller hands the thread back; resumed, it has its own") {
    Spool spool;
    size_t before = threads_in_process();
    ServedAgent served(test_config(spool));
    REQUIRE(served.run.agent);
    REQUIRE(served.run.agent->pause_thread());
    served.helper.join();
    CHECK(served.left_serve.load());
    CHECK(threads_in_process() == before);  // single-threaded again, as set*id needs
    served.run.agent->resume_thread();
    CHECK(threads_in_process() == before + 1);
    work();
    REQUIRE(served.run.agent->shutdown(std::chrono::milliseconds(2000)));
    served.run.agent.reset();
    REQUIRE(served.reports() == 1);
    CHECK(has_kind(served.run.recordings[0]->reports[0], "block"));
}

TEST_CASE("an agent shut down before its caller serves it waits for the caller, then reports") {
    Spool spool;
    auto started = std::chrono::steady_clock::now();
    ServedAgent served(test_config(spool), std::chrono::milliseconds(300));
    REQUIRE(served.run.agent);
    work();
    REQUIRE(served.run.agent->shutdown(std::chrono::milliseconds(2000)));
    // Not before the helper began to serve (300 ms after the start): the last report is
    // made on its loop.
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(250));
    served.run.agent.reset();
    served.helper.join();
    REQUIRE(served.reports() == 1);
}
