#include "agent/remote_control.h"

#include "core/log.h"

namespace siagent {

RemoteControl::RemoteControl(boost::asio::io_context& io, const Clock& clock,
                             DashboardConnection& connection, const TransportTimings& timings,
                             Apply apply)
    : clock_(clock), connection_(connection), timings_(timings), apply_(std::move(apply)), timer_(io) {}

void RemoteControl::start() { wait(timings_.config_first); }

void RemoteControl::stop() {
    stopped_ = true;
    timer_.cancel();
}

void RemoteControl::wait(std::chrono::milliseconds delay) {
    if (stopped_) return;
    timer_.expires_after(delay);
    timer_.async_wait([this](const boost::system::error_code& error) {
        if (!error && !stopped_) ask();
    });
}

void RemoteControl::ask() {
    wait(timings_.config_every);
    if (asking_) return;  // the previous question is still out (it has its own deadline)
    asking_ = true;
    connection_.send("config", "{}", clock_.now() + timings_.request_timeout,
                     [this](HttpResult result) { on_answer(result); });
}

void RemoteControl::on_answer(const HttpResult& result) {
    asking_ = false;
    if (stopped_ || !result.ok()) return;
    std::string error;
    auto config = parse_config_response(result.body, error);
    if (!config) {
        log_debug("config from the dashboard ignored: %s", error.c_str());
        return;
    }
    ++answers_;
    log_debug("dashboard says: agent_enabled %s, profiling_disabled %s",
              config->agent_enabled ? "yes" : "no", config->profiling_disabled ? "yes" : "no");
    apply_(*config);
}

}  // namespace siagent
