#include "dashboard/server/model/profile_kinds.h"

#include <utility>

#include "transport/profile_metric.h"

namespace siagent::dashboard {
namespace {

struct KnownKind {
    std::string kind;
    std::vector<SeriesName> series;
};

// The names the original StackImpact agents (Python, Go, Node.js) gave the same series,
// recorded from their releases; siagent's own name of each kind comes first, from the
// wire encoding the agent uses (transport/profile_metric.h).
const std::vector<SeriesName>& other_agents_names(const std::string& kind) {
    static const std::vector<std::pair<std::string, std::vector<SeriesName>>> names = {
        {"cpu", {{"cpu-profile", "Main thread CPU usage"}}},
        {"alloc", {{"memory-profile", "Heap allocation rate"}}},
        {"inuse", {{"memory-profile", "Uncollected allocations"}, {"memory-profile", "Heap allocation"}}},
        {"block", {{"async-profile", "Async call times"}}},
        {"error",
         {{"error-profile", "Handled exceptions"},
          {"error-profile", "Uncaught exceptions"},
          {"error-profile", "Unhandled rejections"}}},
    };
    static const std::vector<SeriesName> none;
    for (const auto& [known, series] : names)
        if (known == kind) return series;
    return none;
}

const std::vector<KnownKind>& known_kinds() {
    static const std::vector<KnownKind> kinds = [] {
        std::vector<KnownKind> all;
        for (const std::string& kind : encoded_profile_kinds()) {
            ProfileEncoding encoding = encoding_for_kind(kind);
            KnownKind known{kind, {{encoding.category, encoding.name}}};
            for (const SeriesName& other : other_agents_names(kind)) known.series.push_back(other);
            all.push_back(std::move(known));
        }
        return all;
    }();
    return kinds;
}

// The UI's label and tab of each kind siagent emits; a kind added to the agent and not here
// is shown under its series name, in a tab of its own when it has data.
struct KindPlace {
    const char* kind;
    const char* label;
    const char* tab;
};
constexpr KindPlace kKindPlaces[] = {
    {"cpu", "CPU", "cpu"},
    {"alloc", "Allocations", "alloc"},
    {"inuse", "Heap in use", "inuse"},
    {"block", "Blocking", "block"},
    {"error", "Exceptions", "errors"},
    {"crash", "Crashes", "errors"},
};

}  // namespace

const std::vector<KindView>& kind_views() {
    static const std::vector<KindView> views = [] {
        std::vector<KindView> all;
        for (const KnownKind& known : known_kinds()) {
            KindView view{known.kind, known.series.front().name, ""};
            for (const KindPlace& place : kKindPlaces)
                if (known.kind == place.kind) view = {known.kind, place.label, place.tab};
            all.push_back(std::move(view));
        }
        return all;
    }();
    return views;
}

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
