#include "core/allocation/allocation_profile_source.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/allocation/allocation_profiler.h"
#include "core/poisson_sampler.h"
#include "core/span_table.h"
#include "core/thread_names.h"

namespace siagent {
namespace {

// A StackSample built from an interned stack, for the aggregator.
StackSample sample_of(const std::vector<uint64_t>& frames, bool truncated, int64_t count,
                      int64_t value) {
    StackSample sample;
    sample.count = count;
    sample.value = value;
    sample.depth = static_cast<uint16_t>(std::min<size_t>(frames.size(), kMaxStackFrames));
    sample.truncated = truncated ? 1 : 0;
    std::copy_n(frames.begin(), sample.depth, sample.frames);
    return sample;
}

std::string format_rate(double bytes_per_second) {
    char text[64];
    snprintf(text, sizeof text, "%.0f", bytes_per_second);
    return text;
}

}  // namespace

AllocationProfileSource::AllocationProfileSource() = default;

size_t AllocationProfileSource::FramesHash::operator()(const std::vector<uint64_t>& frames) const {
    size_t hash = frames.size();
    for (uint64_t address : frames) hash = hash * 1099511628211ull ^ address;
    return hash;
}

bool AllocationProfileSource::start(const Config& config, pid_t, std::string& error) {
    mean_bytes_ = config.allocation_sampling_bytes;
    leaks_ = LeakDetector(config.leak_reports);
    return allocation_profiler().start(config.allocation_sampling_bytes, config.max_stack_depth,
                                       error);
}

void AllocationProfileSource::stop() { allocation_profiler().stop(); }

void AllocationProfileSource::drain(ThreadNames& thread_names) {
    allocation_profiler().drain(
        [this, &thread_names](const AllocationEvent& event) {
            add_allocation(event, thread_names.name_of(event.thread_id));
        },
        [this](const ReleaseEvent& event) { add_release(event.address); });
    end_drain();
}

int64_t AllocationProfileSource::round_unbiased(double value) {
    // Stochastic rounding: the expected result is `value`, so sums stay unbiased even
    // when every sampled block stands for 1.3 objects.
    double whole = std::floor(value);
    double fraction = value - whole;
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    return static_cast<int64_t>(whole) + (uniform(rounding_) < fraction ? 1 : 0);
}

AllocationProfileSource::InternedStack* AllocationProfileSource::intern(const AllocationEvent& event) {
    std::vector<uint64_t> frames(event.frames, event.frames + event.depth);
    auto found = stacks_.find(frames);
    if (found == stacks_.end()) {
        InternedStack stack;
        stack.frames = frames;
        stack.truncated = event.truncated != 0;
        stack.id = next_stack_id_++;
        found = stacks_.emplace(std::move(frames), std::move(stack)).first;
    }
    return &found->second;
}

void AllocationProfileSource::forget(std::unordered_map<uint64_t, LiveBlock>::iterator live) {
    InternedStack* stack = live->second.stack;
    live_.erase(live);
    if (--stack->live_blocks == 0) stacks_.erase(stacks_.find(stack->frames));
}

void AllocationProfileSource::add_release(uint64_t address) {
    auto stale = stale_releases_.find(address);
    if (stale != stale_releases_.end()) {
        // The release of an older block at this address, already replaced.
        if (--stale->second == 0) stale_releases_.erase(stale);
        return;
    }
    auto live = live_.find(address);
    if (live != live_.end()) {
        forget(live);
        return;
    }
    auto& early = early_releases_[address];
    ++early.first;
    early.second = drains_;
}

void AllocationProfileSource::end_drain() {
    ++drains_;
    // An unmatched release normally meets its allocation in the same or the next drain;
    // after 20 drains it belongs to a block this agent never saw (e.g. from before a fork).
    for (auto it = early_releases_.begin(); it != early_releases_.end();) {
        if (drains_ - it->second.second > 20)
            it = early_releases_.erase(it);
        else
            ++it;
    }
}

void AllocationProfileSource::add_allocation(const AllocationEvent& event, const std::string& thread_name) {
    double weight = poisson_sample_weight(event.size, event.sampling_mean);
    double bytes = weight * static_cast<double>(event.size);
    estimated_bytes_ += bytes;
    estimated_calls_ += weight;
    allocations_.add(event, round_unbiased(weight), static_cast<int64_t>(std::llround(bytes)),
                     thread_name);

    auto early = early_releases_.find(event.address);
    if (early != early_releases_.end()) {
        // Released already (its release record came first): never live.
        if (--early->second.first == 0) early_releases_.erase(early);
        return;
    }
    auto live = live_.find(event.address);
    if (live != live_.end()) {
        // The address is live again, so the older block was released and its release
        // record is still on its way.
        forget(live);
        ++stale_releases_[event.address];
    }
    InternedStack* stack = intern(event);
    ++stack->live_blocks;
    live_[event.address] = LiveBlock{stack, weight, bytes, report_number_, event.span};
}

void AllocationProfileSource::symbolize_new_stacks(Symbolizer& symbolizer, const CodeRanges& hidden) {
    allocations_.symbolize_new_stacks(symbolizer, hidden);
}

ProfileShape AllocationProfileSource::shape(const ReportContext& context, const char* kind,
                                       const char* objects, const char* space) const {
    return period_shape(context, kind, {{objects, "count"}, {space, "bytes"}}, {"space", "bytes"},
                        static_cast<int64_t>(mean_bytes_),
                        ", one sample per " + std::to_string(mean_bytes_) + " bytes on average");
}

void AllocationProfileSource::collect(ReportContext& context, std::vector<KindProfile>& out) {
    ++report_number_;
    AllocationProfilerStats stats = allocation_profiler().stats();
    if (stats.dropped_bytes > reported_lost_bytes_) {
        // Its raw sample count is the allocation records lost (reported_drops_ advances below).
        allocations_.add_pseudo("[lost: sample buffer full]",
                                round_unbiased(stats.dropped_objects - reported_lost_objects_),
                                std::llround(stats.dropped_bytes - reported_lost_bytes_),
                                static_cast<int64_t>(stats.dropped - reported_drops_));
        reported_lost_objects_ = stats.dropped_objects;
        reported_lost_bytes_ = stats.dropped_bytes;
    }
    if (!allocations_.empty()) {
        ProfileShape shape = this->shape(context, "alloc", "alloc_objects", "alloc_space");
        if (stats.dropped > reported_drops_) {
            shape.comments.push_back("dropped " + std::to_string(stats.dropped - reported_drops_) +
                                     " allocation samples (buffer full); their estimated bytes "
                                     "are under [lost: sample buffer full]");
            reported_drops_ = stats.dropped;
        }
        out.push_back({"alloc", allocations_.take_profile(context.symbolizer, shape)});
    }
    Profile inuse = inuse_profile(context);
    if (stats.dropped_releases > reported_release_drops_) {
        inuse.comments.push_back("dropped " +
                                 std::to_string(stats.dropped_releases - reported_release_drops_) +
                                 " release records (buffer full): in-use may be overstated");
        reported_release_drops_ = stats.dropped_releases;
    }
    if (!inuse.samples.empty()) out.push_back({"inuse", std::move(inuse)});
}

Profile AllocationProfileSource::inuse_profile(ReportContext& context) {
    struct Totals {
        double objects = 0, bytes = 0, old_bytes = 0;
        int64_t blocks = 0;  // sampled live blocks: the raw sample count
    };
    std::unordered_map<const InternedStack*, Totals> totals;  // per stack: leak detection
    std::map<std::pair<const InternedStack*, uint16_t>, Totals> by_span;  // per stack and span: samples
    uint64_t old_before = report_number_ > static_cast<uint64_t>(leaks_.reports())
                              ? report_number_ - leaks_.reports()
                              : 0;
    for (const auto& [address, block] : live_) {
        Totals& sum = totals[block.stack];
        sum.objects += block.objects;
        sum.bytes += block.bytes;
        if (block.report < old_before) sum.old_bytes += block.bytes;
        Totals& part = by_span[{block.stack, block.span}];
        part.objects += block.objects;
        part.bytes += block.bytes;
        ++part.blocks;
    }
    std::unordered_map<uint64_t, InUseObservation> observations;
    for (const auto& [stack, sum] : totals)
        observations[stack->id] = {std::llround(sum.bytes), std::llround(sum.old_bytes)};
    leaks_.observe(context.end_ns, observations);
    std::unordered_map<uint64_t, const LeakSuspect*> suspects;
    for (const LeakSuspect& suspect : leaks_.suspects()) suspects[suspect.stack] = &suspect;

    ProfileShape shape = this->shape(context, "inuse", "inuse_objects", "inuse_space");
    StackAggregator inuse;
    for (const auto& [key, sum] : by_span) {
        const auto& [stack, span] = key;
        std::vector<Label> labels;
        auto suspect = suspects.find(stack->id);
        if (suspect != suspects.end()) {
            labels.push_back({"leak", "suspected"});
            labels.push_back({"leak_growth_bytes_per_second",
                              format_rate(suspect->second->growth_bytes_per_second)});
        }
        if (span != kNoSpan) labels.push_back({"span", span_name(span)});
        inuse.add(sample_of(stack->frames, stack->truncated, std::llround(sum.objects),
                            std::llround(sum.bytes)),
                  std::move(labels), sum.blocks);
    }
    if (!suspects.empty())
        shape.comments.push_back(std::to_string(suspects.size()) +
                                 " suspected leak(s): in-use bytes grew over the last " +
                                 std::to_string(leaks_.reports()) +
                                 " reports (samples labelled leak=suspected)");
    return inuse.take_profile(context.symbolizer, shape);
}

std::string AllocationProfileSource::summary() const {
    AllocationProfilerStats stats = allocation_profiler().stats();
    return "allocation profiler: " + std::to_string(stats.sampled) + " allocations sampled, " +
           std::to_string(stats.released) + " sampled blocks released, " +
           std::to_string(stats.dropped) + " records dropped, " +
           std::to_string(stats.dropped_releases) + " releases dropped, " +
           std::to_string(stats.untracked) + " untracked, " + std::to_string(live_.size()) +
           " sampled blocks live, " + std::to_string(stats.adapted) +
           " sampled with a raised mean (ring busy)";
}

}  // namespace siagent

namespace siagent {

SourceHealth AllocationProfileSource::health() const {
    AllocationProfilerStats stats = allocation_profiler().stats();
    return {stats.sampled + stats.released, stats.dropped + stats.dropped_releases,
            allocation_profiler().buffer_bytes()};
}

AllocationCounters AllocationProfileSource::estimated_totals() const {
    AllocationProfilerStats stats = allocation_profiler().stats();
    AllocationCounters counters;
    counters.available = true;
    counters.bytes = static_cast<uint64_t>(estimated_bytes_ + stats.dropped_bytes);
    counters.calls = static_cast<uint64_t>(estimated_calls_ + stats.dropped_objects);
    return counters;
}

}  // namespace siagent
