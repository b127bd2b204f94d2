// The profile kinds of the UI and the stored series behind each, native name first:
//   cpu    cpu-profile/CPU usage, cpu-profile/Main thread CPU usage (original agents)
//   alloc  memory-profile/Allocation rate
//   inuse  memory-profile/Heap in use, memory-profile/Uncollected allocations (original)
//   block  block-profile/Blocking call times
//   error  error-profile/Exceptions, error-profile/Handled exceptions (original)
//   crash  error-profile/Crashes
// Any other stored profile is its raw "category/name".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siagent::dashboard {

struct SeriesName {
    std::string category;
    std::string name;
};

// The series a kind stands for, in order of preference; nullopt for a malformed kind.
std::optional<std::vector<SeriesName>> series_of_kind(std::string_view kind);

// The kind a stored series is shown as.
std::string kind_of_series(const std::string& category, const std::string& name);

// How reports of a category merge: counts (error profiles) add up; everything else (percent,
// per-second rates, retained bytes) is averaged over the merged reports.
bool averaged_over_reports(const std::string& category);

}  // namespace siagent::dashboard
