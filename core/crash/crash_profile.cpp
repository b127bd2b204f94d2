#include "core/crash/crash_profile.h"

#include "core/symbols/symbolizer.h"

namespace siagent {

Profile crash_profile(const std::vector<CrashRecord>& crashes, int64_t start_ns, int64_t end_ns) {
    ProfileShape shape;
    shape.sample_types = {{"errors", "count"}};
    shape.period_type = {"errors", "count"};
    shape.period = 1;
    shape.time_nanos = start_ns;
    shape.duration_nanos = end_ns - start_ns;
    shape.comments.push_back(std::to_string(crashes.size()) + " crashes of earlier processes, from the spool");
    Profile profile = shape.empty_profile();
    for (const CrashRecord& crash : crashes) {
        std::vector<LoadedModule> modules;
        for (const CrashModule& module : crash.modules) modules.push_back({module.path, module.bias, module.build_id});
        Symbolizer symbolizer(modules);  // the crashed process's address space, not this one's
        const auto mapping_offset = static_cast<uint32_t>(profile.mappings.size());

        Sample sample;
        Frame leaf;
        leaf.lines.push_back({crash_leaf_name(crash), "", 0});
        profile.frames.push_back(std::move(leaf));
        sample.frames.push_back(static_cast<uint32_t>(profile.frames.size() - 1));
        for (size_t i = 0; i < crash.frames.size(); ++i) {
            uint64_t address = i == 0 ? crash.frames[i] : crash.frames[i] - 1;  // callers: the call
            Frame frame = symbolizer.resolve(address);
            if (frame.mapping_index != 0) frame.mapping_index += mapping_offset;
            profile.frames.push_back(std::move(frame));
            sample.frames.push_back(static_cast<uint32_t>(profile.frames.size() - 1));
        }
        sample.values.assign(profile.sample_types.size(), 1);
        sample.labels = {{"signal", crash.signal_name}, {"pid", std::to_string(crash.pid)}};
        if (!crash.version.empty()) sample.labels.push_back({"version", crash.version});
        if (!crash.exception_type.empty()) sample.labels.push_back({"exception", crash.exception_type});
        profile.samples.push_back(std::move(sample));
        for (const Mapping& mapping : symbolizer.mappings()) profile.mappings.push_back(mapping);
    }
    return profile;
}

}  // namespace siagent
