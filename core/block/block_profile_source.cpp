#include "core/block/block_profile_source.h"

#include <unistd.h>

#include <algorithm>
#include <unordered_map>

#include "core/block/block_profiler.h"
#include "core/block/in_flight_calls.h"
#include "core/thread_names.h"
#include "core/tick_clock.h"

namespace siagent {
namespace {

// Past this many distinct stacks for one call in one period, further new stacks of that
// call are summed into "[stack table full]" (memory stays bounded over ~40 calls).
constexpr size_t kMaxStacksPerCall = 10'000;

// A call counts as long, and is accounted while under way, from this much blocked time, or
// 20 sampling means if more: its record at completion is then all but certain (weight 1,
// missed once in 500 million). A report holds at most this much more than its own length
// per thread: the part of a call that began shortly before it and was still too short to
// count at the previous report.
uint64_t long_call_ns() {
    return std::max<uint64_t>(200'000'000, 20 * block_profiler().mean_ns());
}

// Whether two estimates of one call's start agree (clocks read at different moments; the
// interposers' coarse clock puts each within a tick, up to 4 ms here, of the truth).
bool same_start(uint64_t a, uint64_t b, uint64_t elapsed) {
    const uint64_t tolerance = 12'000'000 + elapsed / 100;
    return (a > b ? a - b : b - a) <= tolerance;
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

void BlockProfileSource::settle(BlockSample& record) {
    if (record.stack.count <= 0 || record.stack.value <= 0) return;
    const double weight = static_cast<double>(record.stack.count) / kBlockWeightScale;
    const uint64_t blocked = static_cast<uint64_t>(static_cast<double>(record.stack.value) / weight);
    if (blocked < long_call_ns()) return;
    const uint64_t start = record.stack.timestamp > blocked ? record.stack.timestamp - blocked : 0;
    auto known = under_way_.find(record.stack.thread_id);
    if (known != under_way_.end() && same_start(known->second.start_ns, start, blocked)) {
        const uint64_t rest = blocked > known->second.accounted_ns ? blocked - known->second.accounted_ns : 0;
        record.stack.value = static_cast<int64_t>(rest);
        under_way_.erase(known);
        return;
    }
    // Long, but never seen under way: it began at most long_call_ns() before the last report
    // (else that report would have counted it), so this bound only catches the unexpected.
    if (last_report_ns_ != 0 && record.stack.timestamp > last_report_ns_)
        record.stack.value = std::min<int64_t>(
            record.stack.value, static_cast<int64_t>(record.stack.timestamp - last_report_ns_ + long_call_ns()));
}

void BlockProfileSource::drain(ThreadNames& thread_names) {
    block_profiler().drain([this, &thread_names](const BlockSample& sampled) {
        if (sampled.call >= kBlockCalls) return;
        BlockSample record = sampled;
        settle(record);
        stacks_of(static_cast<BlockCall>(record.call)).add(record.stack, thread_names.name_of(record.stack.thread_id));
    });
}

void BlockProfileSource::account_calls_under_way(ThreadNames& thread_names) {
    const uint64_t now = monotonic_ns();
    const uint64_t since_last = last_report_ns_ != 0 && now > last_report_ns_ ? now - last_report_ns_ : UINT64_MAX;
    last_report_ns_ = now;
    for (auto& [thread, known] : under_way_) ++known.reports_unseen;
    for_each_call_under_way(long_call_ns(), [&](const CallUnderWay& call) {
        const uint64_t start = now - std::min(now, call.elapsed_ns);
        UnderWay& known = under_way_[call.thread_id];
        if (known.start_ns == 0 || !same_start(known.start_ns, start, call.elapsed_ns)) known = UnderWay{start, 0, 0};
        known.reports_unseen = 0;
        const uint64_t part = std::min(call.elapsed_ns - std::min(call.elapsed_ns, known.accounted_ns),
                                       since_last == UINT64_MAX ? since_last : since_last + long_call_ns());
        known.accounted_ns = call.elapsed_ns;
        if (part == 0) return;
        // No stack yet (the thread is inside the call): its call site stands for it, and
        // the record at completion brings the whole stack. No call is counted until then.
        StackSample sample{};
        sample.value = static_cast<int64_t>(part);
        sample.timestamp = now;
        sample.thread_id = call.thread_id;
        sample.depth = call.call_site != 0 ? 1 : 0;
        sample.frames[0] = call.call_site != 0 ? call.call_site - 1 : 0;  // inside the call instruction
        stacks_of(call.call).add(sample, thread_names.name_of(call.thread_id));
    });
    // Ended and no record came within a report (a full ring): nothing more to subtract.
    std::erase_if(under_way_, [](const auto& entry) { return entry.second.reports_unseen > 1; });
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
        ", mean " + std::to_string(mean) + " ns of blocked time per sample");
    BlockProfilerStats stats = block_profiler().stats();
    if (stats.dropped > reported_drops_) {
        shape.comments.push_back("dropped " + std::to_string(stats.dropped - reported_drops_) +
                                 " samples: ring buffer full");
        reported_drops_ = stats.dropped;
    }
    drain(context.thread_names);  // completed calls settle before those under way are read
    account_calls_under_way(context.thread_names);
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
