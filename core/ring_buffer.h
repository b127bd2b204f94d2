// A bounded lock-free multi-producer / single-consumer ring of fixed-size records.
//
// Producers: any application thread, inside a signal handler or an interposed call.
// Consumer: the agent thread only. A full ring drops the record and counts it; nothing
// ever waits. Storage comes from mmap when the ring is made and is never returned while
// producers may still run (see CpuProfiler), so a late signal never touches freed memory.
//
// Protocol (per-slot sequence numbers): slot i is free for the producer holding ticket t
// when sequence == t, and readable by the consumer at position t when sequence == t + 1.
// - A producer claims a ticket with a CAS on `tail_` (relaxed: the slot's sequence, read
//   with acquire, is what orders the slot's reuse after the consumer's release).
// - It writes the record, then publishes with a release store of sequence = t + 1, so the
//   consumer's acquire load of that sequence sees the whole record.
// - The consumer reads, then frees the slot for the next lap with a release store of
//   sequence = t + capacity, so a producer's later writes cannot overtake the read.
// A producer interrupted between claim and publish (e.g. by a nested signal) only delays
// the consumer, which stops at the unpublished slot and resumes on its next drain.
//
// Untouched until used: each slot stores its sequence minus its own index, so the initial
// state (slot i free for ticket i) is all zeros, which is what a fresh anonymous mapping
// reads. Making a ring and resetting it (madvise drops the pages) cost no page per slot:
// a short-lived process pays only for the slots it fills. The storage is also
// MADV_WIPEONFORK: a fork neither copies its page tables nor leaves the parent's filled
// slots copy-on-write (each later write would fault), and the child finds it all zeros,
// so its reset() is three stores. The consumer
// makes the pages of the next slots resident ahead of the producers (populate_ahead), so a
// producer in a signal handler does not take the page fault of a slot's first use.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>

#include "core/wiped_on_fork.h"

namespace siagent {

template <typename Record>
class RingBuffer {
    static_assert(std::is_trivially_copyable_v<Record>, "records are copied as raw bytes");

    struct Slot {
        std::atomic<uint64_t> sequence;
        Record record;
    };

public:
    // `capacity` is rounded up to a power of two. Check valid() afterwards: mmap may fail.
    explicit RingBuffer(size_t capacity) {
        size_t rounded = 1;
        while (rounded < capacity) rounded <<= 1;
        void* memory = map_wiped_on_fork(rounded * sizeof(Slot), wiped_on_fork_);
        if (memory == nullptr) return;
        slots_ = static_cast<Slot*>(memory);
        mask_ = rounded - 1;
        populate_ahead();
    }

    RingBuffer(const RingBuffer&) = delete;
    RingBuffer& operator=(const RingBuffer&) = delete;
    // Deliberately no unmap: see the ownership note above.
    ~RingBuffer() = default;

    bool valid() const { return slots_ != nullptr; }
    size_t capacity() const { return mask_ + 1; }

    // Only in a fork child, before any producer or consumer runs there. Its storage reads
    // as zeros (wiped on fork, else the pages go back to the kernel now): every slot free
    // for its first lap.
    void reset() {
        if (slots_ != nullptr && !wiped_on_fork_)
            madvise(slots_, (mask_ + 1) * sizeof(Slot), MADV_DONTNEED);
        populated_slots_ = 0;
        head_.store(0, std::memory_order_relaxed);
        tail_.store(0, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_release);
    }

    // signal-safe, malloc-safe. Returns a slot to fill and then hand to publish(), or
    // nullptr when the ring is full (the drop is counted).
    Record* claim(uint64_t& ticket) {
        uint64_t position = tail_.load(std::memory_order_relaxed);
        for (;;) {
            Slot& slot = slots_[position & mask_];
            uint64_t sequence = load_sequence(slot, position);
            int64_t lag = static_cast<int64_t>(sequence - position);
            if (lag == 0) {
                if (tail_.compare_exchange_weak(position, position + 1,
                                                std::memory_order_relaxed)) {
                    ticket = position;
                    return &slot.record;
                }
            } else if (lag < 0) {
                dropped_.fetch_add(1, std::memory_order_relaxed);
                return nullptr;
            } else {
                position = tail_.load(std::memory_order_relaxed);
            }
        }
    }

    // signal-safe, malloc-safe.
    void publish(uint64_t ticket) {
        store_sequence(slots_[ticket & mask_], ticket, ticket + 1);
    }

    // Consumer only. Calls `visit(const Record&)` for each published record in order and
    // returns how many it consumed; stops at the first slot not yet published.
    template <typename Visitor>
    size_t drain(Visitor&& visit, size_t limit = SIZE_MAX) {
        size_t consumed = 0;
        uint64_t position = head_.load(std::memory_order_relaxed);
        while (consumed < limit) {
            Slot& slot = slots_[position & mask_];
            if (load_sequence(slot, position) != position + 1) break;
            visit(static_cast<const Record&>(slot.record));
            store_sequence(slot, position, position + mask_ + 1);
            ++position;
            ++consumed;
        }
        head_.store(position, std::memory_order_relaxed);
        populate_ahead();
        return consumed;
    }

    // Consumer only (or while no producer runs). Makes the pages of the next kPopulateAhead
    // slots past the producers' position resident and writable without changing a byte
    // (MADV_POPULATE_WRITE, Linux 5.14; without it the first use faults as before). Once
    // the first lap is resident there is nothing left to do.
    void populate_ahead() {
        if (slots_ == nullptr || populated_slots_ > mask_) return;
        uint64_t wanted = tail_.load(std::memory_order_relaxed) + kPopulateAhead;
        if (wanted > mask_ + 1) wanted = mask_ + 1;
        if (wanted <= populated_slots_) return;
        const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
        uintptr_t begin = reinterpret_cast<uintptr_t>(slots_ + populated_slots_) & ~(page - 1);
        uintptr_t end = (reinterpret_cast<uintptr_t>(slots_ + wanted) + page - 1) & ~(page - 1);
        madvise(reinterpret_cast<void*>(begin), end - begin, kPopulateWrite);
        populated_slots_ = wanted;
    }

    uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

    // signal-safe, malloc-safe, any thread. Records claimed but not yet consumed: a
    // snapshot that may be off by the claims and drains under way.
    size_t approximate_fill() const {
        uint64_t tail = tail_.load(std::memory_order_relaxed);
        uint64_t head = head_.load(std::memory_order_relaxed);
        return tail > head ? static_cast<size_t>(tail - head) : 0;
    }

    // Bytes of the ring's storage the process holds in memory (mincore): what filling it,
    // not making it, has cost. Any thread.
    size_t resident_bytes() const {
        if (slots_ == nullptr) return 0;
        const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
        const size_t pages = ((mask_ + 1) * sizeof(Slot) + page - 1) / page;
        size_t resident = 0;
        unsigned char vector[256];
        for (size_t first = 0; first < pages; first += sizeof vector) {
            size_t count = pages - first < sizeof vector ? pages - first : sizeof vector;
            if (mincore(reinterpret_cast<char*>(slots_) + first * page, count * page, vector) != 0)
                return 0;
            for (size_t i = 0; i < count; ++i) resident += (vector[i] & 1) != 0 ? page : 0;
        }
        return resident;
    }

private:
    static constexpr uint64_t kPopulateAhead = 128;
#ifdef MADV_POPULATE_WRITE
    static constexpr int kPopulateWrite = MADV_POPULATE_WRITE;
#else
    static constexpr int kPopulateWrite = 23;  // Linux's value; older headers lack the name
#endif

    // The slot for `position` keeps its sequence relative to its index (see the top note).
    uint64_t load_sequence(const Slot& slot, uint64_t position) const {
        return slot.sequence.load(std::memory_order_acquire) + (position & mask_);
    }
    void store_sequence(Slot& slot, uint64_t position, uint64_t sequence) {
        slot.sequence.store(sequence - (position & mask_), std::memory_order_release);
    }

    Slot* slots_ = nullptr;
    size_t mask_ = 0;
    uint64_t populated_slots_ = 0;  // consumer only: slots [0, this) are resident
    bool wiped_on_fork_ = false;    // the kernel zeroes the storage in a fork child
    alignas(64) std::atomic<uint64_t> tail_{0};  // next ticket for producers
    alignas(64) std::atomic<uint64_t> head_{0};  // next position for the consumer
    alignas(64) std::atomic<uint64_t> dropped_{0};
};

}  // namespace siagent
