#include "core/block/in_flight_calls.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <type_traits>

#include "core/fork_child_code.h"
#include "core/thread_exit.h"
#include "core/thread_id.h"
#include "core/wiped_on_fork.h"

namespace siagent {
namespace {

// Every this many looks at one call, the agent checks that its thread still exists.
constexpr uint64_t kGoneCheckLooks = 256;
constexpr uint64_t kMaxCredit = (uint64_t{1} << kLookCountBits) - 1;

// What the agent saw of each slot's call when it last added a look: where to account looks
// its thread then missed. Agent thread only.
struct SeenCall {
    uint64_t sequence = 0;
    pid_t thread_id = 0;
    BlockCall call{};
    uint64_t call_site = 0;
    uint64_t looks = 0;  // at this call so far
};
// The slots and, agent thread only, what the agent saw of each: one mapping
// (prepare_in_flight_calls), reached through in_flight_detail::slots, its first member.
struct InFlightTable {
    InFlightSlot slots[kInFlightSlots];
    SeenCall seen[kInFlightSlots];
};
static_assert(std::is_standard_layout_v<InFlightTable> && offsetof(InFlightTable, slots) == 0);

SeenCall* seen_calls(InFlightSlot* slots) { return reinterpret_cast<InFlightTable*>(slots)->seen; }

void free_slot(InFlightSlot& slot, int32_t owner) {
    slot.process.store(0, std::memory_order_relaxed);
    int32_t expected = owner;
    slot.owner.compare_exchange_strong(expected, 0, std::memory_order_acq_rel);
}

// The looks word of `slot` names no call under way on it: hands the looks to `missed` (at
// the call site seen when they were added) unless its owner takes them first.
void account_missed_looks(size_t index, uint64_t word, const std::function<void(const CallLooks&)>& missed) {
    InFlightSlot* const slots = in_flight_detail::slots.load(std::memory_order_relaxed);
    InFlightSlot& slot = slots[index];
    if (!slot.looks.compare_exchange_strong(word, 0, std::memory_order_acq_rel)) return;
    const SeenCall& call = seen_calls(slots)[index];
    if (looks_count(word) == 0 || !looks_name(word, call.sequence)) return;
    missed(CallLooks{call.thread_id, call.call, call.call_site, looks_count(word)});
}

}  // namespace

std::atomic<InFlightSlot*> in_flight_detail::slots{nullptr};
std::atomic<size_t> in_flight_detail::slots_used{0};
thread_local constinit int in_flight_detail::slot_index = -1;

// signal-safe, malloc-safe. The lowest free slot, so that the agent's looks read only as
// many slots as there ever were threads at once.
int in_flight_detail::claim_slot() {
    const int saved_errno = errno;
    const pid_t tid = current_thread_id();
    const int32_t process = static_cast<int32_t>(getpid());
    errno = saved_errno;
    InFlightSlot* const table = slots.load(std::memory_order_acquire);
    for (size_t index = 0; index < kInFlightSlots; ++index) {
        InFlightSlot& slot = table[index];
        int32_t expected = 0;
        if (slot.owner.load(std::memory_order_relaxed) != 0 ||
            !slot.owner.compare_exchange_strong(expected, tid, std::memory_order_acq_rel))
            continue;
        // Even: no call under way. The looks of a former owner's call stay until the agent
        // accounts them; they name a sequence number this owner does not reach soon.
        const uint64_t sequence = slot.sequence.load(std::memory_order_relaxed);
        if (sequence & 1) slot.sequence.store(sequence + 1, std::memory_order_relaxed);
        slot.process.store(process, std::memory_order_release);
        size_t used = slots_used.load(std::memory_order_relaxed);
        while (used < index + 1 &&
               !slots_used.compare_exchange_weak(used, index + 1, std::memory_order_acq_rel)) {
        }
        slot_index = static_cast<int>(index);
        return slot_index;
    }
    slot_index = -2;
    return -2;
}

// signal-safe, malloc-safe.
uint64_t in_flight_detail::take_looks(InFlightSlot& slot, uint64_t sequence) {
    const uint64_t word = slot.looks.exchange(0, std::memory_order_acq_rel);
    return looks_name(word, sequence) ? looks_count(word) : 0;
}

// signal-safe.
void release_in_flight_slot() {
    const int index = in_flight_detail::slot_index;
    in_flight_detail::slot_index = -1;
    if (index < 0) return;
    InFlightSlot& slot = in_flight_detail::slots.load(std::memory_order_relaxed)[index];
    slot.process.store(0, std::memory_order_relaxed);
    slot.owner.store(0, std::memory_order_release);
}

bool prepare_in_flight_calls() {
    if (in_flight_detail::slots.load(std::memory_order_acquire) != nullptr) return true;
    bool wiped = false;  // if not: the process ids below
    void* memory = map_wiped_on_fork(sizeof(InFlightTable), wiped);
    if (memory == nullptr) return false;
    InFlightSlot* expected = nullptr;
    // Zeroed memory is every slot free: no constructor to run. One thread's mapping wins.
    if (!in_flight_detail::slots.compare_exchange_strong(expected, static_cast<InFlightTable*>(memory)->slots,
                                                         std::memory_order_acq_rel))
        munmap(memory, sizeof(InFlightTable));
    return true;
}

// Where the slots were not wiped by the fork, the parent's stay as they were (writing them
// would copy their pages into every fork child): their process id tells the child's agent
// they are not its own.
SIAGENT_FORK_CHILD_CODE void reset_in_flight_calls_after_fork() { in_flight_detail::slot_index = -1; }

size_t look_at_calls_under_way(uint64_t credit, const std::function<void(const CallLooks&)>& missed) {
    const int32_t this_process = static_cast<int32_t>(getpid());
    InFlightSlot* const slots = in_flight_detail::slots.load(std::memory_order_acquire);
    const size_t used = slots != nullptr ? in_flight_detail::slots_used.load(std::memory_order_acquire) : 0;
    size_t under_way = 0;
    for (size_t index = 0; index < used; ++index) {
        InFlightSlot& slot = slots[index];
        uint64_t word = slot.looks.load(std::memory_order_acquire);
        const int32_t owner = slot.owner.load(std::memory_order_acquire);
        const int32_t process = owner != 0 ? slot.process.load(std::memory_order_acquire) : 0;
        if (owner != 0 && process != this_process) {
            // Inherited from the process this one was forked from (0: being claimed now).
            if (process != 0) {
                slot.looks.store(0, std::memory_order_relaxed);
                free_slot(slot, owner);
            }
            continue;
        }
        const uint64_t sequence = slot.sequence.load(std::memory_order_acquire);
        if (word != 0 && (owner == 0 || !looks_name(word, sequence))) {
            account_missed_looks(index, word, missed);
            word = 0;
        }
        if (owner == 0) continue;
        if ((sequence & 1) == 0) {
            // A thread that ended without pthread_create's wrapper (raw clone, the main
            // thread's exit) leaves its slot: take it back. Its id may come back only for a
            // new thread, which claims a slot of its own.
            if (thread_gone(owner)) free_slot(slot, owner);
            continue;
        }
        const uint32_t call = slot.call.load(std::memory_order_relaxed);
        const uint64_t call_site = slot.call_site.load(std::memory_order_relaxed);
        if (slot.sequence.load(std::memory_order_acquire) != sequence || call >= kBlockCalls) continue;
        // The call was under way when `sequence` was read: this look is its. If it ended
        // since, the CAS fails (its owner took the word) or the next look finds the word stale.
        const uint64_t counted = looks_name(word, sequence) ? looks_count(word) : 0;
        SeenCall& last = seen_calls(slots)[index];
        const uint64_t looks = last.sequence == sequence && counted != 0 ? last.looks + 1 : 1;
        if (looks % kGoneCheckLooks == 0 && thread_gone(owner)) {
            // Died inside the call (a raw exit from a signal handler): nothing to account.
            slot.looks.store(0, std::memory_order_relaxed);
            free_slot(slot, owner);
            continue;
        }
        if (!slot.looks.compare_exchange_strong(word, looks_word(sequence, std::min(counted + credit, kMaxCredit)),
                                                std::memory_order_acq_rel))
            continue;
        last = SeenCall{sequence, owner, static_cast<BlockCall>(call), call_site, looks};
        ++under_way;
    }
    return under_way;
}

void take_looks_of_long_calls(uint64_t min_credit, const std::function<void(const CallLooks&)>& visit) {
    InFlightSlot* const slots = in_flight_detail::slots.load(std::memory_order_acquire);
    const size_t used = slots != nullptr ? in_flight_detail::slots_used.load(std::memory_order_acquire) : 0;
    for (size_t index = 0; index < used; ++index) {
        InFlightSlot& slot = slots[index];
        uint64_t word = slot.looks.load(std::memory_order_acquire);
        const SeenCall& call = seen_calls(slots)[index];
        if (looks_count(word) < min_credit || looks_count(word) == 0 || !looks_name(word, call.sequence)) continue;
        if (slot.sequence.load(std::memory_order_acquire) != call.sequence) continue;  // ended: its owner takes them
        if (!slot.looks.compare_exchange_strong(word, looks_word(call.sequence, 0), std::memory_order_acq_rel))
            continue;
        visit(CallLooks{call.thread_id, call.call, call.call_site, looks_count(word)});
    }
}

}  // namespace siagent
