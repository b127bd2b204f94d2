#include "transport/message_queue.h"

namespace siagent {
namespace {

// Bookkeeping per message (deque slot, string header), counted against the byte bound so
// that many tiny messages cannot exceed it either.
constexpr size_t kEntryOverhead = 64;

size_t cost(const std::string& message) { return message.size() + kEntryOverhead; }

}  // namespace

void MessageQueue::drop_front(uint64_t& counter) {
    bytes_ -= cost(entries_.front().message);
    entries_.pop_front();
    ++counter;
}

void MessageQueue::push(std::string message) {
    ++stats_.queued;
    if (cost(message) > max_bytes_) {
        ++stats_.dropped_overflow;  // could never fit, even alone
        return;
    }
    expire();
    while (!entries_.empty() && bytes_ + cost(message) > max_bytes_) drop_front(stats_.dropped_overflow);
    bytes_ += cost(message);
    entries_.push_back({next_sequence_++, clock_.now(), std::move(message)});
}

void MessageQueue::expire() {
    Clock::TimePoint now = clock_.now();
    while (!entries_.empty() && now - entries_.front().queued_at > ttl_)
        drop_front(stats_.dropped_expired);
}

uint64_t MessageQueue::take_batch(size_t max_bytes, std::vector<const std::string*>& messages) {
    messages.clear();
    expire();
    size_t taken = 0;
    uint64_t last = 0;
    for (const Entry& entry : entries_) {
        if (!messages.empty() && taken + entry.message.size() > max_bytes) break;
        messages.push_back(&entry.message);
        taken += entry.message.size();
        last = entry.sequence;
    }
    return last;
}

uint64_t MessageQueue::remove_batch(uint64_t batch) {
    // A batch is always a prefix of the queue when taken; entries dropped since then were
    // older still, so every queued entry up to the batch's last one belongs to it.
    uint64_t removed = 0;
    while (!entries_.empty() && entries_.front().sequence <= batch) {
        bytes_ -= cost(entries_.front().message);
        entries_.pop_front();
        ++removed;
    }
    return removed;
}

void MessageQueue::confirm(uint64_t batch) { stats_.sent += remove_batch(batch); }

void MessageQueue::reject(uint64_t batch) { stats_.dropped_rejected += remove_batch(batch); }

void MessageQueue::clear() {
    while (!entries_.empty()) drop_front(stats_.dropped_disabled);
}

}  // namespace siagent
