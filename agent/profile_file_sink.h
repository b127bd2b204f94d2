// The local output contract (docs/protocol.md, "Local files") as a ReportSink: under
// SI_OUTPUT_DIR, every profile of a Report becomes <kind>-<pid>-<unix seconds>.pb.gz, its
// span summaries spans-<pid>-<unix seconds>.json, its metrics reading a line of
// metrics-<pid>.jsonl, and every crash record (whatever app crashed) a readable
// crash-<pid>-<unix seconds>.txt. Agent thread only.
#pragma once

#include <string>

#include "agent/report_sink.h"
#include "core/output_directory.h"

namespace siagent {

class ProfileFileSink : public ReportSink {
public:
    // Opens the directory at once when it exists (the agent's start), before the
    // application can chroot or change its working directory.
    explicit ProfileFileSink(std::string directory);
    bool deliver(const Report& report) override;
    bool wants_crash(const CrashRecord&) const override { return true; }

private:
    bool write_profiles(const Report& report);
    bool write_spans(const Report& report);
    bool write_crashes(const Report& report);

    // Opened at the first report and kept (core/output_directory.h).
    OutputDirectory directory_;
};

}  // namespace siagent
