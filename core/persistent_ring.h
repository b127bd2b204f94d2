// The sample ring of one profiler, made once and never destroyed: a signal or an interposed
// call may still write to it during exit, after static destructors ran, so its storage is
// static and nothing ever unmaps it (see RingBuffer). Constant-initialized: usable from any
// constructor or handler before it is made (get() is then null).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>

#include "core/ring_buffer.h"

namespace siagent {

template <typename Record>
class PersistentRing {
public:
    using Ring = RingBuffer<Record>;

    constexpr PersistentRing() = default;
    PersistentRing(const PersistentRing&) = delete;
    PersistentRing& operator=(const PersistentRing&) = delete;

    // Makes the ring the first time (one thread at a time: the profiler's start, on the
    // agent thread); later calls return it. Null when its storage could not be mapped (a
    // later call tries again).
    Ring* make(size_t capacity) {
        Ring* ring = instance_.load(std::memory_order_acquire);
        if (ring != nullptr) return ring;
        ring = new (storage_) Ring(capacity);
        if (!ring->valid()) return nullptr;
        instance_.store(ring, std::memory_order_release);
        return ring;
    }

    // signal-safe, malloc-safe. The ring, or null before a make() that succeeded.
    Ring* get() const { return instance_.load(std::memory_order_acquire); }

    // Any thread. Zero without a ring.
    uint64_t dropped() const {
        Ring* ring = get();
        return ring != nullptr ? ring->dropped() : 0;
    }
    size_t mapped_bytes() const {
        Ring* ring = get();
        return ring != nullptr ? ring->capacity() * sizeof(Record) : 0;
    }

    // In a fork child, before anything runs there: empty again (RingBuffer::reset).
    void reset_in_fork_child() {
        if (Ring* ring = get()) ring->reset();
    }

private:
    alignas(Ring) unsigned char storage_[sizeof(Ring)] = {};  // zeros: in .bss, no page until made
    std::atomic<Ring*> instance_{nullptr};
};

}  // namespace siagent
