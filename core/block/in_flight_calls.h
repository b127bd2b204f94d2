// Blocking calls still under way, so that a long one is blocked time of every report period
// it spans (a 480 s pthread_join is 10 s in each of 48 ten-second reports, not 480 s in the
// last one, which would read 48 s blocked per second).
//
// One slot per thread that made a timed call (claimed on its first, released when a thread
// made through pthread_create ends; slots of threads that are gone are taken back by the
// agent thread). The owning thread marks a call under way around the real call; the agent
// thread reads the slots at each report (BlockProfileSource::collect) and accounts the time
// a call has blocked so far, at its call site; the call's record at completion then carries
// only the rest (settle_completed_call).
//
// The interposer side (InFlightCall) is signal-safe and malloc-safe: relaxed and release
// stores to the thread's own slot, no allocation, no lock; claiming a slot is one CAS
// loop over at most kProbes slots, done once per thread.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "core/block/block_calls.h"
#include "core/block/block_profiler.h"

namespace siagent {

inline constexpr size_t kInFlightSlots = 1024;

struct InFlightSlot {
    std::atomic<int32_t> owner{0};       // the thread's kernel id; 0 = free
    std::atomic<int32_t> process{0};     // the owner's process id (a fork child inherits slots)
    std::atomic<uint64_t> start{0};      // the stopwatch's start (coarse_ns); 0 = no call under way
    std::atomic<uint32_t> meta{0};       // the BlockCall
    std::atomic<uint64_t> call_site{0};  // the interposer's return address
};

namespace in_flight_detail {
extern InFlightSlot slots[kInFlightSlots];
// This thread's slot: -1 not claimed yet, -2 none to be had (table full).
extern thread_local constinit int slot_index __attribute__((tls_model("initial-exec")));
// signal-safe, malloc-safe: claims a free slot for the calling thread; -2 when none is free.
int claim_slot();
}  // namespace in_flight_detail

// signal-safe, malloc-safe. Marks a call under way on this thread for its lifetime; a call
// made while another is under way on the same thread (from a signal handler) is not marked.
class InFlightCall {
public:
    InFlightCall(BlockCall call, const BlockStopwatch& stopwatch, uint64_t call_site) {
        int index = in_flight_detail::slot_index;
        if (index == -1) index = in_flight_detail::claim_slot();
        if (index < 0) return;
        InFlightSlot& slot = in_flight_detail::slots[index];
        if (slot.start.load(std::memory_order_relaxed) != 0 || stopwatch.start() == 0) return;
        slot.meta.store(static_cast<uint32_t>(call), std::memory_order_relaxed);
        slot.call_site.store(call_site, std::memory_order_relaxed);
        slot.start.store(stopwatch.start(), std::memory_order_release);
        slot_ = &slot;
    }
    ~InFlightCall() {
        if (slot_ != nullptr) slot_->start.store(0, std::memory_order_release);
    }
    InFlightCall(const InFlightCall&) = delete;
    InFlightCall& operator=(const InFlightCall&) = delete;

private:
    InFlightSlot* slot_ = nullptr;
};

// A call under way, as the agent thread sees it.
struct CallUnderWay {
    pid_t thread_id = 0;
    BlockCall call{};
    uint64_t call_site = 0;
    uint64_t elapsed_ns = 0;  // blocked so far
};

// Agent thread: every call under way on a thread, blocked for at least `min_elapsed_ns`;
// slots of threads that are gone are freed on the way.
void for_each_call_under_way(uint64_t min_elapsed_ns, const std::function<void(const CallUnderWay&)>& visit);

// A thread made through pthread_create ends: its slot is free again. signal-safe.
void release_in_flight_slot();
// In a fork child (only the forking thread survives): every slot free, this thread's
// forgotten (its id changed with the fork).
void reset_in_flight_calls_after_fork();

}  // namespace siagent
