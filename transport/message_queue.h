// Messages waiting for the dashboard: bounded in age (SI_MESSAGE_TTL) and in bytes
// (SI_MAX_QUEUE_BYTES), dropping oldest first and counting what it drops. A batch taken
// for an upload stays queued until the upload succeeds (confirm), so a failed upload
// loses nothing within the bounds. Agent thread only; time comes from the Clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "transport/clock.h"

namespace siagent {

struct QueueStats {
    uint64_t queued = 0;            // messages accepted
    uint64_t sent = 0;              // messages confirmed delivered
    uint64_t dropped_expired = 0;   // older than the TTL
    uint64_t dropped_overflow = 0;  // beyond the byte bound (or larger than it alone)
    uint64_t dropped_rejected = 0;  // refused by the dashboard as malformed
    uint64_t dropped_disabled = 0;  // discarded because the dashboard disabled the agent
};

class MessageQueue {
public:
    MessageQueue(const Clock& clock, std::chrono::milliseconds ttl, size_t max_bytes)
        : clock_(clock), ttl_(ttl), max_bytes_(max_bytes) {}

    // Queues one encoded message, dropping the oldest ones while the bound is exceeded.
    void push(std::string message);

    // Up to `max_bytes` of the oldest messages (at least one when any is queued), after
    // dropping expired ones. Returns the batch's id; 0 when empty. The pointers stay valid
    // until the next push, confirm, release or clear.
    uint64_t take_batch(size_t max_bytes, std::vector<const std::string*>& messages);
    // The upload of batch `id` succeeded: its messages (those still queued) go.
    void confirm(uint64_t batch);
    // The upload was refused as malformed: its messages are dropped (and counted).
    void reject(uint64_t batch);
    // Drops everything (the dashboard disabled the agent).
    void clear();
    // Drops what is older than the TTL.
    void expire();

    size_t size() const { return entries_.size(); }
    size_t bytes() const { return bytes_; }
    bool empty() const { return entries_.empty(); }
    const QueueStats& stats() const { return stats_; }

private:
    struct Entry {
        uint64_t sequence;
        Clock::TimePoint queued_at;
        std::string message;
    };
    void drop_front(uint64_t& counter);
    // Removes the entries up to the last of batch `batch`; returns how many.
    uint64_t remove_batch(uint64_t batch);

    const Clock& clock_;
    std::chrono::milliseconds ttl_;
    size_t max_bytes_;
    std::deque<Entry> entries_;
    size_t bytes_ = 0;
    uint64_t next_sequence_ = 1;
    QueueStats stats_;
};

}  // namespace siagent
