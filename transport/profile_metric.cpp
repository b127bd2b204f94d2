#include "transport/profile_metric.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <unordered_map>

namespace siagent {
namespace {

constexpr double kNanosecondsPerSecond = 1e9;

// Index of the sample type named `type`, or -1.
int sample_type_index(const Profile& profile, const std::string& type) {
    for (size_t i = 0; i < profile.sample_types.size(); ++i)
        if (profile.sample_types[i].type == type) return static_cast<int>(i);
    return -1;
}

// A frame without symbols: its module and the address's offset in the module's file
// ("libstdc++.so.6+0x9a26c"), the same in every process of the same build whatever the
// load address, so processes' trees merge and an error's site stays one site. The bare
// address only when the module is unknown.
std::string unresolved_frame_name(const Profile& profile, const Frame& frame) {
    char text[32];
    if (frame.mapping_index == 0 || frame.mapping_index > profile.mappings.size()) {
        snprintf(text, sizeof text, "0x%" PRIx64, frame.address);
        return text;
    }
    const Mapping& mapping = profile.mappings[frame.mapping_index - 1];
    const uint64_t offset = frame.address >= mapping.start
                                ? frame.address - mapping.start + mapping.file_offset
                                : frame.address;
    snprintf(text, sizeof text, "+0x%" PRIx64, offset);
    return mapping.path.substr(mapping.path.rfind('/') + 1) + text;
}

// The tree while it is built: a flat arena, children found by (parent, interned name).
class TreeBuilder {
public:
    explicit TreeBuilder(const Profile& profile) : profile_(profile) {
        nodes_.emplace_back().name = intern("");  // the root
        frame_names_.resize(profile.frames.size());
        for (size_t i = 0; i < profile.frames.size(); ++i) {
            const Frame& frame = profile.frames[i];
            if (frame.lines.empty()) frame_names_[i].push_back(intern(unresolved_frame_name(profile, frame)));
            // lines.back() owns the address (outermost); inlined callees follow inwards.
            for (auto line = frame.lines.rbegin(); line != frame.lines.rend(); ++line)
                frame_names_[i].push_back(intern(frame_name(*line)));
        }
    }

    // `span`: the innermost span the sample was taken in, empty for none.
    void add(const Sample& sample, const std::string& category, const std::string& span,
             double value, int64_t count) {
        uint32_t node = 0;
        size_t outermost = sample.frames.size();
        if (!category.empty()) {
            node = child(node, intern(category));
            // A source may already make the category the outermost frame ("[lock]").
            if (outermost > 0 && is_frame_named(sample.frames[outermost - 1], "[" + category + "]"))
                --outermost;
        }
        for (size_t i = outermost; i-- > 0;) {
            uint32_t frame = sample.frames[i];
            if (frame >= frame_names_.size()) continue;
            for (uint32_t name : frame_names_[frame]) node = child(node, name);
        }
        nodes_[node].value += value;
        nodes_[node].count += count;
        if (!span.empty()) add_span(nodes_[node], intern(span), value);
    }

    Breakdown take(uint32_t index = 0) {
        Breakdown out;
        out.name = names_[nodes_[index].name];
        out.measurement = nodes_[index].value;
        out.num_samples = nodes_[index].count;
        for (const auto& [span, value] : nodes_[index].spans) out.spans[names_[span]] += value;
        out.children.reserve(nodes_[index].children.size());
        for (uint32_t child_index : nodes_[index].children) out.children.push_back(take(child_index));
        return out;
    }

private:
    struct Node {
        uint32_t name = 0;
        double value = 0;
        int64_t count = 0;
        std::vector<std::pair<uint32_t, double>> spans;  // (interned span name, own value)
        std::vector<uint32_t> children;
    };

    static void add_span(Node& node, uint32_t span, double value) {
        for (auto& [name, sum] : node.spans)
            if (name == span) {
                sum += value;
                return;
            }
        node.spans.emplace_back(span, value);
    }

    uint32_t intern(const std::string& name) {
        auto [it, added] = name_ids_.emplace(name, static_cast<uint32_t>(names_.size()));
        if (added) names_.push_back(name);
        return it->second;
    }

    bool is_frame_named(uint32_t frame, const std::string& name) {
        if (frame >= frame_names_.size() || frame_names_[frame].size() != 1) return false;
        return names_[frame_names_[frame][0]] == name;
    }

    uint32_t child(uint32_t parent, uint32_t name) {
        uint64_t key = (static_cast<uint64_t>(parent) << 32) | name;
        auto [it, added] = edges_.emplace(key, static_cast<uint32_t>(nodes_.size()));
        if (added) {
            nodes_.emplace_back().name = name;
            nodes_[parent].children.push_back(it->second);
        }
        return it->second;
    }

    const Profile& profile_;
    std::vector<Node> nodes_;
    std::vector<std::string> names_;
    std::unordered_map<std::string, uint32_t> name_ids_;
    std::vector<std::vector<uint32_t>> frame_names_;  // per frame, outermost first
    std::unordered_map<uint64_t, uint32_t> edges_;
};

void sort_children(Breakdown& node) {
    std::sort(node.children.begin(), node.children.end(),
              [](const Breakdown& a, const Breakdown& b) {
                  if (a.measurement != b.measurement) return a.measurement > b.measurement;
                  return a.name < b.name;
              });
    for (Breakdown& child : node.children) sort_children(child);
}

std::string label_value(const Sample& sample, const char* key) {
    for (const Label& label : sample.labels)
        if (label.key == key) return label.value;
    return {};
}

// The span names a breakdown tags by name: the kMaxBreakdownSpans with the largest values
// (ties by name); every other span is tagged kOtherSpans.
std::unordered_map<std::string, std::string> kept_span_names(
    const std::vector<std::pair<std::string, double>>& samples) {
    std::unordered_map<std::string, double> totals;
    for (const auto& [span, value] : samples)
        if (!span.empty()) totals[span] += value;
    std::vector<std::pair<std::string, double>> ranked(totals.begin(), totals.end());
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    std::unordered_map<std::string, std::string> kept;
    for (size_t i = 0; i < ranked.size(); ++i)
        kept[ranked[i].first] = i < kMaxBreakdownSpans ? ranked[i].first : kOtherSpans;
    return kept;
}

struct KindEncoding {
    const char* kind;
    ProfileEncoding encoding;
};

ProfileEncoding cpu_encoding() {
    // Nanoseconds of CPU per second of wall time, as percent: 1e9 ns/s is 100 %.
    ProfileEncoding cpu{"cpu-profile", "CPU usage", "percent", "CPU call graph", "cpu",
                        "samples", 100.0 / kNanosecondsPerSecond, true, false};
    cpu.count_is_raw = true;
    return cpu;
}

// Every kind the agent's profilers emit (agent/profilers.cpp), as the wire names it. Never
// destroyed: the agent's last report is encoded from the library destructor, after exit()
// destroyed the statics made since the library's start.
const std::vector<KindEncoding>& kind_encodings() {
    static const std::vector<KindEncoding>* encodings = new std::vector<KindEncoding>{
        {"cpu", cpu_encoding()},
        {"alloc", {"memory-profile", "Allocation rate", "byte", "Allocation call graph",
                   "alloc_space", "alloc_objects", 1.0, true, false}},
        {"inuse", {"memory-profile", "Heap in use", "byte", "Heap call graph", "inuse_space",
                   "inuse_objects", 1.0, false, false}},
        {"block", {"block-profile", "Blocking call times", "millisecond", "Blocking call graph",
                   "delay", "contentions", 1e-6, true, true}},
        {"error", {"error-profile", "Exceptions", "", "Error call graph", "errors", "errors", 1.0,
                   false, false}},
        {"crash", {"error-profile", "Crashes", "", "Crash call graph", "errors", "errors", 1.0,
                   false, false}},
    };
    return *encodings;
}

}  // namespace

ProfileEncoding encoding_for_kind(const std::string& kind) {
    for (const KindEncoding& known : kind_encodings())
        if (kind == known.kind) return known.encoding;
    // Unknown: named after the kind, measuring the profile's last sample type.
    return {kind + "-profile", kind, "", kind + " call graph", "", "", 1.0, false, false};
}

std::vector<std::string> encoded_profile_kinds() {
    std::vector<std::string> kinds;
    for (const KindEncoding& known : kind_encodings()) kinds.push_back(known.kind);
    return kinds;
}

std::string frame_name(const SourceLine& line) {
    if (line.file.empty()) return line.function;
    if (line.line <= 0) return line.function + " (" + line.file + ")";
    return line.function + " (" + line.file + ":" + std::to_string(line.line) + ")";
}

Breakdown build_breakdown(const Profile& profile, const ProfileEncoding& encoding) {
    int value_index = encoding.value_type.empty()
                          ? static_cast<int>(profile.sample_types.size()) - 1
                          : sample_type_index(profile, encoding.value_type);
    int count_index = encoding.count_type.empty() ? 0 : sample_type_index(profile, encoding.count_type);
    double factor = encoding.multiplier;
    if (encoding.per_second) {
        // A period is never shorter than a millisecond on the wire: no division by zero.
        double period = std::max<double>(static_cast<double>(profile.duration_nanos),
                                         static_cast<double>(encoding.min_period_nanos));
        double seconds = std::max<double>(period, 1e6) / kNanosecondsPerSecond;
        factor /= seconds;
    }
    // Each sample's value and span first: the spans kept by name depend on all of them.
    std::vector<std::pair<std::string, double>> measured;
    measured.reserve(profile.samples.size());
    for (const Sample& sample : profile.samples) {
        double value = value_index >= 0 && static_cast<size_t>(value_index) < sample.values.size()
                           ? static_cast<double>(sample.values[value_index]) * factor
                           : 0;
        measured.emplace_back(label_value(sample, "span"), value);
    }
    const auto kept_spans = kept_span_names(measured);
    TreeBuilder builder(profile);
    for (size_t i = 0; i < profile.samples.size(); ++i) {
        const Sample& sample = profile.samples[i];
        int64_t count = sample.raw_samples > 0 && !encoding.count_is_raw ? sample.raw_samples
                        : count_index >= 0 && static_cast<size_t>(count_index) < sample.values.size()
                            ? sample.values[count_index]
                            : 0;
        std::string category = encoding.category_level ? label_value(sample, "category") : "";
        const std::string& span = measured[i].first;
        builder.add(sample, category, span.empty() ? span : kept_spans.at(span), measured[i].second, count);
    }
    Breakdown root = builder.take();
    root.name = encoding.root_name;
    root.propagate();
    sort_children(root);
    return root;
}

Metric profile_metric(const KindProfile& profile, MetricIds& ids, int64_t min_period_nanos) {
    ProfileEncoding encoding = encoding_for_kind(profile.kind);
    encoding.min_period_nanos = min_period_nanos;
    Metric metric;
    metric.type = "profile";
    metric.category = encoding.category;
    metric.name = encoding.name;
    metric.unit = encoding.unit;
    metric.id = ids.id(metric.type, metric.category, metric.name, metric.unit);
    metric.measurement_id = random_uuid();
    metric.has_breakdown = true;
    metric.breakdown = build_breakdown(profile.profile, encoding);
    metric.value = metric.breakdown.measurement;
    metric.duration = static_cast<double>(profile.profile.duration_nanos) / kNanosecondsPerSecond;
    metric.timestamp = (profile.profile.time_nanos + profile.profile.duration_nanos) /
                       static_cast<int64_t>(kNanosecondsPerSecond);
    return metric;
}

}  // namespace siagent
