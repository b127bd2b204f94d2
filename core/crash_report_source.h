// Crash reporting as a ProfileSource: it installs the fatal-signal handlers that write a
// crash record to the spool (core/crash_handler.h), keeps the context they write from
// (core/crash_context.h), and reports once, as kind "crash" (core/crash_profile.h), the
// crashes earlier processes of this app left in the spool, when reporting to a dashboard
// (as text files when there is an output directory). It keeps running while the dashboard
// disables profiling.
#pragma once

#include <string>
#include <vector>

#include "core/crash_record.h"
#include "core/profile_source.h"

namespace siagent {

class CrashReportSource : public ProfileSource {
public:
    const char* name() const override { return "crash reporter"; }
    bool stops_when_profiling_disabled() const override { return false; }
    bool start(const Config& config, pid_t agent_tid, std::string& error) override;
    void stop() override {}  // the handlers stay: a crash during teardown is still recorded
    void drain(ThreadNames&) override {}
    void symbolize_new_stacks(Symbolizer&, const CodeRanges&) override {}
    void collect(ReportContext& context, std::vector<KindProfile>& out) override;
    void rescan() override;

private:
    // Once per agent: reports of crashes earlier processes left in the spool.
    void pick_up_crashes();

    std::string spool_dir_, output_dir_;
    bool reports_to_dashboard_ = false;
    std::string app_name_, app_environment_;
    std::vector<CrashRecord> pending_crashes_;  // picked up, not reported yet
    bool crashes_picked_up_ = false;
};

}  // namespace siagent
