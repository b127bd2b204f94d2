// When to try again after a failed upload: 10 s, doubling to 60 s, each delay spread by
// up to ±20 % so that many agents cut off by one outage do not return all at once.
// Agent thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace siagent {

class Backoff {
public:
    Backoff(std::chrono::milliseconds first, std::chrono::milliseconds limit, uint64_t seed)
        : first_(first), limit_(limit), random_(seed) {}

    // The delay before the next attempt, after one more failure.
    std::chrono::milliseconds next_delay();
    // An attempt succeeded: the next failure starts from `first` again.
    void reset() { failures_ = 0; }
    int failures() const { return failures_; }

    // The delay before jitter after `failures` consecutive failures (1 = the first).
    std::chrono::milliseconds nominal(int failures) const;

private:
    std::chrono::milliseconds first_;
    std::chrono::milliseconds limit_;
    std::mt19937_64 random_;
    int failures_ = 0;
};

}  // namespace siagent
