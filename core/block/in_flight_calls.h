// Blocking calls under way, and the agent thread's looks at them: how the block profiler
// measures blocked time without reading a clock in the interposers.
//
// One slot per thread that made a blocking call (claimed on its first, released when a
// thread made through pthread_create ends; slots of threads that are gone are taken back
// by the agent thread). Around the real call the owning thread marks the slot under way
// (BlockedCallMark: a few stores to its own cache line, no clock). The agent thread looks
// at every slot at random moments, a Poisson process in time (look_at_calls_under_way;
// the mean interval is SI_BLOCK_SAMPLING_NS), and credits each call it finds under way
// with the time since its previous look. A call of duration d is found by d / mean looks on
// average, whatever d is, so its credit is an unbiased estimate of its blocked time, per
// stack and in total (and a timer that fires late does not make the looks stand for less
// time than passed): a 50 ms wait is almost always seen (a 10 ms mean misses it with
// probability e^-5), a 1 µs read almost never. When a call that was seen ends, its thread
// captures its own stack with that credit (record_blocked_call); no other call costs more
// than the marks.
//
// Exactly once: the credit of call number s lives in `looks` as (s, credit). The agent adds
// with a CAS; the owner, at the end of the call, takes them with an exchange (only when
// the word names its call, so at most once per look). A look the owner missed (a look
// that raced with the call's end, or a thread that ended) is found stale by the next look
// and accounted by the agent at the call site it saw. Long calls: at each report the agent
// takes the looks of calls under way long enough (take_looks_of_long_calls; their call
// site stands for the stack), so a 480 s pthread_join is blocked time of every report it
// spans.
//
// The interposer side is signal-safe and malloc-safe: stores and loads on the thread's own
// slot, one exchange when the call was seen; claiming a slot is a CAS scan, done once per
// thread. The rest is agent thread only.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "core/block/block_calls.h"

namespace siagent {

inline constexpr size_t kInFlightSlots = 1024;

// A cache line each: the owner writes it on every call, and no other thread's calls may
// share the line. Written by the owner only, except `owner` (claimed by CAS, taken back by
// the agent) and `looks` (see above).
struct alignas(64) InFlightSlot {
    std::atomic<int32_t> owner{0};        // the thread's kernel id; 0 = free
    std::atomic<int32_t> process{0};      // the owner's process id (a fork child inherits slots)
    std::atomic<uint64_t> sequence{0};    // odd: call number `sequence` under way
    std::atomic<uint64_t> call_site{0};   // the interposer's return address
    std::atomic<uint32_t> call{0};        // the BlockCall
    std::atomic<uint64_t> looks{0};       // looks_word(sequence, credit); 0 = none
};

// The looks word: the low 32 bits of a call's sequence number, and its credit in units of
// kLookUnitNs (2^32 units: 78 hours, more than a report may last).
inline constexpr int kLookCountBits = 32;
inline constexpr uint64_t kLookUnitNs = 65'536;
inline constexpr uint64_t looks_word(uint64_t sequence, uint64_t count) {
    return (sequence << kLookCountBits) | (count & ((uint64_t{1} << kLookCountBits) - 1));
}
inline constexpr uint64_t looks_count(uint64_t word) { return word & ((uint64_t{1} << kLookCountBits) - 1); }
inline constexpr bool looks_name(uint64_t word, uint64_t sequence) {
    return word != 0 && (word >> kLookCountBits) == (sequence & ((uint64_t{1} << (64 - kLookCountBits)) - 1));
}

namespace in_flight_detail {
// kInFlightSlots slots in memory of their own, mapped once by prepare_in_flight_calls and
// never returned; nullptr before (marks then do nothing).
extern std::atomic<InFlightSlot*> slots;
extern std::atomic<size_t> slots_used;  // no slot at or past this index was ever claimed
// This thread's slot: -1 not claimed yet, -2 none to be had (table full).
extern thread_local constinit int slot_index __attribute__((tls_model("initial-exec")));
// signal-safe, malloc-safe: claims a free slot for the calling thread; -2 when none is free.
int claim_slot();
// signal-safe, malloc-safe: the owner takes the credit of its call `sequence`, just ended
// (0 when the agent took it first).
uint64_t take_looks(InFlightSlot& slot, uint64_t sequence);
}  // namespace in_flight_detail

// signal-safe, malloc-safe; leaves errno alone. Marks a call under way on this thread for
// its lifetime. A mark made while another is under way on the same thread (a call from a
// signal handler) does nothing: the outer call's looks cover that time.
class BlockedCallMark {
public:
    BlockedCallMark(bool active, BlockCall call, uint64_t call_site) {
        if (!active) return;
        InFlightSlot* const slots = in_flight_detail::slots.load(std::memory_order_acquire);
        if (slots == nullptr) [[unlikely]] return;
        int index = in_flight_detail::slot_index;
        if (index == -1) [[unlikely]] index = in_flight_detail::claim_slot();
        if (index < 0) return;
        InFlightSlot& slot = slots[index];
        uint64_t previous = slot.sequence.load(std::memory_order_relaxed);
        if (previous & 1) return;  // nested in a call under way
        // A signal handler's whole call may come between these stores and the sequence's:
        // its stores are then made again, and the sequence number stays unique (but for
        // a handler entered at the very store, which may share this call's number).
        for (;;) {
            slot.call.store(static_cast<uint32_t>(call), std::memory_order_relaxed);
            slot.call_site.store(call_site, std::memory_order_relaxed);
            std::atomic_signal_fence(std::memory_order_seq_cst);  // the stores before the load
            const uint64_t now = slot.sequence.load(std::memory_order_relaxed);
            if (now == previous) [[likely]] break;
            previous = now;
        }
        sequence_ = previous + 1;
        slot.sequence.store(sequence_, std::memory_order_release);
        slot_ = &slot;
    }
    // Ends the mark; returns the call's credit in kLookUnitNs (0 unless the agent saw it).
    uint64_t end() {
        if (slot_ == nullptr) return 0;
        InFlightSlot& slot = *slot_;
        slot_ = nullptr;
        slot.sequence.store(sequence_ + 1, std::memory_order_release);
        // A look that comes between the store above and this load is missed here and
        // accounted by the agent's next look (see the header comment).
        if (!looks_name(slot.looks.load(std::memory_order_relaxed), sequence_)) [[likely]] return 0;
        return in_flight_detail::take_looks(slot, sequence_);
    }
    ~BlockedCallMark() { end(); }
    BlockedCallMark(const BlockedCallMark&) = delete;
    BlockedCallMark& operator=(const BlockedCallMark&) = delete;

private:
    InFlightSlot* slot_ = nullptr;
    uint64_t sequence_ = 0;
};

// Looks the agent accounts itself, at the call site: of a long call under way, or of an
// ended call whose thread missed them.
struct CallLooks {
    pid_t thread_id = 0;
    BlockCall call{};
    uint64_t call_site = 0;
    uint64_t credit = 0;  // in kLookUnitNs
};

// Normal context, before the first mark that counts (the block profiler's start; tests):
// maps the slots and what the agent saw of them, once. Their memory is MADV_WIPEONFORK: a
// fork child finds every slot free, and a fork leaves none of them copy-on-write in the
// parent, whose every call (and every look of the agent) would otherwise copy a page after
// each fork. False when the memory cannot be mapped.
bool prepare_in_flight_calls();

// Agent thread: one look at every slot, at a moment independent of the calls. Credits
// each call under way with `credit` (kLookUnitNs: the time since the previous look),
// hands `missed` the credit that ended calls' threads did not take, and frees the slots of
// threads that are gone. Returns the number of calls under way.
size_t look_at_calls_under_way(uint64_t credit, const std::function<void(const CallLooks&)>& missed);

// Agent thread, at a report: takes the credit of every call under way that collected at
// least `min_credit` (its end then carries only later looks) and hands it to `visit`.
void take_looks_of_long_calls(uint64_t min_credit, const std::function<void(const CallLooks&)>& visit);

// A thread made through pthread_create ends: its slot is free again. signal-safe.
void release_in_flight_slot();
// In a fork child (only the forking thread survives): this thread's slot forgotten (its id
// changed with the fork). The slots themselves are wiped by the fork (or, where the kernel
// cannot, marked with the parent's process id, which the child's looks free).
void reset_in_flight_calls_after_fork();

}  // namespace siagent
