// At most `max_events` per sliding `window_seconds` per key (an account): what keeps a burst
// of incidents from flooding a channel. Over the bound, the event is refused and counted.
// Thread-safe; memory is one timestamp per allowed event in the window per key.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <unordered_map>

namespace siagent::dashboard::notify {

class RateLimit {
public:
    RateLimit(size_t max_events, int64_t window_seconds) : max_events_(max_events), window_(window_seconds) {}

    // True (and counted) when one more event of `key` at `now` stays within the bound.
    bool allow(int64_t key, int64_t now);
    uint64_t refused() const;

private:
    size_t max_events_;
    int64_t window_;
    mutable std::mutex mutex_;
    std::unordered_map<int64_t, std::deque<int64_t>> recent_;  // key -> times of allowed events
    uint64_t refused_ = 0;
};

}  // namespace siagent::dashboard::notify
