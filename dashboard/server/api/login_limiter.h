// Failed-login counting per (client address, email) pair and per client address: after
// `max_failures` failures within `window_seconds` for one pair, or four times as many from
// one address (whatever the emails), logins for it are refused (429) until the oldest failure
// leaves the window. Never per email alone: failures from other addresses must not lock a
// user out. Held in memory: a restart forgets, which is acceptable for a limit measured in
// minutes. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace siagent::dashboard {

class LoginLimiter {
public:
    explicit LoginLimiter(size_t max_failures = 5, int64_t window_seconds = 60)
        : max_failures_(max_failures), window_seconds_(window_seconds) {}

    bool blocked(const std::string& address, const std::string& email, int64_t now);
    void record_failure(const std::string& address, const std::string& email, int64_t now);

private:
    bool blocked_locked(const std::string& key, size_t limit, int64_t now);
    void forget_stale(int64_t now);

    // Bounds memory under a spray of addresses or emails: past this many keys, keys with
    // no failure in the window are dropped.
    static constexpr size_t kMaxKeys = 100'000;
    size_t max_failures_;
    int64_t window_seconds_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::deque<int64_t>> failures_;
};

}  // namespace siagent::dashboard
