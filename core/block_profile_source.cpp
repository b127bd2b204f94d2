#include "core/block_profile_source.h"

#include <unistd.h>

#include <unordered_map>

#include "core/block_profiler.h"
#include "core/thread_names.h"

namespace siagent {
namespace {

// Past this many distinct stacks for one call in one period, further new stacks of that
// call are summed into "[stack table full]" (memory stays bounded over ~40 calls).
constexpr size_t kMaxStacksPerCall = 10'000;

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

void BlockProfileSource::drain(ThreadNames& thread_names) {
    block_profiler().calibrate_clock();
    block_profiler().drain([this, &thread_names](const BlockSample& record) {
        if (record.call >= kBlockCalls) return;
        auto& stacks = stacks_[record.call];
        if (!stacks) stacks = std::make_unique<StackAggregator>(kMaxStacksPerCall);
        stacks->add(record.stack, thread_names.name_of(record.stack.thread_id));
    });
}

void BlockProfileSource::symbolize_new_stacks(Symbolizer& symbolizer, const AddressRange& hidden) {
    for (auto& stacks : stacks_)
        if (stacks) stacks->symbolize_new_stacks(symbolizer, hidden);
}

void BlockProfileSource::collect(ReportContext& context, std::vector<KindProfile>& out) {
    int64_t mean = static_cast<int64_t>(block_profiler().mean_ns());
    ProfileShape shape = period_shape(
        context, "block", {{"contentions", "count"}, {"delay", "nanoseconds"}},
        {"delay", "nanoseconds"}, mean,
        ", mean " + std::to_string(mean) + " ns of blocked time per sample");
    BlockProfilerStats stats = block_profiler().stats();
    if (stats.dropped > reported_drops_) {
        shape.comments.push_back("dropped " + std::to_string(stats.dropped - reported_drops_) +
                                 " samples: ring buffer full");
        reported_drops_ = stats.dropped;
    }
    Profile profile;
    for (int call = 0; call < kBlockCalls; ++call) {
        auto& stacks = stacks_[call];
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
