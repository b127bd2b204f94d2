#include "dashboard/server/anomaly/exception_rate.h"

#include <algorithm>
#include <cmath>

#include "dashboard/server/anomaly/statistics.h"

namespace siagent::dashboard::anomaly {
namespace {

constexpr int64_t kBaselineReports = 5;
constexpr double kMinCount = 10;
constexpr double kMinRatio = 3;
constexpr double kJumpTail = 1e-6;
constexpr double kEndTail = 0.01;
constexpr double kMemory = 20;
constexpr double kEpisodeMemory = 100;

}  // namespace

std::optional<RateJump> ExceptionRate::add(int64_t time, double count, bool warming_up) {
    if (!std::isfinite(count) || count < 0) return std::nullopt;
    if (reports_ > 0 && time <= last_time_) return std::nullopt;  // late or re-sent
    const double seconds = static_cast<double>(time - last_time_);
    const bool first = reports_ == 0;
    last_time_ = time;
    ++reports_;
    if (first) return std::nullopt;

    const double observed_rate = count / seconds;
    const double expected = rate_ * seconds;
    // A baseline of zero exceptions expects a little more than none: the first exceptions
    // of a quiet process are a jump only when they are many.
    const double tail = poisson_upper_tail(count, std::max(expected, 0.5));
    const bool ready = reports_ > kBaselineReports + 1 && !warming_up;
    std::optional<RateJump> jump;
    if (ready && !in_episode_ && count >= kMinCount && count >= kMinRatio * expected && tail < kJumpTail) {
        in_episode_ = true;
        jump = RateJump{count, expected, tail};
    } else if (in_episode_ && tail > kEndTail) {
        in_episode_ = false;
    }
    const double memory = in_episode_ ? kEpisodeMemory : kMemory;
    const double weight = reports_ == 2 ? 1.0 : 1.0 / std::min(memory, static_cast<double>(reports_ - 1));
    rate_ += weight * (observed_rate - rate_);
    return jump;
}

}  // namespace siagent::dashboard::anomaly
