#include "dashboard/server/anomaly/judging_failures.h"

namespace siagent::dashboard::anomaly {

void JudgingFailures::record(const std::string& what, const std::string& error, int64_t now) {
    std::lock_guard lock(mutex_);
    Kind& kind = kinds_[what];
    if (kind.logged && now - kind.last_logged < kLogEverySeconds) {
        ++kind.folded;
        return;
    }
    log_ << "siagent-dashboard: " << what << " failed: " << error;
    if (kind.folded > 0) log_ << " (and " << kind.folded << " more failures like it since the last line)";
    log_ << std::endl;
    kind.logged = true;
    kind.last_logged = now;
    kind.folded = 0;
}

}  // namespace siagent::dashboard::anomaly
