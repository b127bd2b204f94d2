// Turns a stream of scores into flags at the onset of anomalous episodes: an episode starts
// when a score reaches the threshold and ends once scores have stayed below it for a quiet
// time; only its first point is flagged. One spike is one alert, and so is a long outage.
#pragma once

#include <cstdint>

namespace siagent::dashboard::anomaly {

class Episode {
public:
    // Returns true when this point starts a new episode.
    bool observe(int64_t time, bool above_threshold, double quiet_seconds) {
        if (above_threshold) {
            const bool onset = !active_;
            active_ = true;
            last_above_ = time;
            return onset;
        }
        if (active_ && static_cast<double>(time - last_above_) >= quiet_seconds) active_ = false;
        return false;
    }

    bool active() const { return active_; }

private:
    bool active_ = false;
    int64_t last_above_ = 0;
};

}  // namespace siagent::dashboard::anomaly
