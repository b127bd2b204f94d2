#include "transport/agent.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <ctime>

#include <boost/asio/post.hpp>

#include "core/cpu_profiler.h"
#include "core/log.h"
#include "core/symbolizer.h"
#include "transport/profile_file.h"

namespace siagent {
namespace {

constexpr std::chrono::milliseconds kDrainEvery{100};
constexpr std::chrono::milliseconds kThreadScanEvery{1000};

int64_t wall_clock_ns() {
    timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

std::atomic<bool> output_failure_reported{false};
std::atomic<bool> cpu_failure_reported{false};

}  // namespace

Agent::Agent(const Config& config)
    : config_(config), drain_timer_(io_), scan_timer_(io_), report_timer_(io_) {
    // A relative SI_OUTPUT_DIR means relative to where the process started, even if it
    // changes its working directory later (daemons chdir to /).
    if (!config_.output_dir.empty() && config_.output_dir[0] != '/') {
        char directory[4096];
        if (getcwd(directory, sizeof directory) != nullptr)
            config_.output_dir = std::string(directory) + "/" + config_.output_dir;
    }
    own_code_ = loaded_object_range(reinterpret_cast<const void*>(&wall_clock_ns));
    period_start_ns_ = wall_clock_ns();
}

Agent::~Agent() {
    if (thread_.joinable()) shutdown(std::chrono::milliseconds(2000));
}

std::unique_ptr<Agent> Agent::start(const Config& config) {
    std::unique_ptr<Agent> agent(new (std::nothrow) Agent(config));
    if (!agent) return nullptr;
    // Scheduled before the thread runs them, once: the thread may be paused and launched
    // again (pause_thread) and finds the same timers waiting.
    agent->schedule(agent->drain_timer_, kDrainEvery, &Agent::drain);
    agent->schedule(agent->scan_timer_, kThreadScanEvery, &Agent::rescan);
    agent->schedule(agent->report_timer_, std::chrono::milliseconds(config.report_interval_ms),
                    &Agent::report);
    if (!agent->launch_thread()) return nullptr;
    agent->start_profilers();
    return agent;
}

bool Agent::launch_thread() {
    // The thread starts with every signal blocked: the application's signals keep going to
    // its own threads, and the profiling signal never interrupts the agent.
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

void Agent::run_thread() {
    pthread_setname_np(pthread_self(), "siagent");
    {
        std::lock_guard<std::mutex> lock(finish_mutex_);
        thread_id_.store(static_cast<pid_t>(syscall(SYS_gettid)));
    }
    finished_.notify_all();
    try {
        io_.run();
    } catch (const std::exception& error) {
        log_warning("agent thread stopped: %s", error.what());
    }
}

void Agent::start_profilers() {
    if (config_.cpu_profiler_disabled) {
        log_debug("CPU profiler disabled by SI_CPU_PROFILER_DISABLED");
        return;
    }
    if (cpu_profiler().stepped_aside()) {
        // Said once already, by the process that saw the application take SIGPROF (this may
        // be its fork child).
        log_debug("CPU profiler not started: the application uses SIGPROF itself");
        return;
    }
    std::string error;
    if (!cpu_profiler().start(config_.cpu_sampling_hz, config_.max_stack_depth,
                              thread_id_.load(), error)) {
        std::string line = "siagent: CPU profiler not started: " + error + "\n";
        warn_once(cpu_failure_reported, line.c_str());
        return;
    }
    log_debug("CPU profiler started: %d Hz per thread of CPU time, %zu threads armed",
              config_.cpu_sampling_hz, cpu_profiler().armed_threads());
}

void Agent::schedule(boost::asio::steady_timer& timer, std::chrono::milliseconds every,
                     void (Agent::*work)()) {
    timer.expires_after(every);
    timer.async_wait([this, &timer, every, work](const boost::system::error_code& error) {
        if (error || stopped_) return;
        (this->*work)();
        schedule(timer, every, work);
    });
}

void Agent::drain() {
    cpu_profiler().drain([this](const StackSample& sample) {
        cpu_stacks_.add(sample, thread_names_.name_of(sample.thread_id));
    });
    if (config_.output_dir.empty()) return;  // nothing will be written: nothing to resolve
    if (!symbolizer_) symbolizer_ = std::make_unique<Symbolizer>();
    cpu_stacks_.symbolize_new_stacks(*symbolizer_, hidden_code());
}

AddressRange Agent::hidden_code() const {
    return config_.include_agent_frames ? AddressRange{} : own_code_;
}

void Agent::rescan() { cpu_profiler().rescan_threads(); }

void Agent::report() {
    drain();
    int64_t now = wall_clock_ns();
    int64_t started = period_start_ns_;
    period_start_ns_ = now;
    thread_names_.clear();
    if (cpu_stacks_.empty()) {
        log_debug("report: no CPU samples in this period");
        return;
    }
    if (config_.output_dir.empty()) {
        log_debug("report: %zu CPU stacks not kept (set SI_OUTPUT_DIR to write profiles)",
                  cpu_stacks_.unique_stacks());
        cpu_stacks_ = StackAggregator();
        return;
    }
    if (!symbolizer_) symbolizer_ = std::make_unique<Symbolizer>();

    CpuProfilerStats stats = cpu_profiler().stats();
    ProfileShape shape;
    shape.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
    shape.period_type = {"cpu", "nanoseconds"};
    shape.period = cpu_profiler().interval_ns();
    shape.time_nanos = started;
    shape.duration_nanos = now - started;
    shape.hidden_code = hidden_code();
    shape.comments.push_back("siagent " SIAGENT_VERSION " cpu profile, pid " +
                             std::to_string(getpid()) + ", " +
                             std::to_string(config_.cpu_sampling_hz) + " Hz");
    shape.comments.push_back("app " + config_.app_name +
                             (config_.app_version.empty() ? "" : " version " + config_.app_version) +
                             (config_.app_environment.empty() ? "" : " environment " + config_.app_environment) +
                             ", host " + config_.host_name);
    if (stats.dropped > reported_drops_) {
        shape.comments.push_back("dropped " + std::to_string(stats.dropped - reported_drops_) +
                                 " samples: ring buffer full");
        reported_drops_ = stats.dropped;
    }
    if (stats.samples > 0) {
        shape.comments.push_back(
            "sampling handler: mean " + std::to_string(stats.handler_nanoseconds / stats.samples) +
            " ns, median " + std::to_string(stats.handler_median_ns) + " ns, p99 " +
            std::to_string(stats.handler_p99_ns) + " ns over " + std::to_string(stats.samples) +
            " samples");
    }
    auto symbolizing = std::chrono::steady_clock::now();
    Profile profile = cpu_stacks_.take_profile(*symbolizer_, shape);
    auto writing = std::chrono::steady_clock::now();

    std::string error;
    auto path = write_profile_file(config_.output_dir, "cpu", getpid(), now / 1'000'000'000,
                                   profile, error);
    if (path) {
        auto milliseconds = [](auto duration) {
            return static_cast<long long>(
                std::chrono::duration_cast<std::chrono::milliseconds>(duration).count());
        };
        log_debug("wrote %s (%zu stacks; symbolized in %lld ms, written in %lld ms)",
                  path->c_str(), profile.samples.size(), milliseconds(writing - symbolizing),
                  milliseconds(std::chrono::steady_clock::now() - writing));
    } else {
        std::string line = "siagent: cannot write profiles to SI_OUTPUT_DIR: " + error + "\n";
        warn_once(output_failure_reported, line.c_str());
    }
}

void Agent::final_report() {
    report();
    timespec own_cpu;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &own_cpu);
    log_debug("agent thread used %lld ms of CPU (draining, symbolizing, writing)",
              static_cast<long long>(own_cpu.tv_sec) * 1000 + own_cpu.tv_nsec / 1'000'000);
    CpuProfilerStats stats = cpu_profiler().stats();
    if (stats.samples > 0) {
        log_debug("CPU profiler: %llu samples, %llu dropped, %llu truncated; handler mean %llu ns, "
                  "median %llu ns, p99 %llu ns",
                  static_cast<unsigned long long>(stats.samples),
                  static_cast<unsigned long long>(stats.dropped),
                  static_cast<unsigned long long>(stats.truncated),
                  static_cast<unsigned long long>(stats.handler_nanoseconds / stats.samples),
                  static_cast<unsigned long long>(stats.handler_median_ns),
                  static_cast<unsigned long long>(stats.handler_p99_ns));
    }
    stopped_ = true;
    drain_timer_.cancel();
    scan_timer_.cancel();
    report_timer_.cancel();
    {
        std::lock_guard<std::mutex> lock(finish_mutex_);
        final_report_done_ = true;
    }
    finished_.notify_all();
}

bool Agent::pause_thread() {
    if (!thread_.joinable()) return false;
    io_.stop();  // run() returns once the handler under way (if any) is done
    thread_.join();
    thread_id_.store(0);
    return true;
}

void Agent::resume_thread() {
    io_.restart();
    if (launch_thread()) cpu_profiler().exclude_thread(thread_id_.load());
}

bool Agent::shutdown(std::chrono::milliseconds budget) {
    if (!thread_.joinable()) return true;
    cpu_profiler().stop();
    boost::asio::post(io_, [this] { final_report(); });
    bool done;
    {
        std::unique_lock<std::mutex> lock(finish_mutex_);
        done = finished_.wait_for(lock, budget, [this] { return final_report_done_; });
    }
    if (done) {
        io_.stop();
        thread_.join();
        return true;
    } else {
        log_debug("last report did not finish within %lld ms; leaving it to the exit",
                  static_cast<long long>(budget.count()));
        io_.stop();
        thread_.detach();
        return false;
    }
}

}  // namespace siagent
