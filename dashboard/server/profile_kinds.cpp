#include "dashboard/server/profile_kinds.h"

#include <array>

namespace siagent::dashboard {
namespace {

struct KnownKind {
    const char* kind;
    std::vector<SeriesName> series;
};

const std::array<KnownKind, 6>& known_kinds() {
    static const std::array<KnownKind, 6> kinds = {
        KnownKind{"cpu", {{"cpu-profile", "CPU usage"}, {"cpu-profile", "Main thread CPU usage"}}},
        KnownKind{"alloc", {{"memory-profile", "Allocation rate"}, {"memory-profile", "Heap allocation rate"}}},
        KnownKind{"inuse",
                  {{"memory-profile", "Heap in use"},
                   {"memory-profile", "Uncollected allocations"},
                   {"memory-profile", "Heap allocation"}}},
        KnownKind{"block", {{"block-profile", "Blocking call times"}, {"async-profile", "Async call times"}}},
        KnownKind{"error",
                  {{"error-profile", "Exceptions"},
                   {"error-profile", "Handled exceptions"},
                   {"error-profile", "Uncaught exceptions"},
                   {"error-profile", "Unhandled rejections"}}},
        KnownKind{"crash", {{"error-profile", "Crashes"}}},
    };
    return kinds;
}

}  // namespace

std::optional<std::vector<SeriesName>> series_of_kind(std::string_view kind) {
    for (const KnownKind& known : known_kinds()) {
        if (kind == known.kind) return known.series;
    }
    const size_t slash = kind.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == kind.size()) return std::nullopt;
    return std::vector<SeriesName>{{std::string(kind.substr(0, slash)), std::string(kind.substr(slash + 1))}};
}

std::string kind_of_series(const std::string& category, const std::string& name) {
    for (const KnownKind& known : known_kinds()) {
        for (const SeriesName& series : known.series) {
            if (series.category == category && series.name == name) return known.kind;
        }
    }
    return category + "/" + name;
}

bool averaged_over_reports(const std::string& category) { return category != "error-profile"; }

}  // namespace siagent::dashboard
