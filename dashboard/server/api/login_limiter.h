// Failed-login counting per (client address, email) pair and per client address: after
// `max_failures` failures within `window_seconds` for one pair, or four times as many from
// one address (whatever the emails), logins for it are refused (429) until enough failures
// have left the window. Never per email alone: failures from other addresses must not lock
// a user out. Kept in the database (the table login_failures), so every dashboard instance
// on it counts the same failures; keys are stored hashed, never as addresses or emails, and
// rows past the window are deleted as new ones come. Thread-safe (the storage's own
// connections).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "dashboard/server/model/storage.h"

namespace siagent::dashboard {

class LoginLimiter {
public:
    explicit LoginLimiter(Storage& storage, size_t max_failures = 5, int64_t window_seconds = 60)
        : storage_(&storage), max_failures_(max_failures), window_seconds_(window_seconds) {}

    bool blocked(const std::string& address, const std::string& email, int64_t now);
    void record_failure(const std::string& address, const std::string& email, int64_t now);

private:
    Storage* storage_;
    size_t max_failures_;
    int64_t window_seconds_;
};

}  // namespace siagent::dashboard
