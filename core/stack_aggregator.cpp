#include "core/stack_aggregator.h"

#include <unistd.h>

#include <functional>

#include "core/span_table.h"
#include "core/symbols/symbolizer.h"

namespace siagent {
namespace {

const char kTruncatedFrame[] = "[truncated]";
const char kOverflowFrame[] = "[stack table full]";

// Index of a pseudo frame (no address) with the given name, made on first use.
uint32_t pseudo_frame(Profile& profile, std::unordered_map<std::string, uint32_t>& made,
                      const std::string& name) {
    auto known = made.find(name);
    if (known != made.end()) return known->second;
    Frame frame;
    frame.lines.push_back({name, "", 0});
    profile.frames.push_back(std::move(frame));
    uint32_t index = static_cast<uint32_t>(profile.frames.size() - 1);
    made.emplace(name, index);
    return index;
}

}  // namespace

ProfileShape period_shape(const ReportContext& context, const std::string& kind,
                          std::vector<ValueType> sample_types, ValueType period_type,
                          int64_t period, const std::string& detail) {
    ProfileShape shape;
    shape.sample_types = std::move(sample_types);
    shape.period_type = std::move(period_type);
    shape.period = period;
    shape.time_nanos = context.start_ns;
    shape.duration_nanos = context.end_ns - context.start_ns;
    shape.hidden_code = context.hidden_code;
    shape.comments.push_back("siagent " SIAGENT_VERSION " " + kind + " profile, pid " +
                             std::to_string(getpid()) + detail);
    shape.comments.insert(shape.comments.end(), context.common_comments.begin(),
                          context.common_comments.end());
    return shape;
}

size_t StackAggregator::KeyHash::operator()(const Key& key) const {
    size_t hash = (key.truncated ? 0x9e3779b9u : 0) ^ std::hash<std::string>()(key.pseudo);
    for (const Label& label : key.labels)
        hash = hash * 31 + std::hash<std::string>()(label.key) * 7 + std::hash<std::string>()(label.value);
    for (uint64_t address : key.addresses) hash = hash * 1099511628211ull ^ address;
    return hash;
}

void StackAggregator::add(const StackRecord& stack, int64_t count, int64_t value,
                          const std::string& thread_name) {
    std::vector<Label> labels;
    if (!thread_name.empty()) labels.push_back({"thread", thread_name});
    if (stack.span != kNoSpan) labels.push_back({"span", span_name(stack.span)});
    add(stack, count, value, std::move(labels));
}

void StackAggregator::add(const StackRecord& stack, int64_t count, int64_t value,
                          std::vector<Label> labels, int64_t records) {
    Key key;
    key.labels = std::move(labels);
    key.truncated = stack.truncated != 0;
    key.addresses.reserve(stack.depth);
    for (int i = 0; i < stack.depth; ++i) {
        // Callers' frames hold return addresses; the call itself is the byte before, which
        // keeps the line lookup inside the calling statement.
        uint64_t address = stack.frames[i];
        key.addresses.push_back(i == 0 || address == 0 ? address : address - 1);
    }
    auto existing = stacks_.find(key);
    if (existing == stacks_.end() && stacks_.size() >= max_unique_stacks_) {
        overflowed_samples_ += count;
        key = Key{};
        key.pseudo = kOverflowFrame;
        existing = stacks_.find(key);
    }
    if (existing == stacks_.end()) {
        existing = stacks_.emplace(std::move(key), Sums{}).first;
        unsymbolized_.push_back(&existing->first);
    }
    existing->second.count += count;
    existing->second.value += value;
    existing->second.records += records;
}

void StackAggregator::add_pseudo(const std::string& frame, int64_t count, int64_t value,
                                 int64_t records) {
    Key key;
    key.pseudo = frame;
    Sums& sums = stacks_[key];
    sums.count += count;
    sums.value += value;
    sums.records += records;
}

void StackAggregator::symbolize_new_stacks(Symbolizer& symbolizer, const CodeRanges& hidden) {
    for (const Key* key : unsymbolized_) {
        for (uint64_t address : key->addresses) {
            if (!hidden.contains(address)) symbolizer.note(address);
        }
    }
    unsymbolized_.clear();
}

Profile StackAggregator::take_profile(Symbolizer& symbolizer, const ProfileShape& shape) {
    Profile profile = shape.empty_profile();

    std::unordered_map<uint64_t, uint32_t> frame_of_address;
    std::unordered_map<std::string, uint32_t> pseudo_frames;
    for (auto& [key, sums] : stacks_) {
        Sample sample;
        if (!key.pseudo.empty()) {
            sample.frames.push_back(pseudo_frame(profile, pseudo_frames, key.pseudo));
        }
        for (uint64_t address : key.addresses) {
            if (shape.hidden_code.contains(address)) continue;
            auto known = frame_of_address.find(address);
            if (known == frame_of_address.end()) {
                profile.frames.push_back(symbolizer.resolve(address));
                known = frame_of_address.emplace(address, profile.frames.size() - 1).first;
            }
            sample.frames.push_back(known->second);
        }
        if (sample.frames.empty()) {
            // Every frame was the agent's own code (hidden): keep the cost visible.
            sample.frames.push_back(pseudo_frame(profile, pseudo_frames, "[siagent]"));
        }
        if (key.truncated) sample.frames.push_back(pseudo_frame(profile, pseudo_frames, kTruncatedFrame));
        sample.values = {sums.count, sums.value};
        sample.labels = key.labels;
        sample.raw_samples = sums.records;
        profile.samples.push_back(std::move(sample));
    }
    profile.mappings = symbolizer.mappings();
    stacks_.clear();
    unsymbolized_.clear();
    overflowed_samples_ = 0;
    return profile;
}

}  // namespace siagent
