// Remote control: asks the dashboard's `config` endpoint first `config_first` after start,
// then every `config_every`, and hands each answer to `apply`. An unanswered or garbled
// request changes nothing (the agent keeps its current state until the next answer).
// Agent thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>

#include "transport/dashboard_connection.h"
#include "transport/stackimpact_json.h"
#include "transport/transport_timings.h"

namespace siagent {

class RemoteControl {
public:
    using Apply = std::function<void(const RemoteConfig&)>;
    RemoteControl(boost::asio::io_context& io, const Clock& clock, DashboardConnection& connection,
                  const TransportTimings& timings, Apply apply);

    void start();
    void stop();

    uint64_t answers() const { return answers_; }

private:
    void wait(std::chrono::milliseconds delay);
    void ask();
    void on_answer(const HttpResult& result);

    const Clock& clock_;
    DashboardConnection& connection_;
    TransportTimings timings_;
    Apply apply_;
    boost::asio::steady_timer timer_;
    bool stopped_ = false;
    bool asking_ = false;
    uint64_t answers_ = 0;
};

}  // namespace siagent
