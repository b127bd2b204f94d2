#include "transport/backoff.h"

namespace siagent {

std::chrono::milliseconds Backoff::nominal(int failures) const {
    std::chrono::milliseconds delay = first_;
    for (int i = 1; i < failures && delay < limit_; ++i) delay *= 2;
    return delay < limit_ ? delay : limit_;
}

std::chrono::milliseconds Backoff::next_delay() {
    ++failures_;
    auto base = static_cast<double>(nominal(failures_).count());
    std::uniform_real_distribution<double> spread(0.8, 1.2);
    return std::chrono::milliseconds(static_cast<int64_t>(base * spread(random_)));
}

}  // namespace siagent
