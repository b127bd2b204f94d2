#include "core/cpu/cpu_profiler.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <new>

#include "core/cpu/cpu_timer.h"
#include "core/interruptions.h"
#include "core/latency_histogram.h"
#include "core/log.h"
#include "core/persistent_ring.h"
#include "core/signal_table.h"
#include "core/span_table.h"
#include "core/cpu/start_alarm.h"
#include "core/stack_record_capture.h"
#include "core/thread_id.h"
#include "core/cpu/thread_registry.h"
#include "core/tick_clock.h"
#include "core/fork_child_code.h"

namespace siagent {
namespace {

constexpr int kProfilingSignal = SIGPROF;
// 100 Hz on 20 busy threads fills 2,000 records a second, 100 between two drains (50 ms):
// room for a late drain.
constexpr size_t kRingRecords = 2048;

// Handler state: plain atomics so the handler reads them without locks.
SIAGENT_FORK_CHILD_DATA std::atomic<bool> sampling{false};
std::atomic<int> max_frames{kMaxStackFrames};
std::atomic<int64_t> sample_interval_ns{10'000'000};
// Focused sampling (profiled spans): inside one, a second timer adds samples so that the
// thread's rate is SI_SPAN_SAMPLING_HZ, and every sample there stands for focus_interval.
// extra_timer_interval 0: the span rate is not above the base rate, nothing to add.
std::atomic<int64_t> focus_interval_ns{1'000'000};
std::atomic<int64_t> extra_timer_interval_ns{0};
// Bumped in a fork child: a focused timer made by the parent does not exist there.
SIAGENT_FORK_CHILD_DATA std::atomic<uint32_t> timer_generation{1};
SIAGENT_FORK_CHILD_DATA std::atomic<uint64_t> samples_taken{0};
SIAGENT_FORK_CHILD_DATA std::atomic<uint64_t> stacks_truncated{0};
SIAGENT_FORK_CHILD_DATA std::atomic<uint64_t> handler_time_ns{0};
SIAGENT_FORK_CHILD_DATA std::atomic<uint64_t> foreign_signal_count{0};
std::atomic<bool> handler_installed{false};
SIAGENT_FORK_CHILD_DATA LatencyHistogram handler_latency;

// Never destroyed: a late signal may still reach them during exit.
SIAGENT_FORK_CHILD_DATA alignas(ThreadRegistry) unsigned char registry_storage[sizeof(ThreadRegistry)];
SIAGENT_FORK_CHILD_DATA constinit PersistentRing<StackSample> samples;
SIAGENT_FORK_CHILD_DATA ThreadRegistry* registry_instance = nullptr;

SIAGENT_FORK_CHILD_CODE ThreadRegistry& registry() { return *registry_instance; }

// signal-safe, malloc-safe: captures the interrupted stack into the ring and nothing else.
void on_profiling_signal(int, siginfo_t* info, void* ucontext) {
    int saved_errno = errno;
    if (info != nullptr && info->si_code == SI_TIMER &&
        info->si_value.sival_ptr == &kStartAlarmMarker) {
        on_start_alarm(ucontext);
        errno = saved_errno;
        return;
    }
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
    StackRing* ring = samples.get();
    if (sampling.load(std::memory_order_relaxed) && ring != nullptr) {
        uint64_t started = monotonic_ns();
        uint64_t ticket;
        if (StackSample* sample = ring->claim(ticket)) {
            prepare_interrupted_thread_stack_capture(ucontext);
            // Expirations the kernel merged into this one signal still count: the
            // estimate of CPU time stays unbiased when the signal is late.
            int64_t count = 1 + (info->si_overrun > 0 ? info->si_overrun : 0);
            CapturedStack stack = record_interrupted_stack(
                *sample, ucontext, max_frames.load(std::memory_order_relaxed));
            // Inside a focused span samples come faster, and each stands for less.
            int64_t interval = thread_spans.focus_timer >= 0
                                   ? focus_interval_ns.load(std::memory_order_relaxed)
                                   : sample_interval_ns.load(std::memory_order_relaxed);
            sample->count = count;
            sample->value = count * interval;
            sample->timestamp = started;
            ring->publish(ticket);
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

SIAGENT_FORK_CHILD_CODE CpuProfiler& cpu_profiler() {
    static CpuProfiler* instance = [] {
        registry_instance = new (registry_storage) ThreadRegistry();
        static CpuProfiler profiler;
        return &profiler;
    }();
    return *instance;
}

StackRing* CpuProfiler::ring() { return samples.get(); }

bool CpuProfiler::start(int hz, int max_depth, pid_t agent_tid, std::string& error) {
    if (samples.make(kRingRecords) == nullptr) {
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

void CpuProfiler::set_focus_hz(int hz) {
    int64_t base = sample_interval_ns.load();
    int64_t focus = 1'000'000'000 / (hz > 0 ? hz : 1);
    if (focus >= base) {
        focus_interval_ns.store(base);
        extra_timer_interval_ns.store(0);
        return;
    }
    // Both timers together: 1/base + 1/extra = 1/focus.
    focus_interval_ns.store(focus);
    extra_timer_interval_ns.store(focus * base / (base - focus));
}

// signal-safe, malloc-safe: raw system calls (glibc's timer_create may allocate for
// other notification kinds; the kernel's timer id is all we need).
void start_focused_sampling(ThreadSpans& spans) {
    int64_t extra = extra_timer_interval_ns.load(std::memory_order_relaxed);
    if (extra <= 0 || !sampling.load(std::memory_order_relaxed) || spans.focus_timer >= 0) return;
    pid_t tid = current_thread_id();
    struct sigevent event = {};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = kProfilingSignal;
    event.sigev_value.sival_ptr = const_cast<char*>(&kCpuTimerMarker);
    event._sigev_un._tid = tid;
    int timer = -1;
    if (syscall(SYS_timer_create, thread_cpu_clock(tid), &event, &timer) != 0) return;
    // A random first expiry makes the extra timer's phase independent of the span's start,
    // so a span shorter than its interval is still sampled with the right probability.
    uint64_t mix = (static_cast<uint64_t>(spans.sequence) * 0x9E3779B97F4A7C15ull) ^
                   monotonic_ns() ^ static_cast<uint64_t>(tid);
    mix ^= mix >> 29;
    mix *= 0xBF58476D1CE4E5B9ull;
    mix ^= mix >> 32;
    struct itimerspec period = {};
    period.it_interval.tv_sec = extra / 1'000'000'000;
    period.it_interval.tv_nsec = extra % 1'000'000'000;
    int64_t first = 1 + static_cast<int64_t>(mix % static_cast<uint64_t>(extra));
    period.it_value.tv_sec = first / 1'000'000'000;
    period.it_value.tv_nsec = first % 1'000'000'000;
    spans.focus_timer = timer;
    spans.focus_generation = timer_generation.load(std::memory_order_relaxed);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    if (syscall(SYS_timer_settime, timer, 0, &period, nullptr) != 0) stop_focused_sampling(spans);
}

// signal-safe, malloc-safe.
void stop_focused_sampling(ThreadSpans& spans) {
    if (spans.focus_timer < 0) return;
    if (spans.focus_generation == timer_generation.load(std::memory_order_relaxed))
        syscall(SYS_timer_delete, spans.focus_timer);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    spans.focus_timer = -1;
}

void CpuProfiler::stop() {
    if (registry_instance == nullptr) return;
    registry().disable();
    sampling.store(false);
}

bool CpuProfiler::running() const { return sampling.load(std::memory_order_relaxed); }

SIAGENT_FORK_CHILD_CODE bool cpu_profiling_active() { return sampling.load(std::memory_order_relaxed); }

SIAGENT_FORK_CHILD_CODE bool cpu_profiler_handler_installed() { return handler_installed.load(); }

void CpuProfiler::on_thread_start() {
    if (!running()) return;
    prepare_thread_stack_capture();
    registry().register_thread(current_thread_id());
}

void CpuProfiler::on_thread_exit() {
    if (running()) registry().unregister_thread(current_thread_id());
}

void CpuProfiler::exclude_thread(pid_t agent_tid) { registry().exclude(agent_tid); }

void CpuProfiler::rescan_threads() {
    if (running()) registry().rescan();
}

int64_t CpuProfiler::interval_ns() const { return sample_interval_ns.load(); }

size_t CpuProfiler::ring_bytes() const {
    return samples.mapped_bytes();
}

CpuProfilerStats CpuProfiler::stats() const {
    CpuProfilerStats result;
    result.samples = samples_taken.load(std::memory_order_relaxed);
    result.dropped = samples.dropped();
    result.truncated = stacks_truncated.load(std::memory_order_relaxed);
    result.handler_nanoseconds = handler_time_ns.load(std::memory_order_relaxed);
    result.foreign_signals = foreign_signal_count.load(std::memory_order_relaxed);
    result.handler_median_ns = handler_latency.percentile(0.5);
    result.handler_p99_ns = handler_latency.percentile(0.99);
    return result;
}

void CpuProfiler::prepare_fork() { registry().lock_for_fork(); }

void CpuProfiler::parent_after_fork() { registry().unlock_after_fork(); }

SIAGENT_FORK_CHILD_CODE void CpuProfiler::child_after_fork() {
    // Only this thread survives; producers that were mid-record are gone with their
    // threads, so the ring starts empty. The parent's timers were not inherited.
    // Written only where they differ: a page written here is copied into every fork child.
    auto clear = [](auto& counter) {
        if (counter.load(std::memory_order_relaxed) != 0) counter.store(0);
    };
    if (sampling.load()) sampling.store(false);
    timer_generation.fetch_add(1);
    clear(samples_taken);
    clear(stacks_truncated);
    clear(handler_time_ns);
    clear(foreign_signal_count);
    handler_latency.reset();
    registry().forget_after_fork();
    registry().unlock_after_fork();
    samples.reset_in_fork_child();
}

}  // namespace siagent
