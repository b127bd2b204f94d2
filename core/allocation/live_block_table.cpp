#include "core/allocation/live_block_table.h"

#include <sys/mman.h>
#include <unistd.h>

namespace siagent {

void LiveBlockTable::map_filter_pages() const {
    const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t begin = reinterpret_cast<uintptr_t>(filter_) & ~(page - 1);
    const uintptr_t end = reinterpret_cast<uintptr_t>(filter_ + (1u << kFilterBits));
    if (madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_READ) == 0) return;
    // Before Linux 5.14: one read a page does the same (a counter a page apart, and the
    // last, whose page the stride may skip when the filter does not start a page).
    constexpr size_t kCounters = 1u << kFilterBits;
    for (size_t counter = 0; counter < kCounters; counter += page / sizeof filter_[0])
        (void)filter_[counter].load(std::memory_order_relaxed);
    (void)filter_[kCounters - 1].load(std::memory_order_relaxed);
}

bool LiveBlockTable::insert(uintptr_t address) {
    if (address <= kErased) return false;
    size_t index = slot_index(address);
    for (int probe = 0; probe < kMaxProbes; ++probe, index = (index + 1) & ((1u << kSlotBits) - 1)) {
        uintptr_t seen = slots_[index].load(std::memory_order_relaxed);
        while (seen == kEmpty || seen == kErased) {
            if (slots_[index].compare_exchange_weak(seen, address, std::memory_order_acq_rel)) {
                filter_[filter_index(address)].fetch_add(1, std::memory_order_release);
                size_.fetch_add(1, std::memory_order_relaxed);
                return true;
            }
        }
    }
    return false;
}

bool LiveBlockTable::erase(uintptr_t address) {
    if (address <= kErased) return false;
    size_t index = slot_index(address);
    for (int probe = 0; probe < kMaxProbes; ++probe, index = (index + 1) & ((1u << kSlotBits) - 1)) {
        uintptr_t seen = slots_[index].load(std::memory_order_acquire);
        if (seen == kEmpty) return false;
        if (seen != address) continue;
        // Only the block's owner frees it, so nobody else erases this entry concurrently.
        if (slots_[index].compare_exchange_strong(seen, kErased, std::memory_order_acq_rel)) {
            filter_[filter_index(address)].fetch_sub(1, std::memory_order_release);
            size_.fetch_sub(1, std::memory_order_relaxed);
            return true;
        }
        return false;
    }
    return false;
}

void LiveBlockTable::clear() {
    for (auto& slot : slots_) slot.store(kEmpty, std::memory_order_relaxed);
    for (auto& counter : filter_) counter.store(0, std::memory_order_relaxed);
    size_.store(0, std::memory_order_relaxed);
}

}  // namespace siagent
