#include "core/allocation/leak_detector.h"

namespace siagent {

bool LeakDetector::is_growing(const History& history) const {
    if (static_cast<int>(history.points.size()) < reports_ + 1) return false;
    int increases = 0;
    for (size_t i = 1; i < history.points.size(); ++i) {
        int64_t step = history.points[i].bytes - history.points[i - 1].bytes;
        if (step < 0) return false;
        if (step > 0) ++increases;
    }
    // Most periods grew (sampling leaves some periods of a slow leak without a sample).
    return increases * 2 > reports_;
}

void LeakDetector::observe(int64_t time_ns,
                           const std::unordered_map<uint64_t, InUseObservation>& stacks) {
    suspects_.clear();
    // Stacks that have nothing live any more start over.
    for (auto it = histories_.begin(); it != histories_.end();) {
        if (stacks.count(it->first) == 0)
            it = histories_.erase(it);
        else
            ++it;
    }
    for (const auto& [stack, observation] : stacks) {
        History& history = histories_[stack];
        history.points.push_back({time_ns, observation.bytes});
        while (static_cast<int>(history.points.size()) > reports_ + 1) history.points.pop_front();
        if (observation.old_bytes <= 0 || !is_growing(history)) continue;
        const Point& first = history.points.front();
        const Point& last = history.points.back();
        double seconds = static_cast<double>(last.time_ns - first.time_ns) / 1e9;
        LeakSuspect suspect;
        suspect.stack = stack;
        suspect.bytes = last.bytes;
        suspect.growth_bytes_per_second =
            seconds > 0 ? static_cast<double>(last.bytes - first.bytes) / seconds : 0;
        suspect.periods = reports_;
        suspects_.push_back(suspect);
    }
}

}  // namespace siagent
