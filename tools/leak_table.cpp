#include "tools/leak_table.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace siagent {
namespace {

const Label* find_label(const Sample& sample, const std::string& key) {
    for (const Label& label : sample.labels)
        if (label.key == key) return &label;
    return nullptr;
}

// The innermost frame with a resolved function that is not a pseudo frame ("[...]").
const SourceLine* allocating_line(const Profile& profile, const Sample& sample) {
    for (uint32_t index : sample.frames) {
        const Frame& frame = profile.frames[index];
        if (frame.lines.empty() || frame.lines.front().function.empty()) continue;
        if (frame.lines.front().function.front() == '[') continue;
        return &frame.lines.front();
    }
    return nullptr;
}

std::string stack_key(const Profile& profile, const Sample& sample) {
    std::string key;
    for (uint32_t index : sample.frames) {
        const Frame& frame = profile.frames[index];
        for (const SourceLine& line : frame.lines)
            key += line.function + "@" + line.file + ":" + std::to_string(line.line) + ";";
    }
    return key;
}

}  // namespace

std::optional<LeakTable> compute_leaks(const std::vector<NamedProfile>& inputs, std::string& error) {
    struct Found {
        int64_t time;
        LeakRow row;
    };
    std::map<std::string, Found> by_stack;
    for (const NamedProfile& input : inputs) {
        const Profile& profile = input.profile;
        auto bytes = std::find_if(profile.sample_types.begin(), profile.sample_types.end(),
                                  [](const ValueType& type) { return type.type == "inuse_space"; });
        if (bytes == profile.sample_types.end()) {
            error = input.name + " is not a heap-in-use profile (no inuse_space values)";
            return std::nullopt;
        }
        size_t index = static_cast<size_t>(bytes - profile.sample_types.begin());
        for (const Sample& sample : profile.samples) {
            const Label* leak = find_label(sample, "leak");
            if (leak == nullptr || leak->value != "suspected" || index >= sample.values.size())
                continue;
            LeakRow row;
            const SourceLine* line = allocating_line(profile, sample);
            row.function = line != nullptr ? line->function : "?";
            row.location = line != nullptr && !line->file.empty()
                               ? line->file + ":" + std::to_string(line->line)
                               : "?";
            row.inuse_bytes = sample.values[index];
            const Label* growth = find_label(sample, "leak_growth_bytes_per_second");
            row.growth_bytes_per_second = growth != nullptr ? std::atoll(growth->value.c_str()) : 0;
            row.source = input.name;
            Found& found = by_stack[stack_key(profile, sample)];
            if (found.row.source.empty() || profile.time_nanos >= found.time)
                found = {profile.time_nanos, row};
        }
    }
    LeakTable table;
    table.files = inputs.size();
    for (auto& [key, found] : by_stack) table.rows.push_back(found.row);
    std::sort(table.rows.begin(), table.rows.end(), [](const LeakRow& a, const LeakRow& b) {
        return a.growth_bytes_per_second > b.growth_bytes_per_second;
    });
    return table;
}

std::string render_leaks(const LeakTable& table) {
    std::string out;
    if (table.rows.empty()) {
        out = "no suspected leaks in " + std::to_string(table.files) + " file(s)\n";
        return out;
    }
    out = std::to_string(table.rows.size()) + " suspected leak(s) in " +
          std::to_string(table.files) + " file(s)\n";
    char line[512];
    std::snprintf(line, sizeof line, "%-12s  %-10s  %s\n", "growth/s", "in use", "function (location)");
    out += line;
    for (const LeakRow& row : table.rows) {
        std::string growth = format_value(row.growth_bytes_per_second, "bytes") + "/s";
        std::string inuse = format_value(row.inuse_bytes, "bytes");
        std::snprintf(line, sizeof line, "%-12s  %-10s  ", growth.c_str(), inuse.c_str());
        out += line;
        out += row.function + " (" + row.location + ")\n";
    }
    return out;
}

}  // namespace siagent
