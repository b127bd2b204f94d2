#include "test/integration/profile_queries.h"

namespace siagent::testing {
namespace {

const SourceLine* owner(const Profile& profile, uint32_t frame) {
    const auto& lines = profile.frames.at(frame).lines;
    return lines.empty() ? nullptr : &lines.back();
}

}  // namespace

int64_t total_value(const std::vector<Profile>& profiles, size_t index) {
    int64_t sum = 0;
    for (const auto& profile : profiles)
        for (const auto& sample : profile.samples) sum += sample.values.at(index);
    return sum;
}

int64_t self_value(const std::vector<Profile>& profiles, const std::string& function, size_t index) {
    int64_t sum = 0;
    for (const auto& profile : profiles) {
        for (const auto& sample : profile.samples) {
            if (sample.frames.empty()) continue;
            const SourceLine* line = owner(profile, sample.frames.front());
            if (line != nullptr && line->function.find(function) != std::string::npos)
                sum += sample.values.at(index);
        }
    }
    return sum;
}

int64_t total_value_through(const std::vector<Profile>& profiles, const std::string& function, size_t index) {
    return labeled_value_through(profiles, function, {}, index);
}

int64_t labeled_value_through(const std::vector<Profile>& profiles, const std::string& function,
                              const Label& label, size_t index) {
    int64_t sum = 0;
    for (const auto& profile : profiles) {
        for (const auto& sample : profile.samples) {
            bool labeled = label.key.empty();
            for (const auto& candidate : sample.labels)
                labeled = labeled || (candidate.key == label.key && candidate.value == label.value);
            if (!labeled) continue;
            for (uint32_t frame : sample.frames) {
                bool matches = false;
                for (const auto& line : profile.frames.at(frame).lines)
                    matches = matches || line.function.find(function) != std::string::npos;
                if (matches) {
                    sum += sample.values.at(index);
                    break;
                }
            }
        }
    }
    return sum;
}

int64_t labeled_value(const std::vector<Profile>& profiles, const std::string& key, const std::string& value,
                      size_t index) {
    int64_t sum = 0;
    for (const auto& profile : profiles) {
        for (const auto& sample : profile.samples) {
            for (const auto& label : sample.labels) {
                if (label.key == key && label.value.find(value) != std::string::npos) {
                    sum += sample.values.at(index);
                    break;
                }
            }
        }
    }
    return sum;
}

int64_t leaf_named_value(const std::vector<Profile>& profiles, const std::string& name, size_t index) {
    int64_t sum = 0;
    for (const auto& profile : profiles) {
        for (const auto& sample : profile.samples) {
            if (sample.frames.empty()) continue;
            const SourceLine* line = owner(profile, sample.frames.front());
            if (line != nullptr && line->function == name) sum += sample.values.at(index);
        }
    }
    return sum;
}

std::vector<CodePosition> leaf_positions(const std::vector<Profile>& profiles, const std::string& function) {
    std::vector<CodePosition> positions;
    for (const auto& profile : profiles) {
        for (const auto& sample : profile.samples) {
            if (sample.frames.empty()) continue;
            const SourceLine* line = owner(profile, sample.frames.front());
            if (line != nullptr && line->function.find(function) != std::string::npos)
                positions.push_back({line->file, line->line});
        }
    }
    return positions;
}

std::vector<CodePosition> frame_positions(const std::vector<Profile>& profiles, const std::string& function) {
    std::vector<CodePosition> positions;
    for (const auto& profile : profiles) {
        for (const auto& sample : profile.samples) {
            for (uint32_t frame : sample.frames) {
                const SourceLine* line = owner(profile, frame);
                if (line != nullptr && line->function == function) positions.push_back({line->file, line->line});
            }
        }
    }
    return positions;
}

}  // namespace siagent::testing
