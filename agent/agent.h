// The agent: the profilers plus the one in-library thread that does everything slow
// (draining rings, symbolizing, aggregating, writing reports), on a Boost.Asio io_context.
//
// Lifetime: made by start(), ended by shutdown(). In a fork child the parent's Agent must
// be abandoned, never destroyed (its thread does not exist there): see preload/agent_main.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <vector>

#include "agent/profilers.h"
#include "agent/report.h"
#include "agent/report_sinks.h"
#include "core/config.h"
#include "core/metrics_reader.h"
#include "core/symbols/module_map.h"
#include "core/profile_source.h"
#include "core/thread_names.h"
#include "transport/clock.h"

namespace siagent {

class Symbolizer;
struct RemoteConfig;

class Agent {
public:
    // Where the agent thread comes from. `own`: start() makes it. `caller`: the thread that
    // calls start() becomes it by calling serve() next; it must be a helper that exists for
    // nothing else, with every signal blocked (the first stage's waiting thread). A process
    // then has one helper thread instead of two, the second's stack and allocator arena
    // gone: each costs every later fork of the process page faults (docs/performance.md).
    enum class ThreadSource { own, caller };

    // Starts the agent thread (or, with ThreadSource::caller, readies the agent for the
    // caller's serve()), then the profilers `config` enables. Reports go to the sinks
    // `config` asks for (agent/report_sinks.h), then to `more_sinks` (an embedding program's
    // or a test's). Never throws; returns nullptr (after saying why on stderr) when the agent
    // cannot run at all.
    static std::unique_ptr<Agent> start(const Config& config, ReportSinks more_sinks = {},
                                        ThreadSource source = ThreadSource::own);

    // ThreadSource::caller: runs the agent thread's work on the thread that called start(),
    // until shutdown() or pause_thread() ends it; the profilers start first. Neither of
    // those returns before this has (shutdown() may then delete the Agent: the caller must
    // not touch it after this returns). Called once; pause_thread() gives the agent a
    // thread of its own when resumed.
    void serve();

    ~Agent();
    Agent(const Agent&) = delete;
    Agent& operator=(const Agent&) = delete;

    // Stops sampling, writes the last report, and ends the thread; returns within `budget`.
    // Returns false when the last report did not finish: the thread still runs, detached,
    // and the caller must then abandon (never delete) this Agent.
    bool shutdown(std::chrono::milliseconds budget);

    // Ends the agent thread for a moment, for calls that need a single-threaded process
    // (unshare, setns): profiling signals still fill the ring meanwhile. Returns false when
    // there was no thread to pause. resume_thread starts it again, with the same timers
    // and data.
    bool pause_thread();
    void resume_thread();

    const Config& config() const { return config_; }

private:
    explicit Agent(const Config& config);
    bool launch_thread();
    void run_thread();
    // The agent thread's work until the loop is stopped (or throws), on the calling thread.
    void run_loop();
    // Names and marks the calling thread as the agent's and publishes its id.
    void become_agent_thread();
    // Whether a thread runs (or will run) the loop: an own thread, or a caller that has not
    // left serve().
    bool has_thread() const { return thread_.joinable() || serving_caller_.load(); }
    // Ends the loop and waits for its thread: joins an own thread, waits for a caller to
    // leave serve().
    void end_thread();
    void add_sinks(ReportSinks more_sinks);
    void start_profilers();
    bool start_profiler(const ProfilerDescription& profiler);
    void schedule(boost::asio::steady_timer& timer, std::chrono::milliseconds every,
                  void (Agent::*work)());
    // The report timer: SI_REPORT_INTERVAL, or sooner for a process whose exit no destructor
    // sees (core/report_schedule.h).
    void schedule_report();
    // The sources' watch(), now: each tells when it wants the next call; the timer takes the
    // soonest (kWatchIdle when none wants one). Called when profilers start.
    void schedule_watch(std::chrono::nanoseconds delay);
    void watch();
    void drain();
    CodeRanges hidden_code() const;
    // Every second: the sources' rescans, and the crash records of earlier processes. Records
    // some sink takes end the period at once: the Report goes out with them (a crash is worth
    // seeing within a second, not a report interval later).
    void rescan();
    // Claims the spooled crash records some sink takes: appended to `claims`.
    void claim_crashes(std::vector<ClaimedCrash>& claims);
    // The report timer's work: the period's Report to the sinks.
    void report();
    // The period that ends now: every source's profiles, the span summaries, the metrics
    // readings taken in it, and the crash records of `claims` and of any that some sink
    // takes now (claimed into `claims`).
    Report take_period(std::vector<ClaimedCrash>& claims);
    // The metrics timer's work: a reading kept for the period's Report.
    void record_metrics();
    MetricsSnapshot read_metrics(const AgentHealth& health);
    // The last Report: the period's, with a metrics reading when the process had samples or
    // metrics were read before.
    void report_last();
    // Hands `report` to every sink that takes it (takes_reports), then releases each crash
    // claim: the record is deleted when every sink that wanted it kept the Report, and goes
    // back to the spool otherwise.
    void deliver(const Report& report, const std::vector<ClaimedCrash>& claims);
    bool takes_reports(const ReportSink& sink) const;
    AgentHealth agent_health() const;
    void final_report(Clock::TimePoint deadline);
    // Whether the agent thread still runs what is posted to it: false once it ended, or
    // when the application took one of its descriptors and a posted probe does not run
    // within 250 ms.
    bool loop_answers();
    // The last report, made on the thread that shuts down, to every sink but the dashboard
    // (whose uploads need the loop).
    void report_on_caller();
    void finish_sinks(size_t next, Clock::TimePoint deadline);
    void apply_remote_config(const RemoteConfig& remote);
    void set_source_running(size_t index, bool run);

    Config config_;
    boost::asio::io_context io_;
    boost::asio::steady_timer drain_timer_;
    boost::asio::steady_timer watch_timer_;
    boost::asio::steady_timer scan_timer_;
    boost::asio::steady_timer report_timer_;
    boost::asio::steady_timer metrics_timer_;
    std::thread thread_;
    // ThreadSource::caller, from start() until that thread leaves serve() (then set under
    // finish_mutex_ and announced on finished_).
    std::atomic<bool> serving_caller_{false};
    std::atomic<pid_t> thread_id_{0};
    // Held by every scheduled handler while it runs, and by report_on_caller: a report made
    // on the exiting thread never overlaps one on the agent thread.
    std::mutex work_mutex_;
    bool stopped_ = false;  // guarded by work_mutex_
    bool loop_lost_ = false;  // guarded by work_mutex_: the last report was made on the caller
    std::atomic<bool> loop_ended_{false};  // io_.run() ended with an exception
    bool loop_answered_ = false;  // guarded by finish_mutex_
    bool exit_unseen_ = false;  // Go: reports often (core/report_schedule.h)
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();

    // Filled once by start_profilers (on the agent thread, while start() waits for it) and
    // not changed after: the agent thread uses it, shutdown() only calls stop().
    std::vector<std::unique_ptr<ProfileSource>> sources_;  // the profilers that started
    bool profilers_started_ = false;  // guarded by finish_mutex_
    std::vector<const ProfilerDescription*> source_descriptions_;  // per sources_ entry
    std::vector<bool> source_running_;  // per sources_ entry: false while the dashboard stops it
    SystemClock clock_;  // before sinks_, which refer to it
    // Destroyed before io_ (declared first): the dashboard sink's pending callbacks are
    // destroyed with io_, never run, once the thread has stopped. Filled by start(), before
    // the thread runs; not changed after.
    ReportSinks sinks_;
    // Before metrics_, which reads it from its constructor on.
    class AllocationProfileSource* allocation_source_ = nullptr;  // in sources_, when it started
    MetricsReader metrics_;  // made with the Agent: the first interval starts then
    std::atomic<bool> shutting_down_{false};
    std::unique_ptr<Symbolizer> symbolizer_;
    ThreadNames thread_names_;
    CodeRanges own_code_;
    int64_t period_start_ns_ = 0;  // wall clock, Unix epoch

    std::mutex finish_mutex_;
    std::condition_variable finished_;
    bool final_report_done_ = false;
    // Agent thread (or the caller of report_on_caller): a metrics record has been delivered.
    // A process that ends before its first metrics interval and without samples writes
    // nothing at exit.
    bool metrics_recorded_ = false;
    // Agent thread: the readings of the period under way, for its Report (at most
    // kMostReadingsPerReport, the newest).
    static constexpr size_t kMostReadingsPerReport = 1440;
    std::vector<MetricsSnapshot> pending_readings_;
};

}  // namespace siagent
