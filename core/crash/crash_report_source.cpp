#include "core/crash/crash_report_source.h"

#include "core/crash/crash_context.h"
#include "core/crash/crash_handler.h"

namespace siagent {

bool CrashReportSource::start(const Config& config, pid_t, std::string& error) {
    if (!install_crash_handlers(config, error)) return false;
    spool_dir_ = config.spool_dir;
    return true;
}

void CrashReportSource::rescan() { refresh_crash_context(); }

void CrashReportSource::claim_crashes(const std::function<bool(const CrashRecord&)>& wanted,
                                      std::vector<ClaimedCrash>& out) {
    if (crashes_claimed_ || spool_dir_.empty()) return;
    crashes_claimed_ = true;
    // What no sink wants stays in the spool for an agent whose sinks do.
    for (ClaimedCrash& claimed : claim_crash_records(spool_dir_, wanted)) out.push_back(std::move(claimed));
}

}  // namespace siagent
