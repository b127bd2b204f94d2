#include "core/error/error_profile_source.h"

#include <unistd.h>

#include "core/log.h"
#include "core/thread_names.h"

namespace siagent {

bool ErrorProfileSource::start(const Config& config, pid_t, std::string& error) {
    // Throws before this start (e.g. in the parent of a fork child) are not this agent's.
    reported_counts_.assign(ThrowCounts::kSlots, 0);
    counts_since(reported_counts_);
    window_counts_ = reported_counts_;
    return error_profiler().start(config.max_stack_depth, error);
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

void ErrorProfileSource::symbolize_new_stacks(Symbolizer& symbolizer, const CodeRanges& hidden) {
    stacks_.symbolize_new_stacks(symbolizer, hidden);
}

void ErrorProfileSource::collect(ReportContext& context, std::vector<KindProfile>& out) {
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
