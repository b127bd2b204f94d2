#include "core/crash_report_source.h"

#include "core/crash_context.h"
#include "core/crash_handler.h"
#include "core/crash_profile.h"
#include "core/log.h"

namespace siagent {

bool CrashReportSource::start(const Config& config, pid_t, std::string& error) {
    if (!install_crash_handlers(config, error)) return false;
    spool_dir_ = config.spool_dir;
    output_dir_ = config.output_dir;
    reports_to_dashboard_ = !config.agent_key.empty();
    app_name_ = config.app_name;
    app_environment_ = config.app_environment;
    return true;
}

void CrashReportSource::rescan() {
    refresh_crash_context();
    pick_up_crashes();
}

void CrashReportSource::pick_up_crashes() {
    if (crashes_picked_up_ || spool_dir_.empty()) return;
    crashes_picked_up_ = true;
    // Reported here: as text when there is an output directory (whatever the app); to the
    // dashboard only those of this app and environment, which it then lists under this
    // process's identity. What no agent reports stays in the spool for one that does.
    auto ours = [this](const CrashRecord& record) {
        return reports_to_dashboard_ && record.app == app_name_ && record.environment == app_environment_;
    };
    auto wanted = [&](const CrashRecord& record) { return !output_dir_.empty() || ours(record); };
    for (const ClaimedCrash& claimed : claim_crash_records(spool_dir_, wanted)) {
        if (!output_dir_.empty()) {
            std::string path = write_crash_report(claimed.record, output_dir_);
            if (path.empty()) {
                release_crash_claim(claimed, false);
                continue;
            }
            log_debug("crash report %s written from the spool", path.c_str());
        }
        if (ours(claimed.record)) pending_crashes_.push_back(claimed.record);
        release_crash_claim(claimed, true);
    }
}

void CrashReportSource::collect(ReportContext& context, std::vector<KindProfile>& out) {
    pick_up_crashes();  // a process shorter than the first rescan
    if (pending_crashes_.empty()) return;
    ProfileShape shape = period_shape(context, "crash", {{"errors", "count"}}, {"errors", "count"}, 1,
                                      ", " + std::to_string(pending_crashes_.size()) +
                                          " crashes of earlier processes, from the spool");
    out.push_back({"crash", crash_profile(pending_crashes_, shape)});
    pending_crashes_.clear();
}

}  // namespace siagent
