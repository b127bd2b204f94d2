// The CPU profiler: a profiling signal per thread, every 1/hz seconds of that thread's
// CPU time, whose handler captures the interrupted stack into a lock-free ring.
//
// Process-wide and never destroyed: signals may still be pending for any thread after
// stop(), so the handler and the ring it writes must outlive every stop (see RingBuffer).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "core/ring_buffer.h"
#include "core/stack_sample.h"

namespace siagent {

struct CpuProfilerStats {
    uint64_t samples = 0;           // records written to the ring
    uint64_t dropped = 0;           // records lost because the ring was full
    uint64_t truncated = 0;         // stacks cut at the depth limit
    uint64_t handler_nanoseconds = 0;  // total time spent in the handler
    uint64_t foreign_signals = 0;   // profiling signals not sent by our timers
    uint64_t handler_median_ns = 0;  // upper bucket edges, within 19 %
    uint64_t handler_p99_ns = 0;
};

using StackRing = RingBuffer<StackSample>;

class CpuProfiler {
public:
    // Installs the handler (once per process) and arms every thread except `agent_tid`.
    // Returns false with `error` set when the profiler cannot run.
    bool start(int hz, int max_depth, pid_t agent_tid, std::string& error);
    // Disarms every thread. Safe to call when not started.
    void stop();
    bool running() const;
    // The rate inside profiled spans (SI_SPAN_SAMPLING_HZ); call after start. A rate not
    // above the base rate adds nothing.
    void set_focus_hz(int hz);

    // Called on a new thread before its start routine runs, and when it ends.
    void on_thread_start();
    void on_thread_exit();
    // The agent thread was replaced by a new one (see Agent::pause_thread): leave it out.
    void exclude_thread(pid_t agent_tid);
    // Agent thread, periodically: arm threads nobody registered (raw clones, threads that
    // predate the agent).
    void rescan_threads();

    // Agent thread only.
    template <typename Visitor>
    size_t drain(Visitor&& visit) {
        StackRing* samples = ring();
        return samples != nullptr ? samples->drain(visit) : 0;
    }

    int64_t interval_ns() const;
    CpuProfilerStats stats() const;
    size_t ring_bytes() const;  // the sample ring's mapped size

    // pthread_atfork hooks.
    void prepare_fork();
    void parent_after_fork();
    void child_after_fork();

private:
    static StackRing* ring();  // null until a start mapped it
};

// The one instance (constructed on first use, never destroyed).
CpuProfiler& cpu_profiler();
// signal-safe, malloc-safe: whether the CPU profiler samples now. Unlike cpu_profiler(), never
// makes the profiler (its first call maps the ring).
bool cpu_profiling_active();
// Whether the SIGPROF handler is in place (it stays for the life of the process).
bool cpu_profiler_handler_installed();

}  // namespace siagent
