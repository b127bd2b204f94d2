// Where finished reports go: pprof files under SI_OUTPUT_DIR, the dashboard (transport),
// anything else later. The agent hands every sink the same profiles. Agent thread only.
#pragma once

#include <sys/types.h>

#include <vector>

#include "core/profile_source.h"

namespace siagent {

class ReportSink {
public:
    virtual ~ReportSink() = default;
    // `end_ns` is the wall-clock end of the report period (Unix epoch nanoseconds).
    virtual void deliver(const std::vector<KindProfile>& profiles, int64_t end_ns) = 0;
};

}  // namespace siagent
