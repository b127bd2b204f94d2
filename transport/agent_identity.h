// Who is reporting: the envelope fields every dashboard request carries. Made once per
// agent (so a fork child, which starts its own agent, gets its own run id and pid).
// Plain value, agent thread only.
#pragma once

#include <cstdint>
#include <string>

#include "core/config.h"

namespace siagent {

struct AgentIdentity {
    std::string app_name;
    std::string app_version;
    std::string app_environment;
    std::string host_name;
    std::string runtime_version;  // e.g. "glibc 2.36"
    std::string runtime_path;     // the executable
    std::string agent_version;
    int64_t process_id = 0;
    std::string run_id;  // UUID made at agent start
    int64_t run_ts = 0;  // agent start, Unix seconds
};

AgentIdentity make_identity(const Config& config, int64_t run_ts);

// A random (version 4) UUID with dashes, from getrandom(2).
std::string random_uuid();

}  // namespace siagent
