// Sums captured stacks per (call stack, thread) over one report period, and turns the sum
// into a symbolized Profile. Agent thread only.
//
// Memory is bounded: past `max_unique_stacks` distinct stacks in one period, further new
// stacks are summed into one "[stack table full]" entry and counted, never stored.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/symbols/module_map.h"
#include "core/profile.h"
#include "core/profile_source.h"
#include "core/stack_sample.h"

namespace siagent {

class Symbolizer;

struct ProfileShape {
    std::vector<ValueType> sample_types;  // two: the record's count, then its value
    ValueType period_type;
    int64_t period = 0;
    int64_t time_nanos = 0;
    int64_t duration_nanos = 0;
    CodeRanges hidden_code;  // frames in here are dropped (the agent's own code)
    std::vector<std::string> comments;

    // A profile with this shape's types, period, time and comments, and no samples yet.
    Profile empty_profile() const {
        Profile profile;
        profile.sample_types = sample_types;
        profile.period_type = period_type;
        profile.period = period;
        profile.time_nanos = time_nanos;
        profile.duration_nanos = duration_nanos;
        profile.comments = comments;
        return profile;
    }
};

// The shape every profiler's report shares: the period and the hidden code of `context`,
// and the comments "siagent <version> <kind> profile, pid <pid><detail>" then the report's
// common ones.
ProfileShape period_shape(const ReportContext& context, const std::string& kind,
                          std::vector<ValueType> sample_types, ValueType period_type,
                          int64_t period, const std::string& detail);

class StackAggregator {
public:
    explicit StackAggregator(size_t max_unique_stacks = 50'000)
        : max_unique_stacks_(max_unique_stacks) {}

    // Adds one record of `count` and `value`; `thread_name` (when not empty) becomes the
    // sample's "thread" label, and the record's span (when it has one) the "span" label.
    void add(const StackRecord& stack, int64_t count, int64_t value, const std::string& thread_name);
    void add(const StackSample& sample, const std::string& thread_name) {
        add(sample, sample.count, sample.value, thread_name);
    }
    // Adds `records` captured records summed into `count` and `value` (one, unless the
    // caller already merged several, e.g. live blocks of one stack), whose sample carries
    // `labels` (records with equal stacks and equal labels are summed).
    void add(const StackRecord& stack, int64_t count, int64_t value, std::vector<Label> labels,
             int64_t records = 1);
    void add(const StackSample& sample, std::vector<Label> labels, int64_t records = 1) {
        add(sample, sample.count, sample.value, std::move(labels), records);
    }
    // Adds values that belong to no known stack (e.g. samples lost to a full buffer) under
    // one frame named `frame` (by convention in brackets); `records` is how many captured
    // records they stand for (0 = unknown).
    void add_pseudo(const std::string& frame, int64_t count, int64_t value, int64_t records = 0);
    bool empty() const { return stacks_.empty(); }
    size_t unique_stacks() const { return stacks_.size(); }
    uint64_t overflowed_samples() const { return overflowed_samples_; }

    // Resolves the addresses of stacks first seen since the last call, so that the work is
    // spread over the report period instead of landing on the report (or on the
    // application's exit, for the last one). Frames in `hidden` are skipped.
    void symbolize_new_stacks(Symbolizer& symbolizer, const CodeRanges& hidden);

    // Builds the profile of everything added since the last call, and starts over. Each
    // sample's raw_samples is the number of records summed into it.
    Profile take_profile(Symbolizer& symbolizer, const ProfileShape& shape);

private:
    struct Key {
        std::vector<uint64_t> addresses;  // lookup addresses, leaf first
        std::vector<Label> labels;
        bool truncated = false;
        std::string pseudo;  // a pseudo frame's name instead of addresses, e.g. "[stack table full]"
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        size_t operator()(const Key& key) const;
    };

    struct Sums {
        int64_t count = 0;
        int64_t value = 0;
        int64_t records = 0;  // captured records summed in: Sample::raw_samples
    };

    size_t max_unique_stacks_;
    uint64_t overflowed_samples_ = 0;
    std::unordered_map<Key, Sums, KeyHash> stacks_;
    // Keys of stacks_ not yet symbolized (element pointers stay valid across rehashing).
    std::vector<const Key*> unsymbolized_;
};

}  // namespace siagent
