#include "core/block/in_flight_calls.h"

#include <unistd.h>

#include <cerrno>

#include "core/thread_exit.h"
#include "core/thread_id.h"
#include "core/tick_clock.h"
#include "core/fork_child_code.h"

namespace siagent {
namespace {

constexpr int kProbes = 64;

}  // namespace

InFlightSlot in_flight_detail::slots[kInFlightSlots];
thread_local constinit int in_flight_detail::slot_index = -1;

int in_flight_detail::claim_slot() {
    const int saved_errno = errno;
    const pid_t tid = current_thread_id();
    errno = saved_errno;
    const size_t first = static_cast<size_t>(tid) * 2654435761u % kInFlightSlots;
    for (int probe = 0; probe < kProbes; ++probe) {
        InFlightSlot& slot = slots[(first + static_cast<size_t>(probe)) % kInFlightSlots];
        int32_t expected = 0;
        if (slot.owner.compare_exchange_strong(expected, tid, std::memory_order_acq_rel)) {
            slot.start.store(0, std::memory_order_relaxed);
            slot.process.store(static_cast<int32_t>(getpid()), std::memory_order_release);
            slot_index = static_cast<int>((first + static_cast<size_t>(probe)) % kInFlightSlots);
            return slot_index;
        }
    }
    slot_index = -2;
    return -2;
}

void release_in_flight_slot() {
    const int index = in_flight_detail::slot_index;
    in_flight_detail::slot_index = -1;
    if (index < 0) return;
    InFlightSlot& slot = in_flight_detail::slots[index];
    slot.start.store(0, std::memory_order_relaxed);
    slot.process.store(0, std::memory_order_relaxed);
    slot.owner.store(0, std::memory_order_release);
}

// The parent's slots stay as they were (writing them would copy their pages into every
// fork child): their process id tells the child's reader they are not its own.
SIAGENT_FORK_CHILD_CODE void reset_in_flight_calls_after_fork() { in_flight_detail::slot_index = -1; }

void for_each_call_under_way(uint64_t min_elapsed_ns, const std::function<void(const CallUnderWay&)>& visit) {
    const uint64_t now_ns = coarse_ns();  // the interposers' clock (BlockStopwatch)
    const int32_t this_process = static_cast<int32_t>(getpid());
    for (InFlightSlot& slot : in_flight_detail::slots) {
        const int32_t owner = slot.owner.load(std::memory_order_acquire);
        if (owner == 0) continue;
        const int32_t process = slot.process.load(std::memory_order_acquire);
        if (process != this_process) {
            // Inherited from the process this one was forked from (0: being claimed now).
            if (process != 0) {
                slot.start.store(0, std::memory_order_relaxed);
                slot.process.store(0, std::memory_order_relaxed);
                int32_t expected = owner;
                slot.owner.compare_exchange_strong(expected, 0, std::memory_order_acq_rel);
            }
            continue;
        }
        const uint64_t start = slot.start.load(std::memory_order_acquire);
        if (start == 0) {
            // A thread that ended without pthread_create's wrapper (raw clone, the main
            // thread's exit) leaves its slot: take it back. Its id may come back only for a
            // new thread, which claims a slot of its own.
            if (thread_gone(owner)) {
                int32_t expected = owner;
                slot.owner.compare_exchange_strong(expected, 0, std::memory_order_acq_rel);
            }
            continue;
        }
        const uint32_t meta = slot.meta.load(std::memory_order_relaxed);
        const uint64_t site = slot.call_site.load(std::memory_order_relaxed);
        if (slot.start.load(std::memory_order_acquire) != start) continue;  // it ended meanwhile
        if (now_ns < start) continue;
        const uint64_t elapsed = now_ns - start;
        if (elapsed < min_elapsed_ns || meta >= kBlockCalls) continue;
        visit(CallUnderWay{owner, static_cast<BlockCall>(meta), site, elapsed});
    }
}

}  // namespace siagent
