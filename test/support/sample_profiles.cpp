#include "test/support/sample_profiles.h"

#include <map>

namespace siagent::testing {
namespace {

std::vector<ValueType> sample_types(const std::string& kind) {
    if (kind == "cpu") return {{"samples", "count"}, {"cpu", "nanoseconds"}};
    if (kind == "alloc") return {{"alloc_objects", "count"}, {"alloc_space", "bytes"}};
    if (kind == "inuse") return {{"inuse_objects", "count"}, {"inuse_space", "bytes"}};
    if (kind == "block") return {{"contentions", "count"}, {"delay", "nanoseconds"}};
    return {{"errors", "count"}};
}

}  // namespace

Profile make_profile(const std::string& kind, const std::vector<SampleSpec>& samples, double seconds) {
    Profile profile;
    profile.sample_types = sample_types(kind);
    profile.time_nanos = 1'700'000'000'000'000'000;
    profile.duration_nanos = static_cast<int64_t>(seconds * 1e9);
    std::map<std::string, uint32_t> frames;
    for (const SampleSpec& spec : samples) {
        Sample sample;
        for (size_t depth = spec.stack.size(); depth-- > 0;) {  // leaf first
            const std::string& function = spec.stack[depth];
            auto [it, added] = frames.emplace(function, static_cast<uint32_t>(profile.frames.size()));
            if (added) {
                Frame frame;
                frame.address = 0x1000 + profile.frames.size() * 16;
                // "[name]" is a pseudo frame (a category, a message): no source position.
                if (function.starts_with("["))
                    frame.lines.push_back({function, "", 0});
                else
                    frame.lines.push_back({function, function + ".cpp", static_cast<int64_t>(10 + depth)});
                profile.frames.push_back(frame);
            }
            sample.frames.push_back(it->second);
        }
        sample.values = spec.values;
        sample.labels = spec.labels;
        profile.samples.push_back(sample);
    }
    return profile;
}

Profile make_wide_cpu_profile(size_t nodes, size_t branching) {
    // Leaves of a complete tree: every path root -> ... -> leaf is one sample.
    std::vector<SampleSpec> samples;
    std::vector<std::vector<std::string>> level = {{}};
    size_t made = 0;
    while (made < nodes) {
        std::vector<std::vector<std::string>> next;
        for (const auto& path : level) {
            for (size_t i = 0; i < branching && made < nodes; ++i, ++made) {
                auto child = path;
                child.push_back("function_" + std::to_string(made));
                next.push_back(child);
            }
        }
        level = next;
    }
    for (const auto& path : level) samples.push_back({path, {3, 30'000'000}, {}});
    return make_profile("cpu", samples);
}

}  // namespace siagent::testing
