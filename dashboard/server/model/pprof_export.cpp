#include "dashboard/server/model/pprof_export.h"

#include <cmath>
#include <unordered_map>

#include "dashboard/server/model/frame_name.h"

namespace siagent::dashboard {
namespace {

// The frame index of each distinct name; frames get made on first use.
class FrameTable {
public:
    explicit FrameTable(Profile& profile) : profile_(profile) {}

    uint32_t index_of(const std::string& name) {
        auto known = indices_.find(name);
        if (known != indices_.end()) return known->second;
        const FrameLocation location = parse_frame_name(name);
        Frame frame;
        // pprof readers key locations by address: a distinct one per frame, never 0.
        frame.address = profile_.frames.size() + 1;
        frame.lines.push_back(SourceLine{location.function, location.file, location.line});
        profile_.frames.push_back(std::move(frame));
        const auto index = static_cast<uint32_t>(profile_.frames.size() - 1);
        indices_.emplace(name, index);
        return index;
    }

private:
    Profile& profile_;
    std::unordered_map<std::string, uint32_t> indices_;
};

}  // namespace

Profile merged_profile_as_pprof(const MergedProfile& merged, int64_t from_seconds, int64_t to_seconds) {
    Profile profile;
    profile.sample_types.push_back(ValueType{merged.kind, merged.unit});
    profile.period_type = profile.sample_types.front();
    profile.time_nanos = from_seconds * 1'000'000'000;
    profile.duration_nanos = (to_seconds > from_seconds ? to_seconds - from_seconds : 0) * 1'000'000'000;
    profile.comments.push_back("siagent dashboard: " + merged.category + " / " + merged.name + ", " +
                               std::to_string(merged.reports) + " reports merged");
    const CallTree& tree = merged.tree;
    const std::vector<std::vector<uint32_t>> children = tree.children();
    FrameTable frames(profile);
    // Parents have smaller indices than their children (call_tree.h): one pass, root excluded.
    for (uint32_t node = 1; node < tree.size(); ++node) {
        double own = tree.value(node);
        for (uint32_t child : children[node]) own -= tree.value(child);
        const auto value = static_cast<int64_t>(std::llround(own));
        if (value <= 0) continue;
        Sample sample;
        for (uint32_t frame = node; frame != CallTree::kRoot; frame = tree.parent(frame))
            sample.frames.push_back(frames.index_of(tree.name(frame)));
        sample.values.push_back(value);
        profile.samples.push_back(std::move(sample));
    }
    return profile;
}

}  // namespace siagent::dashboard
