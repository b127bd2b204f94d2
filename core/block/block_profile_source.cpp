#include "core/block/block_profile_source.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "core/block/block_profiler.h"
#include "core/block/in_flight_calls.h"
#include "core/thread_names.h"

namespace siagent {
namespace {

// Past this many distinct stacks for one call in one period, further new stacks of that
// call are summed into "[stack table full]" (memory stays bounded over ~40 calls).
constexpr size_t kMaxStacksPerCall = 10'000;
// Missed looks kept between two drains (one per slot and look at most; more are dropped).
constexpr size_t kMaxMissed = 4096;

// A call under way counts as long, and its credit so far goes to the report at its call
// site, from 200 ms of blocked time, or 20 means if more: a report then holds at most this
// much more than its own length per thread (the part of a call that began before it).
uint64_t long_call_credit() {
    return std::max<uint64_t>(200'000'000, 20 * block_profiler().mean_ns()) / kLookUnitNs;
}

uint32_t add_named_frame(Profile& profile, const std::string& name) {
    Frame frame;
    frame.lines.push_back({name, "", 0});
    profile.frames.push_back(std::move(frame));
    return static_cast<uint32_t>(profile.frames.size() - 1);
}

}  // namespace

void append_block_part(Profile& into, Profile part, BlockCall call) {
    std::vector<Frame> frames = std::move(part.frames);
    std::vector<Sample> samples = std::move(part.samples);
    // Every part comes from the same Symbolizer: the last one's mappings contain the
    // others'. The first part also gives the header (types, period, comments).
    if (into.sample_types.empty()) into = std::move(part);
    else into.mappings = std::move(part.mappings);
    uint32_t offset = static_cast<uint32_t>(into.frames.size());
    for (Frame& frame : frames) into.frames.push_back(std::move(frame));
    uint32_t leaf = add_named_frame(into, block_call_name(call));
    const char* category = block_category_name(block_call_category(call));
    uint32_t outermost = add_named_frame(into, std::string("[") + category + "]");
    for (Sample& sample : samples) {
        for (uint32_t& frame : sample.frames) frame += offset;
        sample.frames.insert(sample.frames.begin(), leaf);
        sample.frames.push_back(outermost);
        // Whole calls: the fixed-point sum of weights, rounded once per stack.
        sample.values[0] = (sample.values[0] + kBlockWeightScale / 2) / kBlockWeightScale;
        sample.labels.push_back({"category", category});
        into.samples.push_back(std::move(sample));
    }
}

bool BlockProfileSource::start(const Config& config, pid_t, std::string& error) {
    return block_profiler().start(config.block_sampling_ns, config.max_stack_depth, error);
}

void BlockProfileSource::stop() { block_profiler().stop(); }

StackAggregator& BlockProfileSource::stacks_of(BlockCall call) {
    auto& stacks = stacks_[static_cast<size_t>(call)];
    if (!stacks) stacks = std::make_unique<StackAggregator>(kMaxStacksPerCall);
    return *stacks;
}

std::optional<std::chrono::nanoseconds> BlockProfileSource::watch() {
    if (!block_profiler().running()) {
        last_look_ns_ = 0;
        return std::nullopt;
    }
    const double mean = static_cast<double>(block_profiler().mean_ns());
    // Each look stands for the time since the previous one, as it really passed (a timer
    // that fires late on a busy machine makes looks rarer than the mean asks); at most 10
    // means, since a paused agent thread (set*id, unshare) says nothing of those calls.
    const uint64_t now = block_clock_ns();
    const double since = last_look_ns_ != 0 && now > last_look_ns_ ? static_cast<double>(now - last_look_ns_) : mean;
    last_look_ns_ = now;
    const double credit = std::min(since, 10 * mean) / static_cast<double>(kLookUnitNs);
    // Rounded at random, so that the credit is exact on average.
    const double whole = std::floor(credit);
    const uint64_t units = static_cast<uint64_t>(whole) + (fraction_(random_) < credit - whole ? 1 : 0);
    look_at_calls_under_way(units, [this](const CallLooks& looks) {
        if (missed_.size() < kMaxMissed) missed_.push_back(looks);
    });
    // Poisson in time: the moments of the looks are independent of when calls start.
    std::exponential_distribution<double> delay(1.0 / mean);
    const double ns = std::min(delay(random_), 1e10);
    return std::chrono::nanoseconds(std::max<int64_t>(static_cast<int64_t>(ns), 1));
}

void BlockProfileSource::add_at_call_site(const CallLooks& looks, ThreadNames& thread_names, bool counts_a_call) {
    StackSample sample{};
    sample.count = counts_a_call ? kBlockWeightScale : 0;
    sample.value = static_cast<int64_t>(blocked_ns_of_looks(looks.credit));
    sample.timestamp = block_clock_ns();
    sample.thread_id = looks.thread_id;
    sample.depth = looks.call_site != 0 ? 1 : 0;
    sample.frames[0] = looks.call_site != 0 ? looks.call_site - 1 : 0;  // inside the call instruction
    stacks_of(looks.call).add(sample, thread_names.name_of(looks.thread_id));
}

void BlockProfileSource::drain(ThreadNames& thread_names) {
    block_profiler().drain([this, &thread_names](const BlockSample& sampled) {
        if (sampled.call >= kBlockCalls) return;
        stacks_of(static_cast<BlockCall>(sampled.call)).add(sampled.stack, thread_names.name_of(sampled.stack.thread_id));
    });
    for (const CallLooks& looks : missed_) add_at_call_site(looks, thread_names, true);
    missed_.clear();
}

void BlockProfileSource::symbolize_new_stacks(Symbolizer& symbolizer, const CodeRanges& hidden) {
    for (auto& stacks : stacks_)
        if (stacks) stacks->symbolize_new_stacks(symbolizer, hidden);
}

void BlockProfileSource::collect(ReportContext& context, std::vector<KindProfile>& out) {
    int64_t mean = static_cast<int64_t>(block_profiler().mean_ns());
    ProfileShape shape = period_shape(
        context, "block", {{"contentions", "count"}, {"delay", "nanoseconds"}},
        {"delay", "nanoseconds"}, mean,
        ", a look at the calls under way every " + std::to_string(mean) + " ns on average");
    BlockProfilerStats stats = block_profiler().stats();
    if (stats.dropped > reported_drops_) {
        shape.comments.push_back("dropped " + std::to_string(stats.dropped - reported_drops_) +
                                 " samples: ring buffer full");
        reported_drops_ = stats.dropped;
    }
    drain(context.thread_names);
    // No call is counted until it ends: the record at its end brings the whole stack.
    take_looks_of_long_calls(long_call_credit(), [&](const CallLooks& looks) {
        add_at_call_site(looks, context.thread_names, false);
    });
    Profile profile;
    for (int call = 0; call < kBlockCalls; ++call) {
        auto& stacks = stacks_[static_cast<size_t>(call)];
        if (!stacks || stacks->empty()) continue;
        append_block_part(profile, stacks->take_profile(context.symbolizer, shape),
                          static_cast<BlockCall>(call));
    }
    if (!profile.samples.empty()) out.push_back({"block", std::move(profile)});
}

std::string BlockProfileSource::summary() const {
    BlockProfilerStats stats = block_profiler().stats();
    if (stats.samples == 0) return {};
    return "block profiler: " + std::to_string(stats.samples) + " samples, " +
           std::to_string(stats.dropped) + " dropped, " + std::to_string(stats.truncated) +
           " truncated";
}

}  // namespace siagent
