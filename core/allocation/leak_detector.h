// Suspected memory leaks from consecutive heap-in-use reports. Agent thread only.
//
// A call stack is suspected when, over the last `reports` report periods (at least 2):
// - its sampled in-use bytes never went down and went up in most periods, and
// - some of those bytes come from blocks allocated before the window began and still
//   live (memory that is never given back, not a working set that turns over).
// Churn (blocks freed soon after they are allocated) and caches that fill up once and
// then hold steady are not suspected; a cache that fills for longer than the window is
// (it is indistinguishable from a leak until it stops growing).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

namespace siagent {

struct InUseObservation {
    int64_t bytes = 0;      // estimated in-use bytes of the stack now
    int64_t old_bytes = 0;  // of which from blocks allocated `reports` periods ago or earlier
};

struct LeakSuspect {
    uint64_t stack = 0;
    int64_t bytes = 0;
    double growth_bytes_per_second = 0;
    int periods = 0;  // consecutive periods of growth seen
};

class LeakDetector {
public:
    explicit LeakDetector(int reports) : reports_(reports < 2 ? 2 : reports) {}

    int reports() const { return reports_; }
    // One report: the in-use state of every stack that has live sampled blocks (stacks
    // missing here have none). `time_ns` is the report's time.
    void observe(int64_t time_ns, const std::unordered_map<uint64_t, InUseObservation>& stacks);
    // The suspects as of the last observe().
    const std::vector<LeakSuspect>& suspects() const { return suspects_; }

private:
    struct Point {
        int64_t time_ns;
        int64_t bytes;
    };
    struct History {
        std::deque<Point> points;  // at most reports_ + 1, oldest first
    };
    bool is_growing(const History& history) const;

    int reports_;
    std::unordered_map<uint64_t, History> histories_;
    std::vector<LeakSuspect> suspects_;
};

}  // namespace siagent
