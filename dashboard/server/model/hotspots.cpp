#include "dashboard/server/model/hotspots.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "core/hotspot_ranking.h"
#include "dashboard/server/model/frame_name.h"

namespace siagent::dashboard {
namespace {

struct Row {
    Hotspot spot;
    double line_self = -1;  // self of the frame whose line is shown
};

}  // namespace

std::vector<Hotspot> hotspots(const CallTree& tree, size_t max_rows) {
    const auto children = tree.children();
    // Each distinct frame name is parsed once; frames of one function and file share a row.
    std::unordered_map<std::string, size_t> row_of_name;
    std::map<std::pair<std::string, std::string>, size_t> row_of_function;
    std::vector<Row> rows;
    std::vector<size_t> row_of_node(tree.size(), 0);
    for (uint32_t node = 1; node < tree.size(); ++node) {
        auto [slot, added] = row_of_name.try_emplace(tree.name(node), 0);
        if (added) {
            FrameLocation frame = parse_frame_name(tree.name(node));
            auto [function_slot, new_function] =
                row_of_function.try_emplace({frame.function, frame.file}, rows.size());
            if (new_function) rows.push_back(Row{Hotspot{frame.function, frame.file, frame.line, 0, 0}});
            slot->second = function_slot->second;
        }
        row_of_node[node] = slot->second;
    }
    // Depth-first with an explicit stack, through the shared definition (core/hotspot_ranking.h).
    HotspotTotals totals(rows.size());
    std::vector<std::pair<uint32_t, bool>> stack;
    for (uint32_t child : children[CallTree::kRoot]) stack.push_back({child, false});
    while (!stack.empty()) {
        auto [node, leaving] = stack.back();
        stack.pop_back();
        const uint32_t row_id = static_cast<uint32_t>(row_of_node[node]);
        if (leaving) {
            totals.leave(row_id);
            continue;
        }
        double self = tree.value(node);
        for (uint32_t child : children[node]) self -= tree.value(child);
        self = std::max(self, 0.0);
        totals.enter(row_id, tree.value(node), self);
        Row& row = rows[row_id];
        if (self > row.line_self) {
            row.line_self = self;
            row.spot.line = parse_frame_name(tree.name(node)).line;
        }
        stack.push_back({node, true});
        for (uint32_t child : children[node]) stack.push_back({child, false});
    }
    std::vector<Hotspot> result;
    for (uint32_t id : rank_hotspots(totals, HotspotOrder::by_self,
                                     [&](uint32_t row) { return rows[row].spot.function; })) {
        if (result.size() == max_rows) break;
        Hotspot spot = std::move(rows[id].spot);
        spot.self = totals.self(id);
        spot.total = totals.total(id);
        result.push_back(std::move(spot));
    }
    return result;
}

}  // namespace siagent::dashboard
