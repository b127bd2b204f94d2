// The hourly rollup of one group of profile reports while it is built (sqlite/ and
// postgres/storage_rollups.cpp): their trees summed, how many, the largest report id merged
// and the summed sample count (unknown once one report had none).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dashboard/server/model/call_tree.h"

namespace siagent::dashboard {

struct RollupTree {
    CallTree tree;
    int64_t reports = 0;
    int64_t max_report_id = 0;
    std::optional<int64_t> samples = 0;

    // A report that does not decode, or would take the tree past `max_nodes`, is skipped.
    void add(std::string_view blob, int64_t report_id, std::optional<int64_t> report_samples, size_t max_nodes) {
        if (!CallTree::merge_encoded(blob, max_nodes, 1.0, tree)) return;
        ++reports;
        max_report_id = std::max(max_report_id, report_id);
        samples = samples && report_samples ? std::optional<int64_t>(*samples + *report_samples) : std::nullopt;
    }
    // A tree too large to keep stays raw: its row is a marker of 0 reports and an empty tree,
    // which covers nothing and stops the group from being tried again until a new report.
    bool kept(size_t max_nodes) const { return tree.size() <= max_nodes; }
    int64_t stored_reports(size_t max_nodes) const { return kept(max_nodes) ? reports : 0; }
    std::string stored_tree(size_t max_nodes) const { return (kept(max_nodes) ? tree : CallTree()).encode(); }
};

}  // namespace siagent::dashboard
