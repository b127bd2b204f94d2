// The transport's sense of time, injectable so that tests drive queues, backoff and TTLs
// with a fake clock instead of waiting. Agent thread only (a Clock is not shared).
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>

namespace siagent {

class Clock {
public:
    using TimePoint = std::chrono::steady_clock::time_point;
    virtual ~Clock() = default;
    // Monotonic time, for ages, deadlines and intervals.
    virtual TimePoint now() const = 0;
    // Wall clock, Unix seconds, for what goes on the wire (run_ts, sent_at, timestamps).
    virtual int64_t unix_seconds() const = 0;
};

class SystemClock : public Clock {
public:
    TimePoint now() const override { return std::chrono::steady_clock::now(); }
    int64_t unix_seconds() const override { return static_cast<int64_t>(time(nullptr)); }
};

// Moves only when told to. For tests.
class FakeClock : public Clock {
public:
    TimePoint now() const override { return now_; }
    int64_t unix_seconds() const override {
        return 1'700'000'000 +
               std::chrono::duration_cast<std::chrono::seconds>(now_.time_since_epoch()).count();
    }
    void advance(std::chrono::milliseconds by) { now_ += by; }

private:
    TimePoint now_{};
};

}  // namespace siagent
