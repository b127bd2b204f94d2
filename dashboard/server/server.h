// Runs the dashboard until SIGINT or SIGTERM: storage under the data directory, the first
// start's bootstrap, the listener, the retention task, a pool of `threads` threads.
#pragma once

#include "dashboard/server/command_line.h"

namespace siagent::dashboard {

// The process exit status.
int run_server(const ServeOptions& options);

}  // namespace siagent::dashboard
