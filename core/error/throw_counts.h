// Exact counts of thrown exceptions per (exception type, throw site), kept without locks.
//
// Producers: any application thread, in the interposed __cxa_throw (and possibly from a
// signal handler that throws). Consumer: the agent thread, which reads the cumulative
// counts and turns them into per-period deltas. Slots are claimed once and never freed,
// so memory is bounded (kSlots); throws that find the table full are counted apart.
//
// Slot protocol: `state` goes 0 (free) -> 1 (being filled) -> 2 (ready), once, by the one
// producer that won the CAS 0 -> 1. That producer writes type, site and name, then
// publishes with a release store of 2; readers that load 2 with acquire see the key. A
// producer that meets a slot in state 1 does not wait for it: it probes on and may claim
// another slot for the same key (a duplicate the consumer sums; harmless and rare).
// Counts are relaxed fetch_adds: each is exact, and the consumer needs no order between
// them. signal-safe, malloc-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace siagent {

inline constexpr size_t kThrowTypeNameBytes = 160;

struct ThrowSlot {
    std::atomic<uint32_t> state{0};
    uintptr_t type = 0;                    // the std::type_info's address
    uintptr_t site = 0;                    // return address into the throwing function
    char type_name[kThrowTypeNameBytes]{};  // copy of type_info::name() (mangled), NUL-ended
    std::atomic<uint64_t> count{0};        // throws so far, cumulative
};

class ThrowCounts {
public:
    static constexpr size_t kSlots = 2048;  // a power of two
    static constexpr size_t kMaxProbes = 64;

    // signal-safe, malloc-safe. Counts one throw and returns its slot index, or -1 when
    // the table is full (counted in full_misses()). `name` is copied on first use.
    int count(uintptr_t type, uintptr_t site, const char* name) {
        size_t index = hash(type, site);
        for (size_t probe = 0; probe < kMaxProbes; ++probe, index = (index + 1) & (kSlots - 1)) {
            ThrowSlot& slot = slots_[index];
            uint32_t state = slot.state.load(std::memory_order_acquire);
            // A failed CAS leaves the slot's current state in `state` (1 or 2).
            if (state == 0 && slot.state.compare_exchange_strong(state, 1, std::memory_order_acquire)) {
                used_.fetch_add(1, std::memory_order_relaxed);
                fill(slot, type, site, name);
                slot.count.fetch_add(1, std::memory_order_relaxed);
                return static_cast<int>(index);
            }
            if (state == 2 && slot.type == type && slot.site == site) {
                slot.count.fetch_add(1, std::memory_order_relaxed);
                return static_cast<int>(index);
            }
        }
        full_misses_.fetch_add(1, std::memory_order_relaxed);
        return -1;
    }

    // Consumer: calls visit(index, const ThrowSlot&) for every ready slot. A process that
    // never threw reads none of the table (its pages stay untouched).
    template <typename Visitor>
    void for_each(Visitor&& visit) const {
        if (used_.load(std::memory_order_acquire) == 0) return;
        for (size_t i = 0; i < kSlots; ++i) {
            if (slots_[i].state.load(std::memory_order_acquire) == 2) visit(i, slots_[i]);
        }
    }

    const ThrowSlot& slot(size_t index) const { return slots_[index]; }
    uint64_t full_misses() const { return full_misses_.load(std::memory_order_relaxed); }

private:
    static size_t hash(uintptr_t type, uintptr_t site) {
        uint64_t mixed = (type ^ (site * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
        return static_cast<size_t>(mixed >> 40) & (kSlots - 1);
    }

    static void fill(ThrowSlot& slot, uintptr_t type, uintptr_t site, const char* name) {
        slot.type = type;
        slot.site = site;
        size_t length = 0;
        if (name != nullptr) {
            while (length + 1 < kThrowTypeNameBytes && name[length] != '\0') ++length;
            memcpy(slot.type_name, name, length);
        }
        slot.type_name[length] = '\0';
        slot.state.store(2, std::memory_order_release);
    }

    ThrowSlot slots_[kSlots];
    std::atomic<uint64_t> full_misses_{0};
    std::atomic<uint32_t> used_{0};  // slots ever claimed
};

}  // namespace siagent
