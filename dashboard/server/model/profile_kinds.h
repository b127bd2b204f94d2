// The profile kinds of the UI and the stored series behind each: siagent's name first (the
// agent's wire encoding, transport/profile_metric.h), then those of the original StackImpact
// agents (Python, Go, Node.js), recorded from their releases:
//   cpu    cpu-profile/CPU usage (siagent, Go, Node.js), cpu-profile/Main thread CPU usage (Python)
//   alloc  memory-profile/Allocation rate, memory-profile/Heap allocation rate (Node.js)
//   inuse  memory-profile/Heap in use, memory-profile/Uncollected allocations (Python),
//          memory-profile/Heap allocation (Go: its heap in use)
//   block  block-profile/Blocking call times (siagent, Go, Python),
//          async-profile/Async call times (Node.js)
//   error  error-profile/Exceptions, error-profile/Handled exceptions (Python, Go),
//          error-profile/Uncaught exceptions and error-profile/Unhandled rejections (Node.js)
//   crash  error-profile/Crashes
// Any other stored profile, such as the traces (block-trace, async-trace), is its raw
// "category/name".
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

// How the web UI shows a known kind: its label, and the tab it appears in (`tab` == `kind`:
// a profile tab of its own; "errors": within the Errors tab). The UI builds its tab bar from
// this list, in this order (GET /api/kinds); a kind not on it (or any unknown one) gets an
// extra tab when it has data.
struct KindView {
    std::string kind;
    std::string label;
    std::string tab;
};
const std::vector<KindView>& kind_views();

// How reports of a category merge: counts (error profiles) add up; everything else (percent,
// per-second rates, retained bytes) is averaged over the merged reports.
bool averaged_over_reports(const std::string& category);

}  // namespace siagent::dashboard
