// The set of sampled heap blocks that are still live, keyed by address, so that free()
// and realloc() can tell, in a few instructions, that a block was not sampled.
//
// Lock-free, fixed size, no allocation: open addressing with linear probing over a static
// array of addresses (0 = never used, 1 = erased; chains never break because a used slot
// never becomes empty again), in front of it a counting filter of 2^15 counters: the
// number of live entries whose address hashes to each counter. A negative check is one
// multiply, one shift and one load; only a non-zero counter leads to the probe.
//
// Producers and consumers: any application thread inserts (after a sampled malloc) and
// erases (in free, before the real free, so the address cannot be handed out again and
// re-inserted before the erase lands). Addresses of live blocks are unique, so an insert
// may reuse any erased slot of the chain. Memory orders: the counter increment is
// released after the slot CAS; maybe_contains loads relaxed, which is enough because a
// block's free is ordered after its malloc by the application's own synchronization.
//
// signal-safe, malloc-safe.
#pragma once

#include <atomic>
#include <cstdint>

namespace siagent {

class LiveBlockTable {
public:
    static constexpr int kSlotBits = 18;    // 262,144 slots, 2 MiB of zero pages until used
    static constexpr int kFilterBits = 15;  // 32,768 counters, 64 KiB
    static constexpr int kMaxProbes = 64;

    constexpr LiveBlockTable() = default;

    // False when this address's chain is full (the block is then not tracked).
    bool insert(uintptr_t address);
    // True when the address was in the table (and is no longer).
    bool erase(uintptr_t address);

    // False means "certainly not in the table". signal-safe, malloc-safe.
    bool maybe_contains(uintptr_t address) const { return maybe_in_filter(filter_, address); }
    // The same, for a reader in another library that holds only the filter (filter();
    // preload/hook_table.h).
    static bool maybe_in_filter(const std::atomic<uint16_t>* filter, uintptr_t address) {
        return filter[filter_index(address)].load(std::memory_order_relaxed) != 0;
    }

    size_t size() const { return size_.load(std::memory_order_relaxed); }
    // The filter maybe_contains reads, for maybe_in_filter in another library.
    const std::atomic<uint16_t>* filter() const { return filter_; }
    // Maps the filter's 16 pages, still zero pages where no counter was written (no memory
    // taken), into this process's page tables. Every free() reads one counter at a hash of
    // its address: a page never touched costs that read a page fault, and a fork child
    // inherits only the entries present in its parent, so a child of a parent that rarely
    // frees faulted at its own first frees, each child again. Normal context (a system call).
    void map_filter_pages() const;
    // Only while nothing else uses the table (tests).
    void clear();

private:
    static constexpr uintptr_t kEmpty = 0;
    static constexpr uintptr_t kErased = 1;

    static uint64_t mix(uintptr_t address) {
        return (static_cast<uint64_t>(address) >> 4) * 0x9E3779B97F4A7C15ull;
    }
    static size_t filter_index(uintptr_t address) { return mix(address) >> (64 - kFilterBits); }
    static size_t slot_index(uintptr_t address) {
        // Different bits than the filter's, so one filter counter's entries spread out.
        return (mix(address) >> (64 - kFilterBits - kSlotBits)) & ((1u << kSlotBits) - 1);
    }

    std::atomic<uintptr_t> slots_[1u << kSlotBits] = {};
    std::atomic<uint16_t> filter_[1u << kFilterBits] = {};
    std::atomic<size_t> size_{0};
};

}  // namespace siagent
