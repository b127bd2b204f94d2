// The server's periodic work on its io_context: every tick it extends the hourly rollups with
// the reports stored since the last one, the hour in progress included (Storage::
// build_rollups; span rollups: hours that have ended), and every `retention_check` it removes
// what is older than `keep` (Storage::delete_before). A failure is logged and retried at the
// next tick; one tick never runs longer than its batch bounds allow.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>

#include "dashboard/server/api/server_context.h"

namespace siagent::dashboard {

class Maintenance {
public:
    Maintenance(boost::asio::io_context& io, ServerContext& context, int64_t keep_seconds,
                int64_t retention_check_seconds);
    void start();  // runs once now, then every tick

private:
    void tick();
    void run_retention(int64_t now);
    void run_rollups(int64_t now);

    // Span rollups wait this long after their hour, so that late reports make the first one.
    static constexpr int64_t kRollupDelaySeconds = 300;
    static constexpr size_t kRollupGroupsPerTick = 2000;

    boost::asio::steady_timer timer_;
    ServerContext& context_;
    int64_t keep_seconds_;
    int64_t retention_check_seconds_;
    std::chrono::seconds tick_;
    int64_t last_retention_ = 0;
};

}  // namespace siagent::dashboard
