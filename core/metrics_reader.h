// Runtime health metrics of the process, read from the kernel and the C library on the
// agent thread: nothing here runs on an application thread, and nothing waits for one
// (glibc's mallinfo2 takes each malloc arena's lock for the time of one walk; the only
// value that touches the application's locks at all).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

namespace siagent {

// What the allocation profiler counts (cumulative since the process started); `available`
// is false until it runs.
struct AllocationCounters {
    bool available = false;
    uint64_t bytes = 0;  // bytes allocated
    uint64_t calls = 0;  // allocation calls
};
using AllocationCountersSource = std::function<AllocationCounters()>;

// The agent's own health, summed over the profilers (see ProfileSource::health).
struct AgentHealth {
    uint64_t samples = 0;       // records taken by every profiler
    uint64_t dropped = 0;       // records lost (full rings)
    double cpu_seconds = 0;     // the agent thread's CPU time
    uint64_t memory_bytes = 0;  // the profilers' fixed buffers (rings, tables)
};

struct MetricsSnapshot {
    int64_t time_ns = 0;        // wall clock, Unix epoch
    double interval_seconds = 0;  // since the previous snapshot
    double cpu_seconds = 0;       // user + system, all threads, since start
    double cpu_percent_of_all_cores = 0;  // over the interval
    double cpu_percent_of_one_core = 0;
    uint64_t rss_bytes = 0;
    uint64_t max_rss_bytes = 0;
    uint64_t vm_size_bytes = 0;
    std::optional<uint64_t> heap_in_use_bytes;     // glibc mallinfo2
    std::optional<uint64_t> heap_allocated_bytes;  // glibc mallinfo2: taken from the system
    std::optional<double> allocated_bytes_per_second;  // the allocation profiler's counters
    std::optional<double> allocations_per_second;
    uint64_t threads = 0;         // the agent's own thread included
    uint64_t open_fds = 0;        // the application's: the agent's own are not counted
    uint64_t voluntary_context_switches = 0;
    uint64_t involuntary_context_switches = 0;
    uint64_t minor_page_faults = 0;
    uint64_t major_page_faults = 0;
    std::optional<uint64_t> read_bytes;     // /proc/self/io rchar, where readable
    std::optional<uint64_t> written_bytes;  // wchar
    std::optional<uint64_t> storage_read_bytes;     // read_bytes: what reached storage
    std::optional<uint64_t> storage_written_bytes;  // write_bytes
    AgentHealth agent;
};

class MetricsReader {
public:
    // Takes the first reading as the baseline of the first interval's rates.
    explicit MetricsReader(AllocationCountersSource allocations = {});

    // Reads everything now. `agent` is filled by the caller (it knows the profilers).
    MetricsSnapshot read(const AgentHealth& agent);

private:
    AllocationCountersSource allocations_;
    int64_t last_time_ns_ = 0;  // CLOCK_MONOTONIC
    double last_cpu_seconds_ = 0;
    AllocationCounters last_allocations_;
};

}  // namespace siagent
