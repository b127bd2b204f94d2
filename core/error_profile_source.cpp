#include "core/error_profile_source.h"

#include <unistd.h>

#include "core/crash_context.h"
#include "core/crash_handler.h"
#include "core/crash_profile.h"
#include "core/crash_record.h"
#include "core/log.h"
#include "core/thread_names.h"

namespace siagent {

bool ErrorProfileSource::start(const Config& config, pid_t, std::string& error) {
    // Throws before this start (e.g. in the parent of a fork child) are not this agent's.
    reported_counts_.assign(ThrowCounts::kSlots, 0);
    counts_since(reported_counts_);
    window_counts_ = reported_counts_;
    if (!error_profiler().start(config.max_stack_depth, error)) return false;
    std::string crash_error;
    if (install_crash_handlers(config, crash_error)) {
        spool_dir_ = config.spool_dir;
        output_dir_ = config.output_dir;
        reports_to_dashboard_ = !config.agent_key.empty();
        app_name_ = config.app_name;
        app_environment_ = config.app_environment;
    } else {
        print_line(("siagent: crashes are not recorded: " + crash_error).c_str());
    }
    return true;
}

void ErrorProfileSource::rescan() {
    refresh_crash_context();
    pick_up_crashes();
}

void ErrorProfileSource::pick_up_crashes() {
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
void ErrorProfileSource::stop() { error_profiler().stop(); }

std::vector<ThrowSiteCount> ErrorProfileSource::counts_since(std::vector<uint64_t>& seen) const {
    std::vector<ThrowSiteCount> sites;
    error_profiler().counts().for_each([&](size_t index, const ThrowSlot& slot) {
        uint64_t now = slot.count.load(std::memory_order_relaxed);
        if (now == seen[index]) return;
        ThrowSiteCount site;
        site.slot = static_cast<int>(index);
        site.site = slot.site;
        site.count = static_cast<int64_t>(now - seen[index]);
        sites.push_back(site);
        seen[index] = now;
    });
    return sites;
}

void ErrorProfileSource::drain(ThreadNames& thread_names) {
    // The sampling mean of the next window follows the throw rate of the last one.
    uint64_t window_throws = 0;
    for (const ThrowSiteCount& site : counts_since(window_counts_)) window_throws += site.count;
    uint64_t mean = (window_throws + ErrorProfiler::kStacksPerWindow - 1) /
                    ErrorProfiler::kStacksPerWindow;
    error_profiler().start_window(static_cast<uint32_t>(mean > UINT32_MAX ? UINT32_MAX : mean));
    error_profiler().drain([this, &thread_names](const ErrorSample& sample) {
        stacks_.add(sample, thread_names.name_of(sample.thread_id));
    });
}

void ErrorProfileSource::symbolize_new_stacks(Symbolizer& symbolizer, const AddressRange& hidden) {
    stacks_.symbolize_new_stacks(symbolizer, hidden);
}

void ErrorProfileSource::collect(ReportContext& context, std::vector<KindProfile>& out) {
    pick_up_crashes();  // a process shorter than the first rescan
    if (!pending_crashes_.empty()) {
        ProfileShape shape = period_shape(context, "crash", {{"errors", "count"}}, {"errors", "count"}, 1,
                                          ", " + std::to_string(pending_crashes_.size()) +
                                              " crashes of earlier processes, from the spool");
        out.push_back({"crash", crash_profile(pending_crashes_, shape)});
        pending_crashes_.clear();
    }
    std::vector<ThrowSiteCount> sites = counts_since(reported_counts_);
    if (sites.empty()) {
        stacks_.take_profile({}, context.symbolizer, {});  // forget stray samples
        return;
    }
    uint64_t throws = 0;
    for (ThrowSiteCount& site : sites) {
        site.type = demangle_type_name(error_profiler().counts().slot(site.slot).type_name);
        throws += site.count;
    }
    ErrorProfilerStats stats = error_profiler().stats();
    if (stats.table_full > reported_table_full_) {
        // Throws of sites beyond the table's capacity: still counted, under one entry.
        ThrowSiteCount overflow;
        overflow.type = "[exception site table full]";
        overflow.count = static_cast<int64_t>(stats.table_full - reported_table_full_);
        throws += overflow.count;
        sites.push_back(overflow);
        reported_table_full_ = stats.table_full;
    }
    total_throws_ += throws;
    ProfileShape shape = period_shape(context, "error", {{"errors", "count"}}, {"errors", "count"}, 1,
                                      ", " + std::to_string(throws) + " exceptions thrown");
    if (stats.dropped > reported_drops_) {
        shape.comments.push_back("stacks of " + std::to_string(stats.dropped - reported_drops_) +
                                 " sampled throws lost: ring buffer full (counts are exact)");
        reported_drops_ = stats.dropped;
    }
    out.push_back({"error", stacks_.take_profile(sites, context.symbolizer, shape)});
}

SourceHealth ErrorProfileSource::health() const {
    ErrorProfilerStats stats = error_profiler().stats();
    return {stats.stacks, stats.dropped, error_profiler().memory_bytes()};
}

std::string ErrorProfileSource::summary() const {
    ErrorProfilerStats stats = error_profiler().stats();
    if (total_throws_ == 0 && stats.stacks == 0) return {};
    return "error profiler: " + std::to_string(total_throws_) + " throws reported, " +
           std::to_string(stats.stacks) + " stacks sampled, " + std::to_string(stats.dropped) +
           " dropped, " + std::to_string(stats.capped) + " over the window cap, " +
           std::to_string(stats.table_full) + " beyond the site table";
}

}  // namespace siagent
