// The list of sinks the agent delivers every Report to, as the configuration asks: local
// files (SI_OUTPUT_DIR), then the dashboard (SI_AGENT_KEY). Adding a destination is a
// ReportSink (agent/report_sink.h) and one line in report_sinks.cpp; the agent does not
// know which sinks there are.
#pragma once

#include <boost/asio/io_context.hpp>

#include <memory>
#include <vector>

#include "agent/remote_control.h"
#include "agent/report_sink.h"
#include "core/config.h"
#include "transport/clock.h"

namespace siagent {

using ReportSinks = std::vector<std::unique_ptr<ReportSink>>;

// In delivery order. `io` and `clock` outlive the sinks (the Agent's members); `apply` gets
// the dashboard's remote-control answers on the agent thread.
ReportSinks configured_sinks(boost::asio::io_context& io, const Config& config, const Clock& clock,
                             RemoteControl::Apply apply);

}  // namespace siagent
