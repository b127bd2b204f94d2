#include "core/cpu_profiler.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <new>

#include "core/cpu_timer.h"
#include "core/interruptions.h"
#include "core/latency_histogram.h"
#include "core/signal_table.h"
#include "core/log.h"
#include "core/stack_capture.h"
#include "core/thread_registry.h"

namespace siagent {
namespace {

constexpr int kProfilingSignal = SIGPROF;
// 100 Hz on 20 busy threads fills 2,000 records a second; the agent drains every 100 ms.
constexpr size_t kRingRecords = 2048;

// Handler state: plain atomics so the handler reads them without locks.
std::atomic<bool> sampling{false};
std::atomic<int> max_frames{kMaxStackFrames};
std::atomic<int64_t> sample_interval_ns{10'000'000};
std::atomic<uint64_t> samples_taken{0};
std::atomic<uint64_t> stacks_truncated{0};
std::atomic<uint64_t> handler_time_ns{0};
std::atomic<uint64_t> foreign_signal_count{0};
std::atomic<bool> handler_installed{false};
LatencyHistogram handler_latency;

// Never destroyed: a late signal may still write to the ring during exit.
alignas(StackRing) unsigned char ring_storage[sizeof(StackRing)];
alignas(ThreadRegistry) unsigned char registry_storage[sizeof(ThreadRegistry)];
StackRing* ring_instance = nullptr;
ThreadRegistry* registry_instance = nullptr;

ThreadRegistry& registry() { return *registry_instance; }

uint64_t monotonic_ns() {  // signal-safe (clock_gettime is async-signal-safe)
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000u + now.tv_nsec;
}

pid_t current_tid() {  // signal-safe
    return static_cast<pid_t>(syscall(SYS_gettid));
}

// signal-safe, malloc-safe: captures the interrupted stack into the ring and nothing else.
void on_profiling_signal(int, siginfo_t* info, void* ucontext) {
    int saved_errno = errno;
    bool ours = info != nullptr && info->si_code == SI_TIMER &&
                info->si_value.sival_ptr == &kCpuTimerMarker;
    if (!ours) {
        // Somebody else's SIGPROF (the application's own setitimer profiler, a kill):
        // the application's disposition decides, as if the agent were not there.
        foreign_signal_count.fetch_add(1, std::memory_order_relaxed);
        errno = saved_errno;
        chain_to_application(kProfilingSignal, info, ucontext);
        errno = saved_errno;
        return;
    }
    // Ours: a blocking call this signal interrupts is resumed by its interposer.
    ++agent_signals;
    if (sampling.load(std::memory_order_relaxed) && ring_instance != nullptr) {
        uint64_t started = monotonic_ns();
        uint64_t ticket;
        if (StackSample* sample = ring_instance->claim(ticket)) {
            // Expirations the kernel merged into this one signal still count: the
            // estimate of CPU time stays unbiased when the signal is late.
            int64_t count = 1 + (info->si_overrun > 0 ? info->si_overrun : 0);
            CapturedStack stack = capture_interrupted_stack(
                ucontext, sample->frames, max_frames.load(std::memory_order_relaxed));
            sample->count = count;
            sample->value = count * sample_interval_ns.load(std::memory_order_relaxed);
            sample->timestamp = started;
            sample->thread_id = current_tid();
            sample->depth = static_cast<uint16_t>(stack.depth);
            sample->truncated = stack.truncated ? 1 : 0;
            ring_instance->publish(ticket);
            samples_taken.fetch_add(1, std::memory_order_relaxed);
            if (stack.truncated) stacks_truncated.fetch_add(1, std::memory_order_relaxed);
        }
        uint64_t spent = monotonic_ns() - started;
        handler_time_ns.fetch_add(spent, std::memory_order_relaxed);
        handler_latency.record(spent);
    }
    errno = saved_errno;
}

bool install_handler(std::string& error) {
    if (handler_installed.load()) return true;
    // Stays installed for the life of the process (core/signal_table.h): a signal still
    // pending after stop() must not meet SIGPROF's default action, which terminates the
    // process, and the application's own SIGPROF disposition is kept in the table.
    if (int code = install_agent_handler(kProfilingSignal, on_profiling_signal)) {
        error = std::string("cannot install the SIGPROF handler: ") + strerror(code);
        return false;
    }
    handler_installed.store(true);
    return true;
}

}  // namespace

CpuProfiler& cpu_profiler() {
    static CpuProfiler* instance = [] {
        ring_instance = new (ring_storage) StackRing(kRingRecords);
        registry_instance = new (registry_storage) ThreadRegistry();
        static CpuProfiler profiler;
        return &profiler;
    }();
    return *instance;
}

StackRing& CpuProfiler::ring() { return *ring_instance; }

bool CpuProfiler::start(int hz, int max_depth, pid_t agent_tid, std::string& error) {
    if (!ring().valid()) {
        error = "cannot map the sample ring buffer";
        return false;
    }
    if (!install_handler(error)) return false;
    prepare_stack_capture();
    int64_t interval = 1'000'000'000 / (hz > 0 ? hz : 100);
    sample_interval_ns.store(interval);
    max_frames.store(max_depth < kMaxStackFrames ? max_depth : kMaxStackFrames);
    sampling.store(true);
    registry().enable(kProfilingSignal, interval, agent_tid);
    registry().rescan();
    if (registry().armed_count() == 0) {
        int code = registry().first_error();
        error = std::string("cannot create per-thread CPU timers: ") +
                strerror(code != 0 ? code : ENOSYS);
        stop();
        return false;
    }
    return true;
}

void CpuProfiler::stop() {
    if (registry_instance == nullptr) return;
    registry().disable();
    sampling.store(false);
}

bool CpuProfiler::running() const { return sampling.load(std::memory_order_relaxed); }

void CpuProfiler::on_thread_start() {
    if (!running()) return;
    prepare_stack_capture();
    registry().register_thread(current_tid());
}

void CpuProfiler::on_thread_exit() {
    if (running()) registry().unregister_thread(current_tid());
}

void CpuProfiler::exclude_thread(pid_t agent_tid) { registry().exclude(agent_tid); }

void CpuProfiler::rescan_threads() {
    if (running()) registry().rescan();
}

int64_t CpuProfiler::interval_ns() const { return sample_interval_ns.load(); }

size_t CpuProfiler::ring_bytes() const {
    return ring_instance != nullptr ? ring_instance->capacity() * sizeof(StackSample) : 0;
}

size_t CpuProfiler::armed_threads() { return registry().armed_count(); }

CpuProfilerStats CpuProfiler::stats() const {
    CpuProfilerStats result;
    result.samples = samples_taken.load(std::memory_order_relaxed);
    result.dropped = ring_instance ? ring_instance->dropped() : 0;
    result.truncated = stacks_truncated.load(std::memory_order_relaxed);
    result.handler_nanoseconds = handler_time_ns.load(std::memory_order_relaxed);
    result.foreign_signals = foreign_signal_count.load(std::memory_order_relaxed);
    result.handler_median_ns = handler_latency.percentile(0.5);
    result.handler_p99_ns = handler_latency.percentile(0.99);
    return result;
}

void CpuProfiler::prepare_fork() { registry().lock_for_fork(); }

void CpuProfiler::parent_after_fork() { registry().unlock_after_fork(); }

void CpuProfiler::child_after_fork() {
    // Only this thread survives; producers that were mid-record are gone with their
    // threads, so the ring starts empty. The parent's timers were not inherited.
    sampling.store(false);
    samples_taken.store(0);
    stacks_truncated.store(0);
    handler_time_ns.store(0);
    foreign_signal_count.store(0);
    handler_latency.reset();
    registry().forget_after_fork();
    registry().unlock_after_fork();
    ring().reset();
}

}  // namespace siagent
