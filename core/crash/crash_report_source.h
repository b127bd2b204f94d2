// Crash reporting as a ProfileSource: it installs the fatal-signal handlers that write a
// crash record to the spool (core/crash/crash_handler.h), keeps the context they write from
// (core/crash/crash_context.h), and at the agent's first thread rescan claims the records that
// earlier processes left in the spool and some sink wants. Where they go (text files, the dashboard's Crashes
// profile) is the sinks' choice, not this source's. It keeps running while the dashboard
// disables profiling.
#pragma once

#include <string>
#include <vector>

#include "core/profile_source.h"

namespace siagent {

class CrashReportSource : public ProfileSource {
public:
    const char* name() const override { return "crash reporter"; }
    bool start(const Config& config, pid_t agent_tid, std::string& error) override;
    void stop() override {}  // the handlers stay: a crash during teardown is still recorded
    void drain(ThreadNames&) override {}
    void symbolize_new_stacks(Symbolizer&, const CodeRanges&) override {}
    void collect(ReportContext&, std::vector<KindProfile>&) override {}
    // Once per agent, at its first thread rescan.
    void claim_crashes(const std::function<bool(const CrashRecord&)>& wanted,
                       std::vector<ClaimedCrash>& out) override;
    void rescan() override;

private:
    std::string spool_dir_;
    bool crashes_claimed_ = false;
};

}  // namespace siagent
