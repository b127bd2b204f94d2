#include "agent/report_sinks.h"

#include "agent/dashboard_sink.h"
#include "agent/profile_file_sink.h"

namespace siagent {

ReportSinks configured_sinks(boost::asio::io_context& io, const Config& config, const Clock& clock,
                             RemoteControl::Apply apply) {
    ReportSinks sinks;
    if (!config.output_dir.empty()) sinks.push_back(std::make_unique<ProfileFileSink>(config.output_dir));
    if (auto dashboard = make_dashboard_sink(io, config, clock, std::move(apply)))
        sinks.push_back(std::move(dashboard));
    return sinks;
}

}  // namespace siagent
