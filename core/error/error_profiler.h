// The exception profiler's hot path: every C++ throw is counted exactly per (type, throw
// site) in a lock-free table; a sample of throws also records the whole call stack and the
// exception's what() text into a lock-free ring that the agent thread drains.
//
// Sampling: each thread counts down a geometric gap of throws (mean `sampling_mean()`,
// set by the agent thread every drain so that about kStacksPerWindow stacks are captured
// per 50 ms window, a drain's: every throw while the process throws fewer than that). A sample
// stands for the mean in effect when its gap was drawn. Besides, at most kWindowCap
// stacks are captured per window, so a sudden burst costs little before the mean adapts.
//
// Process-wide and never destroyed (like the CPU profiler): a throw may happen at any time
// until the process ends.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <typeinfo>

#include "core/ring_buffer.h"
#include "core/stack_sample.h"
#include "core/error/throw_counts.h"

namespace siagent {

inline constexpr size_t kMaxErrorMessageBytes = 256;

// One sampled throw. Ownership: written in place between RingBuffer::claim and publish by
// the throwing thread, read by the agent thread during drain.
// frames[0] is the throw site.
struct ErrorSample : StackRecord {
    int32_t slot = -1;        // index in ThrowCounts (type and site); -1: table was full
    double weight = 1;        // how many throws this sample stands for
    uint8_t has_message = 0;  // the type derives from std::exception: message is its what()
    char message[kMaxErrorMessageBytes + 1];  // NUL-ended, cut at 256 bytes
};

using ErrorRing = RingBuffer<ErrorSample>;

struct ErrorProfilerStats {
    uint64_t stacks = 0;        // samples written to the ring
    uint64_t dropped = 0;       // samples lost to a full ring
    uint64_t capped = 0;        // sampled throws whose stack was skipped (window cap)
    uint64_t table_full = 0;    // throws not counted per type/site (table full)
};

class ErrorProfiler {
public:
    static constexpr uint32_t kStacksPerWindow = 100;  // per drain (50 ms): 2,000/s
    static constexpr uint32_t kWindowCap = 4 * kStacksPerWindow;

    // Agent thread.
    bool start(int max_depth, std::string& error);
    void stop();
    bool running() const;

    // The interposed __cxa_throw, on the throwing thread, before the real throw.
    // malloc-safe (no allocation of ours), no locks; may call the exception's what().
    void on_throw(void* object, const std::type_info* type, uintptr_t site);

    // Agent thread, every drain: the mean gap (in throws) for the next window, and the
    // window's capture budget starts again.
    void start_window(uint32_t sampling_mean);
    uint32_t sampling_mean() const;

    template <typename Visitor>
    size_t drain(Visitor&& visit) {
        ErrorRing* samples = ring();
        return samples != nullptr ? samples->drain(visit) : 0;
    }
    const ThrowCounts& counts() const;
    ErrorProfilerStats stats() const;
    size_t memory_bytes() const;  // the ring and the count table

    // A fork child starts with an empty ring (the other threads are gone).
    void child_after_fork();

private:
    static ErrorRing* ring();  // null until a start mapped it
};

// The one instance (constructed on first use, never destroyed).
ErrorProfiler& error_profiler();

// signal-safe, malloc-safe. Whether throws are being profiled, without constructing the
// profiler (a program whose agent never starts it pays one load per throw).
bool error_profiler_active();

// No allocation or lock of ours, but it calls the object's what() (application code).
// Copies what() of `object` thrown as `type` into `out` (at most
// `capacity - 1` bytes, NUL-ended) when `type` is or derives unambiguously and publicly
// from std::exception (checked the way a `catch (const std::exception&)` would be);
// returns false, leaving `out` empty, otherwise.
bool copy_exception_message(void* object, const std::type_info* type, char* out, size_t capacity);

}  // namespace siagent
