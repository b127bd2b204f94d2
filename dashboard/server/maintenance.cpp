#include "dashboard/server/maintenance.h"

#include <algorithm>
#include <iostream>

namespace siagent::dashboard {

Maintenance::Maintenance(boost::asio::io_context& io, ServerContext& context, int64_t keep_seconds,
                         int64_t retention_check_seconds)
    : timer_(io),
      context_(context),
      keep_seconds_(keep_seconds),
      retention_check_seconds_(retention_check_seconds),
      tick_(std::min<int64_t>(retention_check_seconds, 300)) {}

// The first tick runs on the pool, not in the caller, so a large first rollup pass does not
// hold up the start.
void Maintenance::start() {
    timer_.expires_after(std::chrono::seconds(0));
    timer_.async_wait([this](boost::system::error_code error) {
        if (!error) tick();
    });
}

void Maintenance::run_retention(int64_t now) {
    if (now - last_retention_ < retention_check_seconds_) return;
    last_retention_ = now;
    context_.storage.delete_before(now - keep_seconds_, now);
}

void Maintenance::run_rollups(int64_t now) {
    context_.storage.build_rollups(now, kRollupGroupsPerTick, context_.settings.limits.frames_per_breakdown);
    context_.storage.build_span_rollups(now - kRollupDelaySeconds, kRollupGroupsPerTick);
}

void Maintenance::tick() {
    const int64_t now = context_.now();
    try {
        run_retention(now);
        run_rollups(now);
    } catch (const std::exception& error) {
        std::cerr << "siagent-dashboard: maintenance failed: " << error.what() << "\n";
    }
    timer_.expires_after(tick_);
    timer_.async_wait([this](boost::system::error_code error) {
        if (!error) tick();
    });
}

}  // namespace siagent::dashboard
