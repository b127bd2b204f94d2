#include "agent/agent.h"

#include <dlfcn.h>
#include <libunwind.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <ctime>
#include <set>

#include <boost/asio/post.hpp>

#include "agent/profilers.h"
#include "core/agent_descriptors.h"
#include "core/agent_guard.h"
#include "core/allocation/allocation_profile_source.h"
#include "core/log.h"
#include "core/report_schedule.h"
#include "core/span_report.h"
#include "core/symbols/symbolizer.h"
#include "core/thread_exit.h"
#include "core/thread_id.h"

namespace siagent {
namespace {

constexpr std::chrono::milliseconds kDrainEvery{50};
// The symbolizer's debug-information reader (libdw, in its own library) is let go after
// this long without a new address to name: a process in its steady state, and the fork
// children it makes, do not map libdw at all (docs/performance.md).
constexpr std::chrono::milliseconds kDebugInfoIdle{2000};
// While the reader is not loaded, new addresses wait until this many have come (or the
// report): symbolizing stays spread over the run, and what is left for the exit's report
// is bounded.
constexpr size_t kSymbolizeBatch = 512;
constexpr std::chrono::milliseconds kThreadScanEvery{1000};
// How soon the sources' watch() is called again when none of them asked for a moment.
constexpr std::chrono::milliseconds kWatchIdle{1000};

int64_t wall_clock_ns() {
    timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

}  // namespace

Agent::Agent(const Config& config)
    : config_(config),
      drain_timer_(io_),
      watch_timer_(io_),
      scan_timer_(io_),
      report_timer_(io_),
      metrics_timer_(io_),
      // Agent thread: the allocation profiler's running estimates, once it started.
      metrics_([this] {
          return allocation_source_ != nullptr ? allocation_source_->estimated_totals()
                                               : AllocationCounters{};
      }) {
    // A relative SI_OUTPUT_DIR means relative to where the process started, even if it
    // changes its working directory later (daemons chdir to /).
    if (!config_.output_dir.empty() && config_.output_dir[0] != '/') {
        char directory[4096];
        if (getcwd(directory, sizeof directory) != nullptr)
            config_.output_dir = std::string(directory) + "/" + config_.output_dir;
    }
    // The agent library, the first stage (which defines siagent_next_symbol) and libunwind.
    own_code_.ranges[0] = loaded_object_range(reinterpret_cast<const void*>(&wall_clock_ns));
    own_code_.ranges[1] = loaded_object_range(dlsym(RTLD_DEFAULT, "siagent_next_symbol"));
    own_code_.ranges[2] = loaded_object_range(reinterpret_cast<const void*>(&unw_backtrace));
    period_start_ns_ = wall_clock_ns();
    exit_unseen_ = executable_is_go();
    if (exit_unseen_) log_debug("Go program: its exit runs no destructor, so reports are made often");
}

Agent::~Agent() {
    if (has_thread()) shutdown(std::chrono::milliseconds(2000));
}

std::unique_ptr<Agent> Agent::start(const Config& config, ReportSinks more_sinks,
                                    ThreadSource source) {
    std::unique_ptr<Agent> agent(new (std::nothrow) Agent(config));
    if (!agent) return nullptr;
    // Scheduled before the thread runs them, once: the thread may be paused and launched
    // again (pause_thread) and finds the same timers waiting.
    agent->schedule(agent->drain_timer_, kDrainEvery, &Agent::drain);
    agent->schedule(agent->scan_timer_, kThreadScanEvery, &Agent::rescan);
    agent->schedule_report();
    agent->schedule(agent->metrics_timer_, std::chrono::milliseconds(config.metrics_interval_ms),
                    &Agent::record_metrics);
    agent->add_sinks(std::move(more_sinks));
    // The profilers start first thing on the agent thread, so that sources_ is only ever
    // touched there.
    boost::asio::post(agent->io_, [raw = agent.get()] { raw->start_profilers(); });
    if (source == ThreadSource::caller) {  // in serve(), on this thread
        agent->serving_caller_.store(true);
        agent->become_agent_thread();
        return agent;
    }
    if (!agent->launch_thread()) return nullptr;
    // Waited for, so that sampling runs when start() returns.
    std::unique_lock<std::mutex> lock(agent->finish_mutex_);
    agent->finished_.wait_for(lock, std::chrono::seconds(2),
                              [raw = agent.get()] { return raw->profilers_started_; });
    return agent;
}

void Agent::add_sinks(ReportSinks more_sinks) {
    sinks_ = configured_sinks(io_, config_, clock_,
                              [this](const RemoteConfig& remote) { apply_remote_config(remote); });
    for (auto& sink : more_sinks) sinks_.push_back(std::move(sink));
}

// The dashboard's answer to `config`: agent_enabled "no" stops every profiler and every
// upload (only the config poll goes on); profiling_disabled "yes" stops the profilers
// that the dashboard may switch off (errors keep reporting). Agent thread only.
void Agent::apply_remote_config(const RemoteConfig& remote) {
    if (shutting_down_.load()) return;
    for (auto& sink : sinks_) sink->set_enabled(remote.agent_enabled);
    for (size_t i = 0; i < sources_.size(); ++i) {
        bool run = remote.agent_enabled &&
                   (!remote.profiling_disabled || !source_descriptions_[i]->stops_when_profiling_disabled);
        set_source_running(i, run);
    }
}

void Agent::set_source_running(size_t index, bool run) {
    if (source_running_[index] == run) return;
    ProfileSource& source = *sources_[index];
    if (!run) {
        source.stop();
        source_running_[index] = false;
        log_debug("%s stopped by the dashboard", source.name());
        return;
    }
    std::string error;
    source_running_[index] = source.start(config_, thread_id_.load(), error);
    if (source_running_[index]) watch();
    log_debug("%s %s by the dashboard%s%s", source.name(),
              source_running_[index] ? "started again" : "not restarted",
              error.empty() ? "" : ": ", error.c_str());
}

bool Agent::launch_thread() {
    // The thread starts with every signal blocked: the application's signals keep going to
    // its own threads, and the profiling signal never interrupts the agent. Agent scope:
    // the interposed pthread_sigmask then really blocks SIGPROF, and the interposed
    // pthread_create knows the thread is the agent's.
    AgentScope scope;
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    try {
        thread_ = std::thread([this] { run_thread(); });
    } catch (const std::exception& error) {
        pthread_sigmask(SIG_SETMASK, &previous, nullptr);
        log_warning("cannot start the agent thread (%s); the application runs unprofiled",
                    error.what());
        return false;
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    // The profilers need the thread's id to leave it out.
    std::unique_lock<std::mutex> lock(finish_mutex_);
    finished_.wait_for(lock, std::chrono::seconds(2), [this] { return thread_id_.load() != 0; });
    return thread_id_.load() != 0;
}

void Agent::become_agent_thread() {
    mark_thread_as_agent();
    pthread_setname_np(pthread_self(), "siagent");
    {
        std::lock_guard<std::mutex> lock(finish_mutex_);
        thread_id_.store(current_thread_id());
    }
    finished_.notify_all();
}

void Agent::run_loop() {
    try {
        io_.run();
    } catch (const std::exception& error) {
        loop_ended_.store(true);
        log_debug("agent thread stopped: %s", error.what());
    }
}

void Agent::run_thread() {
    become_agent_thread();
    run_loop();
}

void Agent::serve() {
    run_loop();
    // The last touch of this Agent by this thread: once it is seen, the Agent may be gone.
    std::lock_guard<std::mutex> lock(finish_mutex_);
    serving_caller_.store(false);
    finished_.notify_all();
}

void Agent::end_thread() {
    io_.stop();  // run() returns once the handler under way (if any) is done
    if (thread_.joinable()) {
        thread_.join();
        return;
    }
    std::unique_lock<std::mutex> lock(finish_mutex_);
    finished_.wait(lock, [this] { return !serving_caller_.load(); });
}

void Agent::start_profilers() {
    for (const ProfilerDescription& profiler : profiler_descriptions()) {
        if (config_.*profiler.disabled) {
            log_debug("%s disabled by %s", profiler.name, profiler.disabling_variable);
            if (profiler.on_disabled != nullptr) profiler.on_disabled();
            continue;
        }
        if (!start_profiler(profiler)) continue;
        // The runtime metrics' allocation rate comes from the allocation profiler's source.
        if (auto* allocation = dynamic_cast<AllocationProfileSource*>(sources_.back().get()))
            allocation_source_ = allocation;
    }
    watch();  // the first looks now, not a kWatchIdle later
    {
        std::lock_guard<std::mutex> lock(finish_mutex_);
        profilers_started_ = true;
    }
    finished_.notify_all();
}

bool Agent::start_profiler(const ProfilerDescription& profiler) {
    std::unique_ptr<ProfileSource> source = profiler.make_source();
    std::string error;
    if (!source->start(config_, thread_id_.load(), error)) {
        // Once per profiler for the life of the process (fork children inherit the set).
        static std::set<std::string> reported;
        if (error.empty() || !reported.insert(source->name()).second) {
            log_debug("%s not started: %s", source->name(), error.c_str());
        } else {
            std::string line = std::string("siagent: ") + source->name() + " not started: " + error;
            print_line(line.c_str());
        }
        return false;
    }
    log_debug("%s started", source->name());
    sources_.push_back(std::move(source));
    source_descriptions_.push_back(&profiler);
    source_running_.push_back(true);
    return true;
}

void Agent::schedule(boost::asio::steady_timer& timer, std::chrono::milliseconds every,
                     void (Agent::*work)()) {
    timer.expires_after(every);
    timer.async_wait([this, &timer, every, work](const boost::system::error_code& error) {
        std::lock_guard<std::mutex> lock(work_mutex_);
        if (error || stopped_) return;
        (this->*work)();
        schedule(timer, every, work);
    });
}

void Agent::schedule_watch(std::chrono::nanoseconds delay) {
    watch_timer_.expires_after(delay);
    watch_timer_.async_wait([this](const boost::system::error_code& error) {
        std::lock_guard<std::mutex> lock(work_mutex_);
        if (error || stopped_) return;
        watch();
    });
}

void Agent::watch() {
    std::chrono::nanoseconds next = kWatchIdle;
    for (auto& source : sources_)
        if (auto delay = source->watch()) next = std::min(next, *delay);
    schedule_watch(next);
}

void Agent::schedule_report() {
    auto since_start = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started_);
    report_timer_.expires_after(std::chrono::milliseconds(next_report_delay_ms(
        config_.report_interval_ms, exit_unseen_, static_cast<uint64_t>(since_start.count()))));
    report_timer_.async_wait([this](const boost::system::error_code& error) {
        std::lock_guard<std::mutex> lock(work_mutex_);
        if (error || stopped_) return;
        report();
        schedule_report();
    });
}

void Agent::drain() {
    for (auto& source : sources_) source->drain(thread_names_);
    if (sinks_.empty()) return;  // nothing will be delivered: nothing to resolve
    if (!symbolizer_) symbolizer_ = std::make_unique<Symbolizer>();
    for (auto& source : sources_) source->symbolize_new_stacks(*symbolizer_, hidden_code());
    if (symbolizer_->pending() >= kSymbolizeBatch) symbolizer_->resolve_pending();
    if (symbolizer_->release_debug_info_if_idle(std::chrono::steady_clock::now(), kDebugInfoIdle))
        log_debug("symbolizer: no new address for %lld ms: debug information let go",
                  static_cast<long long>(kDebugInfoIdle.count()));
}

CodeRanges Agent::hidden_code() const {
    return config_.include_agent_frames ? CodeRanges{} : own_code_;
}

void Agent::rescan() {
    for (auto& source : sources_) source->rescan();
    // Crash records waiting in the spool end the period early: they go out with it now.
    std::vector<ClaimedCrash> claims;
    claim_crashes(claims);
    if (claims.empty()) return;
    Report report = take_period(claims);
    deliver(report, claims);
}

void Agent::claim_crashes(std::vector<ClaimedCrash>& claims) {
    auto wanted = [this](const CrashRecord& record) {
        return std::any_of(sinks_.begin(), sinks_.end(), [&](const auto& sink) {
            return takes_reports(*sink) && sink->wants_crash(record);
        });
    };
    for (auto& source : sources_) source->claim_crashes(wanted, claims);
}

void Agent::report() {
    std::vector<ClaimedCrash> claims;
    Report report = take_period(claims);
    deliver(report, claims);
}

Report Agent::take_period(std::vector<ClaimedCrash>& claims) {
    drain();
    if (!symbolizer_) symbolizer_ = std::make_unique<Symbolizer>();
    int64_t now = wall_clock_ns();
    ReportContext context{*symbolizer_, thread_names_, period_start_ns_, now, hidden_code(), {}};
    period_start_ns_ = now;
    context.common_comments.push_back(
        "app " + config_.app_name +
        (config_.app_version.empty() ? "" : " version " + config_.app_version) +
        (config_.app_environment.empty() ? "" : " environment " + config_.app_environment) +
        ", host " + config_.host_name);
    Report report;
    report.start_ns = context.start_ns;
    report.end_ns = context.end_ns;
    report.spans = take_span_summaries();
    auto symbolizing = std::chrono::steady_clock::now();
    for (auto& source : sources_) source->collect(context, report.profiles);
    symbolizer_->resolve_pending();  // all resolved by the profiles now: clears the queue
    thread_names_.clear();
    claim_crashes(claims);  // also when no rescan came first (a short process)
    for (const ClaimedCrash& claimed : claims) report.crashes.push_back(claimed.record);
    report.metrics = std::move(pending_readings_);
    pending_readings_.clear();
    report.agent = agent_health();
    if (report.profiles.empty()) {
        log_debug("report: no samples in this period");
    } else if (sinks_.empty()) {
        log_debug("report: profiles not kept (set SI_OUTPUT_DIR to write them)");
    } else {
        log_debug("report: %zu profiles built in %lld ms", report.profiles.size(),
                  static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::steady_clock::now() - symbolizing)
                                             .count()));
    }
    return report;
}

void Agent::deliver(const Report& report, const std::vector<ClaimedCrash>& claims) {
    bool empty = report.profiles.empty() && report.spans.empty() && report.crashes.empty() &&
                 report.metrics.empty();
    if (empty) return;
    std::vector<bool> kept(claims.size(), true);
    for (auto& sink : sinks_) {
        if (!takes_reports(*sink) || sink->deliver(report)) continue;
        for (size_t i = 0; i < claims.size(); ++i)
            if (sink->wants_crash(report.crashes[i])) kept[i] = false;
    }
    for (size_t i = 0; i < claims.size(); ++i) release_crash_claim(claims[i], kept[i]);
}

bool Agent::takes_reports(const ReportSink& sink) const {
    return !(loop_lost_ && sink.needs_event_loop());
}

AgentHealth Agent::agent_health() const {
    AgentHealth health;
    for (const auto& source : sources_) {
        SourceHealth own = source->health();
        health.samples += own.samples;
        health.dropped += own.dropped;
        health.memory_bytes += own.memory_bytes;
    }
    timespec own_cpu;  // this is the agent thread
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &own_cpu);
    health.cpu_seconds = static_cast<double>(own_cpu.tv_sec) + own_cpu.tv_nsec / 1e9;
    return health;
}

void Agent::record_metrics() {
    if (sinks_.empty()) return;
    // Bounded: a metrics interval far shorter than the report interval keeps the newest.
    if (pending_readings_.size() >= kMostReadingsPerReport)
        pending_readings_.erase(pending_readings_.begin());
    pending_readings_.push_back(read_metrics(agent_health()));
}

MetricsSnapshot Agent::read_metrics(const AgentHealth& health) {
    metrics_recorded_ = true;
    return metrics_.read(health);
}

void Agent::report_last() {
    std::vector<ClaimedCrash> claims;
    Report report = take_period(claims);
    if (!sinks_.empty() && (!report.profiles.empty() || metrics_recorded_))
        report.metrics.push_back(read_metrics(report.agent));
    deliver(report, claims);
}

void Agent::final_report(Clock::TimePoint deadline) {
    std::lock_guard<std::mutex> lock(work_mutex_);
    for (auto& source : sources_) source->stop();  // again: a config answer may have restarted one
    report_last();
    timespec own_cpu;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &own_cpu);
    log_debug("agent thread used %lld ms of CPU (draining, symbolizing, writing)",
              static_cast<long long>(own_cpu.tv_sec) * 1000 + own_cpu.tv_nsec / 1'000'000);
    for (auto& source : sources_) {
        std::string summary = source->summary();
        if (!summary.empty()) log_debug("%s", summary.c_str());
    }
    stopped_ = true;
    drain_timer_.cancel();
    watch_timer_.cancel();
    scan_timer_.cancel();
    report_timer_.cancel();
    metrics_timer_.cancel();
    finish_sinks(0, deadline);
}

// One sink after the other (the dashboard's last upload is asynchronous), then the
// shutdown waiting in shutdown() is told.
void Agent::finish_sinks(size_t next, Clock::TimePoint deadline) {
    if (next < sinks_.size()) {
        sinks_[next]->finish(deadline, [this, next, deadline] { finish_sinks(next + 1, deadline); });
        return;
    }
    {
        std::lock_guard<std::mutex> lock(finish_mutex_);
        final_report_done_ = true;
    }
    finished_.notify_all();
}

bool Agent::pause_thread() {
    if (!has_thread()) return false;
    end_thread();
    // Paused means gone from the process, as unshare and setns see it (core/thread_exit.h).
    wait_until_thread_gone(thread_id_.load(), std::chrono::milliseconds(50));
    thread_id_.store(0);
    return true;
}

void Agent::resume_thread() {
    io_.restart();
    if (!launch_thread()) return;
    for (auto& source : sources_) source->exclude_thread(thread_id_.load());
}

bool Agent::loop_answers() {
    if (loop_ended_.load()) return false;
    if (!any_descriptor_lost()) return true;
    boost::asio::post(io_, [this] {
        {
            std::lock_guard<std::mutex> lock(finish_mutex_);
            loop_answered_ = true;
        }
        finished_.notify_all();
    });
    std::unique_lock<std::mutex> lock(finish_mutex_);
    return finished_.wait_for(lock, std::chrono::milliseconds(250), [this] { return loop_answered_; });
}

void Agent::report_on_caller() {
    std::lock_guard<std::mutex> lock(work_mutex_);  // a handler under way finishes first
    loop_lost_ = true;
    stopped_ = true;
    log_warning("the application took the agent's event loop descriptors: periodic reports "
                "stopped; the last report is written at exit, not sent to the dashboard");
    try {
        report_last();
    } catch (const std::exception& error) {
        log_debug("last report failed: %s", error.what());
    }
}

bool Agent::shutdown(std::chrono::milliseconds budget) {
    if (!has_thread()) return true;
    shutting_down_.store(true);
    for (auto& source : sources_) source->stop();
    if (!loop_answers()) {
        // The thread is gone or waits on descriptors that are no longer its own: the caller
        // makes the last report, and the thread is left to the exit. A caller's thread may
        // still be in serve(): this Agent is then abandoned, not deleted.
        report_on_caller();
        if (thread_.joinable()) thread_.detach();
        return !serving_caller_.load();
    }
    // The last upload must end in time for the thread to be joined within the budget.
    auto deadline = clock_.now() + budget - std::min(budget / 4, std::chrono::milliseconds(250));
    boost::asio::post(io_, [this, deadline] { final_report(deadline); });
    bool done;
    {
        std::unique_lock<std::mutex> lock(finish_mutex_);
        done = finished_.wait_for(lock, budget, [this] { return final_report_done_; });
    }
    if (done) {
        end_thread();
        return true;
    } else {
        log_debug("last report did not finish within %lld ms; leaving it to the exit",
                  static_cast<long long>(budget.count()));
        io_.stop();
        if (thread_.joinable()) thread_.detach();
        return false;
    }
}

}  // namespace siagent
