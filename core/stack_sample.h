// The fixed-size records samplers write into a RingBuffer: one captured call stack each.
//
// Ownership: written in place by the producer between RingBuffer::claim and publish,
// read by the agent thread during drain; the frames never point at memory that the
// record does not contain.
#pragma once

#include <cstdint>

namespace siagent {

inline constexpr int kMaxStackFrames = 128;

// What every sampler's ring record starts with: one captured call stack and whose it is.
// The CPU and block profilers' StackSample, the allocation hooks' AllocationEvent and the
// exception profiler's ErrorSample extend it; StackAggregator takes it as it is.
struct StackRecord {
    int32_t thread_id = 0;
    uint16_t depth = 0;      // frames used
    uint8_t truncated = 0;   // 1 when the stack was deeper than the capture limit
    uint8_t reserved = 0;
    uint16_t span = 0;       // the thread's innermost open span (core/span_table.h), 0 for none
    // frames[0] is the innermost: the interrupted instruction (CPU), or a return address in
    // the innermost caller; frames[1..] are return addresses.
    uint64_t frames[kMaxStackFrames];
};

struct StackSample : StackRecord {
    int64_t count = 0;       // how many samples this record stands for (timer overruns)
    int64_t value = 0;       // the measured quantity, e.g. CPU nanoseconds
    uint64_t timestamp = 0;  // CLOCK_MONOTONIC nanoseconds
};

}  // namespace siagent
