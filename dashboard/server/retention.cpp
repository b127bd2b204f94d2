#include "dashboard/server/retention.h"

#include <iostream>

namespace siagent::dashboard {

RetentionTask::RetentionTask(boost::asio::io_context& io, ServerContext& context, int64_t keep_seconds,
                             int64_t interval_seconds)
    : timer_(io), context_(context), keep_seconds_(keep_seconds), interval_(interval_seconds) {}

void RetentionTask::start() { tick(); }

void RetentionTask::tick() {
    try {
        const int64_t now = context_.now();
        context_.storage.delete_before(now - keep_seconds_, now);
    } catch (const std::exception& error) {
        std::cerr << "siagent-dashboard: retention failed: " << error.what() << "\n";
    }
    timer_.expires_after(interval_);
    timer_.async_wait([this](boost::system::error_code error) {
        if (!error) tick();
    });
}

}  // namespace siagent::dashboard
