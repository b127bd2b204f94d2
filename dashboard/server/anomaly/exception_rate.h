// The exception-rate rule of one process: each error-profile report's count against the
// count its recent baseline rate predicts for the time since the previous report. A jump
// is a count of at least 10, at least 3 times the expected, and with a Poisson tail
// probability below 1e-6. The baseline is an exponential average of the rate (memory about
// 20 reports) and needs 5 reports first; during a jump it moves slowly (memory 100
// reports), so a lasting new level is reported once and, in time, becomes the baseline.
// One finding per episode: it ends at the first report whose tail probability is above 1 %.
#pragma once

#include <cstdint>
#include <optional>

namespace siagent::dashboard::anomaly {

struct RateJump {
    double count = 0, expected = 0, tail = 0;
};

class ExceptionRate {
public:
    std::optional<RateJump> add(int64_t time, double count, bool warming_up);

private:
    int64_t last_time_ = 0;
    int64_t reports_ = 0;
    double rate_ = 0;  // per second
    bool in_episode_ = false;
};

}  // namespace siagent::dashboard::anomaly
