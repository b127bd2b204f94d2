// The local output contract as a ReportSink: every profile of a report becomes
// SI_OUTPUT_DIR/<kind>-<pid>-<unix seconds>.pb.gz. Agent thread only.
#pragma once

#include <string>

#include "agent/report_sink.h"

namespace siagent {

class ProfileFileSink : public ReportSink {
public:
    explicit ProfileFileSink(std::string directory) : directory_(std::move(directory)) {}
    void deliver(const std::vector<KindProfile>& profiles, int64_t end_ns) override;

private:
    std::string directory_;
};

}  // namespace siagent
