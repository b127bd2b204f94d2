// Sums sampled throws per (throw site and type, call stack, message, thread) over one
// report period, and builds the period's error profile from the exact per-site counts.
// Agent thread only.
//
// Exactness: the counts per (type, throw site) come from ThrowCounts, not from the
// samples; the sampled stacks of a site only say how its exact count splits between the
// ways it was reached (in proportion to the samples' weights, rounded by largest
// remainders so that the split sums to the exact count). Memory is bounded: past
// `max_unique_stacks` distinct stacks in one period, new ones are not kept (their sites'
// counts still are, spread over the stacks kept).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error/error_profiler.h"
#include "core/symbols/module_map.h"
#include "core/profile.h"
#include "core/stack_aggregator.h"

namespace siagent {

class Symbolizer;

// The exact number of throws of one (type, site) in the period.
struct ThrowSiteCount {
    int slot = -1;      // ThrowCounts index, as in ErrorSample::slot
    std::string type;   // demangled type name
    uint64_t site = 0;  // return address into the throwing function
    int64_t count = 0;
};

class ErrorAggregator {
public:
    explicit ErrorAggregator(size_t max_unique_stacks = 50'000)
        : max_unique_stacks_(max_unique_stacks) {}

    void add(const ErrorSample& sample, const std::string& thread_name);
    bool empty() const { return stacks_.empty(); }
    size_t unique_stacks() const { return stacks_.size(); }
    void symbolize_new_stacks(Symbolizer& symbolizer, const CodeRanges& hidden);

    // One sample per kept stack (leaf first: "<type>: <what()>", the throw site, its
    // callers), labels "exception" (the type) and "thread". Sites without a sampled stack
    // get the site alone. Starts a new period.
    Profile take_profile(const std::vector<ThrowSiteCount>& sites, Symbolizer& symbolizer,
                         const ProfileShape& shape);

private:
    struct Key {
        int slot = -1;
        std::vector<uint64_t> addresses;  // lookup addresses (return address - 1), leaf first
        std::string message;
        bool has_message = false;
        bool truncated = false;
        std::string thread;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        size_t operator()(const Key& key) const;
    };
    class Builder;

    size_t max_unique_stacks_;
    std::unordered_map<Key, double, KeyHash> stacks_;  // summed weights
    std::vector<const Key*> unsymbolized_;
};

// Splits `total` in proportion to `weights` (all > 0) into whole numbers that sum to
// `total` exactly: floors first, then one more to the largest remainders.
std::vector<int64_t> split_by_weight(int64_t total, const std::vector<double>& weights);

// "St13runtime_error" -> "std::runtime_error"; unchanged when it cannot be demangled.
std::string demangle_type_name(const char* mangled);

}  // namespace siagent
