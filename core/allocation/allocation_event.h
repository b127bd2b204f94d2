// The fixed-size records the allocation hooks write: a sampled allocation with its call
// stack (the allocation ring), and the release of a sampled block (the release ring, small
// records, so that frees never take room from stacks).
//
// Ownership: written in place by the producer between RingBuffer::claim and publish, read
// by the agent thread during drain. The two rings are not ordered with each other: the
// agent matches a release that arrives before its allocation (see AllocationProfileSource).
#pragma once

#include <cstdint>

#include "core/stack_sample.h"

namespace siagent {

// frames[0] is a return address in the innermost caller (the agent's own frames included:
// the aggregator hides them).
struct AllocationEvent : StackRecord {
    uint64_t address = 0;
    uint64_t size = 0;           // requested bytes
    uint64_t sampling_mean = 0;  // the mean gap in force when the gap was drawn
};

struct ReleaseEvent {
    uint64_t address = 0;
};

}  // namespace siagent
