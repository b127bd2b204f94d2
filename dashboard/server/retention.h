// The periodic retention task: every `interval`, removes what is older than `keep`
// (Storage::delete_before). Runs on the server's io_context; a failure is logged and
// retried at the next tick.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>

#include "dashboard/server/server_context.h"

namespace siagent::dashboard {

class RetentionTask {
public:
    RetentionTask(boost::asio::io_context& io, ServerContext& context, int64_t keep_seconds, int64_t interval_seconds);
    void start();  // runs once now, then every interval
    void stop() { timer_.cancel(); }

private:
    void tick();

    boost::asio::steady_timer timer_;
    ServerContext& context_;
    int64_t keep_seconds_;
    std::chrono::seconds interval_;
};

}  // namespace siagent::dashboard
