// Turns a profile of any kind into the dashboard's `profile` metric: a breakdown call tree
// with the native names and units of docs/protocol.md. Agent thread only.
//
// Kinds and what they become (unknown kinds still go out, named after the kind):
//   cpu    cpu-profile    "CPU usage"            percent of one core   (cpu/nanoseconds)
//   alloc  memory-profile "Allocation rate"      bytes per second      (alloc_space/bytes)
//   inuse  memory-profile "Heap in use"          bytes                 (inuse_space/bytes)
//   block  block-profile  "Blocking call times"  ms per second         (delay/nanoseconds),
//                         the sample's "category" label as the first level below the root
//   error  error-profile  "Exceptions"           count                 (errors/count)
//   crash  error-profile  "Crashes"              count                 (errors/count)
#pragma once

#include <string>
#include <vector>

#include "core/profile.h"
#include "core/profile_source.h"
#include "transport/metric.h"

namespace siagent {

struct ProfileEncoding {
    std::string category;
    std::string name;
    std::string unit;
    std::string root_name;     // e.g. "CPU call graph"
    std::string value_type;    // the sample type measured, e.g. "cpu"
    // num_samples: a sample's raw_samples (records the profiler captured) when known, else
    // the value of this sample type, e.g. "samples".
    std::string count_type;
    double multiplier = 1;     // applied to the value (unit conversion)
    bool per_second = false;   // divided by the profile's duration in seconds
    bool category_level = false;  // the "category" label is the first level
    // A per-second value is never divided by less than this: a process's last, short
    // report period (it exits a moment after the previous report) is a rate over the report
    // interval, not over the milliseconds it lived in it (a 4 s wait became 80 s per second).
    int64_t min_period_nanos = 0;
    // The count type is itself the raw sample count (CPU timer samples, overrun expirations
    // included): raw_samples is not used.
    bool count_is_raw = false;
};

// How a profile of `kind` goes on the wire; a kind without an encoding of its own is named
// after itself ("<kind>-profile").
ProfileEncoding encoding_for_kind(const std::string& kind);
// The kinds with an encoding of their own (the dashboard shows each as a kind).
std::vector<std::string> encoded_profile_kinds();

// Samples labelled "span" tag their nodes with the span's share (Breakdown::spans). At
// most this many span names per breakdown, those with the largest values; the others are
// summed under kOtherSpans.
inline constexpr size_t kMaxBreakdownSpans = 16;
inline constexpr const char* kOtherSpans = "other";

// "function (file:line)", "function (file)" without a line, "function" without a file.
std::string frame_name(const SourceLine& line);

// The call tree of `profile` as `encoding` measures it, propagated (parents hold their own
// value plus their children's, spans included) and with children sorted by measurement,
// largest first.
Breakdown build_breakdown(const Profile& profile, const ProfileEncoding& encoding);

// The metric for one report's profile of one kind; its timestamp is the end of the period.
// `min_period_nanos`: see ProfileEncoding (the agent passes its report interval).
Metric profile_metric(const KindProfile& profile, MetricIds& ids, int64_t min_period_nanos = 0);

}  // namespace siagent
